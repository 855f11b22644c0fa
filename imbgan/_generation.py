"""Drawing rows from a fitted generator: chunks, the fidelity filter, mapping back.

Rows are produced in chunks of bounded size and written straight into an
output array the caller allocated, so drawing a million rows needs the
output plus a constant, not several copies of it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._scaling import RangeScaler
from ._training import TrainingConfig, autocast, draw_latents

__all__ = ["CHUNK_ROWS", "fill_rows"]

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
) -> torch.Tensor:
    device = rng.device
    noise, drawn = draw_latents(n, config, rng, device)
    if config.noise_scale != 1.0:
        noise = noise * config.noise_scale
    onehot = _onehot(class_index, n, config, device)
    with autocast(device, config.precision):
        rows = generator(noise, onehot, drawn if codes is None else codes)
    return rows.float()


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
            generator, class_index, max(2 * (n - n_kept), 16), None, config, rng
        )
        with autocast(candidates.device, config.precision):
            _, logits, _ = discriminator(_as_returned(candidates, scaler))
        proba = torch.softmax(logits.float(), dim=1)
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
    chunk_rows: int = CHUNK_ROWS,
) -> None:
    """Write ``len(out)`` rows of class ``class_index`` into ``out``, in chunks.

    ``codes`` (one row per output row) fixes the observed codes; such rows are
    never screened, since screening would replace the codes asked for.

    Raises
    ------
    FloatingPointError
        If the generator produces a non-finite value: a non-finite sample is
        never returned.
    """
    device = rng.device
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
            scaled = _draw(generator, class_index, stop - start, None, config, rng)
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
            )
        if not bool(torch.isfinite(scaled).all()):
            raise FloatingPointError(
                "The generator produced non-finite values; refit with a smaller "
                "learning_rate or reg_lambda."
            )
        out[start:stop] = scaler.inverse_transform(scaled.cpu().numpy())
