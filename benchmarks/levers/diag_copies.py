"""Where the synthetic minority rows lie relative to the real rows.

Usage (from this folder)::

    OMP_NUM_THREADS=1 python diag_copies.py car_good kr_vs_k_zero_one_vs_draw pc1

For each set, BayesGAN (library defaults, seed 0) is fitted on the whole
standardised set; of its synthetic minority rows it prints the share that
equal a real majority row or a real minority row exactly, how many are
distinct, and the share whose nearest real row (and majority of 5 nearest)
is a minority row, next to the same for the real minority rows themselves
(leave-one-out). docs/lab_notebook.md quotes the output.
"""

import sys

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from imbgan import BayesGANOversampler
from imbgan.benchmark.tabular import load_tabular

for name in sys.argv[1:]:
    X, y = load_tabular(name)
    X = StandardScaler().fit_transform(X)
    X_res, y_res = BayesGANOversampler(random_state=0).fit_resample(X, y)
    new, minority = X_res[len(X) :], y_res[-1]
    rows = [tuple(r) for r in np.round(new, 6)]
    majority_rows = set(map(tuple, np.round(X[y != minority], 6)))
    minority_rows = set(map(tuple, np.round(X[y == minority], 6)))
    neighbours = NearestNeighbors(n_neighbors=6).fit(X)
    near_new = y[neighbours.kneighbors(new, 5, return_distance=False)] == minority
    near_real = y[neighbours.kneighbors(X[y == minority], 6, return_distance=False)]
    near_real = near_real[:, 1:] == minority  # leave the row itself out
    on_majority = np.mean([r in majority_rows for r in rows])
    on_minority = np.mean([r in minority_rows for r in rows])
    print(
        f"{name}: {len(rows)} synthetic rows, {len(set(rows))} distinct; "
        f"equal to a real majority row {on_majority:.3f}, "
        f"to a real minority row {on_minority:.3f}; "
        f"nearest real row minority: synthetic {near_new[:, 0].mean():.3f}, "
        f"real {near_real[:, 0].mean():.3f}; 3+ of 5 nearest minority: "
        f"synthetic {(near_new.sum(1) >= 3).mean():.3f}, "
        f"real {(near_real.sum(1) >= 3).mean():.3f}"
    )
