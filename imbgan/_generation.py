"""Drawing rows from a fitted generator: chunks, the fidelity filter, mapping
back, redrawing rows that contradict another class, and copies of real rows.

Rows are produced in chunks of bounded size and written straight into an
output array the caller allocated, so drawing a million rows needs the
output plus a constant, not several copies of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from ._config import TrainingConfig
from ._conflicts import ClassConflicts
from ._scaling import RangeScaler
from ._scm import make_codes
from ._training import draw_latents, make_generator

# Output dtypes the map back can produce on the generator's device.
_TORCH_DTYPES = {
    np.dtype(np.float64): torch.float64,
    np.dtype(np.float32): torch.float32,
    np.dtype(np.float16): torch.float16,
    np.dtype(np.int64): torch.int64,
    np.dtype(np.int32): torch.int32,
    np.dtype(np.int16): torch.int16,
    np.dtype(np.int8): torch.int8,
    np.dtype(np.uint8): torch.uint8,
}

__all__ = ["CHUNK_ROWS", "CopySource", "FittedGAN", "draw_class", "draw_strategy"]

CHUNK_ROWS = 8192
# Rounds of candidates the fidelity filter draws for one chunk before it
# fills the remaining places with the most confident rejected candidates.
FILTER_ROUNDS = 8


def _onehot(class_index: int, n: int, config: TrainingConfig, device) -> torch.Tensor:
    onehot = torch.zeros(n, config.n_classes, device=device)
    onehot[:, class_index] = 1.0
    return onehot


@torch.no_grad()
def _draw(
    generator: nn.Module,
    class_index: int,
    n: int,
    codes: torch.Tensor | None,
    config: TrainingConfig,
    rng: torch.Generator,
    do: Mapping[int, float] | None = None,
) -> torch.Tensor:
    """``n`` rows of one class: ``codes`` as given, or made from fresh draws
    (under the intervention ``do``, code index -> value)."""
    device = rng.device
    noise, drawn = draw_latents(n, config, rng, device)
    if config.noise_scale != 1.0:
        noise = noise * config.noise_scale
    if codes is None:
        codes = make_codes(drawn, config.code_equations, do)
    onehot = _onehot(class_index, n, config, device)
    return generator(noise, onehot, codes)


@torch.no_grad()
def _draw_screened(
    generator: nn.Module,
    discriminator: nn.Module,
    class_index: int,
    n: int,
    config: TrainingConfig,
    rng: torch.Generator,
    threshold: float,
    scaler: RangeScaler,
    do: Mapping[int, float] | None = None,
) -> torch.Tensor:
    """Keep candidates the class head assigns to ``class_index`` confidently.

    A candidate is accepted when its most likely class is ``class_index`` and
    that class has probability at least ``threshold``. Counts are exact: after
    ``FILTER_ROUNDS`` rounds the most confident rejected candidates fill the
    places left. The class head judges each candidate as it will be returned
    (rounded and snapped by ``scaler``), not the generator's raw output.
    """
    kept: list[torch.Tensor] = []
    rejected: list[tuple[torch.Tensor, torch.Tensor]] = []
    n_kept = 0
    for _ in range(FILTER_ROUNDS):
        candidates = _draw(
            generator, class_index, max(2 * (n - n_kept), 16), None, config, rng, do
        )
        _, logits, _ = discriminator(_as_returned(candidates, scaler))
        proba = torch.softmax(logits, dim=1)
        confidence = proba[:, class_index]
        accept = (proba.argmax(dim=1) == class_index) & (confidence >= threshold)
        kept.append(candidates[accept])
        rejected.append((candidates[~accept], confidence[~accept]))
        n_kept += int(accept.sum())
        if n_kept >= n:
            break
    result = torch.cat(kept)[:n]
    if result.shape[0] < n:
        pool = torch.cat([r[0] for r in rejected])
        best = torch.argsort(
            torch.cat([r[1] for r in rejected]), descending=True, stable=True
        )
        result = torch.cat([result, pool[best[: n - result.shape[0]]]])
    return result


def _as_returned(scaled: torch.Tensor, scaler: RangeScaler) -> torch.Tensor:
    """``scaled`` after the way out and back: integer columns rounded, discrete
    columns snapped. Without such columns the way out changes nothing the
    generator's clamp has not already done, and ``scaled`` is returned as is.
    """
    if not (scaler.integer_columns_.any() or scaler.levels_):
        return scaled
    rows = scaler.inverse_transform(scaled.cpu().numpy())
    return torch.as_tensor(scaler.transform(rows), device=scaled.device)


class DeviceFinish:
    """``scaler.inverse_transform`` computed where the generated rows are.

    The same float64 operations as the scaler's numpy path (scale back,
    clip to the observed range, round integer columns, cast), so the same
    values; only the result, in the output dtype, crosses to the host. On a
    GPU this replaces a copy of float32 rows and four passes of host numpy
    per chunk (most of ``sample()``'s time for images there) with one copy
    of the final bytes. Only for a plain :class:`RangeScaler` without
    discrete levels (images, and tabular rows under ``feature_scaling=
    "minmax"``) and an output dtype torch has; see :func:`device_finish`.
    """

    def __init__(self, scaler: RangeScaler, device: torch.device) -> None:
        def tensor(values) -> torch.Tensor:
            return torch.as_tensor(np.asarray(values, dtype=np.float64), device=device)

        self.half_range = tensor(scaler.half_range_)
        self.center = tensor(scaler.center_)
        self.low = tensor(scaler.feature_min_)
        self.high = tensor(scaler.feature_max_)
        integer = np.asarray(scaler.integer_columns_, dtype=bool)
        self.round_all = bool(integer.all())
        self.round_some = (
            None
            if self.round_all or not integer.any()
            else torch.as_tensor(np.flatnonzero(integer), device=device)
        )
        self.dtype = _TORCH_DTYPES[np.dtype(scaler.dtype_)]

    def __call__(self, scaled: torch.Tensor) -> np.ndarray:
        X = scaled.to(torch.float64, copy=True)  # never the caller's tensor
        X.mul_(self.half_range).add_(self.center)
        X = torch.minimum(torch.maximum(X, self.low), self.high)  # np.clip
        if self.round_all:
            X.round_()  # half to even, as np.rint
        elif self.round_some is not None:
            X[:, self.round_some] = X[:, self.round_some].round()
        return X.to(self.dtype).cpu().numpy()


def device_finish(scaler: RangeScaler, device: torch.device) -> DeviceFinish | None:
    """A :class:`DeviceFinish` for rows drawn on ``device``, or None to map
    them back with numpy on the host: on a CPU (where numpy is faster and
    the output must stay bit-identical by construction), for quantile
    scaling or discrete levels, and for output dtypes torch lacks."""
    if (
        device.type == "cpu"
        or type(scaler) is not RangeScaler  # subclasses map back differently
        or scaler.levels_
        or np.dtype(scaler.dtype_) not in _TORCH_DTYPES
    ):
        return None
    return DeviceFinish(scaler, device)


def fill_rows(
    out: np.ndarray,
    *,
    generator: nn.Module,
    discriminator: nn.Module,
    scaler: RangeScaler,
    config: TrainingConfig,
    class_index: int,
    codes: np.ndarray | None,
    rng: torch.Generator,
    fidelity_threshold: float | None,
    do: Mapping[int, float] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> None:
    """Write ``len(out)`` rows of class ``class_index`` into ``out``, in chunks.

    ``codes`` (one row per output row) fixes the observed codes; such rows are
    never screened, since screening would replace the codes asked for.
    ``do`` (code index -> value) intervenes on codes made from fresh draws;
    screened candidates are drawn under the same intervention.

    Raises
    ------
    FloatingPointError
        If the generator produces a non-finite value: a non-finite sample is
        never returned.
    """
    device = rng.device
    finish = device_finish(scaler, device)
    for start in range(0, out.shape[0], chunk_rows):
        stop = min(start + chunk_rows, out.shape[0])
        if codes is not None:
            # a copy: codes may be a read-only broadcast view
            chunk_codes = torch.tensor(
                codes[start:stop], dtype=torch.float32, device=device
            )
            scaled = _draw(
                generator, class_index, stop - start, chunk_codes, config, rng
            )
        elif fidelity_threshold is None:
            scaled = _draw(generator, class_index, stop - start, None, config, rng, do)
        else:
            scaled = _draw_screened(
                generator,
                discriminator,
                class_index,
                stop - start,
                config,
                rng,
                fidelity_threshold,
                scaler,
                do,
            )
        if not bool(torch.isfinite(scaled).all()):
            raise FloatingPointError(
                "The generator produced non-finite values; refit with a smaller "
                "learning_rate or reg_lambda."
            )
        if finish is None:
            out[start:stop] = scaler.inverse_transform(scaled.cpu().numpy())
        else:
            out[start:stop] = finish(scaled)


class FittedGAN(NamedTuple):
    """What drawing rows needs from a fitted sampler."""

    generator: nn.Module
    discriminator: nn.Module
    scaler: RangeScaler
    config: TrainingConfig
    classes: np.ndarray
    device: torch.device
    fidelity_threshold: float | None


class CopySource(NamedTuple):
    """The real rows that ``fit_resample`` copies, and the share of copies."""

    X: np.ndarray
    y: np.ndarray
    fraction: float


# Redrawing contradicting rows: candidates per row still to replace, and
# rounds before the rows left are kept (on data where nearly every row of a
# class contradicts, more rounds would only spend time).
_REDRAW_FACTOR = 4
_REDRAW_ROUNDS = 10


def class_index(gan: FittedGAN, klass) -> int:
    """The position of a (known) class label in ``gan.classes``."""
    return int(np.flatnonzero(gan.classes == klass)[0])


def draw_class(
    out: np.ndarray,
    gan: FittedGAN,
    klass,
    codes: np.ndarray | None,
    seed: int,
    conflicts: ClassConflicts | None = None,
    do: Mapping[int, float] | None = None,
) -> None:
    """Write ``len(out)`` rows of class ``klass`` into ``out`` (a view).

    ``codes`` fixes every code of every row; ``do`` (code index -> value)
    sets some codes and lets the DAG carry them to their descendants.

    With ``conflicts``, rows equal to a training row of another class are
    then replaced by later draws of the same stream that are not; after
    ``_REDRAW_ROUNDS`` rounds the rows still contradicting are kept, so
    counts are always exact.
    """
    index = class_index(gan, klass)
    # One stream per class, so a class's rows do not depend on which other
    # classes are drawn in the same call.
    rng = make_generator(seed + index, gan.device)

    def fill(rows: np.ndarray, codes: np.ndarray | None) -> None:
        fill_rows(
            rows,
            generator=gan.generator,
            discriminator=gan.discriminator,
            scaler=gan.scaler,
            config=gan.config,
            class_index=index,
            codes=codes,
            rng=rng,
            fidelity_threshold=gan.fidelity_threshold,
            do=do if codes is None else None,
        )

    fill(out, codes)
    if conflicts is None:
        return
    bad = np.flatnonzero(conflicts.flags(out, index))
    for _ in range(_REDRAW_ROUNDS):
        if bad.size == 0:
            return
        candidates = np.empty(
            (_REDRAW_FACTOR * bad.size, out.shape[1]), dtype=out.dtype
        )
        fill(candidates, None)
        clean = candidates[~conflicts.flags(candidates, index)]
        replaced = min(len(clean), bad.size)
        out[bad[:replaced]] = clean[:replaced]
        bad = bad[replaced:]


def draw_strategy(
    out: np.ndarray,
    gan: FittedGAN,
    strategy: Mapping,
    seed: int,
    conflicts: ClassConflicts | None = None,
    copies: CopySource | None = None,
) -> None:
    """Fill ``out`` with the rows ``strategy`` (class -> count) asks for, in order.

    With ``copies``, that share of each class's rows (rounded) are copies of
    its rows in ``copies.X``, drawn uniformly with replacement as
    random over-sampling draws them, after its generated rows.
    """
    start = 0
    for klass, n_new in strategy.items():
        n_copies = 0 if copies is None else int(round(copies.fraction * n_new))
        n_generated = n_new - n_copies
        draw_class(out[start : start + n_generated], gan, klass, None, seed, conflicts)
        if n_copies:
            # A stream of its own per class, apart from the generator's.
            rng = np.random.default_rng([seed, class_index(gan, klass)])
            rows = np.flatnonzero(copies.y == klass)
            chosen = rows[rng.integers(0, rows.size, size=n_copies)]
            out[start + n_generated : start + n_new] = copies.X[chosen]
        start += n_new


# Rows the discriminator reads at once in encode_rows.
_ENCODE_ROWS = 4096


@torch.no_grad()
def encode_rows(gan: FittedGAN, X: np.ndarray) -> np.ndarray:
    """The discriminator's extracted codes of ``X`` (rows in the user's space)."""
    out = np.empty((X.shape[0], gan.config.n_codes), dtype=np.float32)
    for start in range(0, X.shape[0], _ENCODE_ROWS):
        scaled = gan.scaler.transform(X[start : start + _ENCODE_ROWS])
        x = torch.as_tensor(scaled, dtype=torch.float32, device=gan.device)
        _, _, codes = gan.discriminator(x)
        out[start : start + len(x)] = codes.cpu().numpy()
    return out
