"""Checks of the user's data and parameters that must run before training.

scikit-learn's and imbalanced-learn's own validation catches most bad input,
but some of their messages do not say which column or class is wrong, and a
few bad values only fail after training. Each check here names the
offending argument and runs before any network is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError

from ._networks import MIN_IMAGE_SIDE

__all__ = [
    "check_image_shape",
    "check_integer_params",
    "check_numeric_X",
    "check_sampling_strategy_form",
    "integer_columns",
]

_INTEGER_PARAMS = ("n_codes", "noise_dim", "hidden_units", "epochs", "batch_size")
_NUMERIC_KINDS = "biuf"
# complex data is numeric too; scikit-learn rejects it with its own message
_PASS_KINDS = _NUMERIC_KINDS + "c"


def check_integer_params(estimator: Any) -> None:
    """Reject ``True``/``False`` where a size is expected.

    scikit-learn's ``Interval(Integral, ...)`` accepts bools (``True`` is an
    ``Integral``); as a network size that is never what the user meant.
    """
    for name in _INTEGER_PARAMS:
        value = getattr(estimator, name, None)
        if isinstance(value, bool | np.bool_):
            # both a ValueError and a TypeError, as scikit-learn's own
            raise InvalidParameterError(
                f"{name} must be an integer >= 1; got {value!r}."
            )


def check_numeric_X(X: Any) -> None:
    """Raise a ``ValueError`` naming the first non-numeric column of ``X``."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "items"):  # a pandas DataFrame
        for column, dtype in dtypes.items():
            if getattr(dtype, "kind", "O") in _PASS_KINDS:
                continue
            if _converts_to_float(X[column]):
                continue
            raise ValueError(
                f"X must be numeric to train a GAN; column {column!r} has dtype "
                f"{dtype}. Encode categorical features first (e.g. with "
                "sklearn.preprocessing.OneHotEncoder)."
            )
        return
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):  # sparse: numeric by type
        return
    array = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if array.dtype.kind in _PASS_KINDS or array.ndim != 2:
        return  # other shapes are reported by scikit-learn's validation
    for j in range(array.shape[1]):
        if not _converts_to_float(array[:, j]):
            bad = next(v for v in array[:, j] if not _converts_to_float([v]))
            raise ValueError(
                f"X must be numeric to train a GAN; column {j} holds "
                f"{type(bad).__name__} values such as {bad!r}. Encode "
                "categorical features first (e.g. with "
                "sklearn.preprocessing.OneHotEncoder)."
            )


def _converts_to_float(values: Any) -> bool:
    try:
        np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def integer_columns(X: Any) -> np.ndarray | None:
    """Which columns of a DataFrame hold integers or booleans, else ``None``.

    A DataFrame with mixed column types reaches the sampler as one float
    array; this keeps the knowledge that some columns must come back
    integral (rounded), including pandas' nullable ``Int64`` and
    ``boolean``. For arrays the array's own dtype says it.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return None
    return np.array([getattr(d, "kind", "O") in "biu" for _, d in dtypes.items()])


def check_sampling_strategy_form(strategy: Any, y: Any) -> None:
    """Catch strategy values that imbalanced-learn reports late or vaguely.

    - a callable must return a mapping ``{class: n_samples}``;
    - requested counts must be integers;
    - a requested count below a class's current count names that class.
    """
    if callable(strategy):
        y_array = np.asarray(y)
        result = strategy(y_array)
        if not isinstance(result, Mapping):
            raise ValueError(
                "sampling_strategy is a callable and must return a dict "
                f"{{class: n_samples}}; it returned {type(result).__name__}."
            )
        _check_counts(result, y_array, "the dict returned by sampling_strategy")
    elif isinstance(strategy, Mapping):
        _check_counts(strategy, np.asarray(y), "sampling_strategy")


def _check_counts(counts: Mapping, y: np.ndarray, where: str) -> None:
    for klass, n in counts.items():
        if isinstance(n, bool | np.bool_) or not isinstance(n, Integral):
            raise ValueError(
                f"{where}[{klass!r}] must be an integer number of samples; got {n!r}."
            )
    if y.ndim != 1:
        return  # one-vs-all targets: imbalanced-learn checks them
    for klass, n in counts.items():
        present = int(np.count_nonzero(y == klass))
        if present and n < present:
            raise ValueError(
                f"{where} asks for {n} samples of class {klass!r}, which already "
                f"has {present}; an over-sampler can only add samples."
            )


def check_image_shape(image_shape: Any, n_features: int) -> tuple[int, int, int]:
    """``image_shape`` as three ints, or a ``ValueError`` saying what is wrong.

    Three integers ``(channels, height, width)``, channels at least 1, each
    side at least ``MIN_IMAGE_SIDE``, and as many values as ``n_features``.
    """
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = ()
    if len(shape) != 3 or not all(
        isinstance(s, Integral) and not isinstance(s, bool | np.bool_) for s in shape
    ):
        raise ValueError(
            "image_shape must be a tuple of three integers (channels, height, "
            f"width); got {image_shape!r}."
        )
    channels, height, width = (int(s) for s in shape)
    if channels < 1 or height < MIN_IMAGE_SIDE or width < MIN_IMAGE_SIDE:
        raise ValueError(
            f"image_shape={image_shape!r}: channels must be >= 1 and height "
            f"and width >= {MIN_IMAGE_SIDE}."
        )
    if channels * height * width != n_features:
        raise ValueError(
            f"image_shape={image_shape!r} describes {channels * height * width} "
            f"features but X has {n_features}."
        )
    return channels, height, width
