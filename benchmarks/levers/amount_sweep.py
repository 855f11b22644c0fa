"""Lever I10: the amount of synthesis, several amounts from one GAN fit per seed.

Usage (the MNIST files are read from the folder ``$IMBGAN_DATA`` names)::

    OMP_NUM_THREADS=1 python amount_sweep.py AMOUNTS SEEDS OUT_DIR [IR]

for example ``amount_sweep.py 1,0.5,0.25,100 0,1 /tmp/lev 500``. An amount
up to 1 is the share of each class's gap to the largest class that is
filled (1: balanced, what ``sampling_strategy="auto"`` does); an amount
above 1 is a fixed number of new rows per class (100: the paper's).
The amount only decides how many rows ``fit_resample`` adds, not how the
GAN trains, so each seed fits BayesGAN once (library defaults) and then
fills each amount's rows exactly as ``fit_resample`` would, class by class
(the full amount is checked bit-identical to ``fit_resample``'s rows;
smaller amounts draw from the same per-class streams, with the same share
of copies).
Random over-sampling at the same amounts and class weights run beside it,
on the same validation set, so that an effect of the amount on the CNN
alone shows as such. The split, the validation set (1000 images per class
from the official training rows the split left out; the test set is never
loaded) and the CNN are those of ``imbgan benchmark paper --validation``.
Writes ``OUT_DIR/I10_amount[_irIR].jsonl``. ``SMOKE=1`` (env): one GAN
epoch and one CNN epoch, to check the script, not to measure.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from _validation import refill, validation_split
from imblearn.over_sampling import RandomOverSampler

from imbgan import BayesGANOversampler
from imbgan.benchmark import paper

amounts = [float(a) for a in sys.argv[1].split(",")]
seeds = [int(s) for s in sys.argv[2].split(",")]
ir = int(sys.argv[4]) if len(sys.argv) > 4 else None
lever = "I10_amount" if ir is None else f"I10_amount_ir{ir}"
out_path = Path(sys.argv[3]) / f"{lever}.jsonl"
out_path.parent.mkdir(parents=True, exist_ok=True)

smoke = os.environ.get("SMOKE") == "1"
cnn_epochs = 1 if smoke else paper.CNN_EPOCHS["mnist"]
load = paper._default_loader(os.environ.get("IMBGAN_DATA"))
X_train, y_train = load("mnist", "train")
y_train = np.asarray(y_train)


def new_rows(full: dict, amount: float) -> dict:
    """Rows to add per class at ``amount`` (see the module docstring)."""
    if amount <= 1:
        return {k: int(round(amount * n)) for k, n in full.items()}
    return {k: min(int(amount), n) if n else 0 for k, n in full.items()}


def write(row: dict) -> None:
    with out_path.open("a") as handle:
        handle.write(json.dumps(row) + "\n")
    print(
        f"seed {row['seed']} {row['method']} amount {row['amount']}: "
        f"recall8 {row['recall8']:.3f} recall9 {row['recall9']:.3f} "
        f"acsa {row['acsa']:.3f} (n_train {row['n_train']})",
        flush=True,
    )


def score(X, y, seed, class_weight=None) -> dict:
    start = time.perf_counter()
    model = paper.train_cnn(
        X,
        y,
        epochs=cnn_epochs,
        class_weight=class_weight,
        seed=seed,
        device="cpu",
    )
    result = paper.evaluate(model, X_val, y_val)
    result["cnn_seconds"] = time.perf_counter() - start
    result["n_train"] = len(y)
    return result


for seed in seeds:
    X_split, y_split, X_val, y_val = validation_split(X_train, y_train, seed, ir)
    base = {
        "lever": lever,
        "dataset": "mnist",
        "seed": seed,
        "ir": ir,
        "evaluated_on": "validation",
    }

    _, _, weights, _ = paper.resample("weighted", X_split, y_split, seed=seed)
    write({**base, "method": "weighted", "amount": 0.0,
           **score(X_split, y_split, seed, weights)})  # fmt: skip

    sampler = BayesGANOversampler(
        image_shape=(1, 28, 28),
        random_state=seed,
        device="cpu",
        epochs=1 if smoke else 100,
    )
    start = time.perf_counter()
    X_default, y_default = sampler.fit_resample(X_split, y_split)
    fit_seconds = time.perf_counter() - start
    full = dict(sampler.sampling_strategy_)

    for amount in amounts:
        wanted = new_rows(full, amount)
        X_res, y_res = refill(sampler, X_split, y_split, seed, wanted=wanted)
        if amount == 1 and not (
            np.array_equal(X_res, X_default) and np.array_equal(y_res, y_default)
        ):
            raise SystemExit("the full amount differs from fit_resample's rows")
        write({**base, "method": "bayesgan", "amount": amount,
               "fit_seconds": fit_seconds, **score(X_res, y_res, seed)})  # fmt: skip

        ros_counts = {k: int(np.sum(y_split == k)) + n for k, n in wanted.items()}
        ros = RandomOverSampler(sampling_strategy=ros_counts, random_state=seed)
        X_ros, y_ros = ros.fit_resample(X_split, y_split)
        write({**base, "method": "ros", "amount": amount,
               **score(X_ros, y_ros, seed)})  # fmt: skip
