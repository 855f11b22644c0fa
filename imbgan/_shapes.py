"""dSprites-style shapes (square, ellipse, heart) rendered from known factors.

Public through :mod:`imbgan.datasets`: :func:`make_shapes`,
:func:`render_shapes`, :data:`SHAPE_FACTORS`, :data:`FACTOR_SIZES`.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

SHAPE_FACTORS: tuple[str, ...] = ("shape", "scale", "rotation", "pos_x", "pos_y")
FACTOR_SIZES: tuple[int, ...] = (3, 6, 40, 16, 16)

_SCALES = np.linspace(0.5, 1.0, FACTOR_SIZES[1])
_ROTATIONS = np.linspace(0.0, 2 * np.pi, FACTOR_SIZES[2], endpoint=False)
_POS_X = np.linspace(0.0, 1.0, FACTOR_SIZES[3])
_POS_Y = np.linspace(0.0, 1.0, FACTOR_SIZES[4])

# Radius, as a fraction of the image side, of the disc every shape fits in at
# scale 1: rotation then cannot push it out of the image.
_RADIUS_FRACTION = 0.2
_MIN_IMAGE_SIZE = 16  # below this the smallest shapes may miss every pixel
_CHUNK = 2048  # images rendered at once: bounds the temporary arrays


# Point-in-shape tests in canonical coordinates (u, v), each shape inside the
# unit disc, v pointing down the image.
# The three areas differ (square 1.44, ellipse 1.88, heart 2.34) so that even
# the smallest shapes rarely hit the same pixels at 32x32.
def _in_square(u, v):
    return np.maximum(np.abs(u), np.abs(v)) <= 0.6


def _in_ellipse(u, v):
    return u * u + (v / 0.6) ** 2 <= 1.0


def _in_heart(u, v):
    # (x^2 + y^2 - 1)^3 <= x^2 y^3, y up, spans x in [-1.14, 1.14] and
    # y in [-1, 1.24]; it lies within radius 1.25 of (0, 0.25).
    x = 1.25 * u
    y = 0.25 - 1.25 * v
    r = x * x + y * y - 1.0
    return r * r * r <= x * x * y * y * y


_SHAPE_TESTS = (_in_square, _in_ellipse, _in_heart)


def check_scene_size(image_size) -> int:
    if (
        not isinstance(image_size, Integral)
        or isinstance(image_size, bool)
        or image_size < _MIN_IMAGE_SIZE
    ):
        raise ValueError(
            f"image_size must be an integer >= {_MIN_IMAGE_SIZE}, got {image_size!r}."
        )
    return int(image_size)


def render_shapes(factors: np.ndarray, image_size: int = 32) -> np.ndarray:
    """Render shape images from factor indices.

    Parameters
    ----------
    factors : array-like of shape (n_samples, 5)
        Columns ``[shape, scale, rotation, pos_x, pos_y]`` (see
        :data:`SHAPE_FACTORS`), each the integer index of the factor's value
        in its grid, ``0 <= index < FACTOR_SIZES[j]`` (integer-valued floats
        are accepted). Shapes: 0 square, 1 ellipse, 2 heart. Scales: 6 values
        from 0.5 to 1; rotations: 40 angles in ``[0, 2 pi)``; positions: 16
        values from 0 to 1, ``pos_x`` left to right and ``pos_y`` top to
        bottom.

    image_size : int, default=32
        Side of the square images, at least 16.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Binary images (0 background, 1 shape), flattened in C-order (row
        by row). Every shape lies inside the image, with a margin of at least
        one pixel, whatever its factors.

    Raises
    ------
    ValueError
        If ``factors`` is not a 2-D array of 5 columns of integer indices
        inside their grids, or ``image_size`` is not valid.
    """
    size = check_scene_size(image_size)
    factors = np.asarray(factors)
    if factors.ndim != 2 or factors.shape[1] != len(SHAPE_FACTORS):
        raise ValueError(
            f"factors must have shape (n_samples, {len(SHAPE_FACTORS)}), got "
            f"{factors.shape}."
        )
    if not (
        np.issubdtype(factors.dtype, np.integer)
        or np.issubdtype(factors.dtype, np.floating)
    ):
        raise ValueError(f"factors must be numeric, got dtype {factors.dtype}.")
    if not np.all(np.isfinite(factors)) or np.any(factors != np.round(factors)):
        raise ValueError("factors must hold integer indices.")
    index = factors.astype(np.int64)
    for j, (name, n_values) in enumerate(zip(SHAPE_FACTORS, FACTOR_SIZES, strict=True)):
        bad = (index[:, j] < 0) | (index[:, j] >= n_values)
        if bad.any():
            raise ValueError(
                f"factor {name!r} (column {j}) must be in [0, {n_values - 1}]; "
                f"got {index[bad, j][0]}."
            )

    radius = _RADIUS_FRACTION * size
    # Centres range over [low, high] so that a shape of full radius keeps a
    # one-pixel margin: the border rows and columns are always empty.
    low, high = radius + 1.0, size - radius - 1.0
    centres = np.arange(size, dtype=np.float32) + np.float32(0.5)
    grid_y, grid_x = (g.ravel() for g in np.meshgrid(centres, centres, indexing="ij"))

    n = len(index)
    X = np.empty((n, size * size), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        idx = index[start : start + _CHUNK]
        theta = _ROTATIONS[idx[:, 2]]
        inv_scale = 1.0 / (_SCALES[idx[:, 1]] * radius)
        cos = (np.cos(theta) * inv_scale).astype(np.float32)[:, None]
        sin = (np.sin(theta) * inv_scale).astype(np.float32)[:, None]
        cx = (low + _POS_X[idx[:, 3]] * (high - low)).astype(np.float32)[:, None]
        cy = (low + _POS_Y[idx[:, 4]] * (high - low)).astype(np.float32)[:, None]
        dx = grid_x[None, :] - cx
        dy = grid_y[None, :] - cy
        # Inverse transform: translate, rotate by -theta, divide by the scale.
        u = cos * dx + sin * dy
        v = cos * dy - sin * dx
        inside = np.zeros(u.shape, dtype=bool)
        for k, test in enumerate(_SHAPE_TESTS):
            mask = idx[:, 0] == k
            if mask.any():
                inside[mask] = test(u[mask], v[mask])
        X[start : start + len(idx)] = inside
    return X


def make_shapes(
    n_samples: int = 10000,
    *,
    image_size: int = 32,
    shape_weights=None,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate dSprites-style shape images with known latent factors.

    Each image shows one shape (0 square, 1 ellipse, 2 heart) at a scale,
    rotation and position drawn uniformly from their grids (see
    :func:`render_shapes`); the shape is drawn with ``shape_weights``.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of images.

    image_size : int, default=32
        Side of the square images, at least 16.

    shape_weights : sequence of 3 float, default=None
        Relative frequencies of square, ellipse and heart (normalised to sum
        to 1); ``None`` means equal. ``(0.8, 0.15, 0.05)`` makes the set
        imbalanced by shape.

    random_state : int, RandomState instance or None, default=None
        Seeds the draw (:func:`sklearn.utils.check_random_state`); the same
        integer gives the same images.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Binary images in ``{0, 1}``, flattened in C-order.

    y : ndarray of shape (n_samples,), dtype int64
        The shape of each image, the class label.

    factors : ndarray of shape (n_samples, 5), dtype float64
        Columns ``[shape, scale, rotation, pos_x, pos_y]``: the index of each
        factor's value in its grid (integers stored as floats), so that
        ``render_shapes(factors, image_size)`` reproduces ``X``.

    Raises
    ------
    ValueError
        If ``n_samples`` is not a non-negative integer, ``shape_weights`` is
        not 3 non-negative finite numbers with a positive sum, or
        ``image_size`` is not valid.
    """
    if (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool)
        or (n_samples < 0)
    ):
        raise ValueError(
            f"n_samples must be a non-negative integer, got {n_samples!r}."
        )
    size = check_scene_size(image_size)
    if shape_weights is None:
        weights = np.full(FACTOR_SIZES[0], 1.0 / FACTOR_SIZES[0])
    else:
        weights = np.asarray(shape_weights, dtype=np.float64)
        if (
            weights.shape != (FACTOR_SIZES[0],)
            or not np.all(np.isfinite(weights))
            or np.any(weights < 0)
            or weights.sum() <= 0
        ):
            raise ValueError(
                f"shape_weights must be {FACTOR_SIZES[0]} non-negative numbers "
                f"with a positive sum, got {shape_weights!r}."
            )
        weights = weights / weights.sum()

    rng = check_random_state(random_state)
    n = int(n_samples)
    factors = np.empty((n, len(FACTOR_SIZES)), dtype=np.float64)
    factors[:, 0] = rng.choice(FACTOR_SIZES[0], size=n, p=weights)
    for j, n_values in enumerate(FACTOR_SIZES[1:], start=1):
        factors[:, j] = rng.randint(n_values, size=n)
    X = render_shapes(factors, image_size=size)
    return X, factors[:, 0].astype(np.int64), factors
