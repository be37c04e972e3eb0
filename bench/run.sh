#!/usr/bin/env bash
# make bench: Graft against the PyTorch workflow it replaces, in one invocation, on the same machine, data and
# network (torchvision's EfficientNet-B0, exported to ONNX by the PyTorch script so Graft runs the identical model).
# Figures and ratios are printed as a table and kept in target/bench/. Not a test: nothing here asserts a speed.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
shared="${GRAFT_SHARED:-../shared}"
data="${BENCH_DATA:-$shared/datasets/hymenoptera}"
out=target/bench
py=/usr/bin/python3
if [ ! -d "$data/train" ] || [ ! -d "$data/val" ]; then
  echo "make bench needs the hymenoptera images (train/ and val/) in $data; set BENCH_DATA=DIR." >&2
  exit 1
fi
if ! $py -c 'import torch, torchvision, onnx' 2>/dev/null; then
  echo "make bench needs Debian's python3-torch, python3-torchvision and python3-onnx for the reference run:" >&2
  echo "  apt-get install python3-torch python3-torchvision python3-onnx" >&2
  exit 1
fi
rm -rf "$out" && mkdir -p "$out"
[ -x bin/graft ] || make setup
# wall seconds and peak RSS (KB) of each whole command
timed() { local name=$1; shift; /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1; }

echo "1/5 PyTorch: transfer learning, 10 epochs (decoding every image every epoch) ..."
timed torch_transfer $py bench/pytorch_workflow.py transfer --data "$data" --out "$out"
echo "2/5 PyTorch: inference and fine-tuning throughput ..."
timed torch_throughput $py bench/pytorch_workflow.py throughput --out "$out"
model="$out/efficientnet_b0.onnx"
echo "3/5 Graft: transfer learning, 10 epochs, DL4J computing the features ..."
timed graft_transfer_dl4j bin/graft train --backbone "$model" --data "$data/train" --val "$data/val" \
  --out "$out/run-dl4j" --no-progress --no-cache
echo "4/5 Graft: the same with ONNX Runtime computing the features, then again reusing them (feature cache) ..."
timed graft_transfer_ort bin/graft train --engine onnxruntime --inference-batch 32 --backbone "$model" \
  --data "$data/train" --val "$data/val" --out "$out/run-ort" --no-progress --no-cache
export GRAFT_HOME="$PWD/$out/home"
timed graft_transfer_fill bin/graft train --engine onnxruntime --inference-batch 32 --backbone "$model" \
  --data "$data/train" --val "$data/val" --out "$out/run-fill" --no-progress
timed graft_transfer_cached bin/graft train --engine onnxruntime --backbone "$model" \
  --data "$data/train" --val "$data/val" --out "$out/run-cached" --lr 0.0005 --no-progress
unset GRAFT_HOME
echo "5/5 Graft: inference and fine-tuning throughput ..."
timed graft_bench bin/graft bench --backbone "$model" --json "$out/graft_bench.json"
$py bench/table.py "$out" | tee "$out/table.txt"
