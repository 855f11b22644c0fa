"""Differentiable augmentation: the shifted images the discriminator sees."""

import numpy as np
import pytest
import torch

from imbgan import BayesGANOversampler
from imbgan._augment import TranslatedInput, translate, translation_shift

from .conftest import FAST

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _shifted(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``image`` moved by (dy, dx), the uncovered border at -1."""
    height, width = image.shape
    out = np.full_like(image, -1.0)
    for i in range(height):
        for j in range(width):
            if 0 <= i + dy < height and 0 <= j + dx < width:
                out[i, j] = image[i + dy, j + dx]
    return out


def test_translate_shifts_each_image_by_at_most_shift_pixels():
    rng = torch.Generator().manual_seed(0)
    x = torch.rand(300, 36, generator=rng) * 2 - 1
    moved = translate(x, (1, 6, 6), 2, torch.Generator().manual_seed(1)).numpy()
    offsets = []
    for before, after in zip(x.numpy(), moved, strict=True):
        image = before.reshape(6, 6)
        found = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if np.array_equal(_shifted(image, dy, dx), after.reshape(6, 6))
        ]
        assert len(found) == 1
        offsets.append(found[0])
    # Every one of the 25 offsets is drawn, (0, 0) among them.
    assert len(set(offsets)) == 25


def test_translate_is_differentiable_and_seeded():
    x = torch.rand(8, 64, requires_grad=True)
    first = translate(x, (1, 8, 8), 1, torch.Generator().manual_seed(3))
    first.sum().backward()
    # A pixel counts once per place it moved to: 0, 1 or 2 places per axis.
    assert x.grad is not None and x.grad.sum() > 0
    again = translate(x, (1, 8, 8), 1, torch.Generator().manual_seed(3))
    torch.testing.assert_close(first, again)


def test_translated_input_passes_the_classes_on():
    seen = {}

    def discriminator(x, onehot=None):
        seen["x"], seen["onehot"] = x, onehot
        return x.sum()

    wrapped = TranslatedInput(discriminator, (1, 8, 8), 1, torch.Generator())
    onehot = torch.eye(2)[[0, 1, 1]]
    x = torch.rand(3, 64)
    wrapped(x, onehot)
    assert seen["onehot"] is onehot
    assert seen["x"].shape == x.shape


@pytest.mark.parametrize(
    "shape, shift", [((1, 8, 8), 1), ((1, 28, 28), 3), ((3, 32, 40), 4)]
)
def test_translation_shift_is_an_eighth_of_the_shorter_side(shape, shift):
    assert translation_shift(shape) == shift


def test_diff_augment_changes_image_training_and_is_off_under_auto(digits):
    X, y = digits
    on = BayesGANOversampler(
        **FAST, random_state=0, image_shape=(1, 8, 8), diff_augment=True
    )
    auto = BayesGANOversampler(**FAST, random_state=0, image_shape=(1, 8, 8))
    off = BayesGANOversampler(
        **FAST, random_state=0, image_shape=(1, 8, 8), diff_augment=False
    )
    X_on, _ = on.fit_resample(X, y)
    X_auto, _ = auto.fit_resample(X, y)
    X_off, _ = off.fit_resample(X, y)
    assert on.config_.augment_shift == 1
    assert auto.config_.augment_shift == 0 and off.config_.augment_shift == 0
    assert not np.array_equal(X_on, X_off)
    np.testing.assert_array_equal(X_auto, X_off)


def test_diff_augment_is_ignored_for_tabular_rows(three_class):
    X, y = three_class
    on = BayesGANOversampler(**FAST, random_state=0, diff_augment=True)
    off = BayesGANOversampler(**FAST, random_state=0, diff_augment=False)
    X_on, _ = on.fit_resample(X, y)
    X_off, _ = off.fit_resample(X, y)
    assert on.config_.augment_shift == 0
    np.testing.assert_array_equal(X_on, X_off)
