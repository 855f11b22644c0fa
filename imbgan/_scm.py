"""The codes a DAG prescribes: a linear structural model over the latent codes.

Each code ``i`` gets an exogenous draw ``u_i ~ U(-1, 1)``, independent of
the others. Codes are made along the DAG, parents first::

    c_i = u_i                                      (no parents)
    c_i = a * u_i + b_i * sum_{j in pa(i)} c_j     (parents pa(i))

with ``a = sqrt(1 - PARENT_SHARE)`` and ``b_i`` chosen so that the parents'
sum carries ``PARENT_SHARE`` of the code's variance: every code then has
the variance of its exogenous draw, a child keeps an effect of its own
(``a > 0``), and every edge carries a fixed, non-zero effect (``b_i > 0``),
along paths too (``a -> b -> c`` moves ``c`` through ``b``). A code with no
parents is independent of every code that is not its descendant.

An intervention ``do(j = v)`` replaces code ``j``'s equation by the value
``v`` and recomputes its descendants from their equations with the same
exogenous draws; codes that are not descendants of ``j`` are unchanged.

A DAG without edges has no equations to apply: its codes are the draws
themselves, bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from ._dag import LatentDAG

__all__ = ["PARENT_SHARE", "Equations", "code_equations", "make_codes"]

# Share of a child code's variance that its parents' sum carries; the rest
# is its own exogenous draw. 1/2: an edge's effect on a child with two
# independent parents is half the child's own effect.
PARENT_SHARE = 0.5

# One equation per code with parents, in a topological order:
# (code index, own weight a, parent weight b_i, parent indices).
Equations = tuple[tuple[int, float, float, tuple[int, ...]], ...]


def code_equations(dag: LatentDAG) -> Equations | None:
    """The structural equations of ``dag``'s codes; None when it has no edges."""
    if not dag.parent_mask.any():
        return None
    k = dag.n_codes
    mix = np.zeros((k, k))  # row i: c_i as a combination of the draws u
    equations = []
    for name in dag.topological_order():
        i = dag.index(name)
        parents = tuple(dag.parent_indices(i))
        if not parents:
            mix[i, i] = 1.0
            continue
        parent_sum = mix[list(parents)].sum(axis=0)
        # u_i is in no parent's row, so the two terms are independent and
        # the variances add up to the draw's.
        weight = float(np.sqrt(PARENT_SHARE / (parent_sum @ parent_sum)))
        own = float(np.sqrt(1.0 - PARENT_SHARE))
        mix[i] = weight * parent_sum
        mix[i, i] += own
        equations.append((i, own, weight, parents))
    return tuple(equations)


def make_codes(
    exogenous: torch.Tensor,
    equations: Equations | None,
    do: Mapping[int, float] | None = None,
) -> torch.Tensor:
    """The codes of ``exogenous`` draws, under ``do`` (code index -> value).

    Without equations and interventions the draws are returned as they are.
    """
    if equations is None and not do:
        return exogenous
    codes = exogenous.clone()
    for i, value in (do or {}).items():
        codes[:, i] = float(value)
    for i, own, weight, parents in equations or ():
        if do and i in do:
            continue
        # column by column: no index tensor, so a CUDA graph can record it
        parent_sum = sum(codes[:, j] for j in parents)
        codes[:, i] = own * exogenous[:, i] + weight * parent_sum
    return codes
