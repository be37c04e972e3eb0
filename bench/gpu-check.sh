#!/usr/bin/env bash
# bench/gpu-check.sh: on a machine with an NVIDIA GPU, build Graft for CUDA (make setup BACKEND=cuda), import
# EfficientNet-B0, time its inference and fine-tuning steps (graft bench), then run one epoch of real fine-tuning
# on hymenoptera and print images per second. Needs Maven Central (the CUDA build of ND4J and cuDNN, ~1.5 GB, are
# downloaded once into ~/.m2) and either internet for the Keras weights or GRAFT_MIRROR pointing at a folder that
# holds them. Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/gpu-check
mkdir -p "$out"
if ! command -v nvidia-smi > /dev/null || ! nvidia-smi > "$out/nvidia-smi.txt" 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi missing or failing); nothing to measure." >&2
  exit 2
fi
echo "GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)"
shared="${GRAFT_SHARED:-../shared}"
data="${GPU_DATA:-$shared/datasets/hymenoptera}"
backbone="${GPU_BACKBONE:-efficientnet-b0}"
batch="${GPU_BATCH:-32}"

echo "1/3 build for CUDA (nd4j-cuda-11.6, cuDNN) ..."
make setup BACKEND=cuda > "$out/setup.log" 2>&1 || { echo "build failed: see $out/setup.log" >&2; exit 1; }

echo "2/3 import $backbone and time inference and fine-tuning steps, batch $batch ..."
start=$(date +%s.%N)
bin/graft bench --backbone "$backbone" --batch "$batch" --batches 10 --finetune-batches 10 --engines dl4j \
  --json "$out/bench.json" | tee "$out/bench.log"
echo "   (import + timing: $(echo "$(date +%s.%N) - $start" | bc) s)"

echo "3/3 one epoch of fine-tuning (backbone unfrozen) on $data ..."
if [ -d "$data/train" ]; then
  bin/graft train --data "$data/train" --val "$data/val" --backbone "$backbone" --mode finetune --head-epochs 0 \
    --epochs 1 --batch "$batch" --out "$out/finetune" --no-progress --no-cache --no-duplicate-check \
    > "$out/finetune.log" 2>&1 || { echo "fine-tuning failed: see $out/finetune.log" >&2; exit 1; }
  /usr/bin/env python3 - "$out/finetune" <<'PY'
import json, sys, pathlib
run = pathlib.Path(sys.argv[1])
h = json.loads((run / "history.json").read_text())[-1]
n = sum(1 for l in (run / "split.csv").read_text().splitlines()[1:] if l.startswith("train,"))
print(f"   fine-tuning: {n} images in {h['seconds']:.1f} s (training and validation) = {n / h['seconds']:.1f} img/s; "
      f"val accuracy {h['validationAccuracy']:.4f}")
PY
else
  echo "   skipped: no $data/train (set GPU_DATA=DIR with train/ and val/)"
fi
echo "Figures and logs: $out/"
