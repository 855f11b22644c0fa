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

import imbgan._training as tr
from imbgan._augment import TranslatedInput

SHIFT = int(os.environ.get("AUG_SHIFT", "3"))
_run_epoch = tr._run_epoch


def run_epoch(
    generator, discriminator, opt_g, opt_d, X, y, regularizer, config, rng, ema
):
    # The library's translation (``diff_augment``), which began as this
    # patch and was checked bit-identical to it, at the patch's own shift.
    image_shape = getattr(discriminator, "image_shape", None)
    if image_shape is not None:
        discriminator = TranslatedInput(discriminator, image_shape, SHIFT, rng)
    return _run_epoch(
        generator, discriminator, opt_g, opt_d, X, y, regularizer, config, rng, ema
    )


tr._run_epoch = run_epoch
