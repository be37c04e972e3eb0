#!/usr/bin/env bash
# make bench: Graft against the PyTorch workflow it replaces, in one invocation, on the same machine, data and
# network (torchvision's EfficientNet-B0, exported to ONNX by the PyTorch script so Graft runs the identical model;
# and Graft's default backbone, Keras' EfficientNet-B0, with random weights from the test fixture generator).
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
# (an array, not a function: /usr/bin/time runs programs, not shell functions)
train=(bin/graft train --data "$data/train" --val "$data/val" --no-progress)

echo "1/9 PyTorch: transfer learning, 10 epochs (decoding every image every epoch) ..."
timed torch_transfer $py bench/pytorch_workflow.py transfer --data "$data" --out "$out"
model="$out/efficientnet_b0.onnx"
echo "2/9 PyTorch: inference and full fine-tuning throughput, each in a process of its own ..."
timed torch_inference $py bench/pytorch_workflow.py throughput --only inference --out "$out"
timed torch_finetune $py bench/pytorch_workflow.py throughput --only finetune --out "$out"
echo "3/9 PyTorch: fine-tuning the last two blocks and the head, 3 epochs ..."
timed torch_partial $py bench/pytorch_workflow.py partial --data "$data" --out "$out"
echo "4/9 Graft: transfer learning, 10 epochs, the default engine (auto), features uncached ..."
timed graft_transfer_auto "${train[@]}" --backbone "$model" --out "$out/run-auto" --no-cache
echo "5/9 Graft: the same with --engine dl4j, then --engine onnxruntime ..."
timed graft_transfer_dl4j "${train[@]}" --engine dl4j --backbone "$model" --out "$out/run-dl4j" --no-cache
timed graft_transfer_ort "${train[@]}" --engine onnxruntime --backbone "$model" --out "$out/run-ort" --no-cache
echo "6/9 Graft: the next run on cached features (another learning rate) ..."
export GRAFT_HOME="$PWD/$out/home"
timed graft_transfer_fill "${train[@]}" --backbone "$model" --out "$out/run-fill"
timed graft_transfer_cached "${train[@]}" --backbone "$model" --out "$out/run-cached" --lr 0.0005
unset GRAFT_HOME
echo "7/9 Graft: fine-tuning the last two blocks and the head (--unfreeze 2), 3 epochs ..."
timed graft_partial "${train[@]}" --backbone "$model" --out "$out/run-partial" --mode finetune --unfreeze 2 \
  --head-epochs 0 --epochs 3 --lr 0.0001 --backbone-lr 0.0001 --no-cache
echo "8/9 Graft: inference (batch sizes 4-32) and full fine-tuning throughput, each in a process of its own ..."
timed graft_inference bin/graft bench --backbone "$model" --finetune-batches 0 --sweep 4,8,16 \
  --engines dl4j,onnxruntime --json "$out/graft_inference.json"
timed graft_finetune bin/graft bench --backbone "$model" --batches 0 --json "$out/graft_finetune.json"
echo "9/9 Graft: the default backbone's architecture (Keras EfficientNet-B0, NHWC), random weights ..."
if $py -c 'import h5py, numpy' 2>/dev/null; then
  $py modules/graft-backbone/src/test/resources/fixtures/make_efficientnet_fixtures.py "$out/keras" \
    > "$out/keras_fixtures.log" 2>&1
  timed graft_keras bin/graft bench --backbone "$out/keras/efficientnetb0.h5" --json "$out/graft_keras.json"
else
  echo "   skipped: needs python3-h5py and python3-numpy"
fi
$py bench/table.py "$out" | tee "$out/table.txt"
