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
from typing import Any

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution, check_sampling_strategy
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.utils.validation import validate_data

from ._config import resolve_config
from ._conflicts import ClassConflicts
from ._dag import LatentDAG, check_dag
from ._docstrings import substitutions
from ._generation import (
    CopySource,
    FittedGAN,
    draw_class,
    draw_strategy,
    encode_rows,
)
from ._networks import build_networks
from ._persistence import read_archive, write_archive
from ._regularizers import BNLikelihoodRegularizer, DAGRegularizer, InfoGANRegularizer
from ._scaling import QuantileScaler, RangeScaler
from ._scm import Equations, code_equations
from ._state import SamplerPlan, sampler_state
from ._threads import resolve_threads, torch_threads
from ._training import MAX_SEED, resolve_device, train_gan
from ._validation import (
    check_codes,
    check_do,
    check_image_shape,
    check_integer_params,
    check_numeric_X,
    check_sample_request,
    check_sampling_strategy_form,
    integer_columns,
)

__all__ = ["BayesGANOversampler", "InfoGANOversampler"]


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
        "fidelity_threshold": [Interval(Real, 0, 1, closed="both"), None],
        "redraw_contradictions": ["boolean"],
        "copy_fraction": [Interval(Real, 0, 1, closed="both")],
        "max_discrete_levels": [Interval(Integral, 0, None, closed="left")],
        "feature_scaling": [StrOptions({"auto", "quantile", "minmax"})],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
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
        fidelity_threshold=None,
        redraw_contradictions=True,
        copy_fraction=0.5,
        max_discrete_levels=10,
        feature_scaling="auto",
        device="auto",
        n_threads=None,
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
        self.fidelity_threshold = fidelity_threshold
        self.redraw_contradictions = redraw_contradictions
        self.copy_fraction = copy_fraction
        self.max_discrete_levels = max_discrete_levels
        self.feature_scaling = feature_scaling
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    # -- hooks for the subclasses -------------------------------------------

    def _resolve_codes(self) -> tuple[list[str], Any, Equations | None]:
        """Return the code names, the regularizer and the codes' structural
        equations (None: independent codes); may set fitted attributes."""
        raise NotImplementedError

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
        # _fit_gan sets n_threads_ to the same count
        with torch_threads(resolve_threads(self.n_threads, self.image_shape)):
            sample_seed = self._fit_gan(X_dense, y, integer_columns)
        copies = CopySource(X_dense, y, float(self.copy_fraction))
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
            self._draw_strategy(X_new, sample_seed, conflicts, copies)
            X_res = sparse.vstack([X, sparse.csr_matrix(X_new)], format=X.format)
            return X_res, np.hstack([y, y_new])
        # Allocate the result once and write synthetic rows straight into it.
        X_res = np.empty((X.shape[0] + n_new, X.shape[1]), dtype=X.dtype)
        X_res[: X.shape[0]] = X
        self._draw_strategy(X_res[X.shape[0] :], sample_seed, conflicts, copies)
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
        classes, y_index = np.unique(y, return_inverse=True)
        scaler, regularizer = self._derive(X.shape[1], len(classes))
        scaler.fit(X, integer_columns=integer_columns)
        config = self.config_
        device = resolve_device(self.device)
        rng = check_random_state(self.random_state)
        init_seed, train_seed, sample_seed = (
            int(s) for s in rng.randint(0, MAX_SEED, size=3)
        )
        generator, discriminator = build_networks(
            n_features=X.shape[1],
            n_classes=len(classes),
            n_codes=self.n_codes_,
            noise_dim=config.noise_dim,
            hidden=config.hidden_units,
            image_shape=self.image_shape_,
            output_bounds=scaler.scaled_bounds(),
            seed=init_seed,
            device=device,
            spectral_norm=config.spectral_norm,
        )
        X_train = torch.as_tensor(scaler.transform(X), device=device)
        y_train = torch.as_tensor(y_index, dtype=torch.long, device=device)
        history = train_gan(
            generator,
            discriminator,
            X_train,
            y_train,
            regularizer,
            config,
            train_seed,
            verbose=self.verbose,
        )

        self.classes_ = classes
        self.device_ = device
        self.scaler_ = scaler
        self.config_ = config
        self.generator_ = generator
        self.discriminator_ = discriminator
        self.history_ = history
        return sample_seed

    # -- generation -----------------------------------------------------------

    def _fitted_gan(self) -> FittedGAN:
        return FittedGAN(
            generator=self.generator_,
            discriminator=self.discriminator_,
            scaler=self.scaler_,
            config=self.config_,
            classes=self.classes_,
            device=self.device_,
            fidelity_threshold=self.fidelity_threshold,
        )

    def _draw_strategy(
        self,
        out: np.ndarray,
        seed: int,
        conflicts: ClassConflicts | None,
        copies: CopySource,
    ) -> None:
        with torch_threads(self.n_threads_):
            draw_strategy(
                out,
                self._fitted_gan(),
                self.sampling_strategy_,
                seed,
                conflicts,
                copies,
            )

    def sample(
        self, n_samples, y, codes=None, *, do=None, random_state=None
    ) -> np.ndarray:
        """Draw new rows of one class, or of given classes, from the generator.

        Parameters
        ----------
        n_samples : int
            Number of rows to draw (0 gives an empty array).
        y : label or array-like of shape (n_samples,)
            A class seen during fit, or one class per row.
        codes : array-like of shape (n_codes,) or (n_samples, n_codes), default=None
            The value of every code, e.g. to traverse one code while the
            others stay fixed: what the generator receives, as given (no
            propagation along the DAG). ``None`` makes them from fresh draws
            as in training. Rows drawn with explicit codes are not screened
            by the fidelity filter.
        do : dict of {code name: float}, default=None
            Intervene on the named codes (names as in `code_names_`): each
            named code is set to its value and the DAG carries it to the
            code's descendants, while every other code is made from fresh
            draws as usual (see the documentation's page on the DAG's
            meaning). Cannot be combined with ``codes``.
        random_state : int, RandomState instance or None, default=None
            Seeds the noise and the code draws; ``None`` uses the estimator's
            ``random_state``, so with an integer seed repeated calls return
            the same rows (as :meth:`sklearn.mixture.GaussianMixture.sample`
            does), and calls with different ``do`` share their draws.

        Returns
        -------
        X_new : ndarray of shape (n_samples, `n_features_in_`)
            In the dtype of the training data, inside its observed range.
        """
        self._check_has_generator()
        n_samples, labels = check_sample_request(n_samples, y, self.classes_)
        if codes is not None and do is not None:
            raise ValueError(
                "Pass codes (every code's value) or do (an intervention on "
                "named codes), not both."
            )
        if codes is not None:
            codes = check_codes(codes, n_samples, self.n_codes_)
        interventions = check_do(do, self.code_names_)
        seed_source = self.random_state if random_state is None else random_state
        seed = int(check_random_state(seed_source).randint(0, MAX_SEED))
        out = np.empty((n_samples, self.n_features_in_), dtype=self.scaler_.dtype_)
        gan = self._fitted_gan()
        with torch_threads(self.n_threads_):
            if labels.ndim == 0:  # stream straight into out
                draw_class(out, gan, labels[()], codes, seed, do=interventions)
                return out
            for klass in np.unique(labels):
                rows = np.flatnonzero(labels == klass)
                block = np.empty((rows.size, out.shape[1]), dtype=out.dtype)
                class_codes = None if codes is None else codes[rows]
                draw_class(block, gan, klass, class_codes, seed, do=interventions)
                out[rows] = block
        return out

    def encode(self, X) -> np.ndarray:
        """The extracted codes ``c'`` of rows, as the discriminator reads them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows in the feature space of the training data (a DataFrame
            with the same columns too), real or generated.

        Returns
        -------
        codes : ndarray of shape (n_samples, `n_codes_`), dtype float32
            The discriminator's code head on the rows after the sampler's
            own scaling; column ``i`` reads code ``code_names_[i]``.
        """
        self._check_has_generator()
        X = validate_data(self, X, reset=False, accept_sparse=["csr", "csc"])
        X = X.toarray() if sparse.issparse(X) else X
        with torch_threads(self.n_threads_):
            return encode_rows(self._fitted_gan(), X)

    def _check_has_generator(self) -> None:
        check_is_fitted(
            self,
            "generator_",
            msg=(
                "This %(name)s has no trained generator yet: call fit_resample "
                "first (fit only validates the data)."
            ),
        )

    # -- persistence ----------------------------------------------------------

    @staticmethod
    def _saved_classes() -> dict[str, type]:
        """The classes ``save`` writes and ``load`` builds, by name: an allow-list."""
        return {cls.__name__: cls for cls in (BayesGANOversampler, InfoGANOversampler)}

    def _derive(self, n_features: int, n_classes: int) -> tuple[RangeScaler, Any]:
        """Set what a fit derives from the parameters alone.

        Sets ``image_shape_``, ``n_codes_``, ``config_``, ``hidden_units_``
        and ``n_threads_``; returns the unfitted scaler and the regularizer.
        A fit starts here, and ``load`` recomputes the same from the saved
        parameters.
        """
        shape = self.image_shape
        if shape is not None:
            shape = check_image_shape(shape, n_features)
        self.image_shape_ = shape
        self.code_names_, regularizer, equations = self._resolve_codes()
        self.n_codes_ = len(self.code_names_)
        self.config_ = resolve_config(
            self.get_params(deep=False),
            n_classes=n_classes,
            n_codes=self.n_codes_,
            image_shape=self.image_shape_,
            code_equations=equations,
        )
        self.hidden_units_ = self.config_.hidden_units
        self.n_threads_ = resolve_threads(self.n_threads, self.image_shape_)
        levels = self.max_discrete_levels
        scaler = _build_scaler(self.feature_scaling, levels, self.image_shape_)
        return scaler, regularizer

    def _to_state(self) -> tuple[dict, dict]:
        """This fitted sampler as a JSON document and named arrays."""
        check_is_fitted(self, "generator_")
        if self._saved_classes().get(type(self).__name__) is not type(self):
            raise TypeError(
                "only BayesGANOversampler and InfoGANOversampler can be saved; got "
                f"{type(self).__module__}.{type(self).__qualname__}."
            )
        return sampler_state(self)

    @classmethod
    def _from_state(cls, document, device=None) -> SamplerPlan:
        """Check a document; the plan that builds the sampler from its arrays."""
        return SamplerPlan(document, cls._saved_classes(), cls, device)

    def save(self, path) -> None:
        """Write the fitted sampler to ``path`` as a pickle-free ``.npz`` file.

        The parameters and a few sizes are one JSON document; labels, scaler
        state, history and weights are plain arrays. Parameters that JSON
        cannot hold (a ``RandomState``, a callable ``sampling_strategy``) are
        saved as their defaults, with a warning naming them. See
        ``docs/persistence.md``.

        Parameters
        ----------
        path : str or os.PathLike
            Destination, used as given (no extension is appended).

        Raises
        ------
        TypeError
            For a subclass, or labels other than numbers, booleans or strings.
        ValueError
            If a parameter ``load`` recomputes the fit's configuration from
            has changed since the fit, or a weight is not finite.
        """
        write_archive(path, *self._to_state())

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
            If the file is not a valid model file, or holds another class
            (the message starts with "Not a valid imbgan model file").
        """
        device = resolve_device(device)  # a bad device is not a bad file
        return read_archive(path, lambda document: cls._from_state(document, device))

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


@Substitution(**substitutions())
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
        fidelity_threshold=None,
        redraw_contradictions=True,
        copy_fraction=0.5,
        max_discrete_levels=10,
        feature_scaling="auto",
        device="auto",
        n_threads=None,
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
            fidelity_threshold=fidelity_threshold,
            redraw_contradictions=redraw_contradictions,
            copy_fraction=copy_fraction,
            max_discrete_levels=max_discrete_levels,
            feature_scaling=feature_scaling,
            device=device,
            n_threads=n_threads,
            random_state=random_state,
            verbose=verbose,
        )
        self.dag = dag
        self.regularizer = regularizer

    def _resolve_codes(self):
        self.dag_ = check_dag(self.dag, self.n_codes)
        # The DAG acts through the codes' structural equations; the
        # regularizer asks each extracted code to read its own code alone
        # (which carries its parents' share). Letting parents explain it
        # too let a child's extracted code collapse onto a parent.
        own_codes = LatentDAG({name: [] for name in self.dag_.names})
        if self.regularizer == "likelihood":
            regularizer = BNLikelihoodRegularizer(own_codes)
        else:
            regularizer = DAGRegularizer(own_codes)
        return list(self.dag_.names), regularizer, code_equations(self.dag_)


@Substitution(**substitutions())
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
        n_codes = 3 if self.n_codes is None else self.n_codes
        return [f"c{i}" for i in range(n_codes)], InfoGANRegularizer(), None
