"""``imbgan demo``: no resampling vs SMOTE vs BayesGAN on imbalanced digits.

The data are :func:`imbgan.datasets.load_imbalanced_digits` (sklearn's
digits with the eights and nines cut to a few rows); each method is the
``sampler`` step of ``Pipeline([StandardScaler, sampler,
LogisticRegression])`` under the same stratified folds. Then one image
BayesGAN fitted on all of it draws real vs synthetic digits and a latent
traversal with :mod:`imbgan.plotting`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import int_in_range, make_folder, progress, progress_bar_level

if TYPE_CHECKING:  # only for annotations: keep the command's start-up light
    import numpy as np

#: GAN epochs of ``imbgan demo``: about a minute in all on 2 CPU cores.
_EPOCHS = 100
_METHODS = ("none", "smote", "bayesgan")
_METRICS = ("bacc", "macro_f1", "recall8", "recall9")
#: The nines of ``load_imbalanced_digits()``: more folds would leave a test
#: fold without one (a test checks the two agree).
_MAX_FOLDS = 12


def add_parser(commands: Any) -> None:
    """Add ``demo`` to the subcommands ``commands``."""
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
        type=int_in_range(1),
        default=_EPOCHS,
        metavar="N",
        help=f"GAN epochs (default: {_EPOCHS}); fewer is faster and blurrier",
    )
    demo.add_argument(
        "--seed",
        type=int_in_range(0),
        default=0,
        metavar="S",
        help="seeds the folds, SMOTE and the GANs (default: 0)",
    )
    demo.add_argument(
        "--folds",
        type=int_in_range(2, _MAX_FOLDS),
        default=5,
        metavar="K",
        help=f"stratified cross-validation folds, 2 to {_MAX_FOLDS} (default: 5)",
    )
    demo.set_defaults(run=run, interrupted="imbgan: interrupted")


def run(args: argparse.Namespace) -> None:
    """Print the comparison table, then draw the figures if matplotlib is there."""
    import numpy as np

    from ..datasets import load_imbalanced_digits

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
        plotting = importlib.import_module("imbgan.plotting")
        make_folder(args.out)

    X, y = load_imbalanced_digits()
    labels, counts = np.unique(y, return_counts=True)
    class_counts = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    print(f"digits: {X.shape[0]} rows, {X.shape[1]} features, counts {class_counts}")
    print(
        f"{args.folds}-fold stratified CV, seed {args.seed}, {args.epochs} GAN "
        "epochs; mean (sd) over folds"
    )
    rows = list(
        _compare_on_digits(
            X,
            y,
            epochs=args.epochs,
            seed=args.seed,
            folds=args.folds,
            progress=progress,
        )
    )
    print(_format_comparison(rows), flush=True)

    if plotting is not None:
        _draw_figures(plotting, X, y, args)
    progress(f"demo done in {time.perf_counter() - start:.1f}s")


def _compare_on_digits(
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = _EPOCHS,
    seed: int = 0,
    folds: int = 5,
    progress: Callable[[str], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Score no resampling, SMOTE and BayesGAN under the same cross-validation.

    Every method sees the same stratified folds, so the numbers are
    comparable. ``X, y`` must hold classes 8 and 9: two of the metrics are
    their recalls. ``progress`` is called before and after each method.

    Yields ``{"method": name, "seconds": float, metric: (mean, sd), ...}``
    with the metrics of ``_METRICS``, for ``_METHODS`` in order, each row as
    soon as it is measured.
    """
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import make_scorer, recall_score
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.preprocessing import StandardScaler

    from .. import BayesGANOversampler

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
        for metric in _METRICS:
            values = scores[f"test_{metric}"]
            row[metric] = (float(values.mean()), float(values.std()))
        row["seconds"] = time.perf_counter() - start
        if progress is not None:
            progress(f"{name}: done in {row['seconds']:.1f}s")
        yield row


def _format_comparison(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as a table, mean (sd) per metric, without a trailing newline."""
    lines = [f"{'method':<10}" + "".join(f"{m:>17}" for m in _METRICS)]
    lines[0] += f"{'seconds':>10}"
    for row in rows:
        cells = "".join(f"{row[m][0]:>10.3f} ({row[m][1]:.2f})" for m in _METRICS)
        lines.append(f"{row['method']:<10}{cells}{row['seconds']:>10.1f}")
    return "\n".join(lines)


def _draw_figures(
    plotting: Any, X: np.ndarray, y: np.ndarray, args: argparse.Namespace
) -> None:
    """Fit one image BayesGAN on all the digits; write the two PNGs."""
    from .. import BayesGANOversampler

    progress(f"bayesgan: fitting on all {len(y)} digits as 1x8x8 images")
    sampler = BayesGANOversampler(
        image_shape=(1, 8, 8),
        epochs=args.epochs,
        random_state=args.seed,
        # a bar on a terminal; elsewhere (a pipe, a log) one line per epoch,
        # so that a long fit visibly goes on
        verbose=progress_bar_level() or 2,
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
