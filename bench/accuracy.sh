#!/usr/bin/env bash
# make bench-accuracy: what each training recipe is worth on real data, with the real ImageNet-pretrained
# MobileNet v1 0.25 (../shared): transfer learning vs fine-tuning vs fine-tuning with augmentation, on
#   - hymenoptera (ants/bees photos, its own train/val folders), and
#   - Omniglot-small1 classified by alphabet (5 classes), with every character's drawings kept on one side of the
#     split (--group-by), so that validation asks about characters the model has never seen.
# Prints a table and keeps every run in target/bench-accuracy/. Not a test: nothing here asserts a figure.
set -euo pipefail -f  # -f: the --group-by regex below is not a file pattern
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
shared="${GRAFT_SHARED:-../shared}"
out=target/bench-accuracy
hym="$shared/datasets/hymenoptera"
omni="$shared/datasets/omniglot-small1"
if [ ! -f "$shared/models/mobilenet_v1_0.25_224.h5" ] || [ ! -d "$hym/train" ] || [ ! -d "$omni" ]; then
  echo "make bench-accuracy needs ../shared (MobileNet weights, hymenoptera, omniglot-small1); set GRAFT_SHARED=DIR." >&2
  exit 1
fi
[ -x bin/graft ] || make setup
mkdir -p "$out"
export GRAFT_MIRROR="${GRAFT_MIRROR:-$shared}" GRAFT_HOME="${GRAFT_HOME:-$PWD/$out/home}"
# fine-tuning epochs (after 5 head epochs); Omniglot has 9x as many images, so it gets fewer (a fine-tuning
# epoch of its 2,200 training images takes about 2.5 minutes on 2 cores)
HYM_EPOCHS="${HYM_EPOCHS:-10}"
OMNI_EPOCHS="${OMNI_EPOCHS:-4}"
recipes() { # fine-tuning epochs
  echo "transfer|--mode transfer --epochs 10"
  echo "finetune|--mode finetune --epochs $1"
  echo "finetune+augment|--mode finetune --epochs $1 --augment"
}
run() { # name, data args, recipe args
  local name=$1 data=$2 recipe=$3
  if [ -f "$out/$name/metrics.json" ]; then echo "  $name: kept from an earlier run"; return; fi
  echo "  $name ..."
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e" -o "$out/$name.time" bin/graft train --backbone mobilenet-v1-0.25 $data $recipe \
    --out "$out/$name" --no-progress > "$out/$name.log" 2>&1 || { echo "  $name failed: see $out/$name.log"; exit 1; }
}
echo "Hymenoptera (train/ and val/ as given):"
while IFS= read -r r; do
  run "hymenoptera-${r%%|*}" "--data $hym/train --val $hym/val" "${r#*|}"
done < <(recipes "$HYM_EPOCHS")
echo "Omniglot-small1 by alphabet, characters grouped:"
while IFS= read -r r; do
  run "omniglot-${r%%|*}" "--data $omni --group-by ^([^/]+/[^/]+)/" "${r#*|}"
done < <(recipes "$OMNI_EPOCHS")
/usr/bin/python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
print()
print(f"{'data set':<14} {'recipe':<18} {'val acc':>8} {'macro F1':>9} {'best epoch':>10} {'wall s':>7}")
for ds in ("hymenoptera", "omniglot"):
    for recipe in ("transfer", "finetune", "finetune+augment"):
        run = out / f"{ds}-{recipe}"
        m = json.loads((run / "metrics.json").read_text())
        h = json.loads((run / "history.json").read_text())
        best = max(range(len(h)), key=lambda i: (h[i]["validationMacroF1"], -h[i]["validationLoss"]))
        wall = (out / f"{ds}-{recipe}.time").read_text().split()[0]
        print(f"{ds:<14} {recipe:<18} {m['accuracy']:>8.4f} {m['macroF1']:>9.4f} "
              f"{h[best]['epoch']:>4} ({h[best]['phase']:<8}) {float(wall):>7.0f}")
PY
