#!/usr/bin/env bash
# Throughput of SparkPredict per executor core (docs/Scale.md): the same images on local[1] and local[2].
# usage: modules/graft-spark/scale-bench.sh [MODEL] [IMAGES] [COPIES]
#   (after: mvn -Pspark-dist -pl modules/graft-spark -am install -DskipTests; bin/graft from make setup for the single-machine row)
# defaults: runs/demo (MobileNet v1 0.25 on hymenoptera, from make demo), ../shared/datasets/hymenoptera (398 JPEGs),
# 4 copies of it (hard links, 1592 files), so that start-up and the per-partition model load are amortised.
set -euo pipefail
cd "$(dirname "$0")/../.."
model="${1:-runs/demo}"
source="${2:-../shared/datasets/hymenoptera}"
copies="${3:-4}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
images="$out/images"
for i in $(seq 1 "$copies"); do mkdir -p "$images/copy$i" && cp -al "$(realpath "$source")/." "$images/copy$i/" 2>/dev/null \
  || cp -r "$(realpath "$source")/." "$images/copy$i/"; done
echo "$(find "$images" -type f | wc -l) files ($copies copies of $source), model $model"
opens="-XX:+IgnoreUnrecognizedVMOptions"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
cp="modules/graft-spark/target/classes:modules/graft-spark/target/lib/*:modules/graft-spark/target/spark-lib/*"
run() { # master, mode, extra env
  local master="$1" mode="$2"; shift 2
  env LC_ALL=C.UTF-8 SPARK_LOCAL_IP=127.0.0.1 OMP_WAIT_POLICY=PASSIVE "$@" java $opens -Xmx6g \
    -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G \
    -Dlog4j.configuration=file:modules/graft-spark/conf/log4j.properties -cp "$cp" org.graft.spark.SparkPredict \
    --model "$model" --input "$images" --out "$out/$master-$mode-$RANDOM" --master "$master" --mode "$mode" \
    --partitions 4 2>/dev/null | grep -E '^(predict|features):' | sed "s/^/$master ${*:-default-threads}: /"
}
echo "cores: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -x bin/graft ]; then
  start=$(date +%s.%N)
  bin/graft predict --model "$model" --input "$images" --out "$out/single.csv" >/dev/null 2>&1
  n=$(($(wc -l < "$out/single.csv") - 1))
  echo "single machine (bin/graft predict, batch 4): $n images in $(echo "$(date +%s.%N) - $start" | bc) s (incl. JVM start)"
fi
run "local[1]" predict
run "local[2]" predict
run "local[2]" predict OMP_NUM_THREADS=1
run "local[2]" features
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
