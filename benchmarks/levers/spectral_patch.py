"""Lever I13: spectral normalisation of the discriminator (Miyato et al., 2018).

Imported through ``PATCHES=spectral_patch`` (``image_lever.py``,
``fidelity_lever.py``). Every ``Conv2d`` and ``Linear`` layer of the
discriminator's trunk and its real/fake head gets
``torch.nn.utils.parametrizations.spectral_norm`` (one power iteration per
forward pass), so the discriminator is about 1-Lipschitz and cannot sharpen
its real/fake boundary around the 40 and 60 minority images as quickly.
The class and code heads (auxiliary classifiers, whose logits must be free
to grow) and the projection embedding are left as they are.

The parametrization draws its power-iteration vectors from torch's global
generator; the patch draws them under ``torch.random.fork_rng`` and then
overwrites them from a generator seeded by the network seed, so the global
state is left as it was and a seed gives the same run twice.
"""

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

import imbgan._sampler as sampler_module

_build_networks = sampler_module.build_networks


def _normalised(disc: nn.Module, seed: int) -> nn.Module:
    rng = torch.Generator(device="cpu")
    rng.manual_seed(seed + 7919)
    auxiliary = set(disc.heads.modules()) - {disc.heads.adv_head}
    layers = [
        layer
        for layer in disc.modules()
        if isinstance(layer, nn.Linear | nn.Conv2d) and layer not in auxiliary
    ]
    device = next(disc.parameters()).device
    for layer in layers:
        with torch.random.fork_rng(devices=[]):
            spectral_norm(layer)
        p = layer.parametrizations.weight[0]
        with torch.no_grad():
            for name in ("_u", "_v"):
                vec = torch.randn(getattr(p, name).shape, generator=rng)
                getattr(p, name).copy_(nn.functional.normalize(vec, dim=0).to(device))
            matrix = p._reshape_weight_to_matrix(layer.parametrizations.weight.original)
            p._power_method(matrix, 15)  # as the parametrization does at creation
    return disc


def build_networks(**kwargs):
    if kwargs.get("spectral_norm"):
        raise RuntimeError(
            "the library already normalises this discriminator (spectral_norm, "
            "on by default for images since commit 726f22c): pass "
            "spectral_norm=False with this patch, or drop the patch"
        )
    gen, disc = _build_networks(**kwargs)
    return gen, _normalised(disc, kwargs["seed"])


sampler_module.build_networks = build_networks
