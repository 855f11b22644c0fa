"""Spectral normalisation of the discriminator (Miyato et al., 2018).

Each normalised layer's weight is divided by an estimate of its largest
singular value, kept up to date by one power iteration per training pass,
so the layer is about 1-Lipschitz and the discriminator cannot sharpen its
real/fake boundary around a few dozen minority images as fast as the
generator can follow (``docs/defaults.md`` has the measurements).

torch ships a parametrization that does this, but it draws its starting
vectors from torch's global generator, and a module with a parametrization
cannot be pickled (torch allows only its state dict), while a fitted
sampler must pickle. So each normalised layer is wrapped in
:class:`SpectrallyNormalised`, a plain module: its starting vectors come
from a CPU generator of its own, seeded from the network seed, so building
a network never touches the global random state, a seed gives the same
run, and switching the normalisation on changes no other weight's draw.
With the same starting vectors it computes what torch's parametrization
computes, bit for bit.

Only the trunk and the real/fake head are normalised: the class and code
heads are auxiliary classifiers whose logits must be free to grow.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["SpectrallyNormalised", "normalise_discriminator"]

_EPS = 1e-12
# Power iterations at creation, as torch's own parametrization does, so the
# first estimate of sigma is already close.
_START_ITERATIONS = 15
# The starting vectors' stream is seeded with the network seed plus this
# (an arbitrary prime).
_VECTOR_SEED_OFFSET = 7919


class SpectrallyNormalised(nn.Module):
    """A ``Linear`` or ``Conv2d`` layer run with ``weight / sigma(weight)``.

    ``sigma`` is the largest singular value of the weight (flattened to
    ``(out, -1)``), estimated by a power iteration whose vectors ``u`` and
    ``v`` are buffers, saved with the network. In training mode each call
    advances the iteration by one step; in evaluation mode the stored
    vectors are used as they are, so a fitted discriminator gives the same
    outputs call after call. The wrapped layer keeps its own (raw) weight
    and bias, which the optimiser trains.
    """

    def __init__(self, layer: nn.Linear | nn.Conv2d, generator: torch.Generator):
        super().__init__()
        self.layer = layer
        rows, cols = layer.weight.flatten(1).shape
        device = layer.weight.device
        if device.type == "meta":  # shapes only (checking a file)
            u, v = torch.empty(rows, device=device), torch.empty(cols, device=device)
        else:
            u = torch.randn(rows, generator=generator).to(device)
            v = torch.randn(cols, generator=generator).to(device)
        self.register_buffer("u", F.normalize(u, dim=0, eps=_EPS))
        self.register_buffer("v", F.normalize(v, dim=0, eps=_EPS))
        if device.type != "meta":
            self._power_iteration(layer.weight.detach().flatten(1), _START_ITERATIONS)

    @torch.no_grad()
    def _power_iteration(self, matrix: torch.Tensor, steps: int) -> None:
        for _ in range(steps):
            self.u.copy_(F.normalize(torch.mv(matrix, self.v), dim=0, eps=_EPS))
            self.v.copy_(F.normalize(torch.mv(matrix.t(), self.u), dim=0, eps=_EPS))

    def normalised_weight(self) -> torch.Tensor:
        """The weight the layer runs with; advances the iteration in training."""
        weight = self.layer.weight
        matrix = weight.flatten(1)
        if self.training:
            self._power_iteration(matrix.detach(), 1)
        # Clones: the next pass updates the buffers in place, while this
        # pass's graph may still need them for its backward.
        u, v = self.u.clone(), self.v.clone()
        return weight / torch.dot(u, torch.mv(matrix, v))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.normalised_weight()
        if isinstance(self.layer, nn.Conv2d):
            return self.layer._conv_forward(x, weight, self.layer.bias)
        return F.linear(x, weight, self.layer.bias)


def _layers_to_normalise(discriminator: nn.Module) -> list[tuple[str, nn.Module]]:
    """(name, layer) of the trunk's and the real/fake head's layers, in order."""
    heads = discriminator.heads
    auxiliary = set(heads.modules()) - {heads.adv_head}
    return [
        (name, layer)
        for name, layer in discriminator.named_modules()
        if isinstance(layer, nn.Linear | nn.Conv2d) and layer not in auxiliary
    ]


def normalise_discriminator(discriminator: nn.Module, seed: int) -> nn.Module:
    """Spectrally normalise the trunk and real/fake head of ``discriminator``.

    Call it after the weights are initialised: the power iteration starts
    from them. Each such layer is replaced, where it sits, by a
    :class:`SpectrallyNormalised` wrapper around it; the starting vectors
    (``u`` then ``v`` of each layer, in module order) are drawn from a CPU
    generator seeded with ``seed`` plus a fixed offset. On the ``meta``
    device nothing is drawn. Returns the module, changed in place.
    """
    generator = torch.Generator(device="cpu")
    generator.manual_seed(seed + _VECTOR_SEED_OFFSET)
    for name, layer in _layers_to_normalise(discriminator):
        parent_name, _, child = name.rpartition(".")
        parent = discriminator.get_submodule(parent_name)
        setattr(parent, child, SpectrallyNormalised(layer, generator))
    return discriminator
