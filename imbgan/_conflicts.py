"""Synthetic rows that contradict the training data's labels.

A synthetic row of class ``k`` that is identical to a training row labelled
with another class is label noise by construction: the resampled data then
hold the same row under two labels. On fully discrete data this is common
(6% to 25% of car_good's synthetic minority rows in the tabular suite), since
the generator's rows are snapped to observed levels and the classes overlap
on a few level combinations. :class:`ClassConflicts` finds such rows so that
they can be redrawn.

Rows are compared through a 64-bit hash of their values as float64, so the
index costs one integer per training row rather than a copy of the data.
Equal rows always have equal hashes; two different rows share a hash with a
probability of about 2**-64 per pair, and the cost of such a collision is
only that a valid synthetic row is redrawn.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ClassConflicts"]

# Rows are hashed in blocks of this many values, so that the temporaries stay
# small whatever the number of rows.
_BLOCK_VALUES = 1 << 16
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it is a bijection


def _column_weights(n_columns: int) -> np.ndarray:
    """Fixed odd 64-bit weights, one per column (no global random state)."""
    seeds = np.random.RandomState(20210819).randint(
        0, 2**63, size=n_columns, dtype=np.int64
    )
    return seeds.astype(np.uint64) * np.uint64(2) + np.uint64(1)


def row_hashes(rows: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's values (``-0.0`` and ``0.0`` are equal)."""
    rows = np.asarray(rows)
    n_rows, n_columns = rows.shape
    weights = _column_weights(n_columns)
    hashes = np.empty(n_rows, dtype=np.uint64)
    step = max(1, _BLOCK_VALUES // max(n_columns, 1))
    with np.errstate(over="ignore"):
        for start in range(0, n_rows, step):
            # + 0.0 turns -0.0 into 0.0, so equal values have equal bits
            block = np.ascontiguousarray(rows[start : start + step], np.float64) + 0.0
            bits = block.view(np.uint64)
            # mix each value before weighting: (x ^ x >> 29) * MIX spreads
            # the high bits, where float64 values of small integers differ
            mixed = (bits ^ (bits >> np.uint64(29))) * _MIX
            hashes[start : start + step] = (mixed * weights).sum(
                axis=1, dtype=np.uint64
            )
    return hashes


class ClassConflicts:
    """The training rows' hashes and labels, to flag contradicting rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The training rows (dense).
    y_index : ndarray of shape (n_samples,)
        Each row's class as an index into the sorted classes.
    """

    def __init__(self, X: np.ndarray, y_index: np.ndarray) -> None:
        hashes = row_hashes(X)
        order = np.argsort(hashes, kind="stable")
        sorted_hashes = hashes[order]
        sorted_classes = np.asarray(y_index)[order]
        self._hashes, starts = np.unique(sorted_hashes, return_index=True)
        # A hash whose rows all have one class c conflicts with every class
        # but c; with rows of two classes or more, with every class.
        self._lowest = np.minimum.reduceat(sorted_classes, starts)
        self._highest = np.maximum.reduceat(sorted_classes, starts)

    def flags(self, rows: np.ndarray, class_index: int) -> np.ndarray:
        """Which ``rows`` (of class ``class_index``) equal a row of another class."""
        if self._hashes.size == 0 or len(rows) == 0:
            return np.zeros(len(rows), dtype=bool)
        hashes = row_hashes(rows)
        position = np.minimum(
            np.searchsorted(self._hashes, hashes), self._hashes.size - 1
        )
        found = self._hashes[position] == hashes
        other = (self._lowest[position] != class_index) | (
            self._highest[position] != class_index
        )
        return found & other
