"""Figures of a fitted sampler: samples, latent traversals, the DAG, losses.

Every function builds a bare :class:`matplotlib.figure.Figure` (never
through :mod:`matplotlib.pyplot`), so nothing here opens a window, registers
a figure with pyplot or changes its global state; the figure is returned and,
when ``path`` is given, also written there as a PNG. matplotlib is imported
only when a figure is drawn: ``pip install imbgan[plot]``.

- :func:`plot_samples`: real and synthetic rows, one row of the figure per
  class.
- :func:`plot_traversal`: one latent code swept while the others and the
  noise stay fixed (the paper's Fig. 4 d/e).
- :func:`plot_dag`: the latent DAG as a layered graph (networkx not needed);
  :func:`plot_code_effects`: intervention effects beside the prescribed DAG.
- :func:`plot_history`: the per-epoch training losses.
- :func:`plot_ir_sweep`, :func:`plot_minority_grid`: the benchmark figures of
  :mod:`imbgan.benchmark.paper`, re-exported.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._figures import finish, new_figure
from ._networks import MIN_IMAGE_SIDE
from ._plot_dag import plot_code_effects, plot_dag
from ._training import MAX_SEED
from .benchmark.paper import plot_ir_sweep, plot_minority_grid

if TYPE_CHECKING:  # only for annotations: matplotlib stays an optional extra
    from matplotlib.figure import Figure

__all__ = [
    "plot_code_effects",
    "plot_dag",
    "plot_history",
    "plot_ir_sweep",
    "plot_minority_grid",
    "plot_samples",
    "plot_traversal",
]

# The losses in the order the training loop records them; other keys of a
# history follow in their own order.
_HISTORY_ORDER = ("d_loss", "g_loss", "class_loss", "reg_loss", "learning_rate")


# -- shared helpers -----------------------------------------------------------


def _check_int(value: Any, name: str, minimum: int) -> int:
    if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _check_sampler(sampler: Any) -> None:
    check_is_fitted(
        sampler,
        "generator_",
        msg=(
            "This %(name)s has no trained generator yet: call fit_resample "
            "before plotting its samples."
        ),
    )


def _check_class(sampler: Any, klass: Any, name: str) -> Any:
    if np.ndim(klass) != 0:
        raise ValueError(f"{name} must be one class label; got {klass!r}.")
    known = sampler.classes_.tolist()
    try:
        ok = klass in known
    except (TypeError, ValueError):  # labels that do not compare
        ok = False
    if not ok:
        raise ValueError(
            f"{name}={klass!r} is not a class seen during fit; known classes are "
            f"{known}."
        )
    return klass


def _image_shape(sampler: Any) -> tuple[int, int, int] | None:
    """``(channels, height, width)`` to draw rows as images, or None for tables."""
    shape = getattr(sampler, "image_shape_", None)
    if shape is not None:
        return tuple(int(s) for s in shape)
    n_features = int(sampler.n_features_in_)
    side = math.isqrt(n_features)
    # a square number of features below the samplers' smallest image side
    # (4, 9, ...) is far more likely a table than an image
    if side * side == n_features and side >= MIN_IMAGE_SIDE:
        # e.g. digits fitted without image_shape: 64 features are 8x8 pixels
        return 1, side, side
    return None


def _value_range(sampler: Any, *arrays: np.ndarray) -> tuple[float, float]:
    """One display range for every image of a figure.

    The training data's observed range when the sampler recorded it, so
    real and synthetic images (and two figures of one sampler) share a
    colour scale; else the range of what is drawn.
    """
    scaler = getattr(sampler, "scaler_", None)
    low = getattr(scaler, "feature_min_", None)
    high = getattr(scaler, "feature_max_", None)
    if low is not None and high is not None:
        vmin, vmax = float(np.min(low)), float(np.max(high))
    else:
        values = np.concatenate([np.ravel(a).astype(np.float64) for a in arrays])
        finite = values[np.isfinite(values)]
        vmin, vmax = (
            (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        )
    if not vmax > vmin:  # a constant image: any non-empty range shows it
        vmax = vmin + 1.0
    return vmin, vmax


def _show_image(
    ax: Any, row: np.ndarray, shape: tuple[int, int, int], vmin: float, vmax: float
) -> None:
    """Draw one flattened image (C-order ``(channels, height, width)``) on ``ax``."""
    channels, height, width = shape
    image = np.asarray(row, dtype=np.float64).reshape(channels, height, width)
    if channels == 3:
        # imshow takes RGB floats in [0, 1] only, so scale before drawing.
        rgb = np.clip((image - vmin) / (vmax - vmin), 0.0, 1.0)
        ax.imshow(rgb.transpose(1, 2, 0), interpolation="nearest")
    else:
        # one channel is grey; other counts have no natural colours: their mean
        gray = image[0] if channels == 1 else image.mean(axis=0)
        ax.imshow(gray, cmap="gray", vmin=vmin, vmax=vmax, interpolation="nearest")


def _blank(ax: Any) -> None:
    """No ticks and no frame, but keep the axes so its labels still show."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _code_names(sampler: Any) -> tuple[str, ...]:
    return tuple(sampler.code_names_)


def _dense(X: Any) -> np.ndarray:
    if hasattr(X, "toarray"):  # scipy.sparse
        X = X.toarray()
    return np.asarray(X)


# -- samples --------------------------------------------------------------------


def plot_samples(
    sampler: Any,
    *,
    classes: Any = None,
    n: int = 8,
    X: Any = None,
    y: Any = None,
    path: str | os.PathLike | None = None,
    random_state: Any = 0,
) -> Figure:
    """Synthetic rows of each class, next to real ones, as images or a scatter.

    Parameters
    ----------
    sampler : fitted BayesGANOversampler or InfoGANOversampler
    classes : label or sequence of labels, default=None
        Classes to draw, one row of the figure each. ``None`` means the
        classes ``sampling_strategy_`` added rows to, or every class of
        ``classes_`` when it added none.
    n : int, default=8
        Synthetic rows per class, and the most real rows per class.
    X, y : array-like, default=None
        Real data (e.g. the training set). When given, each class's row
        starts with its first ``n`` real rows (blank cells when the class has
        fewer), then its ``n`` synthetic ones.
    path : str or os.PathLike, default=None
        Where to also write the figure as a PNG.
    random_state : int, RandomState instance or None, default=0
        Seeds the synthetic rows (``sampler.sample(n, y=klass,
        random_state=random_state)``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Rows as images, shaped by ``image_shape_`` or, without one, as square
        single-channel images when the number of features is a square of at
        least 8x8 (64 features are 8x8 pixels): ``len(classes)`` rows of
        ``2 * n`` axes (``n`` without ``X``). Other (tabular) rows: one axes
        per class, a scatter of the first two features.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer, only one of ``X``, ``y`` is
        given, their lengths differ, or a class was not seen during fit.
    ImportError
        If matplotlib is not installed.
    """
    _check_sampler(sampler)
    n = _check_int(n, "n", 1)
    if classes is None:
        strategy = getattr(sampler, "sampling_strategy_", None) or {}
        classes = [k for k, count in strategy.items() if count > 0]
        if not classes:
            classes = list(sampler.classes_)
    elif np.ndim(classes) == 0:
        classes = [classes]
    classes = [_check_class(sampler, k, "classes") for k in classes]
    if len(classes) == 0:
        raise ValueError("classes must name at least one class; got none.")
    if (X is None) != (y is None):
        raise ValueError("pass X and y together (the real rows and their labels).")
    real: list[np.ndarray] | None = None
    if X is not None:
        X = _dense(X)
        y = np.asarray(y)
        if X.ndim != 2 or len(X) != len(y) or X.shape[1] != sampler.n_features_in_:
            raise ValueError(
                f"X must be 2-D with {sampler.n_features_in_} features and one row "
                f"per label of y; got X of shape {X.shape} and {len(y)} labels."
            )
        real = [X[y == klass][:n] for klass in classes]
    synthetic = [sampler.sample(n, y=k, random_state=random_state) for k in classes]

    shape = _image_shape(sampler)
    if shape is None:
        fig = _scatter_samples(classes, real, synthetic)
    else:
        fig = _image_samples(sampler, shape, classes, real, synthetic, n)
    return finish(fig, path)


def _image_samples(
    sampler: Any,
    shape: tuple[int, int, int],
    classes: list,
    real: list[np.ndarray] | None,
    synthetic: list[np.ndarray],
    n: int,
) -> Figure:
    n_cols = n if real is None else 2 * n
    aspect = shape[2] / shape[1]
    fig = new_figure(
        figsize=(0.9 * n_cols * aspect + 0.8, 0.9 * len(classes) + 0.4),
        layout="constrained",
    )
    axes = fig.subplots(len(classes), n_cols, squeeze=False)
    vmin, vmax = _value_range(sampler, *synthetic, *(real or []))
    for i, klass in enumerate(classes):
        rows: list[np.ndarray | None] = list(synthetic[i])
        if real is not None:  # blank cells when the class has fewer than n rows
            rows = [*real[i], *[None] * (n - len(real[i])), *rows]
        for j, row in enumerate(rows):
            _blank(axes[i, j])
            if row is not None:
                _show_image(axes[i, j], row, shape, vmin, vmax)
        axes[i, 0].set_ylabel(str(klass), rotation=0, ha="right", va="center")
    if real is not None:
        axes[0, 0].set_title("real", loc="left", fontsize="small")
        axes[0, n].set_title("synthetic", loc="left", fontsize="small")
    return fig


def _scatter_samples(
    classes: list, real: list[np.ndarray] | None, synthetic: list[np.ndarray]
) -> Figure:
    n_cols = min(4, len(classes))
    n_rows = -(-len(classes) // n_cols)
    fig = new_figure(figsize=(3.0 * n_cols, 2.8 * n_rows), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax in axes[len(classes) :]:  # one axes per class, no empty panels
        fig.delaxes(ax)

    def xy(rows: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.float64)
        if rows.shape[1] >= 2:
            return rows[:, 0], rows[:, 1]
        # one feature: a strip per kind of row, at height ``level``
        return rows[:, 0], np.full(len(rows), level)

    for i, klass in enumerate(classes):
        ax = axes[i]
        if real is not None and len(real[i]):
            ax.scatter(*xy(real[i], 0.0), s=18, c="0.45", label="real")
        ax.scatter(*xy(synthetic[i], 1.0), s=18, c="tab:orange", label="synthetic")
        ax.set_title(f"class {klass}", fontsize="small")
        ax.set_xlabel("feature 0")
        if synthetic[i].shape[1] >= 2:
            ax.set_ylabel("feature 1")
        else:
            ax.set_yticks([0.0, 1.0], ["real", "synthetic"])
        ax.legend(fontsize="x-small")
    return fig


# -- traversal ------------------------------------------------------------------


def _code_index(sampler: Any, code: Any) -> int:
    n_codes = int(sampler.n_codes_)
    if isinstance(code, str):
        names = _code_names(sampler)
        if code not in names:
            raise ValueError(
                f"unknown code {code!r}; the sampler's codes are {list(names)}."
            )
        return names.index(code)
    if isinstance(code, Integral) and not isinstance(code, bool):
        if not 0 <= code < n_codes:
            raise ValueError(
                f"code index {int(code)} out of range: the sampler has {n_codes} "
                f"codes (0 to {n_codes - 1})."
            )
        return int(code)
    raise ValueError(f"code must be a code index or name; got {code!r}.")


def _row_seeds(random_state: Any, n_rows: int) -> list[int]:
    """One integer seed per row of a traversal."""
    if random_state is None:
        # check_random_state(None) is numpy's global RandomState; drawing from
        # it would change global state, which imbgan promises never to do.
        rng = np.random.default_rng()
        return [int(s) for s in rng.integers(0, MAX_SEED, size=n_rows)]
    rng = check_random_state(random_state)
    return [int(s) for s in rng.randint(0, MAX_SEED, size=n_rows)]


def plot_traversal(
    sampler: Any,
    *,
    y: Any,
    code: int | str = 0,
    steps: int = 7,
    n_rows: int = 4,
    low: float = -1.0,
    high: float = 1.0,
    path: str | os.PathLike | None = None,
    random_state: Any = 0,
) -> Figure:
    """Sweep one latent code, others and the noise fixed (the paper's Fig. 4 d/e).

    Each of the ``n_rows`` rows of the figure has its own noise ``z``; along
    a row the chosen code goes from ``low`` to ``high`` in ``steps`` equal
    steps while every other code stays 0, so any change along a row is the
    chosen code's doing.

    Parameters
    ----------
    sampler : fitted BayesGANOversampler or InfoGANOversampler
    y : label
        The class to draw.
    code : int or str, default=0
        The code to vary: its index, or its name in ``sampler.dag_.names``.
    steps : int, default=7
        Values of the code (columns), at least 2.
    n_rows : int, default=4
        Noise draws (rows), at least 1.
    low, high : float, default=-1.0, 1.0
        The code's first and last value; the codes are drawn from
        ``U(-1, 1)`` in training. ``low == high`` repeats one image per row.
    path : str or os.PathLike, default=None
        Where to also write the figure as a PNG.
    random_state : int, RandomState instance or None, default=0
        Seeds the rows' noise.

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``n_rows`` x ``steps`` axes with one image each: the row as an image
        (see :func:`plot_samples`), or for tabular rows a strip of the
        features scaled to the training range ``[-1, 1]``.

    Raises
    ------
    ValueError
        For an unknown code name, a code index out of range, ``steps < 2``,
        ``n_rows < 1``, a non-finite ``low`` or ``high``, or a class not
        seen during fit.
    ImportError
        If matplotlib is not installed.

    Notes
    -----
    :meth:`~imbgan.BayesGANOversampler.sample` draws a different noise
    vector for each row it returns, and the first row of ``sample(7, ...)``
    is not that of ``sample(1, ...)`` under the same seed. So each image is
    its own ``sample(1, y, codes=..., random_state=seed)`` call, with one
    seed per row of the figure: the same seed and size give the same noise.
    """
    _check_sampler(sampler)
    klass = _check_class(sampler, y, "y")
    index = _code_index(sampler, code)
    steps = _check_int(steps, "steps", 2)
    n_rows = _check_int(n_rows, "n_rows", 1)
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number; got {value!r}.")

    values = np.linspace(float(low), float(high), steps)
    codes = np.zeros((steps, int(sampler.n_codes_)), dtype=np.float32)
    codes[:, index] = values
    grid = np.stack(
        [
            np.concatenate(
                [
                    sampler.sample(1, y=klass, codes=codes[j], random_state=seed)
                    for j in range(steps)
                ]
            )
            for seed in _row_seeds(random_state, n_rows)
        ]
    )  # (n_rows, steps, n_features)

    shape = _image_shape(sampler)
    if shape is None:
        # A strip per row; scaled per feature so that features of different
        # units share one colour scale (the scaler's [-1, 1]).
        scaler = getattr(sampler, "scaler_", None)
        flat = grid.reshape(-1, grid.shape[-1])
        if scaler is not None:
            flat = scaler.transform(flat)
        grid = np.asarray(flat, dtype=np.float64).reshape(grid.shape)
        shape = (1, 1, grid.shape[-1])
        vmin, vmax = (-1.0, 1.0) if scaler is not None else _value_range(None, grid)
        cell = (0.9, 0.5)
    else:
        vmin, vmax = _value_range(sampler, grid)
        cell = (0.9 * shape[2] / shape[1], 0.9)

    fig = new_figure(
        figsize=(cell[0] * steps + 0.6, cell[1] * n_rows + 0.7), layout="constrained"
    )
    axes = fig.subplots(n_rows, steps, squeeze=False)
    for r in range(n_rows):
        for j in range(steps):
            _blank(axes[r, j])
            _show_image(axes[r, j], grid[r, j], shape, vmin, vmax)
    for j, value in enumerate(values):
        axes[0, j].set_title(f"{value:.2g}", fontsize="small")
    name = _code_names(sampler)[index]
    fig.suptitle(f"class {klass}: {name} from {low:g} to {high:g}", fontsize="medium")
    return finish(fig, path)


# -- DAG --------------------------------------------------------------------------


def plot_history(
    history_or_sampler: Any, *, path: str | os.PathLike | None = None
) -> Figure:
    """Per-epoch training curves, one panel per recorded quantity.

    Parameters
    ----------
    history_or_sampler : mapping of str to sequence of float, or fitted sampler
        A ``history_`` dict (``d_loss``, ``g_loss``, ``class_loss``,
        ``reg_loss``, ``learning_rate``, ...) or a sampler that has one.
    path : str or os.PathLike, default=None
        Where to also write the figure as a PNG.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per non-empty entry, the losses first in training order;
        ``learning_rate`` on a log axis, so a divergence rollback (a lower
        rate) shows as a step.

    Raises
    ------
    ValueError
        If there is no history (an unfitted sampler) or every entry is empty.
    ImportError
        If matplotlib is not installed.
    """
    history = getattr(history_or_sampler, "history_", history_or_sampler)
    if not isinstance(history, Mapping):
        raise ValueError(
            "plot_history needs a history_ dict or a fitted sampler that has one; "
            f"got {type(history_or_sampler).__name__}."
        )
    keys = [k for k in _HISTORY_ORDER if k in history] + [
        k for k in history if k not in _HISTORY_ORDER
    ]
    series = {}
    for key in keys:
        values = history[key]
        if isinstance(values, (str, bytes)) or not isinstance(
            values, (Sequence, np.ndarray)
        ):
            raise ValueError(f"history[{key!r}] must be a sequence of numbers.")
        if len(values):
            series[key] = np.asarray(values, dtype=np.float64)
    if not series:
        raise ValueError("the history is empty: nothing to plot.")

    n_cols = min(3, len(series))
    n_rows = -(-len(series) // n_cols)
    fig = new_figure(figsize=(3.6 * n_cols, 2.6 * n_rows), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax in axes[len(series) :]:
        fig.delaxes(ax)
    from matplotlib.ticker import MaxNLocator

    for ax, (key, values) in zip(axes, series.items(), strict=False):
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, marker="." if len(values) < 30 else None)
        ax.set_title(key, fontsize="medium")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 1.5
        ax.grid(alpha=0.3)
        if key == "learning_rate" and np.all(values[np.isfinite(values)] > 0):
            ax.set_yscale("log")
    return finish(fig, path)
