"""Lever: quantile scaling only for skewed columns, min-max for the rest.

Quantile scaling (the library's tabular default since commit 60e9181) helped
the heavy-tailed and categorical sets and hurt small continuous ones
(lab notebook, L7 and L14). Here a continuous column whose sample skewness
is at most ``SKEW`` (env, default 1.0) in absolute value keeps the affine
min-max map: its quantiles are replaced by an even grid from its minimum to
its maximum, with which the quantile map is exactly affine. Columns with at
most ``max_levels`` values (snapped ones) keep their quantiles.
"""

import os

import numpy as np
from scipy.stats import skew

import imbgan._scaling as sc

SKEW = float(os.environ.get("SKEW", "1.0"))
_fit = sc.QuantileScaler.fit


def fit(self, X, integer_columns=None):
    _fit(self, X, integer_columns)
    X = np.asarray(X, dtype=np.float64)
    n_quantiles = self.quantiles_.shape[0]
    for j in range(X.shape[1]):
        if j in self.levels_ or self.feature_min_[j] == self.feature_max_[j]:
            continue
        if abs(skew(X[:, j])) <= SKEW:
            self.quantiles_[:, j] = np.linspace(
                self.feature_min_[j], self.feature_max_[j], n_quantiles
            )
    return self


sc.QuantileScaler.fit = fit
