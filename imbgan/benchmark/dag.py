"""Does a prescribed DAG bind? A side-by-side run on pendulum scenes.

The scenes of :func:`imbgan.datasets.make_pendulum` have four factors whose
causal graph is known (:data:`~imbgan.datasets.PENDULUM_DAG`: the angle and
the light cause the shadow's position and length) and a rare class (the
square bob). For each seed, four samplers are fitted side by side on the
same imbalanced training scenes (:data:`METHODS`):

- ``bayesgan_true``: BayesGAN with the true DAG;
- ``bayesgan_reversed``: BayesGAN with every edge reversed
  (:data:`REVERSED_DAG`: both shadows are parents of the angle and of the
  light), the wrong DAG;
- ``bayesgan_none``: BayesGAN with four independent codes (``dag=None``);
- ``infogan``: InfoGAN with four codes.

Each row reports two things:

- adherence, read by an independent reader of the true factors (a ridge
  regression of the four factors on the pixels, fitted on real labelled
  scenes of their own, never on anything a sampler made): the effect matrix
  ``E = code_effects(sampler, 0, reader=reader.predict)`` of codes on
  factors; codes matched to factors by the Hungarian assignment that
  maximises the matched direct effects (``code_effects(..., direct=True)``,
  the other codes held); in matched order, the score of each
  ordered pair of factors ``(j, i)``, ``|E[code of j, i]| / |E[code of i,
  i]|``; the AUROC of the true DAG's 4 edges against its 8 non-edges over
  these 12 scores, and the structural Hamming distance to the true DAG of
  the graph whose edges are the pairs scoring above :data:`EDGE_THRESHOLD`
  (:func:`effect_structure`);
- minority synthesis: recall and F1 of the rare class of a logistic
  regression on the pixels, fitted on the resampled training scenes and
  tested on a balanced set of fresh scenes used for nothing else; the same
  classifier fitted on the scenes as they are gives the reference in every
  row.

Nothing here draws from numpy's, Python's or torch's global random state.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._provenance import append_jsonl, environment, source_commit

__all__ = [
    "EDGE_THRESHOLD",
    "METHODS",
    "REVERSED_DAG",
    "ROW_FIELDS",
    "effect_structure",
    "run_dag_benchmark",
    "structural_hamming_distance",
    "summarize_dag",
]

METHODS = ("bayesgan_true", "bayesgan_reversed", "bayesgan_none", "infogan")
"""The samplers compared side by side, in the order of the rows."""

REVERSED_DAG: dict[str, list[str]] = {
    "angle": ["shadow_position", "shadow_length"],
    "light": ["shadow_position", "shadow_length"],
    "shadow_position": [],
    "shadow_length": [],
}
"""The wrong DAG: every edge of the true one reversed, the codes in the same
order and with the same names."""

EDGE_THRESHOLD = 0.25
"""A pair's score above this counts as an edge. The library's structural
equations give a parent's intervention half the effect of the child's own
on a child of two parents (``imbgan._scm.PARENT_SHARE``): a bound edge
scores about 0.5, a non-edge about 0, and 0.25 is half-way."""

EFFECT_VALUE = 1.0
"""``do(code = +1)`` against ``do(code = -1)``: the ends of the codes' range."""

DEFAULT_EPOCHS = 30
"""GAN epochs of a full run when ``epochs`` is None (the library's default,
100, is sized for a GPU). One fit on 4000 scenes then takes about 80 to 85
seconds on 2 CPU cores (Intel Xeon, both cores free), so the default run
(3 seeds, 4 methods) takes about 20 minutes there."""

MINORITY_FRACTION = 0.01
"""Rare-class share of the training scenes: IR 99, the paper's IR 100."""

_FULL = {"n_reader": 4000, "n_test_per_class": 500, "n_effect": 1000}
_QUICK = {"n_samples": 200, "n_reader": 300, "n_test_per_class": 50, "n_effect": 64}
_QUICK_MINORITY_FRACTION = 0.05  # 10 rare rows of 200
_READER_HELD_OUT = 0.2
_READER_ALPHAS = (1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)
_CLASSIFIER_MAX_ITER = 1000
_PAIR_SEPARATOR = "->"

ROW_FIELDS = (
    "method",
    "seed",
    "dag",
    "code_names",
    "effects",
    "direct_effects",
    "matched_codes",
    "own_effects",
    "pair_scores",
    "auroc",
    "shd",
    "predicted_edges",
    "edge_threshold",
    "recall",
    "f1",
    "recall_unresampled",
    "f1_unresampled",
    "fit_seconds",
    "reader",
    "reader_r2",
    "n_train",
    "n_minority",
    "n_test",
    "epochs",
    "effect_samples",
    "quick",
    "device",
    "environment",
    "commit",
)
"""The keys of every row :func:`run_dag_benchmark` returns, in order."""


# -- the structure of an effect matrix -----------------------------------------


def _adjacency(dag: Mapping[str, Sequence[str]], names: Sequence[str]) -> np.ndarray:
    """``adj[j, i]`` True when ``names[j]`` is a parent of ``names[i]``."""
    index = {name: k for k, name in enumerate(names)}
    adj = np.zeros((len(names), len(names)), dtype=bool)
    for child, parents in dag.items():
        for parent in parents:
            adj[index[parent], index[child]] = True
    return adj


def structural_hamming_distance(predicted: np.ndarray, true: np.ndarray) -> int:
    """Structural Hamming distance between two directed graphs on the same nodes.

    Over the unordered pairs of distinct nodes ``{a, b}``, each pair whose
    state (no edge, ``a -> b``, ``b -> a``, or both) differs between the two
    graphs counts 1: a missing or extra edge counts 1, and so does a
    reversed one.

    Parameters
    ----------
    predicted, true : array-like of bool of shape (n, n)
        Adjacency matrices, ``[j, i]`` True for an edge ``j -> i``; the
        diagonal is ignored.

    Returns
    -------
    shd : int
    """
    predicted = np.asarray(predicted, dtype=bool)
    true = np.asarray(true, dtype=bool)
    if predicted.shape != true.shape or predicted.ndim != 2:
        raise ValueError(
            f"predicted and true must be square matrices of the same shape; got "
            f"{predicted.shape} and {true.shape}."
        )
    a, b = np.triu_indices(len(true), k=1)
    differs = (predicted[a, b] != true[a, b]) | (predicted[b, a] != true[b, a])
    return int(differs.sum())


def effect_structure(
    effects,
    *,
    dag: Mapping[str, Sequence[str]] | None = None,
    threshold: float = EDGE_THRESHOLD,
    direct=None,
) -> dict:
    """Match codes to factors and score the DAG that the effects show.

    1. Match codes to factors with the Hungarian assignment
       (:func:`scipy.optimize.linear_sum_assignment`) that maximises the sum
       of the matched ``|direct[code, factor]|`` (``|E|`` when ``direct`` is
       not given): a parent's total effect also moves its children's
       factors, its direct effect only the factor it drives.
    2. In matched order, for each ordered pair of distinct factors
       ``(j, i)``: ``score = |E[code of j, i]| / |E[code of i, i]|``, how
       far the code of ``j`` moves factor ``i`` against ``i``'s own code.
    3. The AUROC (:func:`sklearn.metrics.roc_auc_score`) of the DAG's edges
       against its non-edges over these scores (1: every edge scores above
       every non-edge; 0.5: no relation; 0.25 for the pendulum's DAG with
       every edge reversed, its edges then tied with the non-edges that
       stay non-edges), and the structural
       Hamming distance (:func:`structural_hamming_distance`) from the DAG
       of the graph whose edges are the pairs scoring above ``threshold``.

    Parameters
    ----------
    effects : array-like of shape (n_codes, n_factors)
        ``E[j, i]``: the effect of code ``j`` on factor ``i`` (as
        :func:`imbgan.inspect.code_effects` gives it), with the factors in
        the order of ``dag``'s keys; at least as many codes as factors.
    dag : mapping of str to list of str, optional
        The true DAG over the factors, ``{child: [parents]}``; default
        :data:`imbgan.datasets.PENDULUM_DAG`.
    threshold : float, default=EDGE_THRESHOLD
    direct : array-like of shape (n_codes, n_factors), optional
        The codes' direct effects (``code_effects(..., direct=True)``), used
        for the matching only.

    Returns
    -------
    structure : dict
        ``matched_codes`` (the code index matched to each factor),
        ``own_effects`` (``|E[code of i, i]|`` per factor), ``pair_scores``
        (``{"j->i": score}`` over the ordered pairs), ``auroc``, ``shd`` and
        ``predicted_edges`` (``[[j, i], ...]``). A factor whose matched code
        has no effect on it makes its column's scores infinite (any effect)
        or 0 (none); infinite scores are reported as ``1e12``.
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import roc_auc_score

    if dag is None:
        from ..datasets import PENDULUM_DAG as dag
    names = list(dag)
    magnitude = np.abs(np.asarray(effects, dtype=np.float64))
    if magnitude.ndim != 2 or magnitude.shape[1] != len(names):
        raise ValueError(
            f"effects must have shape (n_codes, {len(names)}), one column per "
            f"factor of the DAG; got {magnitude.shape}."
        )
    if magnitude.shape[0] < len(names):
        raise ValueError(
            f"effects must have at least one code per factor ({len(names)}); got "
            f"{magnitude.shape[0]} codes."
        )
    if not np.all(np.isfinite(magnitude)):
        raise ValueError("effects must be finite.")
    match_on = magnitude if direct is None else np.abs(np.asarray(direct, float))
    if match_on.shape != magnitude.shape or not np.all(np.isfinite(match_on)):
        raise ValueError("direct must be finite and of the shape of effects.")
    code_rows, factor_cols = linear_sum_assignment(match_on, maximize=True)
    code_of = np.empty(len(names), dtype=np.int64)
    code_of[factor_cols] = code_rows
    matched = magnitude[code_of]  # row j: the code of factor j
    own = np.diag(matched).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = matched / own[None, :]
    scores = np.where(own[None, :] > 0, scores, np.where(matched > 0, 1e12, 0.0))
    truth = _adjacency(dag, names)
    off = ~np.eye(len(names), dtype=bool)
    labels, values = truth[off], scores[off]
    auroc = (
        float(roc_auc_score(labels, values))
        if 0 < labels.sum() < labels.size
        else float("nan")
    )
    predicted = (scores > threshold) & off
    pairs = [(j, i) for j in range(len(names)) for i in range(len(names)) if j != i]
    return {
        "matched_codes": [int(c) for c in code_of],
        "own_effects": [float(v) for v in own],
        "pair_scores": {
            f"{names[j]}{_PAIR_SEPARATOR}{names[i]}": float(scores[j, i])
            for j, i in pairs
        },
        "auroc": auroc,
        "shd": structural_hamming_distance(predicted, truth),
        "predicted_edges": [[names[j], names[i]] for j, i in pairs if predicted[j, i]],
    }


# -- the pieces of a run -------------------------------------------------------


def _streams(seed: int) -> dict[str, int]:
    """Independent integer seeds for the data sets of one run."""
    state = np.random.SeedSequence([int(seed), 7]).generate_state(3, dtype=np.uint32)
    return dict(zip(("train", "reader", "test"), (int(s) for s in state), strict=True))


def _fit_reader(n: int, seed: int):
    """A ridge regression of the four factors on the pixels, and its R^2.

    Fitted on ``1 - _READER_HELD_OUT`` of ``n`` real scenes of their own
    (``make_pendulum(n, random_state=seed)``, both classes), the penalty
    chosen by efficient leave-one-out over ``_READER_ALPHAS``
    (:class:`sklearn.linear_model.RidgeCV`); R^2 per factor on the rest.
    """
    from sklearn.linear_model import RidgeCV
    from sklearn.metrics import r2_score

    from ..datasets import PENDULUM_FACTORS, make_pendulum

    X, _, factors = make_pendulum(n, random_state=seed)
    n_fit = n - max(1, round(_READER_HELD_OUT * n))
    reader = RidgeCV(alphas=_READER_ALPHAS).fit(X[:n_fit], factors[:n_fit])
    r2 = r2_score(factors[n_fit:], reader.predict(X[n_fit:]), multioutput="raw_values")
    return reader, {
        name: float(v) for name, v in zip(PENDULUM_FACTORS, r2, strict=True)
    }


def _classify(X_train, y_train, X_test, y_test) -> dict[str, float]:
    """Recall and F1 of class 1 of a logistic regression on the pixels."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, recall_score

    model = LogisticRegression(max_iter=_CLASSIFIER_MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(np.asarray(X_train, dtype=np.float32), np.asarray(y_train))
    predicted = model.predict(np.asarray(X_test, dtype=np.float32))
    return {
        "recall": float(recall_score(y_test, predicted, pos_label=1, zero_division=0)),
        "f1": float(f1_score(y_test, predicted, pos_label=1, zero_division=0)),
    }


def _sampler(method: str, *, seed: int, epochs: int, device: str):
    from .. import BayesGANOversampler, InfoGANOversampler
    from ..datasets import PENDULUM_DAG

    common: dict[str, Any] = {
        "image_shape": (1, 32, 32),
        "epochs": int(epochs),
        "random_state": int(seed),
        "device": device,
    }
    if method == "bayesgan_true":
        return BayesGANOversampler(dag=PENDULUM_DAG, **common)
    if method == "bayesgan_reversed":
        return BayesGANOversampler(dag=REVERSED_DAG, **common)
    if method == "bayesgan_none":
        return BayesGANOversampler(dag=None, n_codes=4, **common)
    return InfoGANOversampler(n_codes=4, **common)


def _dag_of(method: str) -> list[list[str]] | None:
    from ..datasets import PENDULUM_DAG

    dag = {"bayesgan_true": PENDULUM_DAG, "bayesgan_reversed": REVERSED_DAG}.get(method)
    if dag is None:
        return None
    return [[parent, child] for child, parents in dag.items() for parent in parents]


# -- the run -----------------------------------------------------------------


def run_dag_benchmark(
    *,
    seeds: Iterable[int] = (0, 1, 2),
    n_samples: int = 4000,
    epochs: int | None = None,
    device: str = "auto",
    quick: bool = False,
    out=None,
    progress: Callable[[str], None] | None = None,
    methods: Iterable[str] = METHODS,
    minority_fraction: float = MINORITY_FRACTION,
) -> list[dict]:
    """Fit the four samplers of :data:`METHODS` per seed; one row each.

    For each seed, from streams of its own: ``n_samples`` training scenes
    (``make_pendulum(n_samples, minority_fraction=minority_fraction)``),
    4000 scenes for the reader (a ridge regression of the factors on the
    pixels; its R^2 on the fifth held out is in the row) and a balanced
    test set of 500 scenes per class. Each sampler (``image_shape=(1, 32,
    32)``, ``epochs``, ``random_state=seed``, the library's defaults
    otherwise) is fitted with ``fit_resample`` on the training scenes; then
    ``code_effects(sampler, 0, reader=reader.predict, value=1.0,
    n_samples=1000, random_state=seed)`` gives the effect matrix that
    :func:`effect_structure` scores against the true DAG, and a logistic
    regression fitted on the resampled scenes is tested on the test set.

    Parameters
    ----------
    seeds : iterable of int, default=(0, 1, 2)
        Each seed drives the data, the samplers and the effects.
    n_samples : int, default=4000
        Training scenes per seed.
    epochs : int, optional
        GAN epochs; default :data:`DEFAULT_EPOCHS` (1 when quick).
    device : str, default="auto"
    quick : bool, default=False
        A smoke run: the first seed only, 200 training scenes with 5% rare
        ones, 300 reader scenes, 50 test scenes per class, 64 rows per
        intervention, one epoch.
    out : path, optional
        A JSON-lines file; each row is appended and flushed when it is done.
    progress : callable, optional
        Called with a one-line message after each row.
    methods : iterable of str, default=METHODS
        A subset of :data:`METHODS`, run in the order given.
    minority_fraction : float, default=MINORITY_FRACTION
        Rare-class share of the training scenes (ignored when quick).

    Returns
    -------
    rows : list of dict
        Keys :data:`ROW_FIELDS`: ``method``, ``seed``, ``dag`` (its edges
        ``[parent, child]``, None without one), ``code_names``, ``effects``
        (the 4 x 4 matrix, codes in the sampler's order and factors in
        :data:`~imbgan.datasets.PENDULUM_FACTORS` order), then
        :func:`effect_structure`'s ``matched_codes`` (as code names),
        ``own_effects``, ``pair_scores``, ``auroc``, ``shd``,
        ``predicted_edges``, with ``edge_threshold``; ``recall`` and ``f1``
        of the rare class, ``recall_unresampled`` and ``f1_unresampled``
        (the classifier fitted on the training scenes as they are, the same
        in every row of a seed), ``fit_seconds`` (the sampler's
        ``fit_resample``), ``reader`` (what it is) and ``reader_r2`` (per
        factor, held out), ``n_train``, ``n_minority``, ``n_test``,
        ``epochs``, ``effect_samples``, ``quick``, ``device``,
        ``environment`` and ``commit``.
    """
    from .._training import resolve_device
    from ..datasets import make_pendulum
    from ..inspect import code_effects

    methods = tuple(methods)
    unknown = [m for m in methods if m not in METHODS]
    if not methods or unknown:
        raise ValueError(
            f"methods must be a non-empty subset of {METHODS}; unknown: {unknown}."
        )
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must not be empty.")
    sizes = dict(_FULL, n_samples=n_samples)
    if quick:
        seeds = seeds[:1]
        sizes = dict(_QUICK)
        minority_fraction = _QUICK_MINORITY_FRACTION
        epochs = 1 if epochs is None else epochs
    if epochs is None:
        epochs = DEFAULT_EPOCHS
    torch_device = resolve_device(device)
    provenance = {"environment": environment(torch_device), "commit": source_commit()}
    out_path = None if out is None else Path(out)
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)

    rows = []
    for seed in seeds:
        streams = _streams(seed)
        X, y, _ = make_pendulum(
            sizes["n_samples"],
            minority_fraction=minority_fraction,
            random_state=streams["train"],
        )
        per_class = sizes["n_test_per_class"]
        X_test, y_test, _ = make_pendulum(
            2 * per_class, minority_fraction=0.5, random_state=streams["test"]
        )
        reader, reader_r2 = _fit_reader(sizes["n_reader"], streams["reader"])
        reference = _classify(X, y, X_test, y_test)
        for method in methods:
            sampler = _sampler(
                method, seed=seed, epochs=epochs, device=str(torch_device)
            )
            start = time.perf_counter()
            X_res, y_res = sampler.fit_resample(X, y)
            fit_seconds = time.perf_counter() - start
            effects, direct = (
                code_effects(
                    sampler,
                    0,
                    reader=reader.predict,
                    value=EFFECT_VALUE,
                    n_samples=sizes["n_effect"],
                    direct=hold_others,
                    random_state=seed,
                )
                for hold_others in (False, True)
            )
            structure = effect_structure(effects, direct=direct)
            names = [str(name) for name in sampler.code_names_]
            structure["matched_codes"] = [names[c] for c in structure["matched_codes"]]
            row = {
                "method": method,
                "seed": seed,
                "dag": _dag_of(method),
                "code_names": names,
                "effects": np.asarray(effects, dtype=float).tolist(),
                "direct_effects": np.asarray(direct, dtype=float).tolist(),
                **structure,
                "edge_threshold": EDGE_THRESHOLD,
                **_classify(X_res, y_res, X_test, y_test),
                "recall_unresampled": reference["recall"],
                "f1_unresampled": reference["f1"],
                "fit_seconds": float(fit_seconds),
                "reader": (
                    f"RidgeCV(alphas={list(_READER_ALPHAS)}) on the pixels, "
                    f"{sizes['n_reader']} real scenes, R^2 on the "
                    f"{_READER_HELD_OUT:.0%} held out"
                ),
                "reader_r2": reader_r2,
                "n_train": int(len(y)),
                "n_minority": int(np.sum(y == 1)),
                "n_test": int(len(y_test)),
                "epochs": int(epochs),
                "effect_samples": int(sizes["n_effect"]),
                "quick": bool(quick),
                "device": str(torch_device),
                **provenance,
            }
            rows.append(row)
            if out_path is not None:
                append_jsonl(out_path, row)
            if progress is not None:
                progress(
                    f"dag seed={seed} {method}: AUROC {row['auroc']:.3f} SHD "
                    f"{row['shd']} recall {row['recall']:.3f} F1 {row['f1']:.3f} "
                    f"(fit {fit_seconds:.1f}s)"
                )
    return rows


# -- the summary -------------------------------------------------------------

SUMMARY_FIELDS = ("auroc", "shd", "recall", "f1", "fit_seconds")


def _mean_sd(values: Sequence[float]) -> str:
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return f"{values.mean():.3f}"
    return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}"


def summarize_dag(rows: Iterable[Mapping]) -> str:
    """A Markdown table of :func:`run_dag_benchmark` rows: mean ± sd per method.

    Over seeds (``ddof=1``; the mean alone for one seed): the AUROC, the
    SHD, the rare class's recall and F1 and the fit seconds, one line per
    method in the order of :data:`METHODS`, then the classifier's recall and
    F1 without resampling (one value per seed) and the reader's mean R^2.
    """
    rows = list(rows)
    if not rows:
        return "no rows\n"
    present = {row["method"] for row in rows}
    ordered = [m for m in METHODS if m in present] + sorted(present - set(METHODS))
    lines = [
        "| method | seeds | " + " | ".join(SUMMARY_FIELDS) + " |",
        "|---" * (len(SUMMARY_FIELDS) + 2) + "|",
    ]
    for method in ordered:
        mine = [row for row in rows if row["method"] == method]
        cells = [_mean_sd([row[k] for row in mine]) for k in SUMMARY_FIELDS]
        lines.append(f"| {method} | {len(mine)} | " + " | ".join(cells) + " |")
    by_seed = {row["seed"]: row for row in rows}
    reference = [by_seed[s] for s in sorted(by_seed)]
    lines.append("")
    lines.append(
        "without resampling: recall "
        f"{_mean_sd([r['recall_unresampled'] for r in reference])}, F1 "
        f"{_mean_sd([r['f1_unresampled'] for r in reference])}; reader R^2 "
        f"{_mean_sd([np.mean(list(r['reader_r2'].values())) for r in reference])} "
        f"({len(reference)} seeds)"
    )
    return "\n".join(lines) + "\n"
