"""Lever: the amount of synthesis, GAN rows mixed with copies of real rows.

Imported by ``image_lever.py`` (``PATCHES=mix_patch``) or ``lever.py``.
After the library's ``_fit_resample``, a fraction ``MIX_COPIES`` (env,
default 0.5) of each class's synthetic rows is replaced by copies of that
class's real training rows, drawn with replacement as random over-sampling
draws them (seeded from ``random_state``). ROS, the copies alone, is the
strongest image baseline (lab notebook); the question is whether the GAN's
rows add to copies rather than replace them.
"""

import os

import numpy as np

from imbgan._sampler import BayesGANOversampler

FRACTION = float(os.environ.get("MIX_COPIES", "0.5"))
_original = BayesGANOversampler._fit_resample


def _fit_resample(self, X, y, integer_columns=None):
    X_res, y_res = _original(self, X, y, integer_columns)
    rng = np.random.RandomState(int(self.random_state or 0) + 7919)
    n = X.shape[0]
    for klass in np.unique(y_res[n:]):
        where = n + np.flatnonzero(y_res[n:] == klass)
        chosen = where[rng.permutation(len(where))[: int(round(FRACTION * len(where)))]]
        real = np.flatnonzero(y == klass)
        X_res[chosen] = X[real[rng.randint(0, len(real), size=len(chosen))]]
    return X_res, y_res


BayesGANOversampler._fit_resample = _fit_resample
