#!/usr/bin/env python3
"""Prints make bench's table from the figures bench/run.sh left in its output folder (standard library only)."""
import json
import os
import platform
import sys


def load(out, name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def timing(out, name):
    """(wall seconds, peak RSS in MB) of one command, from /usr/bin/time -f '%e %M'."""
    with open(os.path.join(out, name + ".time")) as f:
        wall, kb = f.read().split()[-2:]
    return float(wall), int(kb) / 1024


def machine():
    """CPU model, cores, the vector extensions that decide kernel choice, and memory: named next to every figure."""
    model, flags = platform.processor() or "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model in ("unknown CPU", "", platform.processor()):
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    wanted = ["avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile"]
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = ", %.0f GB memory" % (kb / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores, %s%s" % (model, os.cpu_count(), " ".join(f for f in wanted if f in flags) or "no AVX2", mem)


def main(out):
    torch_transfer = load(out, "torch_transfer.json")
    torch_inf = load(out, "torch_throughput_inference.json")["inference_img_per_s"]
    torch_ft = load(out, "torch_throughput_finetune.json")["finetune_img_per_s"]
    torch_partial = load(out, "torch_partial.json")
    graft_inf = load(out, "graft_inference.json")
    graft_ft = load(out, "graft_finetune.json")
    keras = load(out, "graft_keras.json")
    rows = []

    def row(label, wall=None, rate=None, rss=None, ratio=None):
        rows.append("  %-74s %8s %8s %9s %10s" % (
            label, "" if wall is None else "%.1f" % wall, "" if rate is None else "%.1f" % rate,
            "" if rss is None else "%.0f MB" % rss, "" if ratio is None else "%.2fx" % ratio))

    def flush(title):
        print(title)
        print("\n".join(rows))
        rows.clear()

    print("Machine: " + machine())
    print("Graft vs the PyTorch workflow, one run: EfficientNet-B0 224 px with the same network and seeded random "
          "weights, %d images per epoch (hymenoptera), batch 32, %d threads, torch %s; oneDNN helpers in DL4J: %s"
          % (torch_transfer["images_per_epoch"], torch_transfer["threads"], torch_transfer["torch"],
             "on" if graft_inf.get("onednn_helpers", graft_ft.get("onednn_helpers")) else "off"))
    print("  %-74s %8s %8s %9s %10s" % ("", "wall s", "img/s", "peak RSS", "vs PyTorch"))
    images = torch_transfer["epochs"] * torch_transfer["images_per_epoch"]
    t_wall, t_rss = timing(out, "torch_transfer")
    row("PyTorch (DataLoader decodes every image every epoch)", t_wall, images / t_wall, t_rss, 1.0)
    for name, label in [("graft_transfer_auto", "Graft default (--engine auto), features uncached"),
                        ("graft_transfer_dl4j", "Graft --engine dl4j (BN folded), features uncached"),
                        ("graft_transfer_ort", "Graft --engine onnxruntime, features uncached"),
                        ("graft_transfer_cached", "Graft, the next run (another lr): cached features")]:
        wall, rss = timing(out, name)
        row(label, wall, images / wall, rss, t_wall / wall)
    flush("(a) transfer learning, %d epochs, end to end (decode, features, train, validate)" % torch_transfer["epochs"])

    torch_sweep = load(out, "torch_throughput_inference.json")["sweep"]
    for batch, rate in sorted(torch_sweep.items(), key=lambda kv: int(kv[0])):
        row("PyTorch, batch %s" % batch, rate=rate, ratio=1.0)
    for engine in ["dl4j", "onnxruntime"]:
        for batch, rate in sorted(graft_inf.get("sweep", {}).get(engine, {}).items(), key=lambda kv: int(kv[0])):
            row("Graft %s, torchvision's graph (NCHW), batch %s (vs PyTorch at %s)" % (engine, batch, batch),
                rate=rate, ratio=rate / torch_sweep[batch])
    if keras:
        for engine in ["dl4j", "onnxruntime"]:
            key = "inference_%s_img_per_s" % engine
            if key in keras:
                row("Graft %s, the default backbone's graph (Keras, NHWC), batch 32" % engine, rate=keras[key],
                    ratio=keras[key] / torch_inf)
    flush("(b) backbone inference, synthetic batches, BatchNorm folded (as transfer learning runs it)")

    p_wall, p_rss = timing(out, "torch_partial")
    p_images = torch_partial["epochs"] * torch_partial["images_per_epoch"]
    row("PyTorch: trunk frozen (eval, no gradients), features[7:] and head learn", p_wall, p_images / p_wall, p_rss,
        1.0)
    g_wall, g_rss = timing(out, "graft_partial")
    row("Graft --unfreeze 2 (trunk once in the auto engine, the rest in DL4J)", g_wall, p_images / g_wall, g_rss,
        p_wall / g_wall)
    flush("(c) fine-tuning the last two blocks and the head, %d epochs, end to end" % torch_partial["epochs"])

    _, tf_rss = timing(out, "torch_finetune")
    row("PyTorch", rate=torch_ft, rss=tf_rss, ratio=1.0)
    _, gf_rss = timing(out, "graft_finetune")
    row("Graft DL4J, torchvision's graph (NCHW)", rate=graft_ft["finetune_dl4j_img_per_s"], rss=gf_rss,
        ratio=graft_ft["finetune_dl4j_img_per_s"] / torch_ft)
    if keras and "finetune_dl4j_img_per_s" in keras:
        row("Graft DL4J, the default backbone's graph (Keras, NHWC)*", rate=keras["finetune_dl4j_img_per_s"],
            ratio=keras["finetune_dl4j_img_per_s"] / torch_ft)
    flush("(d) full fine-tuning, every layer learns, batch 32, synthetic batches (peak RSS: a process doing only this)")
    if keras:
        print("  * its RSS is not comparable: the same process also timed inference")

    auto_wall = timing(out, "graft_transfer_auto")[0]
    dl4j_best = max(graft_inf["sweep"]["dl4j"].values())
    print("Best batch against best batch: DL4J %.1f img/s, ONNX Runtime %.1f, PyTorch %.1f" % (
        dl4j_best, max(graft_inf["sweep"]["onnxruntime"].values()), max(torch_sweep.values())))
    dl4j_inf = dl4j_best / max(torch_sweep.values()) * torch_inf
    print("Targets: DL4J forward (best batch vs best batch) >= 0.7x PyTorch: %.2fx; DL4J full fine-tuning >= 0.5x: %.2fx; default transfer run "
          ">= 10x the PyTorch workflow: %.1fx; --unfreeze 2 >= 2x PyTorch's recipe: %.1fx; full fine-tuning peak RSS <= "
          "PyTorch's: %.0f MB vs %.0f MB" % (dl4j_inf / torch_inf, graft_ft["finetune_dl4j_img_per_s"] / torch_ft,
                                            t_wall / auto_wall, p_wall / g_wall, gf_rss, tf_rss))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench")
