"""Lever: redraw synthetic rows whose nearest training rows are all of other classes.

Imported by ``lever.py`` when the lever's name contains ``nnfilter``. After
the library's ``_fit_resample``, a synthetic row of class ``k`` none of
whose ``NN_K`` (env, default 5) nearest training rows (Euclidean, in the
space the sampler sees: the suite standardises first) is of class ``k`` is
replaced by a fresh draw of its class that has one; up to ``ROUNDS``
rounds, rows still failing are kept. A generalisation of L27's exact
contradictions to rows that sit inside another class's region, where the
diagnosis found pc1's rows (lab notebook); SMOTE's rows, interpolated
between minority neighbours, never do. Prints the share of flagged rows
per fit to stderr.
"""

import os
import sys

import numpy as np
from sklearn.neighbors import NearestNeighbors

from imbgan._sampler import BayesGANOversampler

K = int(os.environ.get("NN_K", "5"))
ROUNDS = 10
_original = BayesGANOversampler._fit_resample


def _fit_resample(self, X, y, integer_columns=None):
    X_res, y_res = _original(self, X, y, integer_columns)
    n = X.shape[0]
    new, y_new = X_res[n:], y_res[n:]
    index = NearestNeighbors(n_neighbors=min(K, n)).fit(X)

    def unsafe(rows, klass):
        neighbours = index.kneighbors(rows, return_distance=False)
        return ~(y[neighbours] == klass).any(axis=1)

    flagged_total = 0
    for klass in np.unique(y_new):
        where = np.flatnonzero(y_new == klass)
        bad = where[unsafe(new[where], klass)]
        flagged_total += len(bad)
        for round_ in range(ROUNDS):
            if len(bad) == 0:
                break
            candidates = self.sample(
                4 * len(bad),
                klass,
                random_state=int(self.random_state or 0) * 100 + round_,
            )
            good = candidates[~unsafe(candidates, klass)]
            m = min(len(good), len(bad))
            new[bad[:m]] = good[:m]
            bad = bad[m:]
    print(f"nnfilter: {flagged_total} of {len(new)} rows redrawn", file=sys.stderr)
    return X_res, y_res


BayesGANOversampler._fit_resample = _fit_resample
