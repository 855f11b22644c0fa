"""What a fitted sampler's codes do: intervention effects, read back.

:func:`code_effects` measures, for every code ``j`` and every output ``i``
of a reader (by default the sampler's own :meth:`encode`, the extracted
codes ``c'``), how far ``do(j = +v)`` moves output ``i`` against
``do(j = -v)``, in units of output ``i``'s spread over ordinary samples.
With a DAG, a prescribed edge ``j -> i`` shows as a large ``E[j, i]``, a
code's own effect as a large ``E[i, i]``, and a pair with no directed path
as a small one.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._training import MAX_SEED

__all__ = ["code_effects"]


def code_effects(
    sampler,
    y,
    *,
    reader: Callable[[np.ndarray], np.ndarray] | None = None,
    value: float = 1.0,
    n_samples: int = 500,
    direct: bool = False,
    random_state=None,
) -> np.ndarray:
    """The intervention effect matrix of a fitted sampler's codes.

    ``E[j, i] = (mean r_i(do(j = +value)) - mean r_i(do(j = -value))) /
    sd r_i(ordinary)``, where ``r_i`` is output ``i`` of ``reader`` on rows
    of class ``y``. The three sets of rows share their noise and code draws
    (one seed), so the difference is the intervention's alone.

    With ``direct=True`` code ``j`` is set while every other code keeps its
    drawn value, instead of the DAG carrying the change to ``j``'s
    descendants (``sample(codes=...)`` instead of ``sample(do=...)``): the
    effect of code ``j`` alone, which tells which output each code drives.

    Parameters
    ----------
    sampler : BayesGANOversampler or InfoGANOversampler
        A fitted sampler.
    y : label
        The class whose rows are drawn.
    reader : callable, default=None
        ``reader(rows) -> (n, m)`` array, e.g. a regressor of known factors;
        ``None`` reads the extracted codes with ``sampler.encode``.
    value : float, default=1.0
        The intervention's size: codes are drawn on ``[-1, 1]``.
    n_samples : int, default=500
        Rows per set; the effects' noise falls as ``1 / sqrt(n_samples)``.
    direct : bool, default=False
        Hold the other codes at their draws (no propagation along the DAG).
    random_state : int, RandomState instance or None, default=None
        Seeds the draws.

    Returns
    -------
    effects : ndarray of shape (n_codes, m)
        Row ``j``: code ``sampler.code_names_[j]``; a constant output gets 0.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"value must be a positive number; got {value!r}.")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"value must be a positive number; got {value!r}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, Integral):
        raise ValueError(f"n_samples must be an integer >= 2; got {n_samples!r}.")
    if n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2; got {n_samples!r}.")
    read = sampler.encode if reader is None else reader
    seed = int(check_random_state(random_state).randint(0, MAX_SEED))

    def outputs(**given) -> np.ndarray:
        rows = sampler.sample(n_samples, y, random_state=seed, **given)
        out = np.asarray(read(rows), dtype=np.float64)
        return out.reshape(len(rows), -1)

    def set_code(j: int, name: str, v: float) -> dict:
        if not direct:
            return {"do": {name: v}}
        codes = drawn.copy()
        codes[:, j] = v
        return {"codes": codes}

    ordinary = outputs()
    if direct:  # the codes sample() makes from its draws, read off once
        drawn = _drawn_codes(sampler, n_samples, seed)
    spread = ordinary.std(axis=0)
    effects = np.zeros((len(sampler.code_names_), ordinary.shape[1]))
    for j, name in enumerate(sampler.code_names_):
        shift = outputs(**set_code(j, name, value)).mean(0) - outputs(
            **set_code(j, name, -value)
        ).mean(0)
        effects[j] = np.divide(
            shift, spread, out=np.zeros_like(shift), where=spread > 0
        )
    return effects


def _drawn_codes(sampler, n_samples: int, seed: int) -> np.ndarray:
    """``n_samples`` codes as a fit draws them: independent draws on
    ``[-1, 1]`` made into codes by the sampler's structural equations."""
    import torch

    from ._scm import make_codes

    rng = np.random.default_rng(seed)
    draws = torch.as_tensor(
        rng.uniform(-1.0, 1.0, size=(n_samples, sampler.n_codes_)),
        dtype=torch.float32,
    )
    return make_codes(draws, sampler.config_.code_equations).numpy()
