"""The paper's image experiments: the fixed CNN protocol and the FactorVAE score.

The protocol (``PROTOCOL.md`` in the project's shared folder): a seeded
imbalanced split of the official MNIST or Fashion-MNIST training set (class
8 has IR 67, class 9 IR 100, or class 9 at a chosen IR), one of six
resampling methods, one fixed small CNN trained on the result, and the
metrics of classes 8 and 9 plus ACSA and macro-F1 on the full official test
set. The seed drives the split, the sampler and the classifier.

- :class:`SmallCNN`, :func:`train_cnn`, :func:`evaluate`: the classifier;
- :func:`resample`: the six methods (:data:`METHODS`);
- :func:`run_paper`, :func:`summarize_paper`: the runs and their table, with
  a paired t-test of BayesGAN against the best baseline of the same run;
- :func:`factor_vae_score`, :func:`run_disentangle`: the FactorVAE metric
  (Kim & Mnih 2018) of the discriminator's code head on dSprites-style shapes,
  with MIG and DCI (:mod:`imbgan.benchmark._metrics`) beside it;
- :func:`plot_ir_sweep`, :func:`plot_minority_grid`: figures (matplotlib).

Nothing here draws from numpy's, Python's or torch's global random state:
every random draw comes from a generator seeded from the run's seed, so a
run on the CPU is repeatable bit for bit.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._figures import new_figure
from .._training import resolve_device
from ._provenance import append_jsonl, environment, source_commit

__all__ = [
    "METHODS",
    "PAPER_FACTOR_VAE",
    "SmallCNN",
    "evaluate",
    "factor_vae_score",
    "merge_disentangle",
    "plot_ir_sweep",
    "plot_minority_grid",
    "predict",
    "resample",
    "run_disentangle",
    "run_paper",
    "summarize_paper",
    "train_cnn",
]

METHODS = ("none", "weighted", "ros", "smote", "infogan", "bayesgan")
"""The methods compared side by side, in the order of the tables."""

BASELINES = ("none", "weighted", "ros", "smote")
"""The methods BayesGAN is tested against (the best of them in each run)."""

DATASETS = ("mnist", "fashion-mnist")

CNN_EPOCHS = {"mnist": 8, "fashion-mnist": 25}
"""Epochs of the fixed CNN, as in the protocol."""

PAPER_FACTOR_VAE = {"bayesgan": 0.585, "infogan": 0.525}
"""FactorVAE scores the paper reports (its method; InfoGAN)."""

METRICS = ("recall8", "f1_8", "recall9", "f1_9", "acsa", "macro_f1")

ROW_FIELDS = (
    "dataset",
    "method",
    "seed",
    "ir",
    "evaluated_on",
    *METRICS,
    "fit_seconds",
    "cnn_seconds",
    "n_train",
    "device",
    "environment",
    "commit",
)
"""The keys of every row :func:`run_paper` returns, in order."""

FACTOR_NAMES = ("shape", "scale", "rotation", "pos_x", "pos_y")
METRIC_FACTORS = ("scale", "rotation", "pos_x", "pos_y")
"""The factors MIG and DCI score the codes on: all but the shape, the class
label, which the generator receives apart from its codes."""

_IMAGE_SIDE = 28
_QUICK_PER_CLASS = 100
_QUICK_TEST_ROWS = 1000
VALIDATION_PER_CLASS = 1000
"""Rows per class of the validation set (as many as the official test set's)."""
EVALUATION_SETS = ("test", "validation")
_EVAL_BATCH = 1000


# -- seeds -------------------------------------------------------------------


def _child_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent integer seeds derived from ``seed``.

    Separate streams for initialisation, batch order and dropout, so that,
    e.g., changing the number of epochs does not change the initial weights.
    """
    state = np.random.SeedSequence(int(seed)).generate_state(n, dtype=np.uint32)
    return [int(s) for s in state]


def _torch_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    rng = torch.Generator(device=device)
    rng.manual_seed(int(seed))
    return rng


# -- the classifier ----------------------------------------------------------


class SmallCNN(nn.Module):
    """The protocol's fixed classifier for 28x28 grey images.

    ``conv 5x5 32 -> ReLU -> maxpool 2 -> conv 5x5 64 -> ReLU -> maxpool 2 ->
    flatten -> dropout 0.5 -> dense 1000 -> ReLU -> dense 10``.

    Both convolutions use "same" padding (2 pixels), as TensorFlow's classic
    MNIST CNN that this architecture comes from: 28 -> 14 -> 7, so the dense
    layer sees ``64 * 7 * 7 = 3136`` features (3,199,106 parameters in all
    for 10 classes). Dropout sits on the flattened convolutional features,
    just before the 1000-unit layer.

    The module is built on the ``meta`` device and initialised from a
    ``torch.Generator`` seeded with ``seed``, with PyTorch's default
    distributions (Kaiming-uniform weights, uniform biases), so building it
    never touches torch's global random state. Dropout draws its mask from
    the generator passed to :meth:`forward` for the same reason.

    Parameters
    ----------
    n_classes : int, default=10
        Number of outputs.
    seed : int, default=0
        Seeds the initial weights.
    dropout : float, default=0.5
        Probability of zeroing a flattened feature during training.
    """

    def __init__(self, n_classes: int = 10, *, seed: int = 0, dropout: float = 0.5):
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {dropout!r}.")
        self.n_classes = int(n_classes)
        self.dropout = float(dropout)
        side = _IMAGE_SIDE // 4  # two 2x2 poolings of a "same"-padded map
        with torch.device("meta"):
            self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
            self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
            self.fc1 = nn.Linear(64 * side * side, 1000)
            self.fc2 = nn.Linear(1000, self.n_classes)
        self.to_empty(device="cpu")
        self._initialise(_torch_generator(seed))

    @torch.no_grad()
    def _initialise(self, rng: torch.Generator) -> None:
        # PyTorch's reset_parameters() distributions, drawn from ``rng``.
        for layer in (self.conv1, self.conv2, self.fc1, self.fc2):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=rng)
            fan_in = layer.weight[0].numel()
            bound = 1.0 / math.sqrt(fan_in)
            nn.init.uniform_(layer.bias, -bound, bound, generator=rng)

    def forward(
        self, x: torch.Tensor, dropout_rng: torch.Generator | None = None
    ) -> torch.Tensor:
        """Class logits of a batch of images.

        Parameters
        ----------
        x : Tensor of shape (n, 784) or (n, 1, 28, 28)
            Pixels in ``[0, 1]``.
        dropout_rng : torch.Generator, optional
            On the device of ``x``; draws the dropout mask. Required in
            training mode (there is no fall-back to the global generator);
            ignored in eval mode, where dropout is the identity.

        Returns
        -------
        logits : Tensor of shape (n, n_classes)
        """
        h = x.reshape(-1, 1, _IMAGE_SIDE, _IMAGE_SIDE)
        h = F.max_pool2d(F.relu(self.conv1(h)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = h.flatten(1)
        if self.training and self.dropout > 0:
            if dropout_rng is None:
                raise RuntimeError(
                    "SmallCNN in training mode needs dropout_rng (a seeded "
                    "torch.Generator on the input's device); call .eval() to "
                    "predict."
                )
            keep = 1.0 - self.dropout
            mask = torch.rand(h.shape, generator=dropout_rng, device=h.device) < keep
            h = h * mask / keep  # inverted dropout: no rescaling at test time
        h = F.relu(self.fc1(h))
        return self.fc2(h)


def _as_unit_images(X: np.ndarray, name: str = "X") -> np.ndarray:
    """``X`` as float32 pixels in ``[0, 1]``; uint8 pixels are divided by 255."""
    X = np.asarray(X)
    if X.ndim != 2:
        X = X.reshape(len(X), -1)
    if X.dtype == np.uint8:
        return X.astype(np.float32) / np.float32(255.0)
    X = X.astype(np.float32, copy=False)
    if X.size and (X.min() < -1e-6 or X.max() > 1 + 1e-6):
        raise ValueError(
            f"{name} must hold pixels in [0, 1] (or uint8); got values in "
            f"[{X.min():g}, {X.max():g}]."
        )
    return X


def _weight_vector(
    class_weight: Mapping[int, float] | Sequence[float] | np.ndarray | None,
    n_classes: int,
) -> np.ndarray | None:
    if class_weight is None:
        return None
    weights = np.ones(n_classes, dtype=np.float32)
    if isinstance(class_weight, Mapping):
        for klass, w in class_weight.items():
            weights[int(klass)] = float(w)
    else:
        weights[:] = np.asarray(class_weight, dtype=np.float32)
    return weights


def train_cnn(
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 64,
    lr: float = 1e-4,
    class_weight: Mapping[int, float] | Sequence[float] | None = None,
    seed: int,
    device: str | torch.device = "auto",
    n_classes: int = 10,
) -> SmallCNN:
    """Train a fresh :class:`SmallCNN` with Adam; return it in eval mode.

    Parameters
    ----------
    X : ndarray of shape (n, 784)
        float32 pixels in ``[0, 1]`` (uint8 pixels are scaled by 1/255).
    y : ndarray of shape (n,)
        Integer labels in ``[0, n_classes)``.
    epochs : int
        Passes over the data; each is a fresh permutation cut into batches
        (the last batch may be smaller).
    batch_size : int, default=64
    lr : float, default=1e-4
        Adam's step size (other Adam settings are PyTorch's defaults).
    class_weight : mapping or sequence of float, optional
        Weight of each class in the cross-entropy. The batch loss is
        ``sum_i w[y_i] * ce_i / batch_size`` (Keras' ``class_weight``), an
        unbiased estimate of the weighted risk, rather than PyTorch's
        ``weight=`` mean, which divides by the batch's weight sum and so
        undoes most of the weighting in a batch that holds a rare sample.
    seed : int
        Seeds the initial weights, the batch order and the dropout masks
        (three separate streams).
    device : str or torch.device, default="auto"
        The data are moved there once.
    n_classes : int, default=10

    Returns
    -------
    model : SmallCNN
        On ``device``, in eval mode.
    """
    device = resolve_device(str(device))
    X = _as_unit_images(X)
    y = np.asarray(y)
    if X.shape[1] != _IMAGE_SIDE * _IMAGE_SIDE:
        raise ValueError(f"X must have 784 columns (28x28 images); got {X.shape[1]}.")
    if len(X) != len(y) or len(y) == 0:
        raise ValueError(
            f"X and y must be non-empty and aligned; got {len(X)} rows "
            f"and {len(y)} labels."
        )
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"labels must be in [0, {n_classes}); got {np.unique(y)}.")
    init_seed, order_seed, dropout_seed = _child_seeds(seed, 3)
    model = SmallCNN(n_classes, seed=init_seed).to(device)
    X_t = torch.as_tensor(X, device=device).view(-1, 1, _IMAGE_SIDE, _IMAGE_SIDE)
    y_t = torch.as_tensor(y.astype(np.int64), device=device)
    weights = _weight_vector(class_weight, n_classes)
    w_t = None if weights is None else torch.as_tensor(weights, device=device)
    # Batch order is drawn on the CPU so it is the same on every device.
    order_rng = _torch_generator(order_seed, "cpu")
    dropout_rng = _torch_generator(dropout_seed, device)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(y)
    model.train()
    for _ in range(int(epochs)):
        order = torch.randperm(n, generator=order_rng).to(device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            logits = model(X_t[idx], dropout_rng)
            target = y_t[idx]
            if w_t is None:
                loss = F.cross_entropy(logits, target)
            else:
                per_row = F.cross_entropy(logits, target, reduction="none")
                loss = (w_t[target] * per_row).mean()
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
    model.eval()
    return model


@torch.no_grad()
def predict(model: SmallCNN, X: np.ndarray) -> np.ndarray:
    """Predicted labels of ``X`` (pixels in ``[0, 1]`` or uint8), in batches."""
    X = _as_unit_images(X)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    for start in range(0, len(X), _EVAL_BATCH):
        batch = torch.as_tensor(X[start : start + _EVAL_BATCH], device=device)
        out.append(model(batch).argmax(1).cpu().numpy())
    model.train(was_training)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def evaluate(model: SmallCNN, X_test: np.ndarray, y_test: np.ndarray) -> dict:
    """The protocol's metrics of ``model`` on a test set.

    Returns
    -------
    metrics : dict of str to float
        ``recall8``, ``f1_8``, ``recall9``, ``f1_9`` (classes 8 and 9),
        ``acsa`` (balanced accuracy: the mean per-class recall over the
        classes present in ``y_test``) and ``macro_f1`` (over all
        ``model.n_classes`` classes; an undefined F1 counts as 0).
    """
    from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score

    y_test = np.asarray(y_test)
    y_pred = predict(model, X_test)
    labels = np.arange(model.n_classes)
    recall = recall_score(y_test, y_pred, labels=labels, average=None, zero_division=0)
    f1 = f1_score(y_test, y_pred, labels=labels, average=None, zero_division=0)
    return {
        "recall8": float(recall[8]),
        "f1_8": float(f1[8]),
        "recall9": float(recall[9]),
        "f1_9": float(f1[9]),
        "acsa": float(balanced_accuracy_score(y_test, y_pred)),
        "macro_f1": float(f1.mean()),
    }


# -- the resampling methods ----------------------------------------------------


def _gan_sampler(method: str, **params: Any):
    from .. import BayesGANOversampler, InfoGANOversampler

    cls = {"infogan": InfoGANOversampler, "bayesgan": BayesGANOversampler}[method]
    return cls(**params)


def resample(
    method: str,
    X: np.ndarray,
    y: np.ndarray,
    *,
    seed: int,
    device: str | torch.device = "auto",
    gan_epochs: int | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[int, float] | None, float]:
    """Apply one of :data:`METHODS` to a training set.

    Parameters
    ----------
    method : {"none", "weighted", "ros", "smote", "infogan", "bayesgan"}
        ``none``: the data as they are; ``weighted``: the data as they are
        plus inverse-frequency class weights ``n / (k * n_c)`` for the loss;
        ``ros``: :class:`~imblearn.over_sampling.RandomOverSampler`;
        ``smote``: :class:`~imblearn.over_sampling.SMOTE` with its defaults;
        ``infogan`` / ``bayesgan``: the imbgan samplers with
        ``image_shape=(1, 28, 28)`` and the library's defaults otherwise.
        Every sampler balances all classes to the largest one.
    X : ndarray of shape (n, 784)
        Pixels, uint8 or in ``[0, 1]``; scaled to float32 ``[0, 1]`` before
        any method sees them.
    y : ndarray of shape (n,)
    seed : int
        ``random_state`` of the sampler.
    device : str or torch.device, default="auto"
        Where the GAN samplers train.
    gan_epochs : int, optional
        ``epochs`` of the GAN samplers; ``None`` keeps the library default.

    Returns
    -------
    X_res : ndarray of shape (n_res, 784), float32
        The original rows first, then the synthetic ones.
    y_res : ndarray of shape (n_res,)
    class_weight : dict of int to float or None
        Only for ``weighted``.
    fit_seconds : float
        Wall time of the sampler's ``fit_resample`` (0 for none/weighted).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    X = _as_unit_images(X)
    y = np.asarray(y)
    if method == "none":
        return X, y, None, 0.0
    if method == "weighted":
        classes, counts = np.unique(y, return_counts=True)
        n, k = len(y), len(classes)
        weights = {
            int(c): float(n / (k * m)) for c, m in zip(classes, counts, strict=True)
        }
        return X, y, weights, 0.0
    if method == "ros":
        from imblearn.over_sampling import RandomOverSampler

        sampler = RandomOverSampler(random_state=seed)
    elif method == "smote":
        from imblearn.over_sampling import SMOTE

        sampler = SMOTE(random_state=seed)
    else:
        params: dict[str, Any] = {
            "image_shape": (1, _IMAGE_SIDE, _IMAGE_SIDE),
            "random_state": seed,
            "device": str(device),
        }
        if gan_epochs is not None:
            params["epochs"] = int(gan_epochs)
        sampler = _gan_sampler(method, **params)
    start = time.perf_counter()
    X_res, y_res = sampler.fit_resample(X, y)
    seconds = time.perf_counter() - start
    return np.asarray(X_res, dtype=np.float32), np.asarray(y_res), None, seconds


# -- the runs ----------------------------------------------------------------


def _default_loader(data_dir):
    def load(dataset: str, split: str):
        from .. import datasets

        fn = {
            "mnist": datasets.load_mnist,
            "fashion-mnist": datasets.load_fashion_mnist,
        }
        return fn[dataset](data_dir, split=split)

    return load


def _cap_per_class(
    y: np.ndarray, per_class: int, rng: np.random.Generator
) -> np.ndarray:
    """Sorted indices keeping at most ``per_class`` rows of each class."""
    keep = []
    for klass in np.unique(y):
        rows = np.flatnonzero(y == klass)
        if len(rows) > per_class:
            rows = rng.choice(rows, per_class, replace=False)
        keep.append(rows)
    return np.sort(np.concatenate(keep))


def _validation_rows(
    y_train: np.ndarray, split_rows: np.ndarray, per_class: int, seed: int
) -> np.ndarray:
    """Sorted indices of a balanced validation set disjoint from the split.

    Drawn from the official training rows the imbalanced split left out, so
    that defaults and hyper-parameters are tuned without ever touching the
    official test set.
    """
    unused = np.setdiff1d(np.arange(len(y_train)), split_rows)
    missing = np.setdiff1d(np.unique(y_train), y_train[unused])
    if missing.size:
        raise ValueError(
            f"the split uses every training row of class {missing[0]}: none is "
            "left for a validation set."
        )
    # A stream of its own: the split's and the sampler's draws are unchanged.
    rng = np.random.default_rng([seed, 1])
    return unused[_cap_per_class(y_train[unused], per_class, rng)]


def run_key(row: Mapping) -> tuple:
    """The ``(dataset, method, seed, ir)`` key of a :func:`run_paper` row."""
    return (row["dataset"], row["method"], row["seed"], row["ir"])


def planned_runs(
    datasets: Iterable[str],
    methods: Iterable[str],
    seeds: Iterable[int],
    irs: Iterable[int | None],
    quick: bool = False,
) -> set[tuple]:
    """The keys of the runs :func:`run_paper` makes for these arguments."""
    return {
        (dataset, method, seed, ir)
        for dataset in datasets
        for method in methods
        for seed in _seeds_run(seeds, quick)
        for ir in irs
    }


def _seeds_run(seeds: Iterable[int], quick: bool) -> list[int]:
    seeds = [int(s) for s in seeds]
    return seeds[:1] if quick else seeds  # a quick run: the first seed only


def run_paper(
    *,
    dataset: str = "mnist",
    methods: Iterable[str] = METHODS,
    seeds: Iterable[int] = (0, 1, 2),
    irs: Iterable[int | None] = (None,),
    data_dir=None,
    device: str = "auto",
    out=None,
    quick: bool = False,
    cnn_epochs: int | None = None,
    gan_epochs: int | None = None,
    progress: Callable[[str], None] | None = None,
    loader: Callable[[str, str], tuple[np.ndarray, np.ndarray]] | None = None,
    counts: Sequence[int] | None = None,
    samples: dict[str, np.ndarray] | None = None,
    evaluate_on: str = "test",
    skip: Collection[tuple] = (),
    deadline: float | None = None,
) -> list[dict]:
    """Run the image protocol: every IR, seed and method; one row per run.

    For each ``ir``, ``seed`` and ``method``: the imbalanced split
    ``make_imbalance_protocol(train, counts=counts, ir=ir, random_state=seed)``
    (shared by all methods of that seed), :func:`resample`, :func:`train_cnn`
    with ``seed``, and :func:`evaluate` on the full official test set.

    Parameters
    ----------
    dataset : {"mnist", "fashion-mnist"}, default="mnist"
    methods : iterable of str, default=METHODS
    seeds : iterable of int, default=(0, 1, 2)
        Each seed drives the split, the sampler and the classifier.
    irs : iterable of int or None, default=(None,)
        Imbalance ratio of class 9 (it gets ``round(4000 / ir)`` rows);
        ``None`` is the standard split (class 8 IR 67, class 9 IR 100).
    data_dir : path, optional
        Where the IDX files are (see :mod:`imbgan.datasets`).
    device : str, default="auto"
    out : path, optional
        A JSON-lines file; each row is appended and flushed as it is done,
        so an interrupted run keeps what it finished.
    quick : bool, default=False
        A smoke run: at most 100 rows per class of the split (the 60 and 40
        of classes 8 and 9 stay), the first 1000 test rows, one CNN epoch,
        one GAN epoch, the first seed only.
    cnn_epochs : int, optional
        Default 8 for MNIST and 25 for Fashion-MNIST (1 when quick).
    gan_epochs : int, optional
        Default: the library's (1 when quick).
    progress : callable, optional
        Called with a one-line message after each row.
    loader : callable, optional
        ``loader(dataset, split) -> (X, y)`` with ``split`` in
        ``{"train", "test"}``; default reads the IDX files from ``data_dir``.
    counts : sequence of int, optional
        Rows per class of the split, passed to ``make_imbalance_protocol``
        (default: the protocol's ``(4000, 2000, ..., 60, 40)``).
    samples : dict, optional
        Filled, for the first IR and seed, with up to 8 class-9 images in
        ``[0, 1]``: ``"real"`` (from the split) and, per over-sampling
        method, its first synthetic ones (for :func:`plot_minority_grid`).
    evaluate_on : {"test", "validation"}, default="test"
        ``"test"``: the official test set. ``"validation"``: for tuning, a
        balanced set of :data:`VALIDATION_PER_CLASS` rows per class drawn
        (per seed) from the official training rows the split left out; the
        test set is then not even loaded. The split, samplers and CNNs are
        the same either way.
    skip : collection of tuple, default=()
        Runs to leave out, as ``(dataset, method, seed, ir)`` keys (the
        fields of a row, e.g. those of a result file that a run resumes).
        Every run depends on its own key only, so the others are unchanged.
    deadline : float, optional
        A :func:`time.monotonic` time after which no new run starts (one
        under way finishes): a run that must fit a time limit returns the
        rows it finished, and a later call with ``skip`` goes on.

    Returns
    -------
    rows : list of dict
        Keys :data:`ROW_FIELDS`: ``dataset``, ``method``, ``seed``, ``ir``
        (``None`` for the standard split), ``evaluated_on``, the six
        metrics, ``fit_seconds`` (the sampler's fit; 0 for none/weighted),
        ``cnn_seconds``, ``n_train`` (rows the CNN was trained on, after
        resampling), ``device``, ``environment`` (processor, GPU and library
        versions: CPU rows are bit-reproducible only where these agree) and
        ``commit`` (the git commit of the imbgan copy that ran, ``+dirty``
        when it had uncommitted changes; None outside a git checkout).
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}; got {dataset!r}.")
    methods = tuple(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ValueError(
            f"methods must be a non-empty subset of {METHODS}; unknown: {unknown}."
        )
    if evaluate_on not in EVALUATION_SETS:
        raise ValueError(
            f"evaluate_on must be one of {EVALUATION_SETS}; got {evaluate_on!r}."
        )
    seeds = _seeds_run(seeds, quick)
    irs = [None if ir is None else int(ir) for ir in irs]
    if not seeds or not irs:
        raise ValueError("seeds and irs must not be empty.")
    if quick:
        cnn_epochs = 1 if cnn_epochs is None else cnn_epochs
        gan_epochs = 1 if gan_epochs is None else gan_epochs
    if cnn_epochs is None:
        cnn_epochs = CNN_EPOCHS[dataset]
    torch_device = resolve_device(device)
    # where every row of this run comes from (the same for all of them)
    provenance = {"environment": environment(torch_device), "commit": source_commit()}
    load = loader if loader is not None else _default_loader(data_dir)
    from ..datasets import make_imbalance_protocol

    X_train, y_train = load(dataset, "train")
    y_train = np.asarray(y_train)
    if evaluate_on == "test":
        X_test, y_test = load(dataset, "test")
        if quick:
            X_test, y_test = X_test[:_QUICK_TEST_ROWS], y_test[:_QUICK_TEST_ROWS]
        X_test = _as_unit_images(X_test, "X_test")
    out_path = None if out is None else Path(out)
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)

    rows = []
    skip = set(skip)
    for ir in irs:
        for seed in seeds:
            todo = [m for m in methods if (dataset, m, seed, ir) not in skip]
            if not todo:
                continue
            # The split as row indices (the draw depends on y and the seed
            # only), so that the validation set can avoid its rows.
            split_rows, y_split = make_imbalance_protocol(
                np.arange(len(y_train)),
                y_train,
                counts=counts,
                ir=ir,
                random_state=seed,
            )
            X_split = X_train[split_rows]
            if quick:
                keep = _cap_per_class(
                    np.asarray(y_split), _QUICK_PER_CLASS, np.random.default_rng(seed)
                )
                X_split, y_split = X_split[keep], y_split[keep]
            if evaluate_on == "validation":
                per_class = _QUICK_TEST_ROWS // 10 if quick else VALIDATION_PER_CLASS
                held_out = _validation_rows(y_train, split_rows, per_class, seed)
                X_test = _as_unit_images(X_train[held_out], "X_validation")
                y_test = y_train[held_out]
            for method in todo:
                if deadline is not None and time.monotonic() >= deadline:
                    return rows
                X_res, y_res, class_weight, fit_seconds = resample(
                    method,
                    X_split,
                    y_split,
                    seed=seed,
                    device=str(torch_device),
                    gan_epochs=gan_epochs,
                )
                if samples is not None and (ir, seed) == (irs[0], seeds[0]):
                    _keep_minority_samples(samples, method, X_res, y_res, len(y_split))
                start = time.perf_counter()
                model = train_cnn(
                    X_res,
                    y_res,
                    epochs=cnn_epochs,
                    class_weight=class_weight,
                    seed=seed,
                    device=torch_device,
                )
                cnn_seconds = time.perf_counter() - start
                row = {
                    "dataset": dataset,
                    "method": method,
                    "seed": seed,
                    "ir": ir,
                    "evaluated_on": evaluate_on,
                    **evaluate(model, X_test, y_test),
                    "fit_seconds": float(fit_seconds),
                    "cnn_seconds": float(cnn_seconds),
                    "n_train": len(y_res),
                    "device": str(torch_device),
                    **provenance,
                }
                rows.append(row)
                if out_path is not None:
                    append_jsonl(out_path, row)
                if progress is not None:
                    progress(
                        f"{dataset} ir={'std' if ir is None else ir} seed={seed} "
                        f"{method}: recall8 {row['recall8']:.3f} recall9 "
                        f"{row['recall9']:.3f} acsa {row['acsa']:.3f} "
                        f"(fit {fit_seconds:.1f}s, cnn {cnn_seconds:.1f}s)"
                    )
    return rows


def _keep_minority_samples(
    samples: dict, method: str, X_res: np.ndarray, y_res: np.ndarray, n_split: int
) -> None:
    """Record real and synthetic class-9 images (originals come first)."""
    y_res = np.asarray(y_res)
    if "real" not in samples:
        samples["real"] = X_res[:n_split][y_res[:n_split] == 9][:8]
    synthetic = X_res[n_split:][y_res[n_split:] == 9][:8]
    if len(synthetic):
        samples[method] = synthetic


# -- the summary -------------------------------------------------------------


def _mean_sd(values: Sequence[float]) -> str:
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return f"{values.mean():.3f}"
    return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}"


def _minority_recall(row: Mapping) -> float:
    return (row["recall8"] + row["recall9"]) / 2


def _ttest_line(group: list[Mapping]) -> str:
    """The paired t-test of BayesGAN against the best baseline of ``group``."""
    from scipy.stats import ttest_rel

    what = "mean minority recall (recall8+recall9)/2"
    by_method: dict[str, dict[int, float]] = {}
    for row in group:
        by_method.setdefault(row["method"], {})[row["seed"]] = _minority_recall(row)
    baselines = [m for m in BASELINES if m in by_method]
    if "bayesgan" not in by_method or not baselines:
        return f"paired t-test, bayesgan vs best baseline on {what}: n/a (missing)"
    best = max(baselines, key=lambda m: np.mean(list(by_method[m].values())))
    seeds = sorted(set(by_method["bayesgan"]) & set(by_method[best]))
    head = f"paired t-test, bayesgan vs best baseline ({best}) on {what}"
    if not seeds:
        return f"{head}: n/a (no common seed)"
    ours = np.array([by_method["bayesgan"][s] for s in seeds])
    theirs = np.array([by_method[best][s] for s in seeds])
    diff = float(np.mean(ours - theirs))
    if len(seeds) < 2:
        return f"{head}: diff {diff:+.3f}, p = n/a (1 seed)"
    p = float(ttest_rel(ours, theirs).pvalue)
    p_text = f"{p:.3g}" if math.isfinite(p) else "n/a (identical differences)"
    return f"{head}: diff {diff:+.3f}, p = {p_text} ({len(seeds)} seeds)"


def summarize_paper(rows: Iterable[Mapping]) -> str:
    """A text report of :func:`run_paper` rows (or the JSON lines it wrote).

    For each (dataset, ir): a Markdown table of mean ± sd (over seeds,
    ``ddof=1``; the mean alone for one seed) of the six metrics per method,
    then a paired t-test (:func:`scipy.stats.ttest_rel`, paired by seed) of
    BayesGAN's mean minority recall ``(recall8 + recall9) / 2`` against the
    best baseline (the one of none, weighted, ros and smote with the highest
    mean of that quantity in the same group): the mean difference and the
    p-value, or "n/a" with fewer than two common seeds.
    """
    groups: dict[tuple, list[Mapping]] = {}
    for row in rows:
        groups.setdefault((row["dataset"], row["ir"]), []).append(row)

    def order(key):
        dataset, ir = key
        return (dataset, -1 if ir is None else ir)

    lines = []
    for dataset, ir in sorted(groups, key=order):
        group = groups[(dataset, ir)]
        split = "standard split" if ir is None else f"IR {ir}"
        lines.append(f"## {dataset}, {split}")
        lines.append("")
        lines.append("| method | seeds | " + " | ".join(METRICS) + " |")
        lines.append("|---" * (len(METRICS) + 2) + "|")
        present = {row["method"] for row in group}
        ordered = [m for m in METHODS if m in present] + sorted(present - set(METHODS))
        for method in ordered:
            mine = [row for row in group if row["method"] == method]
            cells = [_mean_sd([row[k] for row in mine]) for k in METRICS]
            lines.append(f"| {method} | {len(mine)} | " + " | ".join(cells) + " |")
        lines.append("")
        lines.append(_ttest_line(group))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- disentanglement -----------------------------------------------------------


def _random_factors(
    rng: np.random.Generator, n: int, sizes: Sequence[int]
) -> np.ndarray:
    """``n`` factor vectors, each factor's index uniform over its grid."""
    return np.stack([rng.integers(0, s, size=n) for s in sizes], axis=1).astype(
        np.float64
    )


def factor_vae_score(
    encode: Callable[[np.ndarray], np.ndarray],
    *,
    n_votes: int = 800,
    batch: int = 64,
    image_size: int = 32,
    n_reference: int = 5000,
    train_votes: int | None = None,
    random_state: int | np.random.Generator | None = None,
    render: Callable[..., np.ndarray] | None = None,
    factor_sizes: Sequence[int] | None = None,
) -> float:
    """The FactorVAE disentanglement metric (Kim & Mnih, ICML 2018).

    1. Encode ``n_reference`` images with uniformly random factors; the
       standard deviation of each dimension over them is its scale. Dimensions
       whose scale is (near) zero, at most ``1e-6`` times the largest, are
       dropped, as Kim & Mnih drop collapsed latents.
    2. Each vote: pick a factor ``k`` uniformly among [shape, scale, rotation,
       pos_x, pos_y]; draw ``batch`` factor vectors with factor ``k`` fixed to
       one random value and the others uniform; render and encode them, divide
       each dimension by its scale and take the kept dimension ``d`` with the
       lowest variance. The vote is ``(d, k)``.
    3. The first ``train_votes`` votes fit a majority-vote classifier (each
       dimension predicts the factor it was most often voted for; ties go to
       the lower factor index); the score is its accuracy on the other votes.
       An evaluation vote for a dimension with no training vote is an error.

    Parameters
    ----------
    encode : callable
        ``encode(images float32 (n, image_size**2)) -> (n, d)`` array.
    n_votes : int, default=800
        Votes in all (training plus evaluation).
    batch : int, default=64
        Images per vote (L in the paper).
    image_size : int, default=32
    n_reference : int, default=5000
        Images used to estimate each dimension's scale.
    train_votes : int, optional
        Votes used to fit the classifier; default ``5/8`` of ``n_votes``
        (500 of 800).
    random_state : int, numpy Generator or None
        Seeds every draw (numpy's global state is never used).
    render : callable, optional
        ``render(factors, image_size) -> images``; default
        :func:`imbgan.datasets.render_shapes`.
    factor_sizes : sequence of int, optional
        Grid size of each factor; default ``imbgan.datasets.FACTOR_SIZES``.

    Returns
    -------
    score : float in [0, 1]
    """
    if render is None or factor_sizes is None:
        from .. import datasets

        render = datasets.render_shapes if render is None else render
        if factor_sizes is None:
            factor_sizes = datasets.FACTOR_SIZES
    sizes = tuple(int(s) for s in factor_sizes)
    if n_votes < 2 or batch < 2 or n_reference < 2:
        raise ValueError("n_votes, batch and n_reference must each be at least 2.")
    n_train = round(n_votes * 5 / 8) if train_votes is None else int(train_votes)
    if not 1 <= n_train < n_votes:
        raise ValueError(f"train_votes must be in [1, n_votes); got {n_train}.")
    rng = np.random.default_rng(random_state)

    def features(factors: np.ndarray) -> np.ndarray:
        images = np.asarray(render(factors, image_size), dtype=np.float32)
        reps = np.asarray(encode(images), dtype=np.float64)
        if reps.ndim != 2 or len(reps) != len(factors):
            raise ValueError(
                f"encode must return an (n, d) array; got shape {reps.shape} for "
                f"{len(factors)} images."
            )
        return reps

    scale = features(_random_factors(rng, n_reference, sizes)).std(axis=0)
    keep = np.flatnonzero(scale > 1e-6 * scale.max()) if scale.max() > 0 else []
    if len(keep) == 0:
        raise ValueError("the representation is constant over the reference images.")
    scale = scale[keep]

    dims = np.empty(n_votes, dtype=np.int64)
    factors_voted = np.empty(n_votes, dtype=np.int64)
    # Votes are drawn one after another, then rendered and encoded in chunks
    # of about 4096 images: the chunking changes no draw.
    per_chunk = max(1, 4096 // batch)
    for first in range(0, n_votes, per_chunk):
        chunk = range(first, min(first + per_chunk, n_votes))
        blocks = []
        for v in chunk:
            k = int(rng.integers(len(sizes)))
            block = _random_factors(rng, batch, sizes)
            block[:, k] = rng.integers(sizes[k])
            factors_voted[v] = k
            blocks.append(block)
        reps = features(np.concatenate(blocks))[:, keep] / scale
        reps = reps.reshape(len(chunk), batch, -1)
        dims[first : first + len(chunk)] = np.argmin(reps.var(axis=1, ddof=1), axis=1)

    table = np.zeros((len(keep), len(sizes)), dtype=np.int64)
    np.add.at(table, (dims[:n_train], factors_voted[:n_train]), 1)
    majority = np.where(table.sum(axis=1) > 0, table.argmax(axis=1), -1)
    correct = majority[dims[n_train:]] == factors_voted[n_train:]
    return float(correct.mean())


def _metric_scores(
    encode: Callable[[np.ndarray], np.ndarray], n: int, seed: int
) -> tuple[float, dict]:
    """MIG and DCI of ``encode`` on ``n`` shapes with uniformly random factors.

    The factors are drawn from their own stream (``[seed, 2]``), so the
    FactorVAE score's draws are unchanged; the codes are scored against
    :data:`METRIC_FACTORS` (grid indices, each distinct value one level).
    """
    from .. import datasets
    from ._metrics import dci, mig

    rng = np.random.default_rng([int(seed), 2])
    factors = _random_factors(rng, n, datasets.FACTOR_SIZES)
    images = datasets.render_shapes(factors, image_size=32)
    codes = np.asarray(encode(images), dtype=np.float64)
    columns = [FACTOR_NAMES.index(name) for name in METRIC_FACTORS]
    truth = factors[:, columns]
    return mig(codes, truth), dci(codes, truth, random_state=int(seed))


def run_disentangle(
    *,
    methods: Iterable[str] = ("infogan", "bayesgan"),
    seeds: Iterable[int] = (0,),
    n_samples: int = 10000,
    shape_weights: Sequence[float] = (0.6, 0.3, 0.1),
    device: str = "auto",
    out=None,
    quick: bool = False,
    gan_epochs: int | None = None,
    n_votes: int = 800,
    progress: Callable[[str], None] | None = None,
    n_codes: int | None = 4,
    n_metric_samples: int = 5000,
) -> dict:
    """Disentanglement of the GAN samplers' code heads on imbalanced shapes.

    For each method and seed: ``make_shapes(n_samples, image_size=32,
    shape_weights=shape_weights, random_state=seed)`` (imbalanced by shape;
    the label is the shape), a sampler fitted on it with
    ``image_shape=(1, 32, 32)``, ``n_codes=n_codes`` and
    ``random_state=seed``, and three scores of the encoder that scales
    images with the sampler's ``scaler_`` and returns the third output (the
    extracted codes ``c'``) of its discriminator:

    - :func:`factor_vae_score` (``random_state=seed``), on all five factors;
    - MIG and DCI (:func:`imbgan.benchmark._metrics.mig` and
      :func:`~imbgan.benchmark._metrics.dci`, ``random_state=seed``) of the
      codes of ``n_metric_samples`` shapes whose factors are uniform over
      their grids, against the four factors of :data:`METRIC_FACTORS`
      (scale, rotation, pos_x, pos_y: all but the shape, which is the class).

    Parameters
    ----------
    methods : iterable of {"infogan", "bayesgan"}
    seeds : iterable of int, default=(0,)
    n_samples : int, default=10000
    shape_weights : sequence of float, default=(0.6, 0.3, 0.1)
    device : str, default="auto"
    out : path, optional
        Where to write the result as JSON.
    quick : bool, default=False
        ``n_samples=500``, one GAN epoch, 100 votes.
    gan_epochs : int, optional
        Default: the library's (1 when quick).
    n_votes : int, default=800
    progress : callable, optional
        Called with a one-line message after each score.
    n_codes : int or None, default=4
        Codes of each sampler: by default one per factor that MIG and DCI
        score; ``None`` keeps the library's default (3).
    n_metric_samples : int, default=5000
        Shapes that MIG and DCI are computed on (500 when quick).

    Returns
    -------
    result : dict
        ``{method: {"scores": [...], "mean": float, "fit_seconds": [...],
        "mig": [...], "mig_mean": float, "dci": [{"disentanglement": float,
        "completeness": float, "informativeness": float}, ...],
        "dci_mean": {...}}, ..., "paper": PAPER_FACTOR_VAE, "settings":
        {...}}``; ``scores`` are the FactorVAE scores, one per seed as every
        list.
    """
    methods = tuple(methods)
    if not methods or any(m not in ("infogan", "bayesgan") for m in methods):
        raise ValueError(
            f"methods must be among ('infogan', 'bayesgan'); got {methods}."
        )
    seeds = [int(s) for s in seeds]
    if quick:
        n_samples, n_votes, n_metric_samples = 500, 100, 500
        gan_epochs = 1 if gan_epochs is None else gan_epochs
    torch_device = resolve_device(device)
    from ..datasets import make_shapes

    result: dict[str, Any] = {}
    for method in methods:
        scores, fit_seconds, migs, dcis = [], [], [], []
        for seed in seeds:
            X, y, _ = make_shapes(
                n_samples,
                image_size=32,
                shape_weights=shape_weights,
                random_state=seed,
            )
            params: dict[str, Any] = {
                "image_shape": (1, 32, 32),
                "random_state": seed,
                "device": str(torch_device),
            }
            if gan_epochs is not None:
                params["epochs"] = int(gan_epochs)
            if n_codes is not None:
                params["n_codes"] = int(n_codes)
            sampler = _gan_sampler(method, **params)
            start = time.perf_counter()
            sampler.fit_resample(X, y)  # trains the GAN; the rows are not needed
            fit_seconds.append(time.perf_counter() - start)
            encode = sampler.encode  # the code head on scaled images
            score = factor_vae_score(
                encode,
                n_votes=n_votes,
                image_size=32,
                random_state=seed,
            )
            scores.append(score)
            mig_value, dci_value = _metric_scores(encode, n_metric_samples, seed)
            migs.append(mig_value)
            dcis.append(dci_value)
            if progress is not None:
                progress(
                    f"disentangle {method} seed={seed}: FactorVAE {score:.3f}, "
                    f"MIG {mig_value:.3f}, DCI disentanglement "
                    f"{dci_value['disentanglement']:.3f} "
                    f"(fit {fit_seconds[-1]:.1f}s)"
                )
        result[method] = {
            "scores": scores,
            "mean": float(np.mean(scores)),
            "fit_seconds": fit_seconds,
            **_metric_entries(migs, dcis),
        }
    result["paper"] = dict(PAPER_FACTOR_VAE)
    result["settings"] = {
        "seeds": seeds,
        "n_samples": int(n_samples),
        "shape_weights": [float(w) for w in shape_weights],
        "image_size": 32,
        "gan_epochs": gan_epochs,
        "n_votes": int(n_votes),
        "batch": 64,
        "n_codes": None if n_codes is None else int(n_codes),
        "metric_samples": int(n_metric_samples),
        "metric_factors": list(METRIC_FACTORS),
        "device": str(torch_device),
        "quick": bool(quick),
        "environment": environment(torch_device),
        "commit": source_commit(),
    }
    if out is not None:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def _metric_entries(migs: list[float], dcis: list[Mapping]) -> dict:
    """The MIG and DCI keys of a method's entry: per seed, and their means."""
    return {
        "mig": [float(v) for v in migs],
        "mig_mean": float(np.mean(migs)),
        "dci": [dict(d) for d in dcis],
        "dci_mean": {key: float(np.mean([d[key] for d in dcis])) for key in dcis[0]},
    }


def merge_disentangle(parts: Iterable[Mapping]) -> dict:
    """One :func:`run_disentangle` result from runs of single seeds or methods.

    Each (method, seed) pair is a run of its own, so runs made side by side
    (one process per pair, on a shared GPU) make up the result one command
    would write; seeds are listed in increasing order.

    Raises
    ------
    ValueError
        If the parts' settings differ (other than their seeds) or a (method,
        seed) pair appears twice.
    """
    parts = list(parts)
    if not parts:
        raise ValueError("merge_disentangle needs at least one result.")
    common = [
        {k: v for k, v in part["settings"].items() if k != "seeds"} for part in parts
    ]
    if any(c != common[0] for c in common[1:]):
        raise ValueError(f"the results were run with different settings: {common}.")
    runs: dict[str, dict[int, tuple]] = {}
    for part in parts:
        for method in ("infogan", "bayesgan"):
            if method not in part:
                continue
            entry = part[method]
            n = len(entry["scores"])
            # MIG and DCI are absent from results written before they existed
            migs = entry.get("mig", [None] * n)
            dcis = entry.get("dci", [None] * n)
            for seed, score, seconds, mig_value, dci_value in zip(
                part["settings"]["seeds"],
                entry["scores"],
                entry["fit_seconds"],
                migs,
                dcis,
                strict=True,
            ):
                if seed in runs.setdefault(method, {}):
                    raise ValueError(f"{method} seed {seed} appears twice.")
                runs[method][seed] = (score, seconds, mig_value, dci_value)
    result: dict[str, Any] = {}
    for method, by_seed in runs.items():
        seeds = sorted(by_seed)
        scores = [by_seed[s][0] for s in seeds]
        result[method] = {
            "scores": scores,
            "mean": float(np.mean(scores)),
            "fit_seconds": [by_seed[s][1] for s in seeds],
            "seeds": seeds,
        }
        migs = [by_seed[s][2] for s in seeds]
        dcis = [by_seed[s][3] for s in seeds]
        if all(v is not None for v in migs + dcis):
            result[method].update(_metric_entries(migs, dcis))
    result["paper"] = dict(PAPER_FACTOR_VAE)
    all_seeds = sorted({s for by_seed in runs.values() for s in by_seed})
    result["settings"] = {**common[0], "seeds": all_seeds}
    return result


# -- plots -------------------------------------------------------------------


def plot_ir_sweep(rows: Iterable[Mapping], path, *, standard_ir: int = 100) -> None:
    """Recall of class 9 against the IR, one line per method, to a PNG.

    One panel per dataset; each point is the mean over seeds with a
    standard-deviation error bar. Rows of the standard split (``ir`` None)
    count as IR ``standard_ir`` (class 9 has 40 = 4000 / 100 rows there).
    """
    rows = list(rows)
    datasets = sorted({row["dataset"] for row in rows})
    fig = new_figure(figsize=(5.5 * max(1, len(datasets)), 4), layout="constrained")
    axes = fig.subplots(1, max(1, len(datasets)), squeeze=False)[0]
    for ax, dataset in zip(axes, datasets, strict=False):
        mine = [row for row in rows if row["dataset"] == dataset]
        present = {row["method"] for row in mine}
        for method in [m for m in METHODS if m in present] + sorted(
            present - set(METHODS)
        ):
            by_ir: dict[int, list[float]] = {}
            for row in mine:
                if row["method"] == method:
                    ir = standard_ir if row["ir"] is None else int(row["ir"])
                    by_ir.setdefault(ir, []).append(row["recall9"])
            irs = sorted(by_ir)
            means = [np.mean(by_ir[i]) for i in irs]
            sds = [np.std(by_ir[i], ddof=1) if len(by_ir[i]) > 1 else 0 for i in irs]
            ax.errorbar(irs, means, yerr=sds, marker="o", capsize=3, label=method)
        ax.set_title(dataset)
        ax.set_xlabel("imbalance ratio of class 9")
        ax.set_ylabel("recall of class 9")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.savefig(path, dpi=120)


def plot_minority_grid(samples: Mapping[str, np.ndarray], path, n: int = 8) -> None:
    """A grid of 28x28 images, one row per entry of ``samples``, to a PNG.

    Parameters
    ----------
    samples : mapping of str to ndarray of shape (m, 784) or (m, 28, 28)
        Row label to images; an entry named ``"real"`` (the real minority
        images) is drawn first, the others in the mapping's order (each
        method's synthetic minority images).
    path : path
    n : int, default=8
        Images per row (the first ``n``; fewer leave blank cells).
    """
    names = sorted(samples, key=lambda name: name != "real")  # stable: real first
    fig = new_figure(figsize=(1.0 * n + 1.2, 1.0 * len(names)), layout="constrained")
    axes = fig.subplots(len(names), n, squeeze=False)
    for i, name in enumerate(names):
        images = _as_unit_images(np.asarray(samples[name]), name)
        images = images.reshape(len(images), _IMAGE_SIDE, _IMAGE_SIDE)
        for j in range(n):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j < len(images):
                ax.imshow(images[j], cmap="gray", vmin=0, vmax=1)
            else:
                ax.axis("off")
        axes[i, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    fig.savefig(path, dpi=100)
