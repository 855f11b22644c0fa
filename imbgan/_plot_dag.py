"""Figures of latent structure: the DAG, and code effects beside it.

Public through :mod:`imbgan.plotting`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._dag import LatentDAG, check_dag
from ._figures import finish, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_code_effects", "plot_dag"]


def _layers(dag: LatentDAG) -> list[list[str]]:
    """Nodes by depth (longest path from a root), each layer in topological order."""
    depth: dict[str, int] = {}
    for name in dag.topological_order():  # parents always come first
        depth[name] = 1 + max((depth[p] for p in dag.parents_of(name)), default=-1)
    layers: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for name in dag.topological_order():
        layers[depth[name]].append(name)
    return layers


def plot_dag(dag: Any, *, path: str | os.PathLike | None = None) -> Figure:
    """Draw a latent DAG left to right, one column per layer, arrows parent -> child.

    Needs matplotlib only: the layout is computed here, not by networkx. A
    node's layer is the length of the longest path from a root to it, so
    every arrow points rightwards. The implicit edges ``c_i -> c'_i`` are
    not drawn.

    Parameters
    ----------
    dag : None, str, mapping, list of edges, LatentDAG, networkx.DiGraph or \
fitted sampler
        Anything :func:`imbgan._dag.check_dag` accepts, or a fitted
        :class:`~imbgan.BayesGANOversampler` (its ``dag_``).
    path : str or os.PathLike, default=None
        Where to also write the figure as a PNG.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes holding one text label per code and one
        :class:`~matplotlib.patches.FancyArrowPatch` per edge.

    Raises
    ------
    ValueError, TypeError
        As :func:`~imbgan._dag.check_dag` does for an invalid ``dag``.
    ImportError
        If matplotlib is not installed.
    """
    if isinstance(getattr(dag, "dag_", None), LatentDAG):
        dag = dag.dag_
    dag = check_dag(dag)
    layers = _layers(dag)

    fig = new_figure()
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    # Layout in data units drawn at a fixed scale (inch per unit), so a
    # label's width in points converts to data units before anything is drawn
    # and the node boxes can be real patches that the arrows are clipped to.
    inch = 0.9
    fontsize = 10.0
    char_width = 0.6 * fontsize / 72 / inch  # a rough average glyph width
    box_width = {name: len(name) * char_width + 0.35 for name in dag.names}
    box_height = 0.42
    widest = max(box_width.values())
    dx = widest + 0.9
    tallest = max(len(layer) for layer in layers)
    margin = 0.35
    width = (len(layers) - 1) * dx + widest + 2 * margin
    height = (tallest - 1) * 1.0 + box_height + 2 * margin
    fig.set_size_inches(width * inch, height * inch)
    # The axes fill the figure and the limits match its size: one data unit
    # is ``inch`` inches along both axes, so circles and boxes are not skewed.
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(-widest / 2 - margin, width - widest / 2 - margin)
    ax.set_ylim(-height / 2, height / 2)
    ax.axis("off")

    position: dict[str, tuple[float, float]] = {}
    depth: dict[str, int] = {}
    for k, layer in enumerate(layers):
        for m, name in enumerate(layer):
            position[name] = (k * dx, (len(layer) - 1) / 2 - m)
            depth[name] = k
    boxes = {}
    for name, (x, y) in position.items():
        w = box_width[name]
        box = FancyBboxPatch(
            (x - w / 2, y - box_height / 2),
            w,
            box_height,
            boxstyle="round,pad=0,rounding_size=0.12",
            facecolor="#e8eef7",
            edgecolor="#34495e",
            linewidth=1.2,
            zorder=2,
        )
        ax.add_patch(box)
        boxes[name] = box
        ax.text(x, y, name, ha="center", va="center", fontsize=fontsize, zorder=3)
    for parent, child in dag.edges:
        # An edge that skips a layer could run straight through a node of the
        # layer between: bend it.
        rad = 0.0 if depth[child] - depth[parent] == 1 else 0.25
        ax.add_patch(
            FancyArrowPatch(
                position[parent],
                position[child],
                patchA=boxes[parent],
                patchB=boxes[child],
                arrowstyle="-|>",
                mutation_scale=14,
                connectionstyle=f"arc3,rad={rad}",
                color="#34495e",
                linewidth=1.2,
                shrinkA=1,
                shrinkB=1,
                zorder=1,
            )
        )
    return finish(fig, path)


# -- history ----------------------------------------------------------------------


def plot_code_effects(
    effects: np.ndarray,
    names: Sequence[str],
    *,
    dag: Any = None,
    path: str | os.PathLike | None = None,
) -> Figure:
    """Draw an intervention effect matrix beside the DAG that was prescribed.

    Left: ``|effects[j, i]|`` (from :func:`imbgan.inspect.code_effects`),
    row ``j`` the code intervened on, column ``i`` the code read back, each
    cell labelled with its signed value; prescribed edges are outlined.
    Right: the prescribed structure as the same grid, own codes on the
    diagonal and edges parent (row) to child (column), so the two can be
    compared cell by cell.

    Parameters
    ----------
    effects : array-like of shape (n_codes, n_codes)
    names : sequence of str
        The codes' names in order (a fitted sampler's ``code_names_``).
    dag : None, mapping, list of edges, LatentDAG or networkx.DiGraph
        The prescribed DAG over ``names``; ``None``: independent codes.
    path : str or os.PathLike, default=None
        Where to also write the figure as a PNG.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    effects = np.asarray(effects, dtype=float)
    names = [str(name) for name in names]
    k = len(names)
    if effects.shape != (k, k):
        raise ValueError(
            f"effects must have shape ({k}, {k}) for {k} names; got {effects.shape}."
        )
    if not np.isfinite(effects).all():
        raise ValueError("effects must be finite.")
    prescribed = np.eye(k)
    if dag is not None:
        dag = check_dag(dag)
        if sorted(dag.names) != sorted(names):
            raise ValueError(f"dag names {list(dag.names)} are not the codes {names}.")
        for parent, child in dag.edges:
            prescribed[names.index(parent), names.index(child)] = 1.0
    fig = new_figure(figsize=(2.0 + 1.3 * k, 0.6 + 0.55 * k))
    axes = fig.subplots(1, 2)
    from matplotlib.patches import Rectangle

    panels = (
        (axes[0], np.abs(effects), "effect of do(row) on read-back (column)"),
        (axes[1], prescribed, "prescribed: own code and edges"),
    )
    for ax, grid, title in panels:
        ax.imshow(grid, cmap="Greys", vmin=0, vmax=max(float(grid.max()), 1e-12))
        ax.set_xticks(range(k), names, rotation=90)
        ax.set_yticks(range(k), names)
        ax.set_title(title, fontsize=9)
    for j in range(k):
        for i in range(k):
            shade = abs(effects[j, i]) / max(float(np.abs(effects).max()), 1e-12)
            axes[0].text(
                i, j, f"{effects[j, i]:.2f}", ha="center", va="center", fontsize=7,
                color="white" if shade > 0.5 else "black",
            )  # fmt: skip
            if j != i and prescribed[j, i]:
                axes[0].add_patch(
                    Rectangle((i - 0.5, j - 0.5), 1, 1, fill=False, lw=2, ec="C1")
                )
    fig.tight_layout()
    return finish(fig, path)
