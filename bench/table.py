#!/usr/bin/env python3
"""Prints make bench's table from the figures bench/run.sh left in its output folder (standard library only)."""
import json
import os
import sys


def load(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def timing(out, name):
    """(wall seconds, peak RSS in MB) of one command, from /usr/bin/time -f '%e %M'."""
    with open(os.path.join(out, name + ".time")) as f:
        wall, kb = f.read().split()[-2:]
    return float(wall), int(kb) / 1024


def main(out):
    torch_transfer = load(out, "torch_transfer.json")
    torch_speed = load(out, "torch_throughput.json")
    graft = load(out, "graft_bench.json")
    images = torch_transfer["epochs"] * torch_transfer["images_per_epoch"]
    rows = []

    def row(label, wall=None, rate=None, rss=None, ratio=None):
        rows.append("  %-52s %8s %8s %9s %10s" % (
            label, "" if wall is None else "%.1f" % wall, "" if rate is None else "%.1f" % rate,
            "" if rss is None else "%.0f MB" % rss, "" if ratio is None else "%.2fx" % ratio))

    print("Graft vs the PyTorch workflow: EfficientNet-B0 224 px, the same network and weights, %d images per "
          "epoch, batch 32, %d threads, torch %s" % (torch_transfer["images_per_epoch"], torch_transfer["threads"],
                                                    torch_transfer["torch"]))
    print("  %-52s %8s %8s %9s %10s" % ("", "wall s", "img/s", "peak RSS", "vs PyTorch"))
    print("(a) transfer learning, %d epochs, end to end (decode, features, train, validate)" % torch_transfer["epochs"])
    t_wall, t_rss = timing(out, "torch_transfer")
    row("PyTorch (DataLoader decodes every image every epoch)", t_wall, images / t_wall, t_rss, 1.0)
    for name, label in [("graft_transfer_dl4j", "Graft, DL4J features (BN folded), cache off"),
                        ("graft_transfer_ort", "Graft, ONNX Runtime features, cache off"),
                        ("graft_transfer_cached", "Graft, the next run (another lr): cached features")]:
        wall, rss = timing(out, name)
        row(label, wall, images / wall, rss, t_wall / wall)
    print("\n".join(rows))
    rows.clear()
    print("(b) backbone inference throughput, batch 32 (synthetic images)")
    torch_inf = torch_speed["inference_img_per_s"]
    row("PyTorch", rate=torch_inf, ratio=1.0)
    for key, label in [("inference_dl4j_img_per_s", "Graft, DL4J (oneDNN, BN folded)"),
                       ("inference_onnxruntime_img_per_s", "Graft, ONNX Runtime")]:
        if key in graft:
            row(label, rate=graft[key], ratio=graft[key] / torch_inf)
    print("\n".join(rows))
    rows.clear()
    print("(c) full fine-tuning throughput, batch 32 (every layer trains)")
    row("PyTorch", rate=torch_speed["finetune_img_per_s"], rss=torch_speed["peak_rss_mb"], ratio=1.0)
    _, g_rss = timing(out, "graft_bench")
    if "finetune_dl4j_img_per_s" in graft:
        row("Graft, DL4J", rate=graft["finetune_dl4j_img_per_s"], rss=g_rss,
            ratio=graft["finetune_dl4j_img_per_s"] / torch_speed["finetune_img_per_s"])
    print("\n".join(rows))
    best = min(timing(out, n)[0] for n in ["graft_transfer_dl4j", "graft_transfer_ort"])
    print("(d) peak RSS: in the tables above (whole processes)")
    print("Targets: (a) Graft >= 5x PyTorch end to end, uncached: %.1fx; (b) ONNX Runtime >= 2.5x: %.2fx, DL4J >= "
          "0.5x: %.2fx; frozen transfer peak RSS <= 4 GB: %.0f MB (ONNX Runtime, batch 32)" % (
              t_wall / best, graft.get("inference_onnxruntime_img_per_s", 0) / torch_inf,
              graft.get("inference_dl4j_img_per_s", 0) / torch_inf, timing(out, "graft_transfer_ort")[1]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench")
