#!/usr/bin/env bash
# Checks that the CUDA build (mvn -Pcuda) resolves, without downloading its ~1.5 GB of native libraries: Maven
# collects the whole dependency tree with the profile (POMs only), and the native jars the tree names are asked
# for with HTTP HEAD on Maven Central. Part of `make test`; needs Maven Central, as the build does.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(mktemp)
trap 'rm -f "$tree"' EXIT
mvn -B -q -Pcuda -Dnd4j.classifier=linux-x86_64-cudnn dependency:tree -pl modules/graft-cli -am \
  -DoutputType=text -DoutputFile="$tree" -DappendOutput=true > /dev/null
for want in "org.nd4j:nd4j-cuda-11.6:jar:linux-x86_64-cudnn" "org.bytedeco:cuda:jar:linux-x86_64-redist"; do
  line=$(grep -m1 -F "$want" "$tree" || true)
  if [ -z "$line" ]; then
    echo "cuda-resolve: the -Pcuda tree lacks $want" >&2
    exit 1
  fi
  # group:artifact:type:classifier:version:scope
  IFS=: read -r g a _ c v _ <<< "$(echo "$line" | grep -o '[a-z0-9.]*:[a-z0-9.-]*:jar:[a-z0-9_-]*:[^: ]*:[a-z]*')"
  url="https://repo1.maven.org/maven2/${g//.//}/$a/$v/$a-$v-$c.jar"
  code=$(curl -s -o /dev/null -I -w '%{http_code}' "$url")
  if [ "$code" != 200 ]; then
    echo "cuda-resolve: $url answered $code" >&2
    exit 1
  fi
  echo "cuda-resolve: $g:$a:$v:$c is served"
done
if grep -q "org.nd4j:nd4j-native:" "$tree"; then
  echo "cuda-resolve: the -Pcuda build still pulls nd4j-native:" >&2
  grep "org.nd4j:nd4j-native:" "$tree" | sort -u | head -5 >&2
  exit 1
fi
echo "cuda-resolve: mvn -Pcuda resolves (dependency tree of graft-cli, native jars present on Maven Central)"
