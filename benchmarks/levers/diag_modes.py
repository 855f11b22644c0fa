"""Which minority rows and levels the generator drops, on discrete sets.

Usage (from this folder)::

    OMP_NUM_THREADS=1 python diag_modes.py 'JSON_LIST_OF_PARAMS' car_good [PATCH ...]

For each set and each parameter dict, BayesGANOversampler (seed 0) is
fitted on the whole standardised set (as ``diag_copies.py``); it prints how
many real minority rows no synthetic row copies, the most copies of one
row, the share of synthetic rows equal to a real majority row and the
number of distinct synthetic rows; then, for each column with at most 10
levels, the share of each level among the real minority, synthetic and
majority rows. PATCH names (``onehot``, ``projection``) import
``<name>_patch`` first. docs/lab_notebook.md (L27 to L30) quotes the output.
"""

import collections
import importlib
import json
import sys

import numpy as np
from sklearn.preprocessing import StandardScaler

from imbgan import BayesGANOversampler
from imbgan.benchmark.tabular import load_tabular

for patch in sys.argv[3:]:
    importlib.import_module(f"{patch}_patch")


def key_rows(rows: np.ndarray) -> list[tuple]:
    return [tuple(r) for r in np.round(rows, 6)]


for name in sys.argv[2].split(","):
    X_raw, y = load_tabular(name)
    X = StandardScaler().fit_transform(X_raw)
    for params in json.loads(sys.argv[1]):
        X_res, y_res = BayesGANOversampler(random_state=0, **params).fit_resample(X, y)
        new, minority = X_res[len(X) :], y_res[-1]
        keys = key_rows(new)
        copies = collections.Counter(keys)
        per_real = np.array([copies.get(r, 0) for r in key_rows(X[y == minority])])
        majority = set(key_rows(X[y != minority]))
        print(
            f"{name} {params}: {np.sum(per_real == 0)} of {per_real.size} real "
            f"minority rows never copied, at most {per_real.max()} copies of one; "
            f"equal to a majority row {np.mean([k in majority for k in keys]):.3f}; "
            f"{len(copies)} distinct of {len(keys)}"
        )
        for j in range(X.shape[1]):
            levels = np.unique(X[:, j])
            if levels.size > 10:
                continue

            def shares(rows, j=j, levels=levels):
                return " ".join(
                    f"{np.mean(np.isclose(rows[:, j], v)):.2f}" for v in levels
                )

            print(
                f"  column {j}, {levels.size} levels: real minority "
                f"{shares(X[y == minority])} | synthetic {shares(new)} | "
                f"majority {shares(X[y != minority])}"
            )
