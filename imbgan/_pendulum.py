"""A pendulum, a light and the shadow they cast, rendered from known factors.

Public through :mod:`imbgan.datasets`: :func:`make_pendulum`,
:func:`render_pendulum`, :data:`PENDULUM_FACTORS`, :data:`PENDULUM_DAG`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._shapes import check_scene_size

PENDULUM_FACTORS: tuple[str, ...] = (
    "angle",
    "light",
    "shadow_position",
    "shadow_length",
)
"""The factors of :func:`make_pendulum`, in the order of its columns."""

PENDULUM_DAG: dict[str, list[str]] = {
    "angle": [],
    "light": [],
    "shadow_position": ["angle", "light"],
    "shadow_length": ["angle", "light"],
}
"""The causal graph of :func:`make_pendulum`'s factors, ``{child: [parents]}``.

Its key order is :data:`PENDULUM_FACTORS`, so passed as a sampler's ``dag``
it gives code ``k`` the name of factor ``k``.
"""

# The scene, in unit coordinates: x left to right, y top to bottom.
_PIVOT = (0.5, 0.46)  # where the rod hangs from
_ROD = 0.26  # pivot to the bob's centre
_ANGLES = (-0.05, 1.05)  # radians from the vertical, positive to the right
_LIGHT_X = (0.55, 0.85)  # the light moves along the top, right of the pivot
_LIGHT_Y = 0.07
_GROUND = 0.92  # the ground line the shadow falls on
# Each shadow factor is its geometric value plus an independent uniform
# perturbation of at most this much (in unit coordinates).
_SHADOW_JITTER = 0.06
_SHADOW_CAP = 0.02  # drawn past each end of the shadow, so a short one shows
# Sizes and grey levels of the parts.
_LIGHT_RADIUS = 0.05
_PIVOT_RADIUS = 0.03
_ROD_HALF_WIDTH = 0.018
_BOB_RADIUS = 0.075  # the round bob (class 0)
_BOB_HALF_SIDE = 0.07  # the square bob (class 1), turned with the rod
_GROUND_BAND = (0.925, 0.955)
_SHADOW_BAND = (0.912, 0.968)
_LEVELS = {"ground": 0.25, "shadow": 0.6, "rod": 0.75, "bob": 1.0, "light": 1.0}
_SUPERSAMPLE = 2  # rendered at 2x and averaged over 2x2 blocks
_PENDULUM_CHUNK = 512


def _scene_from_unit(u: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """Map ``u`` in ``[-1, 1]`` linearly onto ``bounds``."""
    low, high = bounds
    return low + (np.asarray(u, dtype=np.float64) + 1.0) * (0.5 * (high - low))


def _unit_from_scene(value: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """The inverse of :func:`_scene_from_unit`."""
    low, high = bounds
    return (np.asarray(value, dtype=np.float64) - low) * (2.0 / (high - low)) - 1.0


def _shadow_geometry(theta: np.ndarray, light_x: np.ndarray):
    """Centre and length of the pendulum's shadow on the ground line.

    The point light at ``(light_x, _LIGHT_Y)`` projects the pivot and the
    bob's centre onto the line ``y = _GROUND``; the shadow of the rod is the
    segment between the two projections.
    """
    px, py = _PIVOT
    bx = px + _ROD * np.sin(theta)
    by = py + _ROD * np.cos(theta)
    drop = _GROUND - _LIGHT_Y
    pivot_shadow = light_x + (px - light_x) * (drop / (py - _LIGHT_Y))
    bob_shadow = light_x + (bx - light_x) * (drop / (by - _LIGHT_Y))
    return 0.5 * (pivot_shadow + bob_shadow), np.abs(bob_shadow - pivot_shadow)


def _shadow_bounds() -> tuple[tuple[float, float], tuple[float, float]]:
    """Ranges of the shadow's centre and length, jitter included.

    Both are monotone in the angle and the light over their ranges (the rod
    never points at the light), so a grid that holds the corners finds the
    exact extremes.
    """
    theta, light_x = np.meshgrid(
        np.linspace(*_ANGLES, 65), np.linspace(*_LIGHT_X, 65), indexing="ij"
    )
    centre, length = _shadow_geometry(theta, light_x)
    return (
        (float(centre.min()) - _SHADOW_JITTER, float(centre.max()) + _SHADOW_JITTER),
        (float(length.min()) - _SHADOW_JITTER, float(length.max()) + _SHADOW_JITTER),
    )


_SHADOW_CENTRES, _SHADOW_LENGTHS = _shadow_bounds()


def _check_pendulum_factors(factors, y) -> tuple[np.ndarray, np.ndarray]:
    n_factors = len(PENDULUM_FACTORS)
    factors = np.asarray(factors)
    if factors.ndim != 2 or factors.shape[1] != n_factors:
        raise ValueError(
            f"factors must have shape (n_samples, {n_factors}), got {factors.shape}."
        )
    if not (
        np.issubdtype(factors.dtype, np.integer)
        or np.issubdtype(factors.dtype, np.floating)
    ):
        raise ValueError(f"factors must be numeric, got dtype {factors.dtype}.")
    factors = factors.astype(np.float64)
    if not np.all(np.isfinite(factors)):
        raise ValueError("factors must be finite.")
    for j, name in enumerate(PENDULUM_FACTORS):
        bad = np.abs(factors[:, j]) > 1.0 + 1e-9
        if bad.any():
            raise ValueError(
                f"factor {name!r} (column {j}) must be in [-1, 1]; got "
                f"{factors[bad, j][0]!r}."
            )
    y = np.asarray(y)
    if y.shape != (len(factors),):
        raise ValueError(
            f"y must have shape ({len(factors)},), one label per row of factors; "
            f"got {y.shape}."
        )
    if len(y) and not np.all(np.isin(y, (0, 1))):
        raise ValueError(
            f"y must hold 0 (round bob) or 1 (square bob); got {np.unique(y)}."
        )
    return np.clip(factors, -1.0, 1.0), y.astype(np.int64)


def render_pendulum(factors, y, image_size: int = 32) -> np.ndarray:
    """Render pendulum scenes from their factors (see :func:`make_pendulum`).

    Every factor is rendered as given, so a row whose shadow factors do not
    follow its angle and light (an intervention on the shadow) is drawn as
    asked, with no physics applied.

    Parameters
    ----------
    factors : array-like of shape (n_samples, 4)
        Columns ``[angle, light, shadow_position, shadow_length]`` (see
        :data:`PENDULUM_FACTORS`), each in ``[-1, 1]``: the angle of the rod
        from -0.05 to 1.05 radians right of the vertical, the light from
        left to right along its track, the shadow's centre from left to
        right and its length from short to long over their ranges in
        :func:`make_pendulum`.

    y : array-like of shape (n_samples,)
        The bob of each scene: 0 round, 1 square.

    image_size : int, default=32
        Side of the square images, at least 16.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Grey images in ``[0, 1]`` on a black background, flattened in
        C-order: rendered at twice the size and averaged over 2x2 blocks.

    Raises
    ------
    ValueError
        If ``factors`` is not a finite numeric array of 4 columns in
        ``[-1, 1]``, ``y`` is not one 0/1 label per row, or ``image_size``
        is not valid.
    """
    size = check_scene_size(image_size)
    factors, y = _check_pendulum_factors(factors, y)
    n = len(factors)
    fine = _SUPERSAMPLE * size
    centres = (np.arange(fine, dtype=np.float32) + np.float32(0.5)) / np.float32(fine)
    gy, gx = (g.ravel()[None, :] for g in np.meshgrid(centres, centres, indexing="ij"))

    # The parts that never move: the ground and the pivot.
    still = np.zeros((1, fine * fine), dtype=np.float32)
    ground = (gy >= _GROUND_BAND[0]) & (gy <= _GROUND_BAND[1])
    still = np.maximum(still, _LEVELS["ground"] * ground)
    pivot = (gx - _PIVOT[0]) ** 2 + (gy - _PIVOT[1]) ** 2 <= _PIVOT_RADIUS**2
    still = np.maximum(still, _LEVELS["rod"] * pivot).astype(np.float32)
    on_shadow_band = (gy >= _SHADOW_BAND[0]) & (gy <= _SHADOW_BAND[1])

    X = np.empty((n, size * size), dtype=np.float32)
    for start in range(0, n, _PENDULUM_CHUNK):
        f = factors[start : start + _PENDULUM_CHUNK]
        m = len(f)
        col = lambda a: a.astype(np.float32)[:, None]  # noqa: E731
        theta = _scene_from_unit(f[:, 0], _ANGLES)
        sin, cos = col(np.sin(theta)), col(np.cos(theta))
        light_x = col(_scene_from_unit(f[:, 1], _LIGHT_X))
        centre = col(_scene_from_unit(f[:, 2], _SHADOW_CENTRES))
        half = col(
            0.5 * np.maximum(_scene_from_unit(f[:, 3], _SHADOW_LENGTHS), 0.0)
            + _SHADOW_CAP
        )
        img = np.repeat(still, m, axis=0)

        shadow = on_shadow_band & (np.abs(gx - centre) <= half)
        np.maximum(img, _LEVELS["shadow"] * shadow, out=img)
        light = (gx - light_x) ** 2 + (gy - _LIGHT_Y) ** 2 <= _LIGHT_RADIUS**2
        np.maximum(img, _LEVELS["light"] * light, out=img)

        # The rod's frame: a along the rod (0 at the pivot), b across it.
        dx, dy = gx - _PIVOT[0], gy - _PIVOT[1]
        a = dx * sin + dy * cos
        b = dx * cos - dy * sin
        rod = (np.abs(b) <= _ROD_HALF_WIDTH) & (a >= 0) & (a <= _ROD)
        np.maximum(img, _LEVELS["rod"] * rod, out=img)
        a = a - _ROD  # from the bob's centre
        square = y[start : start + m, None] == 1
        bob = np.where(
            square,
            np.maximum(np.abs(a), np.abs(b)) <= _BOB_HALF_SIDE,
            a * a + b * b <= _BOB_RADIUS**2,
        )
        np.maximum(img, _LEVELS["bob"] * bob, out=img)

        img = img.reshape(m, size, _SUPERSAMPLE, size, _SUPERSAMPLE)
        X[start : start + m] = img.mean(axis=(2, 4)).reshape(m, -1)
    return X


def make_pendulum(
    n_samples: int = 10000,
    *,
    minority_fraction: float = 0.05,
    image_size: int = 32,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate pendulum scenes whose factors follow a known causal graph.

    A small rendered causal scene in the style of CausalVAE's pendulum
    (Yang et al., CVPR 2021), generated offline with numpy: a rod hangs from
    a fixed pivot in the middle of the image and ends in a bob; a round
    light moves along the top edge, right of the pivot; the pendulum's
    shadow is a grey bar on the ground line at the bottom.

    The factors and how they are drawn (:data:`PENDULUM_DAG`):

    - ``angle``: the rod's angle, uniform from -0.05 to 1.05 radians right
      of the vertical (the bob swings towards the light's side);
    - ``light``: the light's horizontal position, uniform over its track;
    - ``shadow_position`` and ``shadow_length``: the point light projects
      the pivot and the bob's centre onto the ground line; the shadow's
      centre and length are the midpoint and the distance of the two
      projections, so both are caused by the angle and the light (each is
      monotone in both of them over these ranges). Each then gets an
      independent exogenous perturbation of its own, uniform in
      +-0.06 of the image side, so a shadow factor keeps variation that its
      parents do not explain (about 9% of the length's variance and 14% of the
      position's).

    Every factor is returned standardised to ``[-1, 1]`` over its range
    (the ranges of the shadow factors include the perturbation);
    :func:`render_pendulum` draws a scene from such factors.

    The class is the bob: 0 round (common), 1 square (rare,
    ``round(minority_fraction * n_samples)`` rows at random positions),
    drawn independently of the factors, so the data set is also an
    over-sampling problem. The images are rendered at twice ``image_size``
    and averaged over 2x2 blocks, so the factors stay readable at 32x32.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of scenes.

    minority_fraction : float, default=0.05
        Fraction of the scenes with the square bob (class 1), in ``[0, 1]``.

    image_size : int, default=32
        Side of the square images, at least 16.

    random_state : int, RandomState instance or None, default=None
        Seeds the draw (:func:`sklearn.utils.check_random_state`); the same
        integer gives the same scenes. numpy's global state is not used.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Grey images in ``[0, 1]``, flattened in C-order.

    y : ndarray of shape (n_samples,), dtype int64
        The class: 0 round bob, 1 square bob.

    factors : ndarray of shape (n_samples, 4), dtype float64
        Columns ``[angle, light, shadow_position, shadow_length]``
        (:data:`PENDULUM_FACTORS`), each in ``[-1, 1]``;
        ``render_pendulum(factors, y, image_size)`` reproduces ``X``.

    Raises
    ------
    ValueError
        If ``n_samples`` is not a non-negative integer, ``minority_fraction``
        is not a number in ``[0, 1]``, or ``image_size`` is not valid.

    References
    ----------
    .. [1] M. Yang, F. Liu, Z. Chen, X. Shen, J. Hao and J. Wang,
       "CausalVAE: Disentangled Representation Learning via Neural
       Structural Causal Models", CVPR 2021.
    """
    if (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool)
        or (n_samples < 0)
    ):
        raise ValueError(
            f"n_samples must be a non-negative integer, got {n_samples!r}."
        )
    if (
        not isinstance(minority_fraction, Real)
        or isinstance(minority_fraction, bool)
        or not 0.0 <= minority_fraction <= 1.0
    ):
        raise ValueError(
            f"minority_fraction must be a number in [0, 1], got {minority_fraction!r}."
        )
    size = check_scene_size(image_size)
    n = int(n_samples)
    rng = check_random_state(random_state)
    angle = rng.uniform(-1.0, 1.0, size=n)
    light = rng.uniform(-1.0, 1.0, size=n)
    jitter = rng.uniform(-_SHADOW_JITTER, _SHADOW_JITTER, size=(n, 2))
    centre, length = _shadow_geometry(
        _scene_from_unit(angle, _ANGLES), _scene_from_unit(light, _LIGHT_X)
    )
    factors = np.column_stack(
        [
            angle,
            light,
            _unit_from_scene(centre + jitter[:, 0], _SHADOW_CENTRES),
            _unit_from_scene(length + jitter[:, 1], _SHADOW_LENGTHS),
        ]
    )
    np.clip(factors, -1.0, 1.0, out=factors)  # rounding at the ends only
    y = np.zeros(n, dtype=np.int64)
    y[: round(float(minority_fraction) * n)] = 1
    y = y[rng.permutation(n)]
    return render_pendulum(factors, y, image_size=size), y, factors
