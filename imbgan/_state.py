"""A fitted sampler as plain state: parameters, a few sizes, named arrays.

:func:`sampler_state` turns a fitted sampler into a JSON document and named
arrays, which :mod:`imbgan._persistence` writes; :class:`SamplerPlan` checks
a document read back and rebuilds the sampler from the arrays. Only the
parameters and what a fit learnt from the data are stored. What a fit
derives from the parameters (``config_``, ``hidden_units_``,
``image_shape_``, ``n_codes_``, ``dag_``, ``n_threads_`` and the kind of
scaler) is recomputed by the sampler's own ``_derive``, so the file cannot
contradict it, and ``save`` refuses a sampler whose parameters were changed
since its fit in a way that would change them.

What the file must hold is declared in two tables of
:class:`~imbgan._persistence.Spec`: :data:`FITTED` for the document's
fitted values, and :meth:`SamplerPlan.table` for the arrays (shapes from
those values and from the networks :func:`~imbgan._networks.build_meta_networks`
describes without allocating them). Both are checked by
:func:`~imbgan._persistence.check_all`. The class allow-list belongs to the
sampler, which passes it in.
"""

from __future__ import annotations

import math
import warnings
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

import numpy as np
import torch

from ._dag import LatentDAG, check_dag
from ._networks import BoundedGenerator, build_meta_networks, build_networks
from ._persistence import (
    MAX_PARAMETERS,
    MAX_STRING_CHARS,
    InvalidFile,
    Spec,
    check_all,
    decode_value,
    encode_value,
    fail,
)
from ._scaling import MAX_QUANTILES, QuantileScaler, RangeScaler
from ._training import _LOSSES
from ._validation import check_integer_params

__all__ = ["FITTED", "HISTORY_KEYS", "MAX_CODES", "SamplerPlan", "sampler_state"]

#: The entries of ``history_``, as the training loop writes them.
HISTORY_KEYS = (*_LOSSES, "learning_rate")
#: A DAG's masks and index tuples grow with the square of its codes: a file
#: may name at most this many, checked before any DAG is built.
MAX_CODES = 1024
_TEXT_BYTES = 4 * MAX_STRING_CHARS  # one unicode label or feature name
_SCALER_DTYPES = frozenset(
    np.dtype(c).newbyteorder(order).str for c in "?bBhHiIlLqQefdg" for order in "<>"
)
_DOCUMENT = {"estimator", "params", "params_not_saved", "fitted"}
# Fitted attributes recomputed from the parameters when a file is loaded.
_DERIVED = ("config_", "hidden_units_", "image_shape_", "n_codes_", "dag_")

#: The document's fitted values: the arrays' sizes, and how to restore them.
FITTED = {
    "n_features_in_": Spec(kinds="i", low=1, high=MAX_PARAMETERS),
    "n_classes": Spec(kinds="i", low=1, high=MAX_PARAMETERS),
    "n_strategy": Spec(kinds="i", low=0, high=MAX_PARAMETERS),
    "n_levels": Spec(kinds="i", low=0, high=MAX_PARAMETERS),
    # 0 for a min-max scaler
    "n_quantiles": Spec(kinds="i", low=0, high=MAX_QUANTILES),
    # classes_ held Python objects (str or int): restored as an object array
    "classes_object": Spec(kinds="b"),
    "feature_names": Spec(kinds="b"),
    "scaler_dtype": Spec(kinds="U", choices=_SCALER_DTYPES),
}


# -- saving --------------------------------------------------------------------


def sampler_state(sampler) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A fitted sampler as a JSON document and named arrays.

    The result is checked as a loaded file would be, and the values loading
    recomputes must equal the sampler's: a ``ValueError`` otherwise.
    """
    name = type(sampler).__name__
    params, not_saved = {}, []
    for key, value in sampler.get_params(deep=False).items():
        try:
            params[key] = _dag_to_json(value) if key == "dag" else encode_value(value)
        except (TypeError, ValueError):
            not_saved.append(key)
    if not_saved:
        warnings.warn(
            f"The parameters {not_saved} of this {name} have no portable form "
            "(e.g. a RandomState or a callable) and are not saved; the loaded "
            "sampler will use their default values.",
            UserWarning,
            stacklevel=4,
        )
    classes, classes_object = _classes_for_file(np.asarray(sampler.classes_))
    position = {label: i for i, label in enumerate(sampler.classes_.tolist())}
    strategy = list(sampler.sampling_strategy_.items())
    scaler = sampler.scaler_
    levels = sorted(scaler.levels_.items())
    arrays = {
        "classes_": classes,
        "sampling_strategy_/classes": np.array(
            [position[label] for label, _ in strategy], dtype=np.int64
        ),
        "sampling_strategy_/counts": np.array([n for _, n in strategy], np.int64),
        "scaler/feature_min_": np.asarray(scaler.feature_min_, np.float64),
        "scaler/feature_max_": np.asarray(scaler.feature_max_, np.float64),
        "scaler/integer_columns_": np.asarray(scaler.integer_columns_, bool),
        "scaler/levels_": np.concatenate([np.empty(0)] + [v for _, v in levels]),
        "scaler/level_columns_": np.repeat(
            np.array([j for j, _ in levels], np.int64), [v.size for _, v in levels]
        ),
    }
    if isinstance(scaler, QuantileScaler):
        arrays["scaler/quantiles_"] = np.asarray(scaler.quantiles_, np.float64)
    if hasattr(sampler, "feature_names_in_"):
        names = [str(n) for n in sampler.feature_names_in_]
        arrays["feature_names_in_"] = np.array(names, dtype=str)
        if arrays["feature_names_in_"].tolist() != names:
            raise ValueError("feature names ending in NUL characters cannot be saved.")
    for key in HISTORY_KEYS:
        arrays[f"history_/{key}"] = np.asarray(sampler.history_[key], np.float64)
    for prefix in ("generator", "discriminator"):
        for key, tensor in getattr(sampler, f"{prefix}_").state_dict().items():
            array = tensor.detach().to("cpu", torch.float32).numpy()
            arrays[f"{prefix}/{key}"] = array
    document = {
        "estimator": name,
        "params": params,
        "params_not_saved": not_saved,
        "fitted": {
            "n_features_in_": int(sampler.n_features_in_),
            "n_classes": len(classes),
            "n_strategy": len(strategy),
            "n_levels": arrays["scaler/levels_"].size,
            "n_quantiles": arrays.get("scaler/quantiles_", np.empty(0)).shape[0],
            "classes_object": classes_object,
            "feature_names": "feature_names_in_" in arrays,
            "scaler_dtype": np.dtype(scaler.dtype_).str,
        },
    }
    try:
        plan = type(sampler)._from_state(document)
    except InvalidFile as exc:
        raise ValueError(f"This {name} cannot be saved: {exc}") from None
    changed = [
        attr
        for attr in _DERIVED
        if hasattr(sampler, attr)
        and getattr(plan.estimator, attr) != getattr(sampler, attr)
    ]
    if "config_" in changed:  # name the fields
        before, after = asdict(sampler.config_), asdict(plan.estimator.config_)
        changed += [f"config_.{k}" for k in before if before[k] != after[k]]
    if _scaler_kind(plan.scaler) != _scaler_kind(scaler):
        changed.append("scaler_")
    if changed:
        raise ValueError(
            f"The parameters of this {name} were changed since it was fitted: "
            f"loading it would recompute different {changed}. Set them back, or "
            "refit, before saving."
        )
    try:  # a file that load would refuse is never written
        check_all(arrays, plan.table, "arrays")
    except InvalidFile as exc:
        raise ValueError(f"This {name} cannot be saved: {exc}") from None
    return document, arrays


def _scaler_kind(scaler: RangeScaler) -> tuple:
    return type(scaler), scaler.per_feature, scaler.max_levels


def _dag_to_json(dag: Any) -> Any:
    """A ``dag`` parameter; a DAG in any form as its ``{child: [parents]}``."""
    if dag is None or isinstance(dag, str):
        return encode_value(dag)
    tag = "latent_dag" if isinstance(dag, LatentDAG) else "dict"
    return {tag: encode_value(check_dag(dag).to_dict())["dict"]}


def _classes_for_file(classes: np.ndarray) -> tuple[np.ndarray, bool]:
    """``classes_`` as a non-object array, and whether it held Python objects."""
    if classes.dtype.kind in "biufU":
        return classes, False
    if classes.dtype.kind == "O":
        values = classes.tolist()
        stored = None
        if all(isinstance(v, str) for v in values):
            stored = np.array(values, dtype=str)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            stored = np.array(values, dtype=np.int64)
        # np.str_ drops trailing NUL characters: refuse what would come back
        # different rather than restore other labels.
        if stored is not None and stored.tolist() == values:
            return stored, True
    raise TypeError(
        "only class labels that are numbers, booleans or strings can be saved; "
        f"got classes_ of dtype {classes.dtype} ({classes.tolist()[:5]!r})."
    )


# -- loading -------------------------------------------------------------------


def _dag_from_json(raw: Any) -> Any:
    if raw is None or isinstance(raw, str):
        return raw
    tag, body = next(iter(raw.items())) if isinstance(raw, dict) else (None, None)
    if len(raw or ()) != 1 or tag not in ("dict", "latent_dag"):
        fail("parameter 'dag' must be null, a preset name or a tagged mapping.")
    if not isinstance(body, list) or len(body) > MAX_CODES:
        fail(f"parameter 'dag' must be a list of at most {MAX_CODES} entries.")
    mapping = decode_value({"dict": body}, "parameter 'dag'")
    if tag == "dict":
        return mapping  # checked by the sampler's check_dag
    try:
        return LatentDAG(mapping)
    except (TypeError, ValueError) as exc:
        raise InvalidFile(f"parameter 'dag' is invalid: {exc}") from exc


class SamplerPlan:
    """A checked document: the sampler it describes, waiting for its arrays.

    Parameters
    ----------
    document : dict
        The JSON document without its format entries.
    classes : dict of str to type
        The allow-list: the classes a file may name, by name.
    expected : type
        The class ``load`` was called on: the file's class must be it or
        one of its subclasses.
    device : torch.device, optional
        Where :meth:`build` puts the networks.
    """

    def __init__(
        self,
        document: dict[str, Any],
        classes: dict[str, type],
        expected: type,
        device: torch.device | None = None,
    ) -> None:
        if set(document) != _DOCUMENT:
            fail(
                f"its document has entries {sorted(document)}, not {sorted(_DOCUMENT)}."
            )
        self.estimator = _estimator(document, classes, expected)
        check_all(document["fitted"], FITTED, "fitted values")
        self.fitted = document["fitted"]
        try:
            self.scaler, _ = self.estimator._derive(
                self.fitted["n_features_in_"], self.fitted["n_classes"]
            )
        except (TypeError, ValueError) as exc:
            raise InvalidFile(f"invalid parameters: {exc}") from exc
        self.table = self._table()
        self.device = device

    def _table(self) -> dict[str, Spec]:
        """Every array of the file: shape, dtype kinds and bounds."""
        fitted, scaler = self.fitted, self.scaler
        n, k, s = (fitted[key] for key in ("n_features_in_", "n_classes", "n_strategy"))
        n_levels, n_quantiles = fitted["n_levels"], fitted["n_quantiles"]
        if isinstance(scaler, QuantileScaler) != (n_quantiles > 0) or n_quantiles == 1:
            fail(
                "n_quantiles must be 2 or more for a quantile scaler (feature_"
                f"scaling={self.estimator.feature_scaling!r}) and 0 for a min-max one."
            )
        if n_levels and not scaler.per_feature:
            fail("images have no discrete levels; n_levels must be 0.")
        labels = "iU" if fitted["classes_object"] else "biufU"
        table = {
            "classes_": Spec((k,), labels, _TEXT_BYTES, unique=True),
            "sampling_strategy_/classes": Spec(
                (s,), "i", low=0, high=k - 1, unique=True
            ),
            "sampling_strategy_/counts": Spec((s,), "i", low=0),
            "scaler/feature_min_": Spec((n,)),
            "scaler/feature_max_": Spec((n,)),
            "scaler/integer_columns_": Spec((n,), "b", 1),
            "scaler/levels_": Spec((n_levels,)),
            "scaler/level_columns_": Spec((n_levels,), "i", low=0, high=n - 1),
        }
        if n_quantiles:
            table["scaler/quantiles_"] = Spec((n_quantiles, n))
        if fitted["feature_names"]:
            table["feature_names_in_"] = Spec((n,), "U", _TEXT_BYTES)
        epochs = self.estimator.config_.epochs  # one history entry per epoch
        table.update({f"history_/{key}": Spec((epochs,)) for key in HISTORY_KEYS})
        table.update({key: Spec(shape, "f", 4) for key, shape in self._weights()})
        return table

    def _weights(self) -> list[tuple[str, tuple[int, ...]]]:
        """Name and shape of every weight, from networks on the ``meta`` device."""
        estimator, n = self.estimator, self.fitted["n_features_in_"]
        try:
            generator, discriminator = build_meta_networks(**self._network_sizes())
            with torch.device("meta"):
                generator = BoundedGenerator(generator, torch.empty(n), torch.empty(n))
        except (RuntimeError, ValueError, OverflowError) as exc:
            # e.g. torch's "Storage size calculation overflowed"
            raise InvalidFile(
                f"the declared network sizes are impossible ({exc})."
            ) from exc
        shapes = [
            (f"{prefix}/{key}", tuple(tensor.shape))
            for prefix, net in (
                ("generator", generator),
                ("discriminator", discriminator),
            )
            for key, tensor in net.state_dict().items()
        ]
        n_parameters = sum(math.prod(shape) for _, shape in shapes)
        if n_parameters > MAX_PARAMETERS:
            fail(
                f"the declared networks of this {type(estimator).__name__} have "
                f"{n_parameters} parameters, more than the sanity bound "
                f"{MAX_PARAMETERS}."
            )
        return shapes

    def _network_sizes(self) -> dict[str, Any]:
        config = self.estimator.config_
        return dict(
            n_features=self.fitted["n_features_in_"],
            n_classes=config.n_classes,
            n_codes=config.n_codes,
            noise_dim=config.noise_dim,
            hidden=config.hidden_units,
            image_shape=self.estimator.image_shape_,
            spectral_norm=config.spectral_norm,
        )

    def build(self, arrays: dict[str, np.ndarray]):
        """The fitted sampler, from arrays that match :meth:`_table`."""
        estimator, fitted = self.estimator, self.fitted
        classes = arrays["classes_"]
        estimator.classes_ = (
            classes.astype(object) if fitted["classes_object"] else classes
        )
        estimator.n_features_in_ = fitted["n_features_in_"]
        if fitted["feature_names"]:
            estimator.feature_names_in_ = arrays["feature_names_in_"].astype(object)
        estimator.sampling_strategy_ = OrderedDict(
            (estimator.classes_[i], int(count))
            for i, count in zip(
                arrays["sampling_strategy_/classes"],
                arrays["sampling_strategy_/counts"],
                strict=True,
            )
        )
        estimator.history_ = {k: arrays[f"history_/{k}"].tolist() for k in HISTORY_KEYS}
        estimator.scaler_ = self._scaler(arrays)
        networks = build_networks(
            **self._network_sizes(),
            output_bounds=estimator.scaler_.scaled_bounds(),
            seed=0,  # every weight is overwritten below
            device=torch.device("cpu"),
        )
        for prefix, net in zip(("generator", "discriminator"), networks, strict=True):
            net.load_state_dict(
                {
                    key[len(prefix) + 1 :]: torch.from_numpy(
                        np.array(value, np.float32)
                    )
                    for key, value in arrays.items()
                    if key.startswith(prefix + "/")
                },
                strict=True,
            )
        estimator.device_ = self.device
        estimator.generator_ = networks[0].to(self.device).eval()
        estimator.discriminator_ = networks[1].to(self.device).eval()
        return estimator

    def _scaler(self, arrays: dict[str, np.ndarray]) -> RangeScaler:
        scaler = self.scaler
        low = arrays["scaler/feature_min_"].astype(np.float64)
        high = arrays["scaler/feature_max_"].astype(np.float64)
        if not (low <= high).all():
            fail("the scaler's feature_min_ exceeds its feature_max_.")
        # The scaler's own fit on the two extreme rows derives the rest.
        with np.errstate(over="ignore", invalid="ignore"):
            scaler.fit(
                np.stack([low, high]), integer_columns=arrays["scaler/integer_columns_"]
            )
        scaler.feature_min_, scaler.feature_max_ = low, high
        scaler.dtype_ = np.dtype(self.fitted["scaler_dtype"])
        if isinstance(scaler, QuantileScaler):
            quantiles = arrays["scaler/quantiles_"].astype(np.float64)
            if (np.diff(quantiles, axis=0) < 0).any():
                fail("the scaler's quantiles are not non-decreasing in every column.")
            if not (
                np.array_equal(quantiles[0], low)
                and np.array_equal(quantiles[-1], high)
            ):
                fail("the scaler's quantiles do not run from its minima to its maxima.")
            scaler.quantiles_ = quantiles
        scaler.levels_ = _levels(
            arrays["scaler/level_columns_"], arrays["scaler/levels_"], low, high
        )
        return scaler


def _estimator(document: dict[str, Any], classes: dict[str, type], expected: type):
    """An instance of the allow-listed class, with the file's checked parameters."""
    name = document["estimator"]
    if not isinstance(name, str) or name not in classes:
        fail(f"the estimator class {name!r:.80} is not one of {sorted(classes)}.")
    if not issubclass(classes[name], expected):
        fail(
            f"it holds a sampler of class {name}, not {expected.__name__}; load it "
            f"with {name}.load(path)."
        )
    estimator = classes[name]()
    raw, not_saved = document["params"], document["params_not_saved"]
    if not isinstance(raw, dict):
        fail("'params' must be a JSON object.")
    if not isinstance(not_saved, list) or not all(
        isinstance(n, str) for n in not_saved
    ):
        fail("'params_not_saved' must be a list of names.")
    valid = set(estimator.get_params(deep=False))
    if raw.keys() & set(not_saved):
        fail("a parameter is both saved and listed as not saved.")
    unknown = sorted((raw.keys() | set(not_saved)) - valid)
    missing = sorted(valid - raw.keys() - set(not_saved))
    if unknown or missing:
        fail(f"its parameters for {name} lack {missing} and add unknown {unknown}.")
    params = {
        key: _dag_from_json(value)
        if key == "dag"
        else decode_value(value, f"parameter {key!r}")
        for key, value in raw.items()
    }
    try:
        estimator.set_params(**params)
        estimator._validate_params()  # scikit-learn's checks, as in fit
        check_integer_params(estimator)
    except (TypeError, ValueError) as exc:
        raise InvalidFile(f"invalid parameters: {exc}") from exc
    if (estimator.n_codes or 0) > MAX_CODES:
        fail(f"n_codes={estimator.n_codes} exceeds the sanity bound {MAX_CODES}.")
    return estimator


def _levels(columns: np.ndarray, values: np.ndarray, low, high) -> dict:
    """Each discrete column's levels: increasing, inside its range, 2 or more."""
    if not columns.size:
        return {}
    values = values.astype(np.float64)
    same = columns[1:] == columns[:-1]
    if (np.diff(columns) < 0).any() or (np.diff(values)[same] <= 0).any():
        fail("the discrete levels are not increasing, in column order.")
    if ((values < low[columns]) | (values > high[columns])).any():
        fail("a discrete level leaves its column's range.")
    starts = np.flatnonzero(np.r_[True, ~same])
    groups = np.split(values, starts[1:])
    if min(group.size for group in groups) < 2:
        fail("a discrete column has fewer than 2 levels.")
    return {int(columns[i]): group for i, group in zip(starts, groups, strict=True)}
