"""Lever: instance noise, Gaussian noise added to every row the discriminator sees.

On the fully discrete tuning sets the generator copies the real minority
rows (lab notebook, ``diag_copies.py``): with a few dozen rows seen
thousands of times, the discriminator learns them by heart and rewards
exact copies. Noise of standard deviation ``INSTANCE_NOISE`` (env, default
0.1, in the scaled space where columns span ``[-1, 1]``) on real and fake
rows alike blurs those points during training only (the class head that
the fidelity filter uses at sampling time sees clean rows).
"""

import os

import torch
from torch import nn

import imbgan._sampler as sampler_module

SIGMA = float(os.environ.get("INSTANCE_NOISE", "0.1"))
_build_networks = sampler_module.build_networks


class _NoisyForward:
    """The discriminator's forward with noise on its input while training.

    A module-level class, not a closure, so that fitted samplers still
    pickle (the tabular suite caches fitted pipelines with joblib).
    """

    def __init__(self, discriminator: nn.Module, seed: int):
        self.clean_forward = discriminator.forward
        self.discriminator = discriminator
        self.seed = seed
        self.rng = None

    def __getstate__(self):
        return {**self.__dict__, "rng": None}  # a torch.Generator does not pickle

    def __call__(self, x):
        if self.discriminator.training:
            if self.rng is None or self.rng.device != x.device:
                self.rng = torch.Generator(device=x.device).manual_seed(self.seed)
            noise = torch.randn(x.shape, generator=self.rng, device=x.device)
            x = x + SIGMA * noise.to(x.dtype)
        return self.clean_forward(x)


def build_networks(**kwargs):
    generator, discriminator = _build_networks(**kwargs)
    discriminator.forward = _NoisyForward(discriminator, kwargs["seed"])
    return generator, discriminator


sampler_module.build_networks = build_networks
