"""Lever I11: a BayesGAN configuration scored on the validation split, any data set.

Usage (``$IMBGAN_DATA`` names the folder of the IDX files)::

    OMP_NUM_THREADS=1 python fidelity_lever.py DATASET SEED OUT_DIR NAME [PARAMS]

PARAMS is a JSON object of sampler parameters added to the image defaults
(e.g. ``'{"projection_discriminator": true}'``). A sampler that
``diag_fidelity.py`` already fitted and saved for the same data set, seed
and parameters (``$MODEL_DIR``, default OUT_DIR, same file name) is loaded
instead of fitted again, and its new rows are drawn exactly as
``fit_resample`` draws them (same sampling seed, per-class streams,
copies and contradiction redraws). The split, the validation set (1000
images per class from the official training rows the split left out; the
test set is never loaded) and the CNN (the protocol's epochs for DATASET)
are those of ``imbgan benchmark paper --validation``. Appends one row to
``OUT_DIR/I11_<NAME>.jsonl``. ``PATCHES=spectral_patch`` (env) first imports
those lever modules of this folder (their names join the model file's; a
patched sampler is never saved, as the loader would rebuild it unpatched).
``IR=500`` (env) uses the split with that imbalance ratio instead of the
standard one (``imbgan benchmark paper --ir``), its validation images
drawn the same way.
"""

import json
import os
import sys
import time
from pathlib import Path

from _validation import refill, validation_split

from imbgan import BayesGANOversampler
from imbgan.benchmark import paper

patches = [p for p in os.environ.get("PATCHES", "").split(",") if p]
for patch in patches:
    __import__(patch)

dataset, seed, out_dir, name = (
    sys.argv[1],
    int(sys.argv[2]),
    Path(sys.argv[3]),
    sys.argv[4],
)
params = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
tag = "".join(f"_{key}" for key in [*sorted(params), *patches])
out_dir.mkdir(parents=True, exist_ok=True)
model_path = Path(os.environ.get("MODEL_DIR", out_dir)) / (
    f"{dataset}_bayesgan{tag}_s{seed}.npz"
)

X_train, y_train = paper._default_loader(os.environ.get("IMBGAN_DATA"))(
    dataset, "train"
)
ir = int(os.environ["IR"]) if os.environ.get("IR") else None
X_split, y_split, X_val, y_val = validation_split(X_train, y_train, seed, ir)

start = time.perf_counter()
if model_path.exists():
    sampler = BayesGANOversampler.load(model_path)
    sampler.n_threads_ = 1
    X_res, y_res = refill(sampler, X_split, y_split, seed)
    fitted = "loaded"
else:
    sampler = BayesGANOversampler(
        image_shape=(1, 28, 28), random_state=seed, device="cpu", **params
    )
    X_res, y_res = sampler.fit_resample(X_split, y_split)
    if not patches:
        sampler.save(model_path)
    fitted = "fitted"
sampler_seconds = time.perf_counter() - start

start = time.perf_counter()
model = paper.train_cnn(
    X_res, y_res, epochs=paper.CNN_EPOCHS[dataset], seed=seed, device="cpu"
)
row = {
    "lever": f"I11_{name}",
    "params": params,
    "patches": patches,
    "dataset": dataset,
    "method": "bayesgan",
    "seed": seed,
    "ir": ir,
    "evaluated_on": "validation",
    **paper.evaluate(model, X_val, y_val),
    "sampler": fitted,
    "sampler_seconds": sampler_seconds,
    "cnn_seconds": time.perf_counter() - start,
    "n_train": len(y_res),
}
with (out_dir / f"I11_{name}.jsonl").open("a") as handle:
    handle.write(json.dumps(row) + "\n")
print(
    f"{dataset} seed {seed} {name}: recall8 {row['recall8']:.3f} "
    f"recall9 {row['recall9']:.3f} acsa {row['acsa']:.3f} ({fitted})",
    flush=True,
)
