"""Differentiable augmentation of the images the discriminator sees.

With 40 or 60 training images a class, a discriminator can memorise them
pixel for pixel, and the generator then learns little more than those
images. Shifting every image the discriminator judges, real or fake, in its
own step and in the generator's, by a few pixels in each direction takes
that away without changing what the generator is asked to produce: the same
random transformation is applied on both sides and the gradient flows
through it (Zhao et al., 2020, "Differentiable Augmentation for
Data-Efficient GAN Training"). The lab notebook's image levers measure it.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

__all__ = ["TranslatedInput", "translation_shift", "translate"]

# The value uncovered border pixels get: the low end of the scaled range,
# where an image's background (MNIST's black) lies.
_BACKGROUND = -1.0


def translation_shift(image_shape: tuple[int, int, int]) -> int:
    """The largest shift, in pixels: an eighth of the shorter side, at least 1."""
    _, height, width = image_shape
    return max(1, min(height, width) // 8)


def translate(
    x: torch.Tensor,
    image_shape: tuple[int, int, int],
    shift: int,
    rng: torch.Generator,
) -> torch.Tensor:
    """Shift each flattened image of ``x`` by its own random whole-pixel offset.

    Offsets are drawn uniformly from ``[-shift, shift]`` per axis with
    ``rng``; the uncovered border is filled with the background value. The
    result is an index gather of ``x``, so gradients reach ``x``.
    """
    channels, height, width = image_shape
    n = x.shape[0]
    images = x.reshape(n, channels, height, width)
    padded = F.pad(images, (shift,) * 4, value=_BACKGROUND)
    offsets = torch.randint(
        0, 2 * shift + 1, (2, n), generator=rng, device=rng.device
    ).to(x.device)
    rows = torch.arange(height, device=x.device)[None, :] + offsets[0][:, None]
    cols = torch.arange(width, device=x.device)[None, :] + offsets[1][:, None]
    batch = torch.arange(n, device=x.device)[:, None, None]
    shifted = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]
    return shifted.permute(0, 3, 1, 2).reshape(n, -1)


class TranslatedInput:
    """A discriminator callable that first translates its input images."""

    def __init__(
        self,
        discriminator: Callable,
        image_shape: tuple[int, int, int],
        shift: int,
        rng: torch.Generator,
    ) -> None:
        self.discriminator = discriminator
        self.image_shape = image_shape
        self.shift = shift
        self.rng = rng

    def __call__(self, x: torch.Tensor, onehot: torch.Tensor | None = None):
        moved = translate(x, self.image_shape, self.shift, self.rng)
        return self.discriminator(moved, onehot)
