"""What the commands share: the user-facing error, option types, progress."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path


class CommandError(Exception):
    """A user-facing error: :func:`imbgan.cli.main` prints it, exit status 1."""


def int_in_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """Return an argparse type for an integer in ``[low, high]``.

    A value out of range is then a usage error (exit 2) reported before any
    data is loaded, like any other malformed option.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer; got {text!r}"
            ) from None
        if value < low or (high is not None and value > high):
            bound = f">= {low}" if high is None else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(
                f"expected an integer {bound}; got {value}"
            )
        return value

    return parse


def progress(message: str) -> None:
    """One time-stamped line on stderr: what a command is doing now."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def progress_bar_level() -> int:
    """``verbose`` for the samplers: a progress bar on a terminal only.

    The bar redraws one line with carriage returns: fine on a terminal, noise
    in a log file or a captured pipe.
    """
    isatty = getattr(sys.stderr, "isatty", None)
    return 1 if isatty is not None and isatty() else 0


def make_folder(path: Path) -> None:
    """Create ``path`` and its parents; a :class:`CommandError` if that fails."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. a file of that name, or no permission
        raise CommandError(f"cannot create the folder {path}: {exc}") from None
