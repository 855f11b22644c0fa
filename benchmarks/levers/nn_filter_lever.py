"""Lever and diagnosis D4: redraw generated images far from their own class.

Usage (``$IMBGAN_DATA`` names the folder of the IDX files)::

    OMP_NUM_THREADS=1 python nn_filter_lever.py DATASET SEED MODEL OUT_DIR [IR]

MODEL is a default image fit saved for DATASET, SEED (and IR) on the
protocol split (``fidelity_lever.py ... default`` or
``noise_test_check.py`` save one; both fit the split that
``_validation.validation_split`` draws). Its new rows are drawn exactly as
``fit_resample`` draws them (``_validation.refill``: the reference row of
``fidelity_lever.py`` with the same model), then every *generated* row of
class ``k`` none of whose ``K`` (5) nearest real images of the split
(Euclidean, pixels in [0, 1]) is of class ``k`` is replaced by a draw of
``sample`` that has one (up to 10 rounds of four times as many candidates;
rows still failing are kept). The copies are real images and are left
alone. The tabular suite's L35 (``nnfilter_patch.py``) in image form:
diagnosis D3 found 13 to 19 % of the default's generated bags and ankle
boots nearest another class's image, which the class head (I8's filter)
does not see.

The CNN and the validation images are those of ``imbgan benchmark paper
--validation`` (the test set is never loaded). Appends one row to
``OUT_DIR/nnfilter.jsonl`` with the share of generated rows flagged per
class, and, for comparison, the share of the validation set's *real*
images of each class that the same rule would flag.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from _validation import refill, validation_split
from sklearn.neighbors import NearestNeighbors

from imbgan import BayesGANOversampler
from imbgan._sampler import _resolve_auto
from imbgan.benchmark import paper
from imbgan.benchmark._provenance import environment, source_commit

K = 5
ROUNDS = 10

dataset, seed, model_path, out_dir = (
    sys.argv[1],
    int(sys.argv[2]),
    Path(sys.argv[3]),
    Path(sys.argv[4]),
)
ir = int(sys.argv[5]) if len(sys.argv) > 5 else None
out_dir.mkdir(parents=True, exist_ok=True)

X_train, y_train = paper._default_loader(os.environ.get("IMBGAN_DATA"))(
    dataset, "train"
)
X_split, y_split, X_val, y_val = validation_split(X_train, y_train, seed, ir)

sampler = BayesGANOversampler.load(model_path)
sampler.n_threads_ = 1
start = time.perf_counter()
X_res, y_res = refill(sampler, X_split, y_split, seed)
index = NearestNeighbors(n_neighbors=K, algorithm="brute").fit(X_split)


def flagged(rows: np.ndarray, klass) -> np.ndarray:
    """True where none of a row's K nearest real images is of ``klass``."""
    neighbours = index.kneighbors(rows, return_distance=False)
    return ~(y_split[neighbours] == klass).any(axis=1)


fraction = _resolve_auto("copy_fraction", sampler.copy_fraction, sampler.image_shape_)
n_real = len(y_split)
flag_share, real_flag_share, left_flagged = {}, {}, 0
begin = n_real
for klass, n_new in sampler.sampling_strategy_.items():
    n_generated = n_new - int(round(fraction * n_new))
    generated = X_res[begin : begin + n_generated]  # a view: edited in place
    begin += n_new
    bad = np.flatnonzero(flagged(generated, klass))
    flag_share[str(klass)] = len(bad) / max(n_generated, 1)
    for round_ in range(ROUNDS):
        if len(bad) == 0:
            break
        candidates = sampler.sample(
            4 * len(bad), klass, random_state=seed * 1000 + round_
        )
        good = candidates[~flagged(candidates, klass)]
        m = min(len(good), len(bad))
        generated[bad[:m]] = good[:m]
        bad = bad[m:]
    left_flagged += len(bad)
for klass in np.unique(y_val):
    real_flag_share[str(klass)] = float(flagged(X_val[y_val == klass], klass).mean())
filter_seconds = time.perf_counter() - start
shares = {
    "k": K,
    "model": model_path.name,
    "dataset": dataset,
    "seed": seed,
    "ir": ir,
    "flagged_share": flag_share,
    "left_flagged": left_flagged,
    "real_validation_flagged_share": real_flag_share,
}
if os.environ.get("NO_CNN"):
    with (out_dir / "D4_nn_flags.jsonl").open("a") as handle:
        handle.write(json.dumps({**shares, "commit": source_commit()}) + "\n")
    print(f"flagged {flag_share}; real {real_flag_share}", flush=True)
    sys.exit(0)

start = time.perf_counter()
model = paper.train_cnn(
    X_res, y_res, epochs=paper.CNN_EPOCHS[dataset], seed=seed, device="cpu"
)
row = {
    "lever": "nnfilter",
    **shares,
    "method": "bayesgan",
    "evaluated_on": "validation",
    **paper.evaluate(model, X_val, y_val),
    "filter_seconds": filter_seconds,
    "cnn_seconds": time.perf_counter() - start,
    "n_train": len(y_res),
    "environment": environment("cpu"),
    "commit": source_commit(),
}
with (out_dir / "nnfilter.jsonl").open("a") as handle:
    handle.write(json.dumps(row) + "\n")
print(
    f"{dataset} seed {seed} ir {ir} nnfilter: recall8 {row['recall8']:.3f} "
    f"recall9 {row['recall9']:.3f} acsa {row['acsa']:.3f}; flagged {flag_share}",
    flush=True,
)
