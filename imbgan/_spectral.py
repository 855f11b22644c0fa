"""Spectral normalisation of the discriminator (Miyato et al., 2018).

Each normalised layer's weight is divided by an estimate of its largest
singular value, kept up to date by one power iteration per training pass,
so the layer is about 1-Lipschitz and the discriminator cannot sharpen its
real/fake boundary around a few dozen minority images as fast as the
generator can follow (lab notebook, lever I13).

torch ships a parametrization that does this, but it draws its starting
vectors from torch's global generator; this one draws them from a CPU
generator of its own, seeded from the network seed, so building a network
never touches the global random state, a seed gives the same run, and
switching the normalisation on changes no other weight's draw. With the
same seed it computes what lever I13's patch computed (torch's
parametrization, its vectors replaced by these), bit for bit.

Only the trunk and the real/fake head are normalised: the class and code
heads are auxiliary classifiers whose logits must be free to grow, and the
projection embedding starts at zero and is read as a per-class offset.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize

__all__ = ["normalise_discriminator", "spectrally_normalised_layers"]

_EPS = 1e-12
# Power iterations at creation, as torch's own parametrization does, so the
# first estimate of sigma is already close.
_START_ITERATIONS = 15
# The starting vectors' stream is seeded with the network seed plus this
# (an arbitrary prime, the one lever I13 used).
_VECTOR_SEED_OFFSET = 7919


class _SpectralNorm(nn.Module):
    """``weight / sigma(weight)``, with ``sigma`` from a power iteration.

    In training mode each call advances the iteration by one step (the
    vectors ``u`` and ``v`` are buffers, saved with the network); in
    evaluation mode the stored vectors are used as they are, so a fitted
    discriminator gives the same outputs call after call.
    """

    def __init__(self, weight: torch.Tensor, generator: torch.Generator) -> None:
        super().__init__()
        matrix = weight.detach().flatten(1)
        rows, cols = matrix.shape
        if weight.device.type == "meta":  # shapes only (loading a file)
            u, v = torch.empty(rows, device="meta"), torch.empty(cols, device="meta")
        else:
            u = torch.randn(rows, generator=generator).to(weight.device)
            v = torch.randn(cols, generator=generator).to(weight.device)
        self.register_buffer("u", nn.functional.normalize(u, dim=0, eps=_EPS))
        self.register_buffer("v", nn.functional.normalize(v, dim=0, eps=_EPS))
        if weight.device.type != "meta":
            self._power_iteration(matrix, _START_ITERATIONS)

    @torch.no_grad()
    def _power_iteration(self, matrix: torch.Tensor, steps: int) -> None:
        for _ in range(steps):
            self.u.copy_(
                nn.functional.normalize(torch.mv(matrix, self.v), dim=0, eps=_EPS)
            )
            self.v.copy_(
                nn.functional.normalize(torch.mv(matrix.t(), self.u), dim=0, eps=_EPS)
            )

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        matrix = weight.flatten(1)
        if self.training:
            self._power_iteration(matrix.detach(), 1)
        # Clones: the next pass updates the buffers in place, while this
        # pass's graph may still need them for its backward.
        u, v = self.u.clone(), self.v.clone()
        sigma = torch.dot(u, torch.mv(matrix, v))
        return weight / sigma


def spectrally_normalised_layers(discriminator: nn.Module) -> list[nn.Module]:
    """The layers :func:`normalise_discriminator` normalises, in module order."""
    heads = discriminator.heads
    auxiliary = set(heads.modules()) - {heads.adv_head}
    return [
        layer
        for layer in discriminator.modules()
        if isinstance(layer, nn.Linear | nn.Conv2d) and layer not in auxiliary
    ]


def normalise_discriminator(discriminator: nn.Module, seed: int) -> nn.Module:
    """Spectrally normalise the trunk and real/fake head of ``discriminator``.

    Call it after the weights are initialised: the power iteration starts
    from them. The starting vectors (``u`` then ``v`` of each layer, in
    module order) are drawn from a CPU generator seeded with ``seed`` plus
    a fixed offset. On the ``meta`` device nothing is drawn. Returns the
    module, changed in place.
    """
    generator = torch.Generator(device="cpu")
    generator.manual_seed(seed + _VECTOR_SEED_OFFSET)
    for layer in spectrally_normalised_layers(discriminator):
        norm = _SpectralNorm(layer.weight, generator)
        # unsafe: the check would run one extra power iteration
        parametrize.register_parametrization(layer, "weight", norm, unsafe=True)
    return discriminator
