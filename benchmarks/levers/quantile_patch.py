"""Lever: per-feature quantile scaling of tabular rows instead of min-max.

Each column is mapped through its empirical distribution function (all
classes together) onto ``[-1, 1]`` and back by interpolating the training
quantiles, so heavy tails are spread over the generator's range instead of
being squeezed into a corner. Images keep the global min-max map.
"""

import numpy as np

import imbgan._scaling as sc

N_QUANTILES = 1000
_fit, _tr, _inv, _bounds = (
    sc.RangeScaler.fit,
    sc.RangeScaler.transform,
    sc.RangeScaler.inverse_transform,
    sc.RangeScaler.scaled_bounds,
)


def fit(self, X, integer_columns=None):
    _fit(self, X, integer_columns)
    if self.per_feature:
        n_q = min(N_QUANTILES, X.shape[0])
        self.probs_ = np.linspace(0.0, 1.0, n_q)
        self.quantiles_ = np.quantile(
            np.asarray(X, dtype=np.float64), self.probs_, axis=0
        )
    return self


def transform(self, X):
    if not self.per_feature:
        return _tr(self, X)
    X = np.asarray(X, dtype=np.float64)
    out = np.empty(X.shape, dtype=np.float32)
    p = self.probs_
    for j in range(X.shape[1]):
        q = self.quantiles_[:, j]
        # Average of the forward and backward interpolation: ties (repeated
        # quantiles) map to the middle of their probability interval.
        u = 0.5 * (np.interp(X[:, j], q, p) - np.interp(-X[:, j], -q[::-1], -p[::-1]))
        out[:, j] = 2.0 * u - 1.0
    return out


def inverse_transform(self, Z):
    if not self.per_feature:
        return _inv(self, Z)
    Z = np.asarray(Z, dtype=np.float64)
    X = np.empty(Z.shape, dtype=np.float64)
    for j in range(Z.shape[1]):
        X[:, j] = np.interp((Z[:, j] + 1.0) / 2.0, self.probs_, self.quantiles_[:, j])
    np.clip(X, self.feature_min_, self.feature_max_, out=X)
    if self.integer_columns_.any():
        X[:, self.integer_columns_] = np.rint(X[:, self.integer_columns_])
    return X.astype(self.dtype_)


def scaled_bounds(self):
    if not self.per_feature:
        return _bounds(self)
    n = len(self.feature_min_)
    return np.full(n, -1.0, np.float32), np.full(n, 1.0, np.float32)


sc.RangeScaler.fit = fit
sc.RangeScaler.transform = transform
sc.RangeScaler.inverse_transform = inverse_transform
sc.RangeScaler.scaled_bounds = scaled_bounds
