"""Lever: discrete columns one-hot in the GAN's space, decoded by argmax.

Imported by ``lever.py`` when the lever's name contains ``onehot``. With
quantile scaling (the tabular default) every column with 2 to
``max_discrete_levels`` distinct values becomes a block of one slot per
level (+1 for the row's level, -1 elsewhere) and comes back as the level
of the block's largest output; continuous columns keep their quantile map.
Why: on car_good the generator never produced level 2 of column 4 (30% of
the real minority rows) nor level 0 of column 5 (43%), whose minority
values are {0, 2} without the 1 between them: one tanh output cannot put
mass on both ends of a column without passing through the middle, so 30 of
the 69 minority rows were never copied (lab notebook, L29; ``diag_modes.py``).
CTGAN encodes discrete columns the same way for the same reason.
"""

import numpy as np

import imbgan._sampler as sampler_module
from imbgan._scaling import QuantileScaler

_build_scaler = sampler_module._build_scaler
_build_networks = sampler_module.build_networks


class OneHotQuantileScaler(QuantileScaler):
    def fit(self, X, integer_columns=None):
        super().fit(X, integer_columns)
        self.slots_ = []  # per input column: (first slot, number of slots)
        width = 0
        for j in range(X.shape[1]):
            n = len(self.levels_[j]) if j in self.levels_ else 1
            self.slots_.append((width, n))
            width += n
        self.width_ = width
        return self

    def scaled_bounds(self):
        return np.full(self.width_, -1.0, np.float32), np.full(
            self.width_, 1.0, np.float32
        )

    def transform(self, X):
        base = super().transform(X)
        out = np.full((X.shape[0], self.width_), -1.0, np.float32)
        rows = np.arange(X.shape[0])
        for j, (first, n) in enumerate(self.slots_):
            if j in self.levels_:
                values = self.levels_[j]
                index = np.clip(
                    np.searchsorted(values, np.asarray(X[:, j], np.float64)), 0, n - 1
                )
                out[rows, first + index] = 1.0
            else:
                out[:, first] = base[:, j]
        return out

    def inverse_transform(self, Z):
        Z = np.asarray(Z, dtype=np.float64)
        base = np.zeros((Z.shape[0], len(self.slots_)))
        for j, (first, _) in enumerate(self.slots_):
            if j not in self.levels_:
                base[:, j] = Z[:, first]
        X = self._unscale(base)
        for j, (first, n) in enumerate(self.slots_):
            if j in self.levels_:
                X[:, j] = self.levels_[j][np.argmax(Z[:, first : first + n], axis=1)]
        return self._finish(X)


def build_scaler(feature_scaling, max_levels, image_shape):
    scaler = _build_scaler(feature_scaling, max_levels, image_shape)
    if type(scaler) is QuantileScaler:
        return OneHotQuantileScaler(max_levels=max_levels)
    return scaler


def build_networks(**kwargs):
    if kwargs.get("image_shape") is None:
        kwargs["n_features"] = len(kwargs["output_bounds"][0])
    return _build_networks(**kwargs)


sampler_module._build_scaler = build_scaler
sampler_module.build_networks = build_networks
