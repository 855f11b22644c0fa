"""BayesGANOversampler and InfoGANOversampler: the imbalanced-learn surface.

This module is glue: it validates parameters and data, scales the data, asks
:mod:`imbgan._networks` for the networks, :mod:`imbgan._training` to train
them with a regularizer from :mod:`imbgan._regularizers`, and maps the
generated rows back to the user's space.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, NamedTuple

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution, check_sampling_strategy
from imblearn.utils._docstring import _random_state_docstring
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._augment import translation_shift
from ._conflicts import ClassConflicts
from ._dag import LatentDAG, check_dag
from ._generation import fill_rows
from ._networks import build_networks
from ._persistence import load_sampler, save_sampler
from ._regularizers import BNLikelihoodRegularizer, DAGRegularizer, InfoGANRegularizer
from ._scaling import QuantileScaler, RangeScaler
from ._threads import resolve_threads, torch_threads
from ._training import TrainingConfig, make_generator, resolve_device, train_gan
from ._validation import (
    check_integer_params,
    check_numeric_X,
    check_sampling_strategy_form,
    integer_columns,
)

__all__ = ["BayesGANOversampler", "InfoGANOversampler"]


def _unknown_labels(labels: np.ndarray, classes: np.ndarray) -> list:
    """The distinct entries of ``labels`` that are not in ``classes``."""
    try:
        unknown = labels[~np.isin(labels, classes)]
        return np.unique(unknown).tolist()
    except TypeError:  # unorderable mixes such as None and str: no sorting
        known = set(classes.tolist())
        seen: list = []
        for label in np.atleast_1d(labels).tolist():
            if label not in known and label not in seen:
                seen.append(label)
        return seen


@contextlib.contextmanager
def _restore_on_failure(estimator):
    """Put ``estimator.__dict__`` back as it was if the block raises anything."""
    previous = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(previous)
        raise


# What "auto" means for tabular rows and for images, chosen on the lab
# notebook's tuning sets and MNIST validation split (docs/lab_notebook.md).
_AUTO_VALUES = {
    "ema_decay": (0.999, 0.0),  # 0.0: no averaging
    "class_loss_weight": (0.3, 1.0),  # images: 0.3 lost at IR 500 (I19)
    "noise_scale": (1.3, 1.3),  # images: lever I14, both validation splits
    "projection_discriminator": (0.0, 0.0),  # 1.0: on
    "diff_augment": (0.0, 0.0),  # 1.0: on (images only)
    "spectral_norm": (0.0, 1.0),  # 1.0: on
    "copy_fraction": (0.5, 0.5),
}


def _resolve_auto(name: str, value, image_shape) -> float:
    """The number the training loop uses for parameter ``name``."""
    if value == "auto":
        tabular, image = _AUTO_VALUES[name]
        return tabular if image_shape is None else image
    return float(value or 0.0)  # ema_decay=None means 0.0


def _build_scaler(feature_scaling, max_levels, image_shape) -> RangeScaler:
    """The scaler ``feature_scaling`` names, unfitted; images always min-max."""
    if image_shape is not None:
        if feature_scaling == "quantile":
            raise ValueError(
                "feature_scaling='quantile' applies to tabular rows; images "
                "(image_shape set) are scaled by one global range: use "
                "feature_scaling='auto' or 'minmax'."
            )
        return RangeScaler(per_feature=False, max_levels=max_levels)
    if feature_scaling == "minmax":
        return RangeScaler(per_feature=True, max_levels=max_levels)
    return QuantileScaler(max_levels=max_levels)


_MAX_SEED = 2**31 - 1
# Redrawing contradicting rows: candidates per row still to replace, and
# rounds before the rows left are kept (on data where nearly every row of a
# class contradicts, more rounds would only spend time).
_REDRAW_FACTOR = 4
_REDRAW_ROUNDS = 10
_MIN_IMAGE_SIDE = 8


class _CopySource(NamedTuple):
    """The real rows that ``fit_resample`` copies, and the share of copies."""

    X: np.ndarray
    y: np.ndarray
    fraction: float


_shared_parameters_docstring = """reg_lambda : float, default=1.0
        Weight of the latent-code term in the generator's loss: the DAG
        regularizer of :class:`BayesGANOversampler` (the paper's lambda) or
        the mutual-information term of :class:`InfoGANOversampler`. 0 turns
        it off.

    n_codes : int, default=None
        Number of observed latent codes ``c`` (continuous, uniform on
        ``[-1, 1]``). ``None`` means 3, or the number of features named by
        ``dag`` when a DAG is given.

    image_shape : tuple of (int, int, int), default=None
        ``(channels, height, width)`` when each row of ``X`` is a flattened
        image (C-order, as ``images.reshape(n, -1)``); selects the DCGAN-style
        convolutional networks. Height and width must be at least 8 and their
        product with ``channels`` must equal the number of features. ``None``
        means tabular rows and fully connected networks.

    noise_dim : int, default=32
        Size of the unstructured noise ``z ~ N(0, I)``.

    hidden_units : int, default=None
        Width of the networks: units per hidden layer of the MLPs, or the base
        number of channels of the convolutional networks. ``None`` means 128
        for tabular rows and 32 for images.

    epochs : int, default=100
        Passes over the training data.

    batch_size : int, default=64
        Rows per mini-batch (capped at the number of rows).

    learning_rate : float, default=1e-3
        Adam step size for both networks (``betas=(0.5, 0.999)``).

    balanced_batches : bool, default=True
        Draw mini-batches with equal probability per class, so the GAN sees
        minority classes as often as majority ones.

    fidelity_threshold : float, default=None
        When set, each synthetic sample conditioned on class ``k`` is kept
        only if the discriminator's class head assigns it to ``k`` with
        probability at least ``fidelity_threshold`` (``0.0`` keeps every
        sample whose most likely class is ``k``). Rejected samples are
        redrawn; after a bounded number of rounds the most confident rejected
        samples fill the remaining places, so counts are always exact.
        ``None`` keeps every sample.

    redraw_contradictions : bool, default=True
        In :meth:`fit_resample`, redraw every synthetic row of class ``k``
        that is identical to a training row of another class: the resampled
        data would otherwise hold the same row under two labels, label noise
        by construction. Such rows arise on discrete data, where generated
        values snap to observed levels (lab notebook, L27: 6% to 25% of
        car_good's synthetic minority rows; better balanced accuracy and
        minority F1 in every cell measured). Each such row is replaced by a
        later draw of its class that contradicts no training row; after a
        bounded number of rounds, rows still contradicting are kept, so
        counts are always exact. Rows that contradict nothing are the same
        with either setting, so on continuous data it changes nothing.
        :meth:`sample` does not screen, as it has no training rows at hand.

    copy_fraction : float in [0, 1] or "auto", default="auto"
        In :meth:`fit_resample`, the share of each class's new rows that are
        copies of its real training rows, drawn uniformly with replacement
        as :class:`~imblearn.over_sampling.RandomOverSampler` draws them;
        the rest are generated. 0 generates every new row, 1 is random
        over-sampling. Copies keep the class's exact rows in the data while
        the generated rows add variations of them. ``"auto"`` means 0.5:
        on the MNIST validation split (2 seeds, lab notebook, I5) it raised
        the mean recall of the two minority classes from .844 (every new
        row generated) to .893 (random over-sampling: .886) and the
        balanced accuracy from .946 to .961; on the 12 tabular tuning sets
        (2 seeds, L37 and L38) the mean balanced accuracy from .842 to .856
        (SMOTE .846). :meth:`sample` always generates.

    max_discrete_levels : int, default=10
        A tabular column with at least 2 and at most ``max_discrete_levels``
        distinct values in ``X`` is treated as discrete: every generated
        value is replaced by the nearest value that column takes in ``X``,
        so flags, counts and encoded categories keep their levels. 0 turns
        this off (values are only clipped to the observed range, and
        integer columns rounded). Ignored for images.

    feature_scaling : {{"auto", "quantile", "minmax"}}, default="auto"
        How tabular columns are mapped onto the generator's ``[-1, 1]``
        range and back. ``"quantile"``: through each column's empirical
        distribution (up to 1,000 training quantiles), so heavy tails and
        spikes are spread over the range and generated values follow each
        column's observed marginal. ``"minmax"``: affinely from each
        column's observed ``[min, max]``. ``"auto"`` means ``"quantile"``
        for tabular rows (it raised the mean balanced accuracy of the lab
        notebook's tabular suite, docs/lab_notebook.md) and one global
        min-max range for images, the only scaling images accept.

    class_loss_weight : float or "auto", default="auto"
        Weight of the auxiliary-classifier term in the generator's loss (the
        class head's cross-entropy of the class asked for). A smaller weight
        lets synthetic rows come nearer the class boundary instead of
        crowding where the class head is most confident. ``"auto"`` means
        0.3 for tabular rows, where it raised the tuning suite's mean
        balanced accuracy at some cost in minority F1, and 1 for images:
        0.3 raised the mean minority recall on the MNIST and Fashion-MNIST
        validation splits (+.020 and +.011) but lowered the recall of the
        rarest class at IR 500, 8 training images, on its validation split
        (docs/lab_notebook.md, lever I19).

    noise_scale : float or "auto", default="auto"
        Standard deviation of the noise ``z`` when sampling after training
        (training always draws ``z ~ N(0, I)``); above 1 it widens the
        draws, the opposite of the truncation trick. ``"auto"`` means 1.3:
        for tabular rows it raised the minority F1 of the tuning suite
        without changing its balanced accuracy, and for images it raised
        the mean minority recall on the MNIST and Fashion-MNIST validation
        splits (+.003 and +.016 over 1; 0.7 lost, 1.6 no better), with F1
        and balanced accuracy no lower (docs/lab_notebook.md, levers I14
        and I17).

    projection_discriminator : bool or "auto", default="auto"
        Whether the discriminator's real/fake logit gets a class projection
        term (Miyato & Koyama, 2018), so that it judges each row against the
        rows of its own class; without it only the class head sees the
        class, and the generator may drop the parts of a class that the
        class head finds hard (lab notebook: on car_good, every real
        minority row with one of two levels of a column). ``"auto"`` means
        off: on the lab notebook's tabular suite it traded balanced accuracy
        for minority F1, and with ``class_loss_weight=0.1`` it matched the
        defaults over two seeds (levers L31 to L33); on images it raised
        Fashion-MNIST's validation minority recall by .017, where the plain
        discriminator lets other classes' shapes pass as the minorities,
        and lowered MNIST's by .005 (levers I11, I12).

    diff_augment : bool or "auto", default="auto"
        For images: while training, shift every image the discriminator
        judges, real or generated, by a random whole number of pixels in
        each direction (at most an eighth of the shorter side; the border
        filled with the background, the low end of the range), the same
        random transformation on both sides, so the generator's target is
        unchanged (differentiable augmentation, Zhao et al., 2020). With a
        few dozen images a class the discriminator can otherwise memorise
        them. ``"auto"`` means off: on the MNIST validation split (2 seeds,
        lab notebook, I4) it raised class 8's recall at both seeds and
        lowered class 9's at both, +.010 on their mean, too mixed to make
        it the default. Ignored for tabular rows, which have no pixels to
        shift.

    spectral_norm : bool or "auto", default="auto"
        Whether the discriminator's trunk and real/fake head are spectrally
        normalised (Miyato et al., 2018): each layer's weight divided by
        its largest singular value, estimated by one power iteration per
        training pass, so the discriminator is about 1-Lipschitz and
        cannot sharpen its real/fake boundary around a few dozen minority
        rows faster than the generator can follow. The class and code
        heads are left free. ``"auto"`` means on for images, where it raised
        the mean minority recall of the validation split by .017 on MNIST
        and .013 on Fashion-MNIST, F1 and balanced accuracy up with it (2
        seeds each, lab notebook, I13; on MNIST's test set, checked
        afterwards, +.003 over 3 seeds), and off for tabular rows, where it
        has not been measured.

    ema_decay : float, "auto" or None, default="auto"
        When a float, the generator that samples is an exponential moving
        average of the trained generator's weights over the training steps
        (decay ``min(ema_decay, (1 + t) / (10 + t))`` at step ``t``, so
        roughly the last tenth of a short fit), which smooths out the
        oscillation of GAN training. ``None`` (or 0) samples from the
        generator's final weights; training itself is the same either way.
        ``"auto"`` means 0.999 for tabular rows, whose final-weight samples
        carried a linear artefact that the average removes, and ``None`` for
        images, where the average lowered minority recall on a validation
        split (docs/lab_notebook.md).

    device : str, default="auto"
        ``"auto"`` (CUDA if available, else CPU), ``"cpu"``, ``"cuda"`` or
        ``"cuda:N"``. Resolved at fit time into ``device_``.

    n_threads : int, default=None
        CPU threads torch may use while this estimator trains or samples. It
        is set for the calling thread only and restored afterwards, so other
        code keeps its setting. ``None`` means 1 for tabular rows, whose
        layers are too small to split across cores (more threads only add
        synchronisation, and collapse under any load on the other cores),
        and torch's current setting for images (``torch.get_num_threads()``:
        it follows ``OMP_NUM_THREADS`` and the ``cpu_count // n_jobs`` that
        joblib gives each process of ``GridSearchCV(n_jobs=...)``). Pass it
        explicitly when fitting several estimators in threads of one process.
        Outputs are bit-identical across machines only at the same count;
        the first image fit of a process on more than one thread was seen
        to give, rarely, a second result (torch's CPU ``tanh``; each fit
        and sampling now spends every thread's first ``tanh`` on zeros,
        which prevented it in ``tanh`` alone, see docs/guarantees.md):
        pass 1 where image outputs must repeat.

    precision : {{"float32", "bfloat16"}}, default="float32"
        ``"bfloat16"`` runs the networks' matmuls and convolutions under
        bfloat16 autocast (weights, optimiser and losses stay float32) in
        training and sampling: faster on recent GPUs, rarely on a CPU.

    torch_compile : bool, default=False
        Compile the networks with :func:`torch.compile` for training. Worth
        it for long fits on a GPU; the first epochs pay the compilation
        (seconds to a minute) and it needs a working compiler tool chain.

    cuda_graphs : bool, default=True
        On a CUDA device, record the training step once as a CUDA graph and
        replay it for every full batch. The step is a few hundred small
        kernels that the host launches more slowly than the card runs them;
        replaying them with one call made the default MNIST image fit 8x
        faster on an H200. The draws and the arithmetic are those of the
        plain loop (results agree up to the kernels' rounding). Ignored on a
        CPU, and where the step cannot be recorded: with ``"bfloat16"``,
        ``torch_compile``, differentiable augmentation or a DAG whose
        regularizer solves a linear system, the step runs eagerly.

    {random_state}

        Outputs are bit-identical for the same integer seed on the CPU.

    verbose : int, default=0
        0 is silent, 1 shows a progress bar, 2 prints losses every epoch."""


_shared_attributes_docstring = """sampling_strategy_ : dict
        Number of samples generated per class.

    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

    n_codes_ : int
        Number of latent codes.

    hidden_units_ : int
        The resolved network width.

    image_shape_ : tuple or None
        Validated ``image_shape``.

    device_ : torch.device
        Where the networks live.

    n_threads_ : int
        CPU threads torch used for training and uses for sampling (the
        resolved ``n_threads``).

    generator_, discriminator_ : torch.nn.Module
        The trained networks, in eval mode.

    scaler_ : object
        Maps features to ``[-1, 1]`` and back; its ``levels_`` maps the
        index of each discrete column to the levels samples snap to.

    config_ : object
        The resolved training configuration.

    history_ : dict of str to list of float
        Per-epoch mean losses ``d_loss``, ``g_loss``, ``class_loss``,
        ``reg_loss``, and the ``learning_rate`` used (lower after a
        divergence rollback).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, when ``X`` has string column names."""


class _BaseGANOversampler(BaseOverSampler):
    """Shared machinery of the GAN over-samplers; subclasses set the regularizer."""

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "n_codes": [Interval(Integral, 1, None, closed="left"), None],
        "image_shape": [tuple, list, None],
        "noise_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_units": [Interval(Integral, 1, None, closed="left"), None],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "balanced_batches": ["boolean"],
        "fidelity_threshold": [Interval(Real, 0, 1, closed="both"), None],
        "redraw_contradictions": ["boolean"],
        "copy_fraction": [
            Interval(Real, 0, 1, closed="both"),
            StrOptions({"auto"}),
        ],
        "max_discrete_levels": [Interval(Integral, 0, None, closed="left")],
        "feature_scaling": [StrOptions({"auto", "quantile", "minmax"})],
        "noise_scale": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "class_loss_weight": [
            Interval(Real, 0, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "projection_discriminator": ["boolean", StrOptions({"auto"})],
        "diff_augment": ["boolean", StrOptions({"auto"})],
        "spectral_norm": ["boolean", StrOptions({"auto"})],
        "ema_decay": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"}), None],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "torch_compile": ["boolean"],
        "cuda_graphs": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        reg_lambda=1.0,
        n_codes=None,
        image_shape=None,
        noise_dim=32,
        hidden_units=None,
        epochs=100,
        batch_size=64,
        learning_rate=1e-3,
        balanced_batches=True,
        fidelity_threshold=None,
        redraw_contradictions=True,
        copy_fraction="auto",
        max_discrete_levels=10,
        feature_scaling="auto",
        class_loss_weight="auto",
        noise_scale="auto",
        projection_discriminator="auto",
        diff_augment="auto",
        spectral_norm="auto",
        ema_decay="auto",
        device="auto",
        n_threads=None,
        precision="float32",
        torch_compile=False,
        cuda_graphs=True,
        random_state=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.reg_lambda = reg_lambda
        self.n_codes = n_codes
        self.image_shape = image_shape
        self.noise_dim = noise_dim
        self.hidden_units = hidden_units
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.balanced_batches = balanced_batches
        self.fidelity_threshold = fidelity_threshold
        self.redraw_contradictions = redraw_contradictions
        self.copy_fraction = copy_fraction
        self.max_discrete_levels = max_discrete_levels
        self.feature_scaling = feature_scaling
        self.class_loss_weight = class_loss_weight
        self.noise_scale = noise_scale
        self.projection_discriminator = projection_discriminator
        self.diff_augment = diff_augment
        self.spectral_norm = spectral_norm
        self.ema_decay = ema_decay
        self.device = device
        self.n_threads = n_threads
        self.precision = precision
        self.torch_compile = torch_compile
        self.cuda_graphs = cuda_graphs
        self.random_state = random_state
        self.verbose = verbose

    # -- hooks for the subclasses -------------------------------------------

    def _resolve_codes(self) -> tuple[int, Any]:
        """Return ``(n_codes, regularizer)``; may set fitted attributes."""
        raise NotImplementedError

    # -- validation -----------------------------------------------------------

    def _check_image_shape(self, n_features: int) -> tuple[int, int, int] | None:
        if self.image_shape is None:
            return None
        shape = tuple(self.image_shape)
        if len(shape) != 3 or not all(
            isinstance(s, Integral) and not isinstance(s, bool) for s in shape
        ):
            raise ValueError(
                "image_shape must be a tuple of three integers (channels, height, "
                f"width); got {self.image_shape!r}."
            )
        channels, height, width = (int(s) for s in shape)
        if channels < 1 or height < _MIN_IMAGE_SIDE or width < _MIN_IMAGE_SIDE:
            raise ValueError(
                f"image_shape={self.image_shape!r}: channels must be >= 1 and height "
                f"and width >= {_MIN_IMAGE_SIDE}."
            )
        if channels * height * width != n_features:
            raise ValueError(
                f"image_shape={self.image_shape!r} describes "
                f"{channels * height * width} features but X has {n_features}."
            )
        return channels, height, width

    # -- fitting --------------------------------------------------------------

    def fit(self, X, y, **params):
        with _restore_on_failure(self):
            return super().fit(X, y, **params)

    def fit_resample(self, X, y, **params):
        # An exception or a KeyboardInterrupt anywhere in a fit leaves the
        # estimator as it was before (unfitted or the last complete fit).
        with _restore_on_failure(self):
            # Checks that name the offending column, class or parameter,
            # before imbalanced-learn's validation and before any training.
            self._validate_params()
            check_integer_params(self)
            check_numeric_X(X)
            check_sampling_strategy_form(self.sampling_strategy, y)
            return super().fit_resample(
                X, y, integer_columns=integer_columns(X), **params
            )

    fit.__doc__ = BaseOverSampler.fit.__doc__
    fit_resample.__doc__ = BaseOverSampler.fit_resample.__doc__

    def _fit_resample(self, X, y, integer_columns=None):
        if self.sampling_strategy_ is None and isinstance(
            self.sampling_strategy, Mapping
        ):
            # imbalanced-learn accepts any Mapping but only resolves a dict
            self.sampling_strategy_ = check_sampling_strategy(
                dict(self.sampling_strategy), y, self._sampling_type
            )
        # The networks need dense rows; a sparse X is densified for training
        # and the result is returned sparse, in the input's format.
        X_dense = X.toarray() if sparse.issparse(X) else X
        n_threads = resolve_threads(self.n_threads, self.image_shape)
        with torch_threads(n_threads):
            sample_seed = self._fit_gan(X_dense, y, integer_columns)
        self.n_threads_ = n_threads
        copies = _CopySource(
            X_dense,
            y,
            _resolve_auto("copy_fraction", self.copy_fraction, self.image_shape_),
        )
        conflicts = None
        if self.redraw_contradictions and copies.fraction < 1:
            # Only generated rows are screened; at 1 every new row is a copy.
            conflicts = ClassConflicts(X_dense, np.unique(y, return_inverse=True)[1])
        n_new = sum(self.sampling_strategy_.values())
        y_new = np.concatenate(
            [
                np.full(n, klass, dtype=y.dtype)
                for klass, n in self.sampling_strategy_.items()
            ]
            + [np.empty(0, dtype=y.dtype)]
        )
        if sparse.issparse(X):
            X_new = np.empty((n_new, X.shape[1]), dtype=self.scaler_.dtype_)
            self._fill_strategy(X_new, sample_seed, conflicts, copies)
            X_res = sparse.vstack([X, sparse.csr_matrix(X_new)], format=X.format)
            return X_res, np.hstack([y, y_new])
        # Allocate the result once and write synthetic rows straight into it.
        X_res = np.empty((X.shape[0] + n_new, X.shape[1]), dtype=X.dtype)
        X_res[: X.shape[0]] = X
        self._fill_strategy(X_res[X.shape[0] :], sample_seed, conflicts, copies)
        return X_res, np.hstack([y, y_new])

    def _fit_gan(self, X, y, integer_columns=None) -> int:
        """Fit the GAN on dense ``X``; set the fitted attributes; return a seed.

        ``integer_columns`` marks the columns to round on the way out (from a
        DataFrame's dtypes); ``None`` means "as ``X.dtype`` says".
        """
        if not np.issubdtype(X.dtype, np.number) and X.dtype != np.bool_:
            raise ValueError(
                f"X must be numeric to train a GAN; got dtype {X.dtype}. Encode "
                "categorical features first."
            )
        image_shape = self._check_image_shape(X.shape[1])
        n_codes, regularizer = self._resolve_codes()
        device = resolve_device(self.device)
        rng = check_random_state(self.random_state)
        init_seed, train_seed, sample_seed = (
            int(s) for s in rng.randint(0, _MAX_SEED, size=3)
        )

        classes, y_index = np.unique(y, return_inverse=True)
        scaler = _build_scaler(
            self.feature_scaling, self.max_discrete_levels, image_shape
        ).fit(X, integer_columns=integer_columns)
        hidden = self.hidden_units
        if hidden is None:
            hidden = 128 if image_shape is None else 32
        config = TrainingConfig(
            noise_dim=self.noise_dim,
            n_codes=n_codes,
            n_classes=len(classes),
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=float(self.learning_rate),
            reg_weight=float(self.reg_lambda),
            balanced_batches=bool(self.balanced_batches),
            verbose=self.verbose,
            precision=self.precision,
            compile=bool(self.torch_compile),
            cuda_graphs=bool(self.cuda_graphs),
            ema_decay=_resolve_auto("ema_decay", self.ema_decay, image_shape),
            class_loss_weight=_resolve_auto(
                "class_loss_weight", self.class_loss_weight, image_shape
            ),
            noise_scale=_resolve_auto("noise_scale", self.noise_scale, image_shape),
            projection=bool(
                _resolve_auto(
                    "projection_discriminator",
                    self.projection_discriminator,
                    image_shape,
                )
            ),
            augment_shift=(
                translation_shift(image_shape)
                if image_shape is not None
                and _resolve_auto("diff_augment", self.diff_augment, image_shape)
                else 0
            ),
            spectral_norm=bool(
                _resolve_auto("spectral_norm", self.spectral_norm, image_shape)
            ),
        )
        generator, discriminator = build_networks(
            n_features=X.shape[1],
            n_classes=len(classes),
            n_codes=n_codes,
            noise_dim=self.noise_dim,
            hidden=hidden,
            image_shape=image_shape,
            output_bounds=scaler.scaled_bounds(),
            seed=init_seed,
            device=device,
            projection=config.projection,
            spectral_norm=config.spectral_norm,
        )
        X_train = torch.as_tensor(scaler.transform(X), device=device)
        y_train = torch.as_tensor(y_index, dtype=torch.long, device=device)
        history = train_gan(
            generator, discriminator, X_train, y_train, regularizer, config, train_seed
        )

        self.classes_ = classes
        self.n_codes_ = n_codes
        self.hidden_units_ = hidden
        self.image_shape_ = image_shape
        self.device_ = device
        self.scaler_ = scaler
        self.config_ = config
        self.generator_ = generator
        self.discriminator_ = discriminator
        self.history_ = history
        return sample_seed

    # -- generation -----------------------------------------------------------

    def _class_index(self, klass) -> int:
        """The position of a (known) class label in ``classes_``."""
        return int(np.flatnonzero(self.classes_ == klass)[0])

    def _fill_strategy(
        self,
        out: np.ndarray,
        seed: int,
        conflicts: ClassConflicts | None = None,
        copies: _CopySource | None = None,
    ) -> None:
        """Fill ``out`` with the rows ``sampling_strategy_`` asks for, in order.

        With ``copies``, that share of each class's rows (rounded) are
        copies of its rows in ``copies.X``, after its generated rows.
        """
        start = 0
        with torch_threads(self.n_threads_):
            for klass, n_new in self.sampling_strategy_.items():
                n_copies = 0 if copies is None else int(round(copies.fraction * n_new))
                n_generated = n_new - n_copies
                self._fill_class(
                    out[start : start + n_generated], klass, None, seed, conflicts
                )
                if n_copies:
                    class_index = self._class_index(klass)
                    # A stream of its own per class, apart from the generator's.
                    rng = np.random.default_rng([seed, class_index])
                    rows = np.flatnonzero(copies.y == klass)
                    chosen = rows[rng.integers(0, rows.size, size=n_copies)]
                    out[start + n_generated : start + n_new] = copies.X[chosen]
                start += n_new

    def _fill_class(
        self,
        out: np.ndarray,
        klass,
        codes: np.ndarray | None,
        seed: int,
        conflicts: ClassConflicts | None = None,
    ) -> None:
        """Write ``len(out)`` rows of class ``klass`` into ``out`` (a view).

        With ``conflicts``, rows equal to a training row of another class
        are then replaced by later draws of the same stream that are not.
        """
        class_index = self._class_index(klass)
        # One stream per class, so a class's rows do not depend on which
        # other classes are drawn in the same call.
        rng = make_generator(seed + class_index, self.device_)

        def fill(rows: np.ndarray, codes: np.ndarray | None) -> None:
            fill_rows(
                rows,
                generator=self.generator_,
                discriminator=self.discriminator_,
                scaler=self.scaler_,
                config=self.config_,
                class_index=class_index,
                codes=codes,
                rng=rng,
                fidelity_threshold=self.fidelity_threshold,
            )

        fill(out, codes)
        if conflicts is None:
            return
        bad = np.flatnonzero(conflicts.flags(out, class_index))
        for _ in range(_REDRAW_ROUNDS):
            if bad.size == 0:
                return
            candidates = np.empty(
                (_REDRAW_FACTOR * bad.size, out.shape[1]), dtype=out.dtype
            )
            fill(candidates, None)
            clean = candidates[~conflicts.flags(candidates, class_index)]
            replaced = min(len(clean), bad.size)
            out[bad[:replaced]] = clean[:replaced]
            bad = bad[replaced:]

    def sample(self, n_samples, y, codes=None, *, random_state=None) -> np.ndarray:
        """Draw new rows of one class, or of given classes, from the generator.

        Parameters
        ----------
        n_samples : int
            Number of rows to draw (0 gives an empty array).
        y : label or array-like of shape (n_samples,)
            A class seen during fit, or one class per row.
        codes : array-like of shape (n_codes,) or (n_samples, n_codes), default=None
            Observed codes to condition on, e.g. to traverse one code while
            the others stay fixed. ``None`` draws them from ``U(-1, 1)``.
            Samples drawn with explicit codes are not screened by the
            fidelity filter.
        random_state : int, RandomState instance or None, default=None
            Seeds the noise; ``None`` uses the estimator's ``random_state``,
            so with an integer seed repeated calls return the same rows
            (as :meth:`sklearn.mixture.GaussianMixture.sample` does).

        Returns
        -------
        X_new : ndarray of shape (n_samples, `n_features_in_`)
            In the dtype of the training data, inside its observed range.
        """
        check_is_fitted(
            self,
            "generator_",
            msg=(
                "This %(name)s has no trained generator yet: call fit_resample "
                "first (fit only validates the data)."
            ),
        )
        if (
            not isinstance(n_samples, Integral)
            or isinstance(n_samples, bool)
            or (n_samples < 0)
        ):
            raise ValueError(f"n_samples must be an integer >= 0; got {n_samples!r}.")
        # No cast to classes_' dtype: it would truncate an unknown long
        # string label into a known one.
        # Lists become object arrays: numpy would turn [0, "a"] into strings
        # and then blame the valid label 0.
        labels = y if isinstance(y, np.ndarray) else np.array(y, dtype=object)
        # One label (the common case) is kept 0-d: no n-sized label array.
        if labels.ndim != 0 and labels.shape != (n_samples,):
            raise ValueError(
                f"y must be one label or an array of n_samples={n_samples} labels; "
                f"got shape {labels.shape}."
            )
        unknown = _unknown_labels(labels, self.classes_)
        if unknown:
            raise ValueError(
                f"y contains labels not seen during fit: {unknown}; known classes "
                f"are {self.classes_.tolist()}."
            )
        if codes is not None:
            try:
                codes = np.asarray(codes, dtype=np.float32)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"codes must be numeric; {exc}") from None
            if codes.shape == (self.n_codes_,):
                codes = np.broadcast_to(codes, (n_samples, self.n_codes_))
            if codes.shape != (n_samples, self.n_codes_):
                raise ValueError(
                    f"codes must have shape ({self.n_codes_},) or "
                    f"({n_samples}, {self.n_codes_}); got {codes.shape}."
                )
            if not np.isfinite(codes).all():
                raise ValueError("codes must be finite.")
        seed_source = self.random_state if random_state is None else random_state
        seed = int(check_random_state(seed_source).randint(0, _MAX_SEED))
        out = np.empty((n_samples, self.n_features_in_), dtype=self.scaler_.dtype_)
        with torch_threads(self.n_threads_):
            if labels.ndim == 0:  # stream straight into out
                self._fill_class(out, labels[()], codes, seed)
                return out
            for klass in np.unique(labels):
                rows = np.flatnonzero(labels == klass)
                block = np.empty((rows.size, out.shape[1]), dtype=out.dtype)
                self._fill_class(
                    block, klass, None if codes is None else codes[rows], seed
                )
                out[rows] = block
        return out

    # -- persistence ----------------------------------------------------------

    def save(self, path) -> None:
        """Write the fitted sampler to ``path`` as a pickle-free ``.npz`` file.

        Weights, scaler arrays and labels are plain arrays; everything else is
        one JSON document. Parameters that JSON cannot hold (a
        ``RandomState``, a callable ``sampling_strategy``) are saved as their
        defaults, with a warning naming them. See ``docs/persistence.md``.

        Parameters
        ----------
        path : str or os.PathLike
            Destination, used as given (no extension is appended).
        """
        save_sampler(self, path)

    @classmethod
    def load(cls, path, *, device="auto"):
        """Load a sampler written by :meth:`save`; never runs code from the file.

        Unlike pickle or joblib, loading only reads arrays
        (``allow_pickle=False``) and a JSON document, and validates every
        value, name and weight shape before building the networks.

        Parameters
        ----------
        path : str or os.PathLike
        device : str, default="auto"
            "auto", "cpu", "cuda" or "cuda:N"; becomes ``device_``.

        Returns
        -------
        sampler : instance of ``cls``

        Raises
        ------
        ValueError
            If the file is not a valid model file, or holds another class.
        """
        return load_sampler(path, device=device, expected_class=cls)

    def __getstate__(self):
        # A copy: the live estimator must keep its networks and device.
        state = dict(super().__getstate__())
        # Networks travel on the CPU so a model fitted on a GPU loads anywhere.
        for name in ("generator_", "discriminator_"):
            net = state.get(name)
            if net is not None and next(net.parameters()).device.type != "cpu":
                state[name] = copy.deepcopy(net).cpu()
        if "device_" in state:
            state["device_"] = str(state["device_"])
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "device_" not in state:
            return
        device = torch.device(state["device_"])
        if device.type == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"This sampler was fitted on {device} but CUDA is not available; "
                "it was loaded on the CPU.",
                UserWarning,
                stacklevel=2,
            )
            device = torch.device("cpu")
        self.device_ = device
        for name in ("generator_", "discriminator_"):
            if getattr(self, name, None) is not None:
                getattr(self, name).to(device)


@Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    shared=_shared_parameters_docstring.format(random_state=_random_state_docstring),
    attributes=_shared_attributes_docstring,
)
class BayesGANOversampler(_BaseGANOversampler):
    """Over-sample with a conditional GAN whose latent codes follow a DAG.

    Implements IMSIC (Interpretable Minority Synthesis for Imbalanced
    Classification, IJCAI-21). One generator ``G(z, onehot(y), c)`` is trained
    for all classes; the class code is the real label, so class identity is
    supervised and disentangled from the style codes ``c`` (fidelity). The
    discriminator's feature head reads back codes ``c'``, and a Bayesian-
    network regularizer makes each ``c'_i`` explained by ``c_i`` and the
    parents the DAG gives it, and by nothing else (diversity with
    interpretable, prescribed entanglement).

    Parameters
    ----------
    {sampling_strategy}

    dag : None, str, mapping, list of edges, LatentDAG or networkx.DiGraph, \
default=None
        Dependency structure of the latent codes:

        - ``None`` or ``"disentangled"``: ``n_codes`` independent codes;
        - ``"entangled"``: the paper's Fig. 4c, code 3 depends on codes 1, 2;
        - a mapping ``{{feature: [parent features]}}`` over named features;
        - a list of ``(parent, child)`` edges;
        - a :class:`~imbgan.LatentDAG` or a ``networkx.DiGraph``.

        A cycle, self-loop or unknown name is a ``ValueError`` naming the edge.

    regularizer : {{"dag", "likelihood"}}, default="dag"
        ``"dag"``: the bounded, scale-free form of paper Eq. 6 (parents must
        explain each extracted code, non-parents must not; see
        ``imbgan._regularizers.DAGRegularizer``). ``"likelihood"``: the
        negative linear-Gaussian BN log-likelihood of Eq. 3-5.

    {shared}

    Attributes
    ----------
    dag_ : LatentDAG
        The validated latent structure.

    {attributes}

    See Also
    --------
    InfoGANOversampler : The same GAN with InfoGAN's unstructured code term.
    imblearn.over_sampling.SMOTE : Interpolation between minority neighbours.

    References
    ----------
    .. [1] Y. Hao, L. Zhang et al., "Interpretable Minority Synthesis for
       Imbalanced Classification", IJCAI 2021.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from imbgan import BayesGANOversampler
    >>> X, y = make_classification(n_samples=200, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> sampler = BayesGANOversampler(epochs=5, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> {{int(k): n for k, n in sorted(Counter(y_res).items())}}
    {{0: 179, 1: 179}}
    """

    _parameter_constraints: dict = {
        **_BaseGANOversampler._parameter_constraints,
        "dag": [
            None,
            StrOptions(set(LatentDAG.PRESETS)),
            Mapping,
            "array-like",  # a list of (parent, child) edges
            LatentDAG,
            HasMethods(["nodes", "edges"]),  # a networkx.DiGraph, duck-typed
        ],
        "regularizer": [StrOptions({"dag", "likelihood"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        dag=None,
        regularizer="dag",
        reg_lambda=1.0,
        n_codes=None,
        image_shape=None,
        noise_dim=32,
        hidden_units=None,
        epochs=100,
        batch_size=64,
        learning_rate=1e-3,
        balanced_batches=True,
        fidelity_threshold=None,
        redraw_contradictions=True,
        copy_fraction="auto",
        max_discrete_levels=10,
        feature_scaling="auto",
        class_loss_weight="auto",
        noise_scale="auto",
        projection_discriminator="auto",
        diff_augment="auto",
        spectral_norm="auto",
        ema_decay="auto",
        device="auto",
        n_threads=None,
        precision="float32",
        torch_compile=False,
        cuda_graphs=True,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            reg_lambda=reg_lambda,
            n_codes=n_codes,
            image_shape=image_shape,
            noise_dim=noise_dim,
            hidden_units=hidden_units,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            balanced_batches=balanced_batches,
            fidelity_threshold=fidelity_threshold,
            redraw_contradictions=redraw_contradictions,
            copy_fraction=copy_fraction,
            max_discrete_levels=max_discrete_levels,
            feature_scaling=feature_scaling,
            class_loss_weight=class_loss_weight,
            noise_scale=noise_scale,
            projection_discriminator=projection_discriminator,
            diff_augment=diff_augment,
            spectral_norm=spectral_norm,
            ema_decay=ema_decay,
            device=device,
            n_threads=n_threads,
            precision=precision,
            torch_compile=torch_compile,
            cuda_graphs=cuda_graphs,
            random_state=random_state,
            verbose=verbose,
        )
        self.dag = dag
        self.regularizer = regularizer

    def _resolve_codes(self):
        self.dag_ = check_dag(self.dag, self.n_codes)
        if self.regularizer == "likelihood":
            return self.dag_.n_codes, BNLikelihoodRegularizer(self.dag_)
        return self.dag_.n_codes, DAGRegularizer(self.dag_)


@Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    shared=_shared_parameters_docstring.format(random_state=_random_state_docstring),
    attributes=_shared_attributes_docstring,
)
class InfoGANOversampler(_BaseGANOversampler):
    """Over-sample with the same conditional GAN and InfoGAN's code term.

    The paper's ablation and baseline: identical networks, training and
    class supervision as :class:`BayesGANOversampler`, but the feature head
    is trained to reproduce each observed code (InfoGAN's mutual-information
    lower bound), with no structure among the codes.

    Parameters
    ----------
    {sampling_strategy}

    {shared}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    BayesGANOversampler : The same GAN with the DAG regularizer.
    """

    # Parameters, constraints and __init__ are the base class's: InfoGAN
    # differs from BayesGAN only in the code term.

    def _resolve_codes(self):
        return (3 if self.n_codes is None else self.n_codes), InfoGANRegularizer()
