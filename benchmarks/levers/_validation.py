"""What the image lever scripts share: the validation split and the refill.

``validation_split`` gives the protocol split and the validation images of
``imbgan benchmark paper --validation`` (1000 images per class from the
official training rows the split left out; the test set is never loaded).
``refill`` draws the new rows of a fitted sampler exactly as
``fit_resample`` draws them (the same sampling seed, per-class streams,
copies and contradiction redraws), for any counts of new rows and any
share of copies, so that several variants can be scored from one fit.
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state

from imbgan._conflicts import ClassConflicts
from imbgan._sampler import _MAX_SEED, _CopySource, _resolve_auto
from imbgan.benchmark import paper
from imbgan.datasets import make_imbalance_protocol


class Split(NamedTuple):
    X: np.ndarray  # the imbalanced training split, float32 in [0, 1]
    y: np.ndarray
    X_val: np.ndarray  # the validation images
    y_val: np.ndarray


def protocol_split_rows(y_train, seed: int, ir: int | None = None):
    """``(rows, y)``: the protocol split's training rows as ``run_paper`` draws them."""
    y_train = np.asarray(y_train)
    rows, y_split = make_imbalance_protocol(
        np.arange(len(y_train)), y_train, ir=ir, random_state=seed
    )
    return rows, np.asarray(y_split)


def validation_split(X_train, y_train, seed: int, ir: int | None = None) -> Split:
    """The protocol split for ``seed`` (and ``ir``) and its validation images."""
    y_train = np.asarray(y_train)
    split_rows, y_split = protocol_split_rows(y_train, seed, ir)
    held_out = paper._validation_rows(
        y_train, split_rows, paper.VALIDATION_PER_CLASS, seed
    )
    return Split(
        paper._as_unit_images(X_train[split_rows]),
        y_split,
        paper._as_unit_images(X_train[held_out], "X_validation"),
        y_train[held_out],
    )


def refill(sampler, X, y, seed: int, fraction: float | None = None, wanted=None):
    """``(X_res, y_res)`` as ``fit_resample`` returns them for a fitted sampler.

    ``seed`` is the ``random_state`` the sampler was fitted with; ``wanted``
    (default: its ``sampling_strategy_``) the new rows per class, in order;
    ``fraction`` the share of them that are copies of real rows (default:
    the sampler's own ``copy_fraction``, resolved as ``fit_resample`` does).
    """
    if fraction is None:
        fraction = _resolve_auto(
            "copy_fraction", sampler.copy_fraction, sampler.image_shape_
        )
    wanted = dict(sampler.sampling_strategy_ if wanted is None else wanted)
    # The third of the three seeds a fit draws is the sampling seed.
    sample_seed = int(check_random_state(seed).randint(0, _MAX_SEED, size=3)[2])
    conflicts = None
    if sampler.redraw_contradictions and fraction < 1:
        conflicts = ClassConflicts(X, np.unique(y, return_inverse=True)[1])
    before = sampler.sampling_strategy_
    sampler.sampling_strategy_ = wanted  # read when the rows are drawn
    try:
        X_res = np.empty((len(y) + sum(wanted.values()), X.shape[1]), dtype=X.dtype)
        X_res[: len(y)] = X
        sampler._fill_strategy(
            X_res[len(y) :], sample_seed, conflicts, _CopySource(X, y, fraction)
        )
    finally:
        sampler.sampling_strategy_ = before
    y_res = np.concatenate(
        [y] + [np.full(n, k, dtype=y.dtype) for k, n in wanted.items()]
    )
    return X_res, y_res
