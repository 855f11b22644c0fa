"""Generator and discriminator networks for tabular rows and images.

Both families share one contract so that training never looks at which one
it got:

- ``generator(noise, onehot, codes) -> x`` in the scaled space ``[-1, 1]``,
  shape ``(n, n_features)`` (images are flattened on the way out);
- ``discriminator(x) -> (adv_logit (n,), class_logits (n, n_classes),
  extracted_codes (n, n_codes))``: a shared trunk and three heads, the last
  of which, ``discriminator.code_head``, is the feature head F of the paper.

No BatchNorm anywhere: batch statistics mix samples across classes and break
on a one-sample class; GroupNorm in the image generator is per-sample.
Modules are built on the ``meta`` device and initialised from an explicit
``torch.Generator`` (see :func:`build_networks`), so building them never
touches torch's global random state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ._spectral import normalise_discriminator

__all__ = [
    "MIN_IMAGE_SIDE",
    "BoundedGenerator",
    "build_meta_networks",
    "build_networks",
]

_SLOPE = 0.2  # LeakyReLU slope, as in DCGAN
# The smallest image side the convolutional networks take: the discriminator
# halves each side twice with stride-2 convolutions.
MIN_IMAGE_SIDE = 8


def _mlp(sizes: Sequence[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(_SLOPE)]
    return nn.Sequential(*layers)


class _Heads(nn.Module):
    """The three discriminator heads over a trunk feature of width ``width``."""

    def __init__(self, width: int, n_classes: int, n_codes: int) -> None:
        super().__init__()
        self.adv_head = nn.Linear(width, 1)
        self.class_head = nn.Linear(width, n_classes)
        # F gets a hidden layer of its own, like InfoGAN's Q network, so the
        # code read-out is not forced to be linear in the trunk features.
        self.code_head = nn.Sequential(
            nn.Linear(width, width), nn.LeakyReLU(_SLOPE), nn.Linear(width, n_codes)
        )

    def forward(
        self, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.adv_head(h).squeeze(1), self.class_head(h), self.code_head(h)


class MLPGenerator(nn.Module):
    """Fully connected generator for tabular rows."""

    def __init__(
        self,
        *,
        noise_dim: int,
        n_classes: int,
        n_codes: int,
        n_features: int,
        hidden: int,
    ) -> None:
        super().__init__()
        self.body = _mlp([noise_dim + n_classes + n_codes, hidden, hidden])
        self.out = nn.Linear(hidden, n_features)

    def forward(
        self, noise: torch.Tensor, onehot: torch.Tensor, codes: torch.Tensor
    ) -> torch.Tensor:
        h = self.body(torch.cat([noise, onehot, codes], dim=1))
        return torch.tanh(self.out(h))


class MLPDiscriminator(nn.Module):
    """Fully connected discriminator: trunk + real/fake, class and code heads."""

    def __init__(
        self,
        *,
        n_features: int,
        n_classes: int,
        n_codes: int,
        hidden: int,
    ) -> None:
        super().__init__()
        self.trunk = _mlp([n_features, hidden, hidden])
        self.heads = _Heads(hidden, n_classes, n_codes)

    @property
    def code_head(self) -> nn.Module:
        return self.heads.code_head

    def forward(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.heads(self.trunk(x))


def _upsampled_size(size: int) -> int:
    """Side at the generator's first feature map: two stride-2 steps reach it."""
    return math.ceil(size / 4)


class ConvGenerator(nn.Module):
    """DCGAN-style generator: a dense projection and two transposed convs.

    The output side is ``4 * ceil(side / 4)``, centre-cropped to the requested
    ``(H, W)``, so any image side of at least 8 works.
    """

    def __init__(
        self,
        *,
        noise_dim: int,
        n_classes: int,
        n_codes: int,
        image_shape: tuple[int, int, int],
        hidden: int,
    ) -> None:
        super().__init__()
        channels, height, width = image_shape
        self.image_shape = image_shape
        self.base = (2 * hidden, _upsampled_size(height), _upsampled_size(width))
        self.project = nn.Sequential(
            nn.Linear(noise_dim + n_classes + n_codes, math.prod(self.base)),
            nn.LeakyReLU(_SLOPE),
        )
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(2 * hidden, hidden, 4, stride=2, padding=1),
            nn.GroupNorm(_groups(hidden), hidden),
            nn.LeakyReLU(_SLOPE),
            nn.ConvTranspose2d(hidden, channels, 4, stride=2, padding=1),
        )

    def forward(
        self, noise: torch.Tensor, onehot: torch.Tensor, codes: torch.Tensor
    ) -> torch.Tensor:
        h = self.project(torch.cat([noise, onehot, codes], dim=1))
        img = self.deconv(h.view(-1, *self.base))
        _, height, width = self.image_shape
        top = (img.shape[2] - height) // 2
        left = (img.shape[3] - width) // 2
        img = img[:, :, top : top + height, left : left + width]
        return torch.tanh(img).flatten(1)


def _groups(channels: int) -> int:
    return math.gcd(channels, 8)


class ConvDiscriminator(nn.Module):
    """DCGAN-style discriminator: two strided convs, a dense trunk, three heads."""

    def __init__(
        self,
        *,
        n_classes: int,
        n_codes: int,
        image_shape: tuple[int, int, int],
        hidden: int,
    ) -> None:
        super().__init__()
        channels, height, width = image_shape
        self.image_shape = image_shape
        self.conv = nn.Sequential(
            nn.Conv2d(channels, hidden, 4, stride=2, padding=1),
            nn.LeakyReLU(_SLOPE),
            nn.Conv2d(hidden, 2 * hidden, 4, stride=2, padding=1),
            nn.LeakyReLU(_SLOPE),
        )
        flat = 2 * hidden * (height // 4) * (width // 4)
        self.dense = nn.Sequential(nn.Linear(flat, 4 * hidden), nn.LeakyReLU(_SLOPE))
        self.heads = _Heads(4 * hidden, n_classes, n_codes)

    @property
    def code_head(self) -> nn.Module:
        return self.heads.code_head

    def forward(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.conv(x.view(-1, *self.image_shape))
        return self.heads(self.dense(h.flatten(1)))


class BoundedGenerator(nn.Module):
    """Clamp a generator's output to each feature's observed scaled range.

    A feature that was constant in the training data (a border pixel, a
    constant column) then comes out exactly constant, and the discriminator
    sees, during training and when screening samples, the very rows the user
    will get back.
    """

    def __init__(self, inner: nn.Module, low: torch.Tensor, high: torch.Tensor):
        super().__init__()
        self.inner = inner
        self.register_buffer("low", low)
        self.register_buffer("high", high)

    def forward(
        self, noise: torch.Tensor, onehot: torch.Tensor, codes: torch.Tensor
    ) -> torch.Tensor:
        return torch.clamp(self.inner(noise, onehot, codes), self.low, self.high)


@torch.no_grad()
def _initialise(module: nn.Module, generator: torch.Generator) -> None:
    """Initialise every parameter from ``generator`` (never the global RNG)."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            if isinstance(layer, nn.Linear):
                # He init for LeakyReLU keeps activations on scale in the MLPs
                nn.init.kaiming_uniform_(
                    layer.weight,
                    a=_SLOPE,
                    nonlinearity="leaky_relu",
                    generator=generator,
                )
            else:
                # DCGAN's N(0, 0.02) for convolutions
                nn.init.normal_(layer.weight, 0.0, 0.02, generator=generator)
            nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.GroupNorm):
            nn.init.ones_(layer.weight)
            nn.init.zeros_(layer.bias)


def build_meta_networks(
    *,
    n_features: int,
    n_classes: int,
    n_codes: int,
    noise_dim: int,
    hidden: int,
    image_shape: tuple[int, int, int] | None,
    spectral_norm: bool = False,
) -> tuple[nn.Module, nn.Module]:
    """The unbounded generator and the discriminator on the ``meta`` device.

    No storage is allocated and no random number drawn, whatever the sizes:
    :func:`build_networks` materialises these, and loading a saved model
    compares a file's weight shapes against them before building anything
    (with ``spectral_norm``, the normalised layers' weights and power
    iteration vectors are named as in the built networks).
    """
    with torch.device("meta"):
        if image_shape is None:
            gen = MLPGenerator(
                noise_dim=noise_dim,
                n_classes=n_classes,
                n_codes=n_codes,
                n_features=n_features,
                hidden=hidden,
            )
            disc = MLPDiscriminator(
                n_features=n_features,
                n_classes=n_classes,
                n_codes=n_codes,
                hidden=hidden,
            )
        else:
            gen = ConvGenerator(
                noise_dim=noise_dim,
                n_classes=n_classes,
                n_codes=n_codes,
                image_shape=image_shape,
                hidden=hidden,
            )
            disc = ConvDiscriminator(
                n_classes=n_classes,
                n_codes=n_codes,
                image_shape=image_shape,
                hidden=hidden,
            )
        if spectral_norm:  # on meta: no draws, the names and shapes only
            normalise_discriminator(disc, seed=0)
    return gen, disc


def build_networks(
    *,
    n_features: int,
    n_classes: int,
    n_codes: int,
    noise_dim: int,
    hidden: int,
    image_shape: tuple[int, int, int] | None,
    output_bounds: tuple[np.ndarray, np.ndarray],
    seed: int,
    device: torch.device,
    spectral_norm: bool = False,
) -> tuple[nn.Module, nn.Module]:
    """Build and initialise the generator and discriminator.

    ``output_bounds`` are the per-feature lower and upper bounds of the
    generator's output in the scaled space (see :class:`BoundedGenerator`).

    The modules are created on the ``meta`` device (no storage, no random
    draws), materialised on the CPU, initialised from a CPU
    ``torch.Generator`` seeded with ``seed`` and then moved to ``device``, so
    the initial weights are the same on every device. With ``spectral_norm``
    the discriminator's trunk and real/fake head are spectrally normalised
    (:mod:`imbgan._spectral`) after every weight is drawn, their power
    iteration vectors drawn from a stream of their own, so the weights are
    the same with or without it.
    """
    gen, disc = build_meta_networks(
        n_features=n_features,
        n_classes=n_classes,
        n_codes=n_codes,
        noise_dim=noise_dim,
        hidden=hidden,
        image_shape=image_shape,
    )
    rng = torch.Generator(device="cpu")
    rng.manual_seed(seed)
    networks = []
    for net in (gen, disc):
        net = net.to_empty(device="cpu")
        _initialise(net, rng)
        networks.append(net)
    if spectral_norm:
        normalise_discriminator(networks[1], seed)
    low, high = (torch.as_tensor(b, dtype=torch.float32) for b in output_bounds)
    bounded = BoundedGenerator(networks[0], low, high)
    return bounded.to(device), networks[1].to(device)
