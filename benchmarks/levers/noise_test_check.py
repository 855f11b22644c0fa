"""Check T1: does the image noise scale chosen on validation hold on the test set?

Usage (``$IMBGAN_DATA`` names the folder of the IDX files)::

    OMP_NUM_THREADS=1 python noise_test_check.py DATASET SEED IR OUT_DIR [SCALES]

Not a lever: ``noise_scale=1.3`` became the image default on the
validation splits (I14, I17) before this ran, and nothing is chosen from
what it prints. IR is ``std`` for the standard split or a ratio (``500``).
One process, one split, all rows side by side on one machine:

1. class weights (the best baseline of the H200's Fashion-MNIST and IR-500
   runs), the CNN of ``imbgan benchmark paper`` on the official test set;
2. ``BayesGANOversampler`` with the library's image defaults, fitted as the
   benchmark fits it; its own rows give the row of today's default (the
   benchmark's ``bayesgan`` row);
3. from the same fit, the new rows drawn again at each scale of SCALES
   (default ``1.0``: the scale of the GPU files) exactly as
   ``fit_resample`` draws them (``_validation.refill``), so that the scales
   differ in nothing but the width of the ``z`` draws. A refill at the
   fit's own scale is first checked to give the fit's rows bit for bit.

Appends rows to ``OUT_DIR/T1_noise_test.jsonl`` (with the environment and
commit, as the benchmark's rows) and saves the fit to ``OUT_DIR``.
"""

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from _validation import protocol_split_rows, refill

from imbgan import BayesGANOversampler
from imbgan.benchmark import paper
from imbgan.benchmark._provenance import environment, source_commit

dataset, seed, ir_arg, out_dir = (
    sys.argv[1],
    int(sys.argv[2]),
    sys.argv[3],
    Path(sys.argv[4]),
)
scales = [float(s) for s in (sys.argv[5] if len(sys.argv) > 5 else "1.0").split(",")]
ir = None if ir_arg == "std" else int(ir_arg)
out_dir.mkdir(parents=True, exist_ok=True)
out_path = out_dir / "T1_noise_test.jsonl"
provenance = {"environment": environment("cpu"), "commit": source_commit()}

load = paper._default_loader(os.environ.get("IMBGAN_DATA"))
X_train, y_train = load(dataset, "train")
y_train = np.asarray(y_train)
X_test, y_test = load(dataset, "test")
X_test = paper._as_unit_images(X_test, "X_test")
split_rows, y_split = protocol_split_rows(y_train, seed, ir)
X_split = paper._as_unit_images(X_train[split_rows])
epochs = paper.CNN_EPOCHS[dataset]


def score(method, X_res, y_res, class_weight=None, **extra):
    start = time.perf_counter()
    model = paper.train_cnn(
        X_res, y_res, epochs=epochs, class_weight=class_weight, seed=seed, device="cpu"
    )
    row = {
        "check": "T1_noise_test",
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "ir": ir,
        "evaluated_on": "test",
        **extra,
        **paper.evaluate(model, X_test, y_test),
        "cnn_seconds": time.perf_counter() - start,
        "n_train": len(y_res),
        "device": "cpu",
        **provenance,
    }
    with out_path.open("a") as handle:
        handle.write(json.dumps(row) + "\n")
    print(
        f"{dataset} ir={ir_arg} seed {seed} {method} {extra}: recall8 "
        f"{row['recall8']:.3f} recall9 {row['recall9']:.3f} acsa {row['acsa']:.3f}",
        flush=True,
    )


X_w, y_w, weights, _ = paper.resample("weighted", X_split, y_split, seed=seed)
score("weighted", X_w, y_w, class_weight=weights)

start = time.perf_counter()
sampler = BayesGANOversampler(image_shape=(1, 28, 28), random_state=seed, device="cpu")
X_res, y_res = sampler.fit_resample(X_split, y_split)
fit_seconds = time.perf_counter() - start
sampler.save(out_dir / f"{dataset}_ir{ir_arg}_bayesgan_s{seed}.npz")
own_scale = sampler.config_.noise_scale
X_again, _ = refill(sampler, X_split, y_split, seed)
assert np.array_equal(X_again, X_res), "the refill does not reproduce the fit's rows"
variants = {own_scale: (np.asarray(X_res, dtype=np.float32), np.asarray(y_res))}
for scale in scales:
    sampler.config_ = dataclasses.replace(sampler.config_, noise_scale=scale)
    variants[scale] = refill(sampler, X_split, y_split, seed)
for scale, (X_s, y_s) in variants.items():
    score(
        "bayesgan",
        X_s,
        y_s,
        noise_scale=scale,
        default=scale == own_scale,
        fit_seconds=fit_seconds,
    )
