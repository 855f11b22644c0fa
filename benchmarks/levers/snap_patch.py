"""Lever: snap generated values of few-level columns to the observed levels."""

import numpy as np

import imbgan._scaling as sc

MAX_LEVELS = 10
_fit, _inv = sc.RangeScaler.fit, sc.RangeScaler.inverse_transform


def fit(self, X, integer_columns=None):
    _fit(self, X, integer_columns)
    self.levels_ = {}
    if self.per_feature:
        for j in range(X.shape[1]):
            u = np.unique(X[:, j])
            if 1 < len(u) <= MAX_LEVELS:
                self.levels_[j] = u.astype(np.float64)
    return self


def inverse_transform(self, Z):
    X = _inv(self, Z)
    for j, lv in getattr(self, "levels_", {}).items():
        mid = (lv[1:] + lv[:-1]) / 2
        X[:, j] = lv[np.searchsorted(mid, X[:, j])]
    return X


sc.RangeScaler.fit = fit
sc.RangeScaler.inverse_transform = inverse_transform
