"""Lever I6: the share of copies, several values from one GAN fit per seed.

Usage (the MNIST files are read from the folder ``$IMBGAN_DATA`` names)::

    OMP_NUM_THREADS=1 python copy_sweep.py FRACTIONS SEEDS OUT_DIR [IR]

for example ``copy_sweep.py 0.25,0.75 0,1 /tmp/lev`` (the standard split)
or ``copy_sweep.py 0.5,1 0,1 /tmp/lev 500`` (class 9 at IR 500).
``copy_fraction`` only decides how ``fit_resample`` fills the new rows, not
how the GAN trains, so each seed fits BayesGAN once (library defaults,
``copy_fraction=0.5``) and then refills the new rows with each fraction,
exactly as ``fit_resample`` would (same sample seed, same per-class streams,
same contradiction redraws). The refill at 0.5 is checked to be
bit-identical to what ``fit_resample`` returned. The split, the validation
set (1000 images per class from the official training rows the split left
out; the test set is never loaded) and the CNN are those of ``imbgan
benchmark paper --validation``, so the rows compare with I0-I5 of the lab
notebook.
Writes ``OUT_DIR/I6_copy_sweep.jsonl`` (``I7_copy_sweep_ir500.jsonl`` with
an IR).

``FIDELITY=none,0.5,0.9`` (env) also refills at each ``fidelity_threshold``
(the sampling-time filter; ``none`` is the default, no filter), for lever
I8; the file is then ``I8_fidelity.jsonl`` (``I8_fidelity_ir500.jsonl``).
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from _validation import refill, validation_split

from imbgan import BayesGANOversampler
from imbgan.benchmark import paper

fractions = [float(f) for f in sys.argv[1].split(",")]
seeds = [int(s) for s in sys.argv[2].split(",")]
ir = int(sys.argv[4]) if len(sys.argv) > 4 else None
thresholds = [
    None if t == "none" else float(t)
    for t in os.environ.get("FIDELITY", "none").split(",")
]
if thresholds == [None]:
    lever = "I6_copy_sweep" if ir is None else f"I7_copy_sweep_ir{ir}"
else:
    lever = "I8_fidelity" if ir is None else f"I8_fidelity_ir{ir}"
out_path = Path(sys.argv[3]) / f"{lever}.jsonl"
out_path.parent.mkdir(parents=True, exist_ok=True)

load = paper._default_loader(os.environ.get("IMBGAN_DATA"))
X_train, y_train = load("mnist", "train")

for seed in seeds:
    X_split, y_split, X_val, y_val = validation_split(X_train, y_train, seed, ir)

    sampler = BayesGANOversampler(
        image_shape=(1, 28, 28), random_state=seed, device="cpu"
    )
    start = time.perf_counter()
    X_default, y_res = sampler.fit_resample(X_split, y_split)
    fit_seconds = time.perf_counter() - start
    if not np.array_equal(refill(sampler, X_split, y_split, seed, 0.5)[0], X_default):
        raise SystemExit("the refill at 0.5 differs from fit_resample's rows")
    for fraction, threshold in [(f, t) for f in fractions for t in thresholds]:
        sampler.fidelity_threshold = threshold  # read when the rows are drawn
        X_res, _ = refill(sampler, X_split, y_split, seed, fraction)
        start = time.perf_counter()
        model = paper.train_cnn(
            X_res,
            y_res,
            epochs=paper.CNN_EPOCHS["mnist"],
            class_weight=None,
            seed=seed,
            device="cpu",
        )
        row = {
            "lever": lever,
            "copy_fraction": fraction,
            "fidelity_threshold": threshold,
            "dataset": "mnist",
            "method": "bayesgan",
            "seed": seed,
            "ir": ir,
            "evaluated_on": "validation",
            **paper.evaluate(model, X_val, y_val),
            "fit_seconds": fit_seconds,
            "cnn_seconds": time.perf_counter() - start,
            "n_train": len(y_res),
        }
        with out_path.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        print(
            f"seed {seed} copy_fraction {fraction} fidelity {threshold}: "
            f"recall8 {row['recall8']:.3f} "
            f"recall9 {row['recall9']:.3f} acsa {row['acsa']:.3f}",
            flush=True,
        )
