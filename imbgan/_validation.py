"""Checks of the user's data and parameters that must run before training.

scikit-learn's and imbalanced-learn's own validation catches most bad input,
but some of their messages do not say which column or class is wrong, and a
few bad values only fail after training. Each check here names the
offending argument and runs before any network is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError

from ._networks import MIN_IMAGE_SIDE

__all__ = [
    "check_codes",
    "check_do",
    "check_image_shape",
    "check_integer_params",
    "check_numeric_X",
    "check_sample_request",
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


def _unknown_labels(labels: np.ndarray, classes: np.ndarray) -> list:
    """The distinct entries of ``labels`` that are not in ``classes``."""
    try:
        unknown = labels[~np.isin(labels, classes)]
        return np.unique(unknown).tolist()
    except TypeError:  # unorderable mixes such as None and str: no sorting
        known = set(classes.tolist())
        seen: list = []
        for label in np.atleast_1d(labels).tolist():
            if label not in known and label not in seen:
                seen.append(label)
        return seen


def check_sample_request(
    n_samples: Any, y: Any, classes: np.ndarray
) -> tuple[int, np.ndarray]:
    """``sample``'s ``n_samples`` and ``y`` checked: the count and the labels
    (0-d for one label, else one per row)."""
    if (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool)
        or (n_samples < 0)
    ):
        raise ValueError(f"n_samples must be an integer >= 0; got {n_samples!r}.")
    # No cast to classes' dtype: it would truncate an unknown long string
    # label into a known one. Lists become object arrays: numpy would turn
    # [0, "a"] into strings and then blame the valid label 0.
    labels = y if isinstance(y, np.ndarray) else np.array(y, dtype=object)
    # One label (the common case) is kept 0-d: no n-sized label array.
    if labels.ndim != 0 and labels.shape != (n_samples,):
        raise ValueError(
            f"y must be one label or an array of n_samples={n_samples} labels; "
            f"got shape {labels.shape}."
        )
    unknown = _unknown_labels(labels, classes)
    if unknown:
        raise ValueError(
            f"y contains labels not seen during fit: {unknown}; known classes "
            f"are {classes.tolist()}."
        )
    return int(n_samples), labels


def check_codes(codes: Any, n_samples: int, n_codes: int) -> np.ndarray:
    """``codes`` as a float32 ``(n_samples, n_codes)`` array (maybe a view)."""
    try:
        codes = np.asarray(codes, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"codes must be numeric; {exc}") from None
    if codes.shape == (n_codes,):
        codes = np.broadcast_to(codes, (n_samples, n_codes))
    if codes.shape != (n_samples, n_codes):
        raise ValueError(
            f"codes must have shape ({n_codes},) or ({n_samples}, {n_codes}); "
            f"got {codes.shape}."
        )
    if not np.isfinite(codes).all():
        raise ValueError("codes must be finite.")
    return codes


def check_do(do: Any, code_names: list[str]) -> dict[int, float]:
    """``do`` ({code name: value}) as {code index: value}; empty for None."""
    if do is None:
        return {}
    if not isinstance(do, Mapping):
        raise ValueError(
            f"do must be a mapping {{code name: value}}; got {type(do).__name__}."
        )
    resolved = {}
    for name, value in do.items():
        if name not in code_names:
            raise ValueError(
                f"do names the code {name!r}, which this sampler does not have; "
                f"its codes are {code_names}."
            )
        if isinstance(value, bool | np.bool_) or not isinstance(
            value, Real | np.number
        ):
            raise ValueError(f"do[{name!r}] must be a number; got {value!r}.")
        if not np.isfinite(float(value)):
            raise ValueError(f"do[{name!r}] must be finite; got {value!r}.")
        resolved[code_names.index(name)] = float(value)
    return resolved
