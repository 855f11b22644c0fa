"""Time the image training step on a GPU: eager, default (CUDA graphs), bf16, compile.

A short probe for a lent GPU session, before the long runs: each variant
fits the default image sampler for a few epochs on the MNIST protocol split
(seed 0), one after the other, alone on the card, and reports seconds per
epoch. These are short fits, not the speed benchmark's full default fit
(``imbgan benchmark speed``): their per-epoch times say whether a variant is
worth a full fit, and whether the CUDA-graph step (the default on a GPU)
trains like the eager one (same draws in the same order, so the loss
histories should agree up to the kernels' rounding).

Usage::

    python benchmarks/gpu/step_probe.py DATA_DIR EPOCHS OUT.json [variant ...]

Variants: eager (``cuda_graphs=False``), default, bfloat16, compile
(default: all four, in that order; compile last, as it is the slowest to
start). Loss gaps are measured against the eager fit.

Run on an H200 on 2026-11-27 at commit 2356d9c, before CUDA graphs became
the default, as ``step_probe.py data 5 OUT default cuda_graphs bfloat16
compile`` with the variants then named ``default`` (eager) and
``cuda_graphs`` (the experimental flag): docs/results/h200_2026-11-27/. Each result is
written to OUT.json as soon as it is measured, so a run stopped by a time
limit keeps what it measured.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import torch

from imbgan import BayesGANOversampler, datasets
from imbgan.benchmark.speed import machine_description

VARIANTS = {
    "eager": {"cuda_graphs": False},
    "default": {},
    "bfloat16": {"precision": "bfloat16"},
    "compile": {"torch_compile": True},
}


def _relative_gap(values, reference) -> float:
    """Largest gap between two per-epoch loss curves, relative to the second."""
    values, reference = np.asarray(values), np.asarray(reference)
    return float(np.max(np.abs(values - reference) / (np.abs(reference) + 1e-3)))


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _fit(params: dict, X, y) -> tuple[float, BayesGANOversampler]:
    sampler = BayesGANOversampler(**params)
    _sync()
    start = time.perf_counter()
    sampler.fit_resample(X, y)
    _sync()
    return time.perf_counter() - start, sampler


def main(data_dir: str, epochs: int, out: str, names: list[str]) -> None:
    # DEVICE=cpu for a dry run on a machine without a GPU
    device = torch.device(os.environ.get("DEVICE", "cuda"))
    n_images = 1_000_000 if device.type == "cuda" else 10_000
    X, y = datasets.load_mnist(data_dir, split="train")
    X, y = datasets.make_imbalance_protocol(X, y, random_state=0)
    X = X.reshape(len(X), -1).astype(np.float32) / 255.0
    base = {"image_shape": (1, 28, 28), "device": str(device), "random_state": 0}
    result: dict = {"machine": machine_description(device), "rows": len(y)}
    result["epochs"] = epochs
    BayesGANOversampler(**base, epochs=1).fit_resample(X[::20], y[::20])  # warm-up

    def save() -> None:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)

    histories = {}
    for name in names:
        try:
            seconds, sampler = _fit({**base, **VARIANTS[name], "epochs": epochs}, X, y)
        except Exception as exc:  # report, and go on with the next variant
            result[name] = {"error": f"{type(exc).__name__}: {exc}"}
            print(name, "failed:", result[name]["error"], flush=True)
            save()
            continue
        entry = {"seconds": seconds, "seconds_per_epoch": seconds / epochs}
        histories[name] = sampler.history_
        if name != "eager" and "eager" in histories:
            # relative gap of the per-epoch losses to the default's
            entry["loss_gap_to_eager"] = {
                key: _relative_gap(sampler.history_[key], histories["eager"][key])
                for key in ("d_loss", "g_loss")
            }
        if name == "default":
            sampler.sample(1000, 8)  # warm-up
            _sync()
            start = time.perf_counter()
            sampler.sample(n_images, 8)
            _sync()
            entry["images_seconds"] = time.perf_counter() - start
            entry["images"] = n_images
        result[name] = entry
        print(name, json.dumps(entry), flush=True)
        save()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:] or list(VARIANTS))
