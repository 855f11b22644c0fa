"""Dispersion of synthetic minority rows: BayesGAN against SMOTE.

Usage: ``python diag.py satimage pc1`` (``MM=1`` applies :mod:`mm_patch`;
``PATCHES=projection_patch,gclass_patch`` imports those lever modules).
For each set, on standardised features: the median over features of the
synthetic / real minority standard deviation, and the mean distance from a
synthetic row to the nearest real minority row and to the nearest majority
row (real minority rows among themselves for reference).
"""

import os
import sys

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.preprocessing import StandardScaler

from imbgan import BayesGANOversampler
from imbgan.benchmark.tabular import load_tabular

if os.environ.get("MM"):
    import mm_patch  # noqa: F401
for patch in filter(None, os.environ.get("PATCHES", "").split(",")):
    __import__(patch)


def nearest(a, b):
    d = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    return np.sqrt(d.min(1))


for name in sys.argv[1:]:
    X, y = load_tabular(name)
    X = StandardScaler().fit_transform(X)
    real, majority = X[y == 1], X[y == 0][:3000]
    sampler = BayesGANOversampler(random_state=0, device="cpu")
    sampler.fit_resample(X, y)
    fake = sampler.sample(2000, 1)
    X_smote, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    smote = X_smote[len(X) :][:2000]
    print(name, "n_min", len(real), "n_feat", X.shape[1])
    for label, rows in (("gan", fake), ("smote", smote)):
        ratio = np.median(rows.std(0) / (real.std(0) + 1e-9))
        # Rows closer to a majority row than to a real minority row: how
        # much of the class boundary the synthetic rows cover.
        near_major = np.mean(nearest(rows, majority) < nearest(rows, real))
        print(
            f"  {label:5s} std ratio median {ratio:.2f} | mean dist to nearest "
            f"real minority {nearest(rows, real).mean():.2f} | to nearest "
            f"majority {nearest(rows, majority).mean():.2f} | nearer a majority "
            f"row {near_major:.2f}"
        )
    among = np.mean([np.sort(np.sqrt(((real - r) ** 2).sum(1)))[1] for r in real])
    print(
        f"  real minority: NN dist among themselves {among:.2f}, "
        f"to majority {nearest(real, majority).mean():.2f}"
    )
