"""Tests of the pendulum scenes (imbgan.datasets.make_pendulum)."""

import random

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import PolynomialFeatures

from imbgan.datasets import (
    PENDULUM_DAG,
    PENDULUM_FACTORS,
    make_pendulum,
    render_pendulum,
)


def r2_on(parents, child):
    """R^2 of a quadratic regression of ``child`` on ``parents``."""
    features = PolynomialFeatures(2).fit_transform(parents)
    return LinearRegression().fit(features, child).score(features, child)


@pytest.fixture(scope="module")
def scenes():
    return make_pendulum(2000, random_state=0)


def test_shapes_dtypes_and_ranges(scenes):
    X, y, factors = scenes
    assert X.shape == (2000, 32 * 32) and X.dtype == np.float32
    assert y.shape == (2000,) and y.dtype == np.int64
    assert factors.shape == (2000, 4) and factors.dtype == np.float64
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert np.abs(factors).max() <= 1.0
    # the root factors fill their range; the shadows most of theirs
    assert np.all(factors[:, :2].min(axis=0) < -0.95)
    assert np.all(factors[:, :2].max(axis=0) > 0.95)
    assert np.all(factors[:, 2:].max(axis=0) - factors[:, 2:].min(axis=0) > 1.5)
    # anti-aliased: edges hold grey levels between the parts' levels
    assert len(np.unique(X)) > 10


def test_dag_names_the_factors_in_column_order():
    assert tuple(PENDULUM_DAG) == PENDULUM_FACTORS
    assert PENDULUM_FACTORS == ("angle", "light", "shadow_position", "shadow_length")
    assert PENDULUM_DAG["shadow_position"] == ["angle", "light"]
    assert PENDULUM_DAG["shadow_length"] == ["angle", "light"]
    assert PENDULUM_DAG["angle"] == [] and PENDULUM_DAG["light"] == []


def test_deterministic_and_global_state_untouched():
    before = (np.random.get_state()[1].copy(), random.getstate())  # noqa: NPY002
    a = make_pendulum(50, random_state=3)
    b = make_pendulum(50, random_state=np.random.RandomState(3))
    after = (np.random.get_state()[1].copy(), random.getstate())  # noqa: NPY002
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(before[0], after[0])
    assert before[1] == after[1]
    c = make_pendulum(50, random_state=4)
    assert not np.array_equal(a[2], c[2])


def test_render_reproduces_the_images(scenes):
    X, y, factors = scenes
    np.testing.assert_array_equal(render_pendulum(factors[:100], y[:100]), X[:100])


@pytest.mark.parametrize(
    ("n", "fraction", "expected"), [(2000, 0.05, 100), (7, 0.5, 4), (10, 0.0, 0)]
)
def test_class_counts(n, fraction, expected):
    _, y, _ = make_pendulum(n, minority_fraction=fraction, random_state=0)
    assert int(y.sum()) == expected
    assert set(np.unique(y)) <= {0, 1}


def test_the_minority_is_spread_over_the_rows(scenes):
    _, y, _ = scenes
    positions = np.flatnonzero(y == 1)
    assert positions.min() < 200 and positions.max() > 1800


def test_shadows_are_caused_by_angle_and_light_and_keep_their_own_variance(scenes):
    _, _, factors = scenes
    parents = factors[:, :2]
    for j in (2, 3):
        r2 = r2_on(parents, factors[:, j])
        # mostly explained by the parents, but not wholly: the jitter stays
        assert 0.75 < r2 < 0.97, (PENDULUM_FACTORS[j], r2)
        # each parent matters on its own, in one direction
        for k in (0, 1):
            assert abs(np.corrcoef(factors[:, k], factors[:, j])[0, 1]) > 0.4
    # the roots are independent of each other
    assert abs(np.corrcoef(factors[:, 0], factors[:, 1])[0, 1]) < 0.1


def test_each_factor_is_visible_in_the_pixels():
    rng = np.random.default_rng(0)
    base = rng.uniform(-0.5, 0.5, size=4)
    for j in range(4):
        factors = np.tile(base, (2, 1))
        factors[:, j] = (-1.0, 1.0)
        low, high = render_pendulum(factors, np.zeros(2, dtype=int))
        assert np.abs(low - high).sum() > 5.0, PENDULUM_FACTORS[j]


def test_the_classes_differ_only_in_the_bob():
    factors = np.zeros((2, 4))
    round_bob, square_bob = render_pendulum(factors, [0, 1])
    diff = np.abs(round_bob - square_bob).reshape(32, 32)
    assert diff.sum() > 2.0
    rows, cols = np.nonzero(diff)
    assert rows.min() > 14 and rows.max() < 28  # the bob hangs mid-image


def test_other_sizes():
    X, _, _ = make_pendulum(5, image_size=16, random_state=0)
    assert X.shape == (5, 256)
    X, _, _ = make_pendulum(0, random_state=0)
    assert X.shape == (0, 1024)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_samples": -1},
        {"n_samples": 2.5},
        {"n_samples": True},
        {"minority_fraction": -0.1},
        {"minority_fraction": 1.5},
        {"minority_fraction": "a"},
        {"image_size": 8},
        {"image_size": 32.0},
    ],
)
def test_make_pendulum_rejects_bad_input(kwargs):
    kwargs = {"n_samples": 10, **kwargs}
    with pytest.raises(ValueError):
        make_pendulum(**kwargs)


@pytest.mark.parametrize(
    ("factors", "y", "match"),
    [
        (np.zeros((2, 3)), [0, 0], "shape"),
        (np.full((2, 4), 1.5), [0, 0], "angle"),
        (np.array([[0, 0, 0, np.nan]]), [0], "finite"),
        (np.zeros((2, 4)), [0], "one label per row"),
        (np.zeros((2, 4)), [0, 2], "round bob"),
        (np.array([["a"] * 4]), [0], "numeric"),
    ],
)
def test_render_pendulum_rejects_bad_input(factors, y, match):
    with pytest.raises(ValueError, match=match):
        render_pendulum(factors, y)
