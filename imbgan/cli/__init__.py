"""The ``imbgan`` command (also ``python -m imbgan``).

``imbgan benchmark paper|tabular|disentangle|speed`` runs the measurements
that the docs quote, writing its results as it goes so that a crashed or
interrupted run keeps what it measured, then prints a summary table.

``imbgan demo`` runs the quick-start comparison (none vs SMOTE vs BayesGAN
on imbalanced digits) and draws real vs synthetic digits and a latent
traversal.

``imbgan resample IN --target COL -o OUT`` over-samples a CSV or Parquet
table with :class:`~imbgan.BayesGANOversampler`, keeping its columns and
dtypes.

Each command is a module of this package with an ``add_parser`` and the
function it runs; heavy imports (numpy, pandas, scikit-learn, the
benchmark suites) happen inside the commands, so that ``imbgan --help`` and
usage errors stay quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import _benchmark, _demo, _resample
from ._common import CommandError

__all__ = ["CommandError", "main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imbgan",
        description="Interpretable minority synthesis: benchmarks and tools.",
    )
    parser.add_argument("--version", action="version", version=f"imbgan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _benchmark.add_parser(commands)
    _demo.add_parser(commands)
    _resample.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    0 on success, 1 on an expected error (its message on stderr), 2 on a
    usage error (argparse exits), 130 when interrupted.
    """
    args = _build_parser().parse_args(argv)
    try:
        args.run(args)
    except (CommandError, FileNotFoundError, ImportError, ValueError) as exc:
        # Expected failures (missing data or package, bad values): the
        # message says what to do; a traceback would only hide it.
        print(f"imbgan: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(args.interrupted, file=sys.stderr)
        return 130
    return 0
