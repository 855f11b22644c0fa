"""Lever I21: the generator's class term at weight 1 for the smallest classes.

Classes with fewer than ``SMALL`` (env, default 20) training images keep
weight 1 on the generator's class term, the others get the
``class_loss_weight`` passed (lever I19: 0.3 widened the minorities of 40
and 60 images on both standard validation splits, but lost the 8 nines of
IR 500). Where no class is that small, the fit is exactly that of the
uniform weight. Imported through ``PATCHES=classsize_patch``.

It lost on the IR-500 validation split (lab notebook, I21), and the
training config's ``full_class_weight_below`` field it sets was taken out
of the library again: run it on the library at commit ``0203c4d``.
"""

import dataclasses
import os

import imbgan._sampler as sampler_module
from imbgan._training import TrainingConfig

if "full_class_weight_below" not in TrainingConfig.__dataclass_fields__:
    # dataclasses.replace would fail on every fit; say why at import instead.
    raise ImportError(
        "this library has no per-class class-term weights: run lever I21 "
        "on the library at commit 0203c4d"
    )

SMALL = int(os.environ.get("SMALL", "20"))
_original = sampler_module.train_gan


def _train_gan(generator, discriminator, X, y, regularizer, config, seed):
    config = dataclasses.replace(config, full_class_weight_below=SMALL)
    return _original(generator, discriminator, X, y, regularizer, config, seed)


sampler_module.train_gan = _train_gan
