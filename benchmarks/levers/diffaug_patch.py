"""Lever: differentiable augmentation (translation) for the image discriminator.

Imported by ``image_lever.py`` (``PATCHES=diffaug_patch``). While training,
every image the discriminator sees, real or fake, in its step and in the
generator's, is shifted by a random whole number of pixels in each
direction (at most ``AUG_SHIFT``, env, default 3), the uncovered border
filled with the background value (-1 in the scaled space). The same
random transform family on both sides keeps the generator's target
unchanged (Zhao et al., 2020, "Differentiable Augmentation for
Data-Efficient GAN Training"), while the discriminator can no longer
memorise 40 to 60 images of a minority class pixel for pixel. Shifts are
drawn from the training loop's own ``torch.Generator``; the gradient flows
through the shift (an index gather) to the generator. Tabular fits are
left alone.
"""

import os

import torch

import imbgan._training as tr

SHIFT = int(os.environ.get("AUG_SHIFT", "3"))
_run_epoch = tr._run_epoch


def translate(x: torch.Tensor, image_shape, rng: torch.Generator) -> torch.Tensor:
    channels, height, width = image_shape
    n = x.shape[0]
    images = x.reshape(n, channels, height, width)
    padded = torch.nn.functional.pad(images, (SHIFT,) * 4, value=-1.0)
    offsets = torch.randint(
        0, 2 * SHIFT + 1, (2, n), generator=rng, device=rng.device
    ).to(x.device)
    rows = torch.arange(height, device=x.device)[None, :] + offsets[0][:, None]
    cols = torch.arange(width, device=x.device)[None, :] + offsets[1][:, None]
    batch = torch.arange(n, device=x.device)[:, None, None]
    shifted = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]
    return shifted.permute(0, 3, 1, 2).reshape(n, -1)


class _Augmented:
    def __init__(self, discriminator, rng):
        self.discriminator = discriminator
        self.rng = rng
        self.image_shape = discriminator.image_shape

    def __call__(self, x, onehot=None):
        return self.discriminator(translate(x, self.image_shape, self.rng), onehot)


def run_epoch(
    generator, discriminator, opt_g, opt_d, X, y, regularizer, config, rng, ema
):
    if getattr(discriminator, "image_shape", None) is not None:
        discriminator = _Augmented(discriminator, rng)
    return _run_epoch(
        generator, discriminator, opt_g, opt_d, X, y, regularizer, config, rng, ema
    )


tr._run_epoch = run_epoch
