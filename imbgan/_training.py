"""The training loop: device, seeding, batches, losses, history.

One conditional GAN is trained for all classes at once. The class code is
the real label (supervised, AC-GAN style): the generator receives
``onehot(y)``, the discriminator's class head is trained on real rows and
the generator is trained to make its samples classified as the label it was
given. The latent-code regularizer, weighted by ``reg_weight``, is minimised
by the generator and the discriminator's feature head together.

All randomness comes from ``torch.Generator`` objects seeded from an integer,
never from numpy's or torch's global state.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["TrainingConfig", "generate", "resolve_device", "train_gan"]

Regularizer = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def resolve_device(device: str) -> torch.device:
    """Turn the ``device`` parameter into a ``torch.device``.

    ``"auto"`` picks the first CUDA device when one is available, else the
    CPU. An explicit CUDA device that is not available is an error, not a
    silent fall-back, so a user who asked for a GPU knows they did not get it.
    """
    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}."
        )
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available; "
                "use device='cpu' or device='auto'."
            )
        index = resolved.index or 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r}: only {torch.cuda.device_count()} CUDA "
                "device(s) are visible."
            )
    return resolved


def make_generator(seed: int, device: torch.device) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    rng = torch.Generator(device=device)
    rng.manual_seed(seed)
    return rng


@dataclass(frozen=True)
class TrainingConfig:
    """What the loop needs from the estimator's parameters."""

    noise_dim: int
    n_codes: int
    n_classes: int
    epochs: int
    batch_size: int
    learning_rate: float
    reg_weight: float
    balanced_batches: bool
    verbose: int = 0


def draw_latents(
    n: int, config: TrainingConfig, rng: torch.Generator, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Noise ``z ~ N(0, I)`` and observed codes ``c ~ U(-1, 1)^k`` (InfoGAN's)."""
    noise = torch.randn(n, config.noise_dim, generator=rng, device=device)
    codes = torch.rand(n, config.n_codes, generator=rng, device=device) * 2 - 1
    return noise, codes


def _batch_indices(
    y: torch.Tensor, config: TrainingConfig, rng: torch.Generator
) -> list[torch.Tensor]:
    """The row indices of one epoch's mini-batches.

    Plain: a permutation of the rows cut into batches. Balanced: as many rows,
    drawn with replacement with probability inversely proportional to the
    class size, so every class is seen equally often (a one-sample class is
    then seen about ``n / n_classes`` times per epoch).
    """
    n = y.shape[0]
    batch_size = min(config.batch_size, n)
    if config.balanced_batches:
        counts = torch.bincount(y, minlength=config.n_classes).to(torch.float32)
        weights = (1.0 / counts)[y]
        order = torch.multinomial(weights, n, replacement=True, generator=rng)
    else:
        order = torch.randperm(n, generator=rng, device=y.device)
    n_batches = math.ceil(n / batch_size)
    return [order[i * batch_size : (i + 1) * batch_size] for i in range(n_batches)]


class _Progress:
    """A minimal progress line on stderr (``verbose >= 1``)."""

    def __init__(self, total: int, verbose: int) -> None:
        self.total = total
        self.verbose = verbose
        self.start = time.perf_counter()
        self._drawn = -1

    def update(self, epoch: int, losses: dict[str, float]) -> None:
        if self.verbose <= 0:
            return
        elapsed = time.perf_counter() - self.start
        if self.verbose >= 2:
            parts = " ".join(f"{k}={v:.4f}" for k, v in losses.items())
            print(
                f"epoch {epoch}/{self.total} {parts} ({elapsed:.1f}s)", file=sys.stderr
            )
            return
        width = 30
        done = int(width * epoch / self.total)
        if done == self._drawn and epoch != self.total:
            return  # redraw only when the bar grows: keeps logs short
        self._drawn = done
        bar = "#" * done + "-" * (width - done)
        end = "\n" if epoch == self.total else ""
        print(
            f"\r[{bar}] {epoch}/{self.total} {elapsed:.1f}s", end=end, file=sys.stderr
        )


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    regularizer: Regularizer,
    config: TrainingConfig,
    seed: int,
) -> dict[str, list[float]]:
    """Train ``generator`` and ``discriminator`` in place; return the history.

    Parameters
    ----------
    generator, discriminator : nn.Module
        From :func:`imbgan._networks.build_networks`, on ``X.device``.
    X : Tensor of shape (n, n_features)
        Training rows, scaled to ``[-1, 1]``, on the training device.
    y : LongTensor of shape (n,)
        Class indices in ``[0, n_classes)``, on the same device.
    regularizer : callable
        ``regularizer(codes, extracted) -> scalar``.
    config : TrainingConfig
    seed : int
        Seeds the one generator that draws batches, noise and codes.

    Returns
    -------
    history : dict of str to list of float
        Per-epoch means of ``d_loss``, ``g_loss``, ``class_loss`` (class head
        on real rows) and ``reg_loss``.

    Raises
    ------
    FloatingPointError
        If a loss becomes non-finite; the message says what to try.
    """
    device = X.device
    rng = make_generator(seed, device)
    # F (the code head) is optimised with G, as InfoGAN's Q: the regularizer
    # shapes what the generator encodes and how the head reads it back.
    code_head_params = list(discriminator.code_head.parameters())
    code_head_ids = {id(p) for p in code_head_params}
    d_params = [p for p in discriminator.parameters() if id(p) not in code_head_ids]
    betas = (0.5, 0.999)  # DCGAN's Adam setting
    opt_d = torch.optim.Adam(d_params, lr=config.learning_rate, betas=betas)
    opt_g = torch.optim.Adam(
        list(generator.parameters()) + code_head_params,
        lr=config.learning_rate,
        betas=betas,
    )
    eye = torch.eye(config.n_classes, device=device)
    names = ("d_loss", "g_loss", "class_loss", "reg_loss")
    history: dict[str, list[float]] = {name: [] for name in names}
    progress = _Progress(config.epochs, config.verbose)
    generator.train()
    discriminator.train()

    for epoch in range(1, config.epochs + 1):
        # Sums stay on the device: one host sync per epoch, not per step.
        sums = torch.zeros(len(names), device=device)
        batches = _batch_indices(y, config, rng)
        for idx in batches:
            x_real, y_real = X[idx], y[idx]
            n = idx.shape[0]
            onehot = eye[y_real]
            noise, codes = draw_latents(n, config, rng, device)
            x_fake = generator(noise, onehot, codes)

            # Discriminator: real/fake on both, class head on real rows only
            adv_real, cls_real, _ = discriminator(x_real)
            adv_fake, _, _ = discriminator(x_fake.detach())
            class_loss = F.cross_entropy(cls_real, y_real)
            d_loss = (
                F.binary_cross_entropy_with_logits(adv_real, torch.ones_like(adv_real))
                + F.binary_cross_entropy_with_logits(
                    adv_fake, torch.zeros_like(adv_fake)
                )
                + class_loss
            )
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()

            # Generator + feature head: fool D, be classified as the label
            # asked for (fidelity), and let c' follow the DAG (diversity).
            adv_fake, cls_fake, extracted = discriminator(x_fake)
            reg_loss = regularizer(codes, extracted)
            g_loss = (
                F.binary_cross_entropy_with_logits(adv_fake, torch.ones_like(adv_fake))
                + F.cross_entropy(cls_fake, y_real)
                + config.reg_weight * reg_loss
            )
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()

            sums += torch.stack(
                [
                    d_loss.detach(),
                    g_loss.detach(),
                    class_loss.detach(),
                    reg_loss.detach(),
                ]
            )
        means = (sums / len(batches)).tolist()
        if not all(math.isfinite(v) for v in means):
            raise FloatingPointError(
                f"GAN training diverged at epoch {epoch} (losses "
                f"{dict(zip(names, means, strict=True))}); try a smaller "
                "learning_rate or reg_lambda, or scale the input features."
            )
        for name, value in zip(names, means, strict=True):
            history[name].append(value)
        progress.update(epoch, dict(zip(names, means, strict=True)))
    generator.eval()
    discriminator.eval()
    return history


@torch.no_grad()
def generate(
    generator: nn.Module,
    labels: torch.Tensor,
    codes: torch.Tensor | None,
    config: TrainingConfig,
    seed: int,
    chunk_size: int = 8192,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw samples for the (non-empty) class indices ``labels``, in chunks.

    Returns the samples in the scaled space and the observed codes used (the
    ones given, or those drawn from ``U(-1, 1)``).
    """
    device = labels.device
    rng = make_generator(seed, device)
    eye = torch.eye(config.n_classes, device=device)
    out, used_codes = [], []
    for start in range(0, labels.shape[0], chunk_size):
        lab = labels[start : start + chunk_size]
        noise, drawn = draw_latents(lab.shape[0], config, rng, device)
        chunk_codes = drawn if codes is None else codes[start : start + chunk_size]
        out.append(generator(noise, eye[lab], chunk_codes))
        used_codes.append(chunk_codes)
    return torch.cat(out), torch.cat(used_codes)
