"""Bare matplotlib figures: made without pyplot, written as PNG files.

A :class:`matplotlib.figure.Figure` built directly is never registered with
pyplot, so drawing one opens no window and changes no global state.
matplotlib is imported only when a figure is made (the ``plot`` extra).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: matplotlib stays an optional extra
    from matplotlib.figure import Figure

__all__ = ["PNG_DPI", "finish", "new_figure"]

PNG_DPI = 100


def new_figure(**kwargs: Any) -> Figure:
    """A matplotlib ``Figure`` not registered with pyplot (no global state)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "plotting needs matplotlib: pip install imbgan[plot]"
        ) from exc
    return Figure(**kwargs)


def finish(fig: Figure, path: str | os.PathLike | None) -> Figure:
    """Write ``fig`` to ``path`` as a PNG when a path is given; return it."""
    if path is not None:
        # format="png" whatever the suffix says: the promise is a PNG.
        fig.savefig(path, format="png", dpi=PNG_DPI)
    return fig
