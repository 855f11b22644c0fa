"""Shared fixtures: small, deterministic, imbalanced data sets."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_classification

# Small networks and budgets: tests check behaviour, not sample quality.
# Every new row generated (copy_fraction=0), so that the tests see the GAN's
# rows; the copies of the default are tested on their own.
FAST = dict(epochs=2, batch_size=32, hidden_units=16, noise_dim=4, copy_fraction=0.0)


def imbalanced_digits(n_minority=(15, 12)):
    """sklearn's digits with classes 8 and 9 cut to a few samples each."""
    X, y = load_digits(return_X_y=True)
    keep = np.ones(len(y), dtype=bool)
    for klass, n in zip((8, 9), n_minority, strict=True):
        keep[np.flatnonzero(y == klass)[n:]] = False
    return X[keep], y[keep]


@pytest.fixture(scope="module")
def one_torch_thread():
    """Run a module on one intra-op thread, restoring the setting afterwards.

    The tensors in the tests are tiny: torch's thread pool gains nothing and,
    on a 2-core machine where another process holds a core, its spin-waiting
    makes small ops several times slower. Use it with
    ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def digits():
    return imbalanced_digits()


@pytest.fixture
def binary():
    X, y = make_classification(
        n_samples=120,
        n_features=5,
        n_informative=3,
        weights=[0.8, 0.2],
        flip_y=0,
        random_state=0,
    )
    return X, y


@pytest.fixture
def three_class():
    """Exactly 90 / 45 / 15 rows of three Gaussian blobs in 4 features."""
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], [90, 45, 15])
    centers = rng.normal(scale=3.0, size=(3, 4))
    X = centers[y] + rng.normal(size=(len(y), 4))
    order = rng.permutation(len(y))
    return X[order], y[order]
