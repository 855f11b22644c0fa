"""Lever I14: the sampling noise scale for images, from saved fits.

Usage (``$IMBGAN_DATA`` names the folder of the IDX files)::

    OMP_NUM_THREADS=1 python noise_lever.py DATASET SEED SCALE MODEL OUT_DIR [NAME]

``noise_scale`` only decides how wide the ``z`` draws are when the new rows
are drawn, not how the GAN trains, so this loads a sampler that
``fidelity_lever.py`` fitted and saved with the library defaults (MODEL,
e.g. ``mnist_bayesgan_s0.npz``), sets the fitted configuration's noise
scale to SCALE, draws the new rows exactly as ``fit_resample`` does
(``refill``: same sampling seed, per-class streams, copies, redraws) and
scores the protocol's CNN on the validation split of
``imbgan benchmark paper --validation`` (the test set is never loaded).
Below 1 is the truncation trick (more typical images, less spread), above
1 the opposite. At the fit's own scale (1 before commit 7f663b1, 1.3 for
images since) the rows are those of the fit itself. Appends a row to
``OUT_DIR/NAME.jsonl`` (NAME, the lever's label, defaults to ``I14_noise``;
I17 reused the script for wider scales).
"""

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from _validation import refill, validation_split

from imbgan import BayesGANOversampler
from imbgan.benchmark import paper

dataset, seed, scale, model_path, out_dir = (
    sys.argv[1],
    int(sys.argv[2]),
    float(sys.argv[3]),
    Path(sys.argv[4]),
    Path(sys.argv[5]),
)
lever = sys.argv[6] if len(sys.argv) > 6 else "I14_noise"
out_dir.mkdir(parents=True, exist_ok=True)
X_train, y_train = paper._default_loader(os.environ.get("IMBGAN_DATA"))(
    dataset, "train"
)
X_split, y_split, X_val, y_val = validation_split(X_train, y_train, seed)

sampler = BayesGANOversampler.load(model_path)
assert sampler.random_state == seed, "the model was fitted with another seed"
sampler.n_threads_ = 1
sampler.config_ = dataclasses.replace(sampler.config_, noise_scale=scale)
X_res, y_res = refill(sampler, X_split, y_split, seed)

start = time.perf_counter()
model = paper.train_cnn(
    X_res, y_res, epochs=paper.CNN_EPOCHS[dataset], seed=seed, device="cpu"
)
row = {
    "lever": lever,
    "noise_scale": scale,
    "dataset": dataset,
    "method": "bayesgan",
    "seed": seed,
    "ir": None,
    "evaluated_on": "validation",
    **paper.evaluate(model, X_val, y_val),
    "cnn_seconds": time.perf_counter() - start,
    "n_train": len(y_res),
}
with (out_dir / f"{lever}.jsonl").open("a") as handle:
    handle.write(json.dumps(row) + "\n")
print(
    f"{dataset} seed {seed} noise {scale}: recall8 {row['recall8']:.3f} "
    f"recall9 {row['recall9']:.3f} acsa {row['acsa']:.3f}",
    flush=True,
)
