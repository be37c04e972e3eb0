#!/usr/bin/env python3
"""The PyTorch transfer-learning workflow Graft replaces, timed on this machine (make bench runs it).

    /usr/bin/python3 bench/pytorch_workflow.py transfer   --data DATA --out DIR [--epochs 10] [--batch 32]
    /usr/bin/python3 bench/pytorch_workflow.py throughput --out DIR [--batch 32] [--only inference|finetune]
    /usr/bin/python3 bench/pytorch_workflow.py partial    --data DATA --out DIR [--epochs 3] [--batch 32]

transfer: the course's recipe end to end. torchvision's EfficientNet-B0, its feature extractor frozen, a new
    Dropout(0.2) + Linear head, Adam 1e-3, batch 32; torchvision.datasets.ImageFolder with the ImageNet transform
    (resize 256 bicubic, crop 224, normalise) decoding every JPEG every epoch in a DataLoader; each epoch trains, then
    evaluates on DATA/val. Before training it exports the same network (same weights) to DIR/efficientnet_b0.onnx,
    so that Graft times the identical model. Writes DIR/torch_transfer.json.
throughput: the backbone's inference img/s (eval, no_grad; at batch 4, 8, 16 and --batch) and full fine-tuning img/s (every layer trains) on
    synthetic batches. Writes DIR/torch_throughput.json (with --only, DIR/torch_throughput_ONLY.json: a process of
    its own, so that its peak RSS is that of the one task).
partial: fine-tuning the last two blocks (features[7], features[8]) and a new head, the trunk below frozen (in eval
    mode, no gradients), for --epochs epochs over DATA/train with a validation pass on DATA/val after each: what
    `graft train --mode finetune --unfreeze 2 --head-epochs 0` does. Writes DIR/torch_partial.json.

No pretrained weights can be downloaded here, so the network is built with weights=None from a fixed seed: the
timings are those of the real model, the accuracy is not. Uses Debian's python3-torch / python3-torchvision.
"""
import argparse
import json
import os
import resource
import time

import torch
import torch.nn as nn
import torchvision
from torchvision import datasets, transforms


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_model():
    torch.manual_seed(0)
    return torchvision.models.efficientnet_b0(weights=None)


def imagenet_transform():
    return transforms.Compose([
        transforms.Resize(256, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])


def loaders(args):
    """DATA/train and DATA/val as ImageFolders, and DataLoaders decoding them with one worker per core."""
    workers = os.cpu_count()
    train = datasets.ImageFolder(os.path.join(args.data, "train"), transform=imagenet_transform())
    val = datasets.ImageFolder(os.path.join(args.data, "val"), transform=imagenet_transform())
    return (train, val,
            torch.utils.data.DataLoader(train, batch_size=args.batch, shuffle=True, num_workers=workers),
            torch.utils.data.DataLoader(val, batch_size=args.batch, shuffle=False, num_workers=workers))


def export_onnx(model, path):
    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)


def fit_epoch(model, loader, optimiser, loss_fn):
    """One pass over the training images, in whatever train/eval modes the caller set."""
    for x, y in loader:
        optimiser.zero_grad()
        loss_fn(model(x), y).backward()
        optimiser.step()


def val_accuracy(model, loader):
    model.eval()
    correct, seen = 0, 0
    with torch.inference_mode():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            seen += len(y)
    return correct / max(1, seen)


def transfer(args):
    model = build_model()
    export_onnx(model, os.path.join(args.out, "efficientnet_b0.onnx"))
    started = time.time()
    train, val, train_loader, val_loader = loaders(args)
    for p in model.features.parameters():
        p.requires_grad = False
    model.classifier = nn.Sequential(nn.Dropout(p=0.2, inplace=True), nn.Linear(1280, len(train.classes)))
    optimiser = torch.optim.Adam(model.classifier.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(args.epochs):
        model.train()
        fit_epoch(model, train_loader, optimiser, loss_fn)
        history.append(val_accuracy(model, val_loader))
        print("epoch %d: val accuracy %.4f (%.0f s so far)" % (epoch + 1, history[-1], time.time() - started),
              flush=True)
    seconds = time.time() - started
    images = args.epochs * (len(train) + len(val))
    result = {"seconds": seconds, "epochs": args.epochs, "images_per_epoch": len(train) + len(val),
              "img_per_s": images / seconds, "val_accuracy": history, "peak_rss_mb": peak_rss_mb(),
              "threads": torch.get_num_threads(), "workers": os.cpu_count(), "torch": torch.__version__}
    with open(os.path.join(args.out, "torch_transfer.json"), "w") as f:
        json.dump(result, f, indent=1)


def partial(args):
    model = build_model()
    started = time.time()
    train, val, train_loader, val_loader = loaders(args)
    model.classifier = nn.Sequential(nn.Dropout(p=0.2, inplace=True), nn.Linear(1280, len(train.classes)))
    trunk, trainable = model.features[:7], [model.features[7], model.features[8], model.classifier]
    for p in trunk.parameters():
        p.requires_grad = False
    optimiser = torch.optim.Adam([p for m in trainable for p in m.parameters()], lr=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        trunk.eval()  # frozen BatchNorm keeps its statistics, as Graft's frozen layers do
        fit_epoch(model, train_loader, optimiser, loss_fn)
        accuracy = val_accuracy(model, val_loader)
        print("epoch %d: val accuracy %.4f (%.0f s so far)" % (epoch + 1, accuracy, time.time() - started),
              flush=True)
    seconds = time.time() - started
    result = {"seconds": seconds, "epochs": args.epochs, "images_per_epoch": len(train) + len(val),
              "img_per_s": args.epochs * (len(train) + len(val)) / seconds, "peak_rss_mb": peak_rss_mb(),
              "threads": torch.get_num_threads(), "torch": torch.__version__}
    with open(os.path.join(args.out, "torch_partial.json"), "w") as f:
        json.dump(result, f, indent=1)


def timed(step, batches):
    step()  # warm-up
    started = time.time()
    for _ in range(batches):
        step()
    return time.time() - started


def throughput(args):
    model = build_model()
    x = torch.rand(args.batch, 3, 224, 224)
    result = {"batch": args.batch, "threads": torch.get_num_threads(), "torch": torch.__version__}
    if args.only != "finetune":
        model.eval()
        # every batch size Graft's bench sweeps, so that ratios compare like with like
        result["sweep"] = {}
        with torch.inference_mode():
            for batch in sorted({4, 8, 16, args.batch}):
                xb = torch.rand(batch, 3, 224, 224)
                result["sweep"][str(batch)] = 3 * batch / timed(lambda: model(xb), 3)
        result["inference_img_per_s"] = result["sweep"][str(args.batch)]
    if args.only != "inference":
        result["finetune_img_per_s"] = finetune_rate(model, x, args.batch)
    result["peak_rss_mb"] = peak_rss_mb()
    print(" ".join("%s %s" % kv for kv in result.items()))
    name = "torch_throughput.json" if args.only is None else "torch_throughput_%s.json" % args.only
    with open(os.path.join(args.out, name), "w") as f:
        json.dump(result, f, indent=1)


def finetune_rate(model, x, batch):
    model.train()
    y = torch.arange(batch) % 1000
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        optimiser.zero_grad()
        loss_fn(model(x), y).backward()
        optimiser.step()
    return 2 * batch / timed(step, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["transfer", "throughput", "partial"])
    parser.add_argument("--only", choices=["inference", "finetune"])
    parser.add_argument("--data")
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    if args.epochs is None:
        args.epochs = 3 if args.mode == "partial" else 10
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(os.cpu_count())
    {"transfer": transfer, "throughput": throughput, "partial": partial}[args.mode](args)


if __name__ == "__main__":
    main()
