"""Lever: redraw synthetic rows that equal a training row of another class.

Imported by ``lever.py`` when the lever's name contains ``contra``. After
the library's ``_fit_resample``, every synthetic row equal (to 6 decimals,
as ``diag_copies.py`` compares) to a training row of another class is
replaced by a fresh draw of its own class that equals no such row: a copy
of a row the data label otherwise is label noise by construction
(``diag_copies.py``: 7% of car_good's synthetic minority rows). Up to
``ROUNDS`` rounds of ``sample``; rows still contradicting after that are
kept. Prints the number of flagged rows per fit to stderr.
"""

import sys

import numpy as np

from imbgan._sampler import BayesGANOversampler

ROUNDS = 10
_original = BayesGANOversampler._fit_resample


def _keys(rows: np.ndarray) -> list[bytes]:
    return [r.tobytes() for r in np.ascontiguousarray(np.round(rows, 6))]


def _fit_resample(self, X, y, integer_columns=None):
    X_res, y_res = _original(self, X, y, integer_columns)
    n = X.shape[0]
    new, y_new = X_res[n:], y_res[n:]
    flagged_total = 0
    for klass in np.unique(y_new):
        others = set(_keys(X[y != klass]))
        where = np.flatnonzero(y_new == klass)
        bad = where[[k in others for k in _keys(new[where])]]
        flagged_total += len(bad)
        for round_ in range(ROUNDS):
            if len(bad) == 0:
                break
            candidates = self.sample(
                4 * len(bad),
                klass,
                random_state=int(self.random_state or 0) * 100 + round_,
            )
            good = candidates[[k not in others for k in _keys(candidates)]]
            m = min(len(good), len(bad))
            new[bad[:m]] = good[:m]
            bad = bad[m:]
    print(
        f"contra: {flagged_total} of {len(new)} synthetic rows redrawn", file=sys.stderr
    )
    return X_res, y_res


BayesGANOversampler._fit_resample = _fit_resample
