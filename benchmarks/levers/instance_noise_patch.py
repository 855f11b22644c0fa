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


def _add_noise(discriminator: nn.Module, seed: int) -> None:
    """Replace the instance's forward: noise on its input while training."""
    clean_forward = discriminator.forward
    state = {"rng": None}

    def forward(x):
        if discriminator.training:
            rng = state["rng"]
            if rng is None or rng.device != x.device:
                rng = state["rng"] = torch.Generator(device=x.device).manual_seed(seed)
            noise = torch.randn(x.shape, generator=rng, device=x.device)
            x = x + SIGMA * noise.to(x.dtype)
        return clean_forward(x)

    discriminator.forward = forward


def build_networks(**kwargs):
    generator, discriminator = _build_networks(**kwargs)
    _add_noise(discriminator, kwargs["seed"])
    return generator, discriminator


sampler_module.build_networks = build_networks
