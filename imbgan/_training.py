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

import copy
import math
import re
import sys
import time
import warnings
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._config import TrainingConfig
from ._cuda_graphs import GraphedStep, graphs_requested
from ._scm import make_codes

__all__ = ["TrainingConfig", "draw_latents", "resolve_device", "train_gan"]

Regularizer = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def resolve_device(device: str) -> torch.device:
    """Turn the ``device`` parameter into a ``torch.device``.

    ``"auto"`` picks the first CUDA device when one is available, else the
    CPU. An explicit CUDA device that is not available is an error, not a
    quiet fall-back, so a user who asked for a GPU knows they did not get it.
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


# Seeds drawn from a random_state for torch generators and per-call streams:
# the largest value numpy's legacy RandomState.randint takes on every platform.
MAX_SEED = 2**31 - 1


def make_generator(seed: int, device: torch.device) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    rng = torch.Generator(device=device)
    rng.manual_seed(seed)
    return rng


def draw_latents(
    n: int, config: TrainingConfig, rng: torch.Generator, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Noise ``z ~ N(0, I)`` and observed codes ``c ~ U(-1, 1)^k`` (InfoGAN's)."""
    noise = torch.randn(n, config.noise_dim, generator=rng, device=device)
    # One kernel, not three (rand, * 2, - 1): the same draws, bit for bit.
    codes = torch.empty(n, config.n_codes, device=device).uniform_(-1, 1, generator=rng)
    return noise, codes


def _batch_indices(
    y: torch.Tensor, config: TrainingConfig, rng: torch.Generator
) -> list[torch.Tensor]:
    """The row indices of one epoch's mini-batches.

    As many rows as the data has, drawn with replacement with probability
    inversely proportional to the class size, so every class is seen equally
    often (a one-sample class is then seen about ``n / n_classes`` times per
    epoch).
    """
    n = y.shape[0]
    batch_size = min(config.batch_size, n)
    counts = torch.bincount(y, minlength=config.n_classes).to(torch.float32)
    weights = (1.0 / counts)[y]
    order = torch.multinomial(weights, n, replacement=True, generator=rng)
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
    verbose: int = 0,
) -> dict[str, list[float]]:
    """Train ``generator`` and ``discriminator`` in place; return the history.

    Divergence is caught at the end of every epoch: if a loss or a weight
    became non-finite, both networks and optimisers are rolled back to the
    end of the last good epoch, the learning rate is divided by
    ``_LR_CUT`` and the epoch is run again (with a warning), at most
    ``_MAX_ROLLBACKS`` times before giving up.

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
    verbose : int, default=0
        0 silent, 1 a progress bar, 2 the losses of every epoch (on stderr).

    Returns
    -------
    history : dict of str to list of float
        Per-epoch means of ``d_loss``, ``g_loss``, ``class_loss`` (class head
        on real rows) and ``reg_loss``, and the ``learning_rate`` used.

    Raises
    ------
    FloatingPointError
        If training still diverges after the rollbacks; the networks are then
        left at their last good state and the message says what to try.
    """
    device = X.device
    rng = make_generator(seed, device)
    # F (the code head) is optimised with G, as InfoGAN's Q: the regularizer
    # shapes what the generator encodes and how the head reads it back.
    code_head_params = list(discriminator.code_head.parameters())
    code_head_ids = {id(p) for p in code_head_params}
    d_params = [p for p in discriminator.parameters() if id(p) not in code_head_ids]
    use_graphs = graphs_requested(device, config.cuda_graphs) and _graph_safe(
        regularizer
    )
    opt_d = _adam(d_params, config.learning_rate, capturable=use_graphs)
    opt_g = _adam(
        list(generator.parameters()) + code_head_params,
        config.learning_rate,
        capturable=use_graphs,
    )
    ema = _GeneratorAverage(generator, config.ema_decay)
    stateful = (generator, discriminator, opt_g, opt_d, ema)
    step = _make_step(generator, discriminator, opt_g, opt_d, X, y, regularizer, config)
    graphed = None
    if use_graphs:
        graphed = GraphedStep(
            step,
            min(config.batch_size, X.shape[0]),
            config.noise_dim,
            config.n_codes,
            device,
        )
    history: dict[str, list[float]] = {name: [] for name in (*_LOSSES, "learning_rate")}
    progress = _Progress(config.epochs, verbose)
    generator.train()
    discriminator.train()

    learning_rate = config.learning_rate
    last_good = _snapshot(stateful)
    rollbacks = 0
    epoch = 1
    while epoch <= config.epochs:
        means = _run_epoch(step, y, config, rng, ema, graphed)
        if all(math.isfinite(v) for v in means.values()) and _finite_weights(
            generator, discriminator
        ):
            last_good = _snapshot(stateful)
            for name, value in means.items():
                history[name].append(value)
            history["learning_rate"].append(learning_rate)
            progress.update(epoch, means)
            epoch += 1
            continue
        _restore(stateful, last_good)
        if graphed is not None:
            graphed.reset()  # new optimiser state tensors, a new learning rate
        if rollbacks == _MAX_ROLLBACKS:
            generator.eval()
            discriminator.eval()
            raise FloatingPointError(
                f"GAN training diverged at epoch {epoch} (losses {means}) and "
                f"kept diverging after {_MAX_ROLLBACKS} rollbacks down to "
                f"learning_rate={learning_rate:g}; try a much smaller "
                "learning_rate or reg_lambda, or check the input features."
            )
        rollbacks += 1
        learning_rate /= _LR_CUT
        for optimiser in (opt_g, opt_d):
            for group in optimiser.param_groups:
                group["lr"] = learning_rate
        warnings.warn(
            f"GAN training diverged at epoch {epoch}; rolled back to the last "
            f"good epoch and cut learning_rate to {learning_rate:g}.",
            RuntimeWarning,
            stacklevel=3,
        )
    ema.copy_to_generator()
    generator.eval()
    discriminator.eval()
    return history


_LOSSES = ("d_loss", "g_loss", "class_loss", "reg_loss")
_MAX_ROLLBACKS = 5
_LR_CUT = 10.0


def _make_step(
    generator: Callable,
    discriminator: Callable,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
    regularizer: Regularizer,
    config: TrainingConfig,
) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    """The training step ``step(idx, noise, codes) -> losses`` of one batch.

    A D step then a G step; returns ``d_loss, g_loss, class_loss, reg_loss``
    as one tensor, on the device (no host sync: a CUDA graph can record it).
    """
    eye = torch.eye(config.n_classes, device=X.device)
    # The generator step needs gradients of these only; without ``inputs``
    # backward also fills the discriminator's, which the next D step discards.
    g_params = [p for group in opt_g.param_groups for p in group["params"]]

    def step(idx: torch.Tensor, noise: torch.Tensor, draws: torch.Tensor):
        # the codes the DAG prescribes, made from independent draws
        codes = make_codes(draws, config.code_equations)
        x_real, y_real = X[idx], y[idx]
        n_real = idx.shape[0]
        x_fake = generator(noise, eye[y_real], codes)
        # Discriminator: real/fake on both, class head on real rows only.
        # One pass over real and fake rows together (there is no batch norm
        # to mix them): half the per-layer overhead of two passes.
        adv, cls, _ = discriminator(torch.cat([x_real, x_fake.detach()]))
        adv_real, adv_fake, cls_real = adv[:n_real], adv[n_real:], cls[:n_real]
        class_loss = F.cross_entropy(cls_real, y_real)
        d_loss = (
            F.binary_cross_entropy_with_logits(adv_real, torch.ones_like(adv_real))
            + F.binary_cross_entropy_with_logits(adv_fake, torch.zeros_like(adv_fake))
            + class_loss
        )
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()

        # Generator + feature head: fool D, be classified as the label asked
        # for (fidelity), and let c' follow the DAG (diversity).
        adv_fake, cls_fake, extracted = discriminator(x_fake)
        reg_loss = regularizer(codes, extracted)
        g_loss = (
            F.binary_cross_entropy_with_logits(adv_fake, torch.ones_like(adv_fake))
            + config.class_loss_weight * F.cross_entropy(cls_fake, y_real)
            + config.reg_weight * reg_loss
        )
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward(inputs=g_params)
        opt_g.step()
        losses = (d_loss, g_loss, class_loss, reg_loss)
        return torch.stack([loss.detach() for loss in losses])

    return step


def _run_epoch(
    step: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
    y: torch.Tensor,
    config: TrainingConfig,
    rng: torch.Generator,
    ema: _GeneratorAverage,
    graphed: GraphedStep | None = None,
) -> dict[str, float]:
    """One pass of alternating D and G steps; the epoch's mean losses.

    With ``graphed``, full batches run through its CUDA graph; the draws
    are the same, in the same order.
    """
    # Sums stay on the device: one host sync per epoch, not per step.
    sums = torch.zeros(len(_LOSSES), device=y.device)
    batches = _batch_indices(y, config, rng)
    for idx in batches:
        if graphed is not None and idx.shape[0] == graphed.batch_size:
            sums += graphed.run(idx, rng)
        else:
            noise, codes = draw_latents(idx.shape[0], config, rng, y.device)
            sums += step(idx, noise, codes)
        ema.update()
    means = (sums / len(batches)).tolist()
    return dict(zip(_LOSSES, means, strict=True))


class _GeneratorAverage:
    """An exponential moving average of the generator's weights.

    GAN generators oscillate around an equilibrium rather than settle; an
    average of their recent weights samples from a smoother point, and the
    last epochs' luck matters less. The average replaces the generator's
    weights when training ends (the discriminator is never averaged). The
    decay grows with the number of steps, ``min(decay, (1 + t) / (10 + t))``,
    so a short fit is not dominated by its first, untrained weights.
    ``decay == 0`` disables it (nothing is stored or computed).
    """

    def __init__(self, generator: nn.Module, decay: float) -> None:
        self.decay = decay
        self.params = [p for p in generator.parameters() if p.requires_grad]
        self.average = [p.detach().clone() for p in self.params] if decay else []
        self.steps = 0

    def update(self) -> None:
        if not self.decay:
            return
        self.steps += 1
        decay = min(self.decay, (1 + self.steps) / (10 + self.steps))
        with torch.no_grad():
            # one multi-tensor kernel instead of one per parameter tensor
            torch._foreach_lerp_(self.average, self.params, 1 - decay)

    def copy_to_generator(self) -> None:
        """Overwrite the generator's weights with their average."""
        if not self.decay:
            return
        with torch.no_grad():
            for param, average in zip(self.params, self.average, strict=True):
                param.copy_(average)

    # The rollback snapshot (_snapshot/_restore) treats it like a module.
    def state_dict(self) -> dict:
        return {"average": self.average, "steps": self.steps}

    def load_state_dict(self, state: dict) -> None:
        self.average = state["average"]
        self.steps = state["steps"]


def _graph_safe(regularizer: Regularizer) -> bool:
    """Whether a step can be recorded as a CUDA graph: not with a regularizer
    that solves a linear system, whose error check syncs with the host."""
    return getattr(regularizer, "graph_safe", False)


def _adam(
    params: list[nn.Parameter], learning_rate: float, capturable: bool = False
) -> torch.optim.Adam:
    """Adam with DCGAN's betas, fused into one kernel where torch can.

    The networks are small, so a step is dominated by per-tensor overhead:
    the fused update cut the default digits fit from about 7.0 s to 4.9 s on
    one CPU thread. Older torch builds (fused CPU Adam arrived in 2.4) fall
    back to the multi-tensor update.
    """
    betas = (0.5, 0.999)
    if capturable:  # state on the device, so that a CUDA graph can record it
        return torch.optim.Adam(
            params, lr=learning_rate, betas=betas, fused=True, capturable=True
        )
    try:
        return torch.optim.Adam(params, lr=learning_rate, betas=betas, fused=True)
    except (RuntimeError, ValueError, TypeError):  # pragma: no cover - old torch
        return torch.optim.Adam(params, lr=learning_rate, betas=betas, foreach=True)


def _finite_weights(*modules: nn.Module) -> bool:
    # one host sync for all parameters, not one per tensor
    flags = [torch.isfinite(p).all() for m in modules for p in m.parameters()]
    return bool(torch.stack(flags).all())


def _snapshot(stateful: tuple) -> list[dict]:
    """Copies of the state of modules and optimisers, to roll back to.

    Taken after every good epoch, so it is cheap: tensors are cloned on their
    device, everything else is deep-copied (``copy.deepcopy`` of a whole state
    dict cost about 6% of a default tabular fit).
    """
    return [_clone_tree(obj.state_dict()) for obj in stateful]


def _clone_tree(value):
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        clone = type(value)((key, _clone_tree(item)) for key, item in value.items())
        if hasattr(value, "_metadata"):  # module versions, read by load_state_dict
            clone._metadata = copy.deepcopy(value._metadata)
        return clone
    if isinstance(value, (list, tuple)):
        return type(value)(_clone_tree(item) for item in value)
    return copy.deepcopy(value)


def _restore(stateful: tuple, snapshot: list[dict]) -> None:
    for obj, state in zip(stateful, snapshot, strict=True):
        # A clone: Optimizer.load_state_dict keeps the given tensors as its
        # state and updates them in place, which would corrupt the snapshot
        # for a second rollback to the same epoch.
        obj.load_state_dict(_clone_tree(state))
