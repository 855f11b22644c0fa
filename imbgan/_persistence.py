"""Save and load fitted samplers as plain numpy archives, without pickle.

A pickle (or joblib) file runs arbitrary code when it is loaded, so it must
never be loaded from an untrusted source. :func:`save_sampler` instead writes
one ``.npz`` archive of plain numeric and unicode arrays and one JSON
document, and :func:`load_sampler` reads it with
``np.load(..., allow_pickle=False)`` only, validating every value before it
is used. A file that fails any check raises a ``ValueError`` whose message
starts with ``"Not a valid imbgan model file"``; nothing in the file is ever
executed.

Archive members (each a ``.npy`` file inside the zip):

- ``config.json``: a uint8 array holding the UTF-8 JSON document (format
  name and version, estimator class, parameters, the fitted scalars,
  training configuration, history, ``sampling_strategy_``, ``dag_``);
- ``classes_`` and, when the sampler saw string column names,
  ``feature_names_in_`` (unicode);
- ``scaler/feature_min_``, ``scaler/feature_max_``, ``scaler/center_``,
  ``scaler/half_range_`` (float64, one value per feature) and
  ``scaler/integer_columns_`` (bool), and ``scaler/levels_`` (float64, the
  levels of the discrete columns listed in the document's
  ``scaler_.discrete_columns``, concatenated in column order), and for a
  quantile scaler (``scaler_.kind`` ``"quantile"``) ``scaler/quantiles_``
  (float64, ``scaler_.n_quantiles`` rows, one column per feature);
- ``generator/<key>`` and ``discriminator/<key>`` for every entry of the
  networks' ``state_dict()`` (float32).

See ``docs/persistence.md`` for the full description.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import warnings
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from numbers import Integral, Real
from tokenize import TokenError
from typing import Any, NoReturn

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._dag import LatentDAG, check_dag
from ._networks import BoundedGenerator, build_meta_networks, build_networks
from ._scaling import MAX_QUANTILES, QuantileScaler, RangeScaler
from ._threads import resolve_threads
from ._training import TrainingConfig, resolve_device

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load_sampler", "save_sampler"]

FORMAT_NAME = "imbgan-sampler"
FORMAT_VERSION = 1

#: Every error about the content of a file starts with this.
INVALID_FILE = "Not a valid imbgan model file"

# Sanity bounds, checked before anything of the declared size is allocated.
# 10**9 float32 parameters is 4 GB, far beyond any network this package
# builds by default; the file-size bound leaves room for that plus the rest.
MAX_PARAMETERS = 10**9
MAX_FILE_BYTES = 5 * 2**30
MAX_JSON_BYTES = 64 * 2**20
MAX_MEMBERS = 1024
MAX_STRING_CHARS = 4096  # per class label or feature name

_CONFIG_MEMBER = "config.json"
_SCALER_ARRAYS = ("feature_min_", "feature_max_", "center_", "half_range_")
_SCALER_MASK = "integer_columns_"  # which columns inverse_transform rounds
_SCALER_LEVELS = "levels_"  # the levels discrete columns snap to
_SCALER_QUANTILES = "quantiles_"  # a quantile scaler's per-column quantiles
_SCALER_KINDS = ("minmax", "quantile")
_NETWORKS = ("generator", "discriminator")
# Parameters added after format version 1 was first written, with the value
# that reproduces what files written before them did.
_LEGACY_VALUES = {
    "max_discrete_levels": 0,
    "ema_decay": None,
    "feature_scaling": "minmax",
    "class_loss_weight": 1.0,
    "noise_scale": 1.0,
    "projection_discriminator": False,
    "redraw_contradictions": False,
    "diff_augment": False,
    "copy_fraction": 0.0,
    "cuda_graphs": False,
    "spectral_norm": False,
}
_CLASS_KINDS = frozenset("biufUO")  # O: labels were Python objects (str or int)
_SCALER_DTYPE_KINDS = frozenset("biuf")
_NPY_HEADER_LIMIT = 10000  # numpy's own default limit on a header's size
_MIN_IMAGE_SIDE = 8  # as in imbgan._sampler: two stride-2 convolutions


class _InvalidFile(Exception):
    """A check on the file's content failed; becomes a ``ValueError``."""


class _WrongClass(Exception):
    """A valid file holding another estimator class than the one asked for."""


def _allowed_classes() -> dict[str, type]:
    # Imported here, not at module level: imbgan._sampler imports this module.
    from ._sampler import BayesGANOversampler, InfoGANOversampler

    return {
        "BayesGANOversampler": BayesGANOversampler,
        "InfoGANOversampler": InfoGANOversampler,
    }


# -- saving ------------------------------------------------------------------


class _NotSaveable(Exception):
    """A parameter value that has no JSON form (a RandomState, a callable)."""


def _encode(value: Any) -> Any:
    """JSON form of a parameter value; tuples and mappings are tagged objects.

    Every JSON object in the encoded parameters is a tag (``{"tuple": ...}``,
    ``{"dict": ...}``, ``{"latent_dag": ...}``), so decoding is unambiguous
    and restores tuples and non-string dictionary keys exactly.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, str):
        return str(value)  # np.str_ -> str
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        number = float(value)
        if not math.isfinite(number):
            raise _NotSaveable
        return number
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise _NotSaveable


def _encode_params(sampler) -> tuple[dict[str, Any], list[str]]:
    """``(encoded params, names of params that could not be saved)``."""
    params: dict[str, Any] = {}
    not_saved: list[str] = []
    for name, value in sampler.get_params(deep=False).items():
        try:
            if name == "dag" and value is not None and not isinstance(value, str):
                # Any DAG form (mapping, edges, LatentDAG, networkx graph) is
                # stored as the validated {child: [parents]} form, which
                # check_dag turns back into an equal LatentDAG.
                tag = "latent_dag" if isinstance(value, LatentDAG) else "dict"
                as_dict = check_dag(value).to_dict()
                params[name] = {tag: [[k, v] for k, v in as_dict.items()]}
            else:
                params[name] = _encode(value)
        except Exception:  # noqa: BLE001 - any value without a JSON form
            not_saved.append(name)
    return params, not_saved


def _classes_for_file(classes: np.ndarray) -> tuple[np.ndarray, str]:
    """``classes_`` as a non-object array, and the dtype kind to restore."""
    kind = classes.dtype.kind
    if kind in "biufU":
        if kind == "f" and not np.isfinite(classes).all():
            raise ValueError("class labels must be finite to be saved.")
        return classes, kind
    if kind == "O":
        values = classes.tolist()
        if all(isinstance(v, str) for v in values):
            stored = np.array(values, dtype=str)
        elif all(isinstance(v, Integral) and not isinstance(v, bool) for v in values):
            stored = np.array(values, dtype=np.int64)
        else:
            stored = None
        # np.str_ drops trailing NUL characters; refuse anything that would
        # not come back identical rather than restore different labels.
        if stored is not None and stored.tolist() == values:
            return stored, "O"
    raise TypeError(
        "only class labels that are numbers, booleans or strings can be saved; "
        f"got classes_ of dtype {classes.dtype} ({classes.tolist()[:5]!r})."
    )


def _label_to_json(label: Any) -> Any:
    return label.item() if isinstance(label, np.generic) else label


def _network_arrays(prefix: str, net: torch.nn.Module) -> dict[str, np.ndarray]:
    arrays = {}
    for key, tensor in net.state_dict().items():
        array = tensor.detach().to("cpu", torch.float32).numpy()
        if not np.isfinite(array).all():
            raise ValueError(
                f"{prefix} weight {key!r} is not finite; a diverged model cannot "
                "be saved."
            )
        arrays[f"{prefix}/{key}"] = array
    return arrays


def save_sampler(sampler, path: str | os.PathLike) -> None:
    """Write a fitted sampler to ``path`` as a pickle-free ``.npz`` archive.

    Parameters
    ----------
    sampler : BayesGANOversampler or InfoGANOversampler
        A fitted sampler (after ``fit_resample``).
    path : str or os.PathLike
        Destination, used exactly as given (no ``.npz`` is appended). An
        existing file is overwritten.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``sampler`` has not been fitted.
    TypeError
        If ``sampler`` is not exactly one of the two imbgan samplers (a
        subclass could not be rebuilt by :func:`load_sampler`), or its class
        labels are neither numbers, booleans nor strings.
    ValueError
        If the networks hold non-finite weights.

    Warns
    -----
    UserWarning
        Naming the parameters that have no JSON form (a ``RandomState``
        ``random_state``, a callable ``sampling_strategy``, ...): they are
        stored as their default values and listed under
        ``"params_not_saved"``.

    Notes
    -----
    The whole archive is built in memory before ``path`` is opened, so a
    sampler that cannot be saved never leaves a partial file behind.
    """
    check_is_fitted(sampler, "generator_")
    name = type(sampler).__name__
    if _allowed_classes().get(name) is not type(sampler):
        raise TypeError(
            "only BayesGANOversampler and InfoGANOversampler can be saved; got "
            f"{type(sampler).__module__}.{type(sampler).__qualname__}."
        )
    from . import __version__

    params, not_saved = _encode_params(sampler)
    if not_saved:
        warnings.warn(
            f"The parameters {not_saved} of this {name} have no portable form "
            "(e.g. a RandomState or a callable) and are not saved; the loaded "
            "sampler will use their default values.",
            UserWarning,
            stacklevel=2,
        )
    classes, classes_kind = _classes_for_file(np.asarray(sampler.classes_))
    scaler = sampler.scaler_
    image_shape = sampler.image_shape_
    fitted: dict[str, Any] = {
        "n_features_in_": int(sampler.n_features_in_),
        "has_feature_names": hasattr(sampler, "feature_names_in_"),
        "n_codes_": int(sampler.n_codes_),
        "hidden_units_": int(sampler.hidden_units_),
        "image_shape_": None if image_shape is None else [int(s) for s in image_shape],
        "classes_kind": classes_kind,
        "sampling_strategy_": [
            [_label_to_json(k), int(v)] for k, v in sampler.sampling_strategy_.items()
        ],
        "config_": dataclasses.asdict(sampler.config_),
        "history_": {
            str(k): [float(v) for v in values] for k, values in sampler.history_.items()
        },
        "scaler_": {
            "per_feature": bool(scaler.per_feature),
            "dtype": np.dtype(scaler.dtype_).str,
            "discrete_columns": [
                [int(j), int(values.size)]
                for j, values in sorted(scaler.levels_.items())
            ],
            "kind": "minmax",
        },
    }
    if isinstance(scaler, QuantileScaler):
        fitted["scaler_"]["kind"] = "quantile"
        fitted["scaler_"]["n_quantiles"] = int(scaler.quantiles_.shape[0])
    if hasattr(sampler, "dag_"):
        fitted["dag_"] = sampler.dag_.to_dict()
    document = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "imbgan_version": __version__,
        "estimator": name,
        "params": params,
        "params_not_saved": not_saved,
        "fitted": fitted,
    }
    # allow_nan=False: NaN/Infinity are not JSON, and the loader rejects them.
    text = json.dumps(document, allow_nan=False, ensure_ascii=False)
    arrays: dict[str, np.ndarray] = {
        _CONFIG_MEMBER: np.frombuffer(text.encode("utf-8"), dtype=np.uint8),
        "classes_": classes,
    }
    if fitted["has_feature_names"]:
        names = [str(n) for n in sampler.feature_names_in_]
        stored_names = np.array(names, dtype=str)
        if stored_names.tolist() != names:
            raise ValueError("feature names ending in NUL characters cannot be saved.")
        arrays["feature_names_in_"] = stored_names
    for attr in _SCALER_ARRAYS:
        arrays[f"scaler/{attr}"] = np.asarray(getattr(scaler, attr), dtype=np.float64)
    arrays[f"scaler/{_SCALER_MASK}"] = np.asarray(
        getattr(scaler, _SCALER_MASK), dtype=bool
    )
    arrays[f"scaler/{_SCALER_LEVELS}"] = np.concatenate(
        [np.empty(0)] + [values for _, values in sorted(scaler.levels_.items())]
    ).astype(np.float64)
    if isinstance(scaler, QuantileScaler):
        arrays[f"scaler/{_SCALER_QUANTILES}"] = scaler.quantiles_.astype(np.float64)
    arrays.update(_network_arrays("generator", sampler.generator_))
    arrays.update(_network_arrays("discriminator", sampler.discriminator_))

    buffer = io.BytesIO()
    # allow_pickle=False: a stray object array fails here, not at load time.
    np.savez(buffer, allow_pickle=False, **arrays)
    with open(os.fspath(path), "wb") as file:
        file.write(buffer.getbuffer())


# -- loading: reading the archive ---------------------------------------------


def _fail(message: str) -> NoReturn:
    raise _InvalidFile(message)


def _read_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """``(shape, dtype)`` of a ``.npy`` member, checking its declared length.

    Only the header is read, so a member that declares a huge array costs
    nothing until its shape has been compared with what is expected.
    """
    with zf.open(info) as member:
        try:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                read = np.lib.format.read_array_header_1_0
            elif version == (2, 0):
                read = np.lib.format.read_array_header_2_0
            else:
                _fail(f"member {info.filename!r} has .npy version {version}.")
            shape, _, dtype = read(member, max_header_size=_NPY_HEADER_LIMIT)
        except (ValueError, TypeError, SyntaxError, RecursionError, TokenError) as exc:
            # numpy parses the header with ast.literal_eval (never eval), so
            # a damaged header can only fail to parse.
            raise _InvalidFile(
                f"member {info.filename!r} has a malformed .npy header ({exc})."
            ) from exc
        data_offset = member.tell()
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        _fail(f"member {info.filename!r} has a non-plain dtype {dtype}.")
    count = math.prod(shape)
    if info.file_size != data_offset + count * dtype.itemsize:
        _fail(
            f"member {info.filename!r} declares shape {shape} of {dtype} but holds "
            f"{info.file_size - data_offset} bytes of data."
        )
    return shape, dtype


def _members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Map array name -> zip entry, rejecting anything but plain ``.npy`` files."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        _fail(f"it has {len(infos)} members (at most {MAX_MEMBERS}).")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if not name.endswith(".npy") or info.is_dir():
            _fail(f"member {name!r} is not a .npy array.")
        if info.flag_bits & 0x1:
            _fail(f"member {name!r} is encrypted.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _fail(f"member {name!r} uses unsupported compression.")
        key = name[: -len(".npy")]
        if key in members:
            _fail(f"member {name!r} appears twice.")
        members[key] = info
    return members


# -- loading: the JSON document ------------------------------------------------


def _reject_constant(name: str) -> NoReturn:
    _fail(f"config.json contains the non-finite number {name}.")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            _fail(f"config.json repeats the key {key!r}.")
        result[key] = value
    return result


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
        document = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except (ValueError, RecursionError) as exc:
        raise _InvalidFile(f"config.json is not valid UTF-8 JSON ({exc}).") from exc
    if not isinstance(document, dict):
        _fail("config.json is not a JSON object.")
    return document


def _get(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        _fail(f"{where} has no {key!r}.")
    return doc[key]


def _check_keys(doc: Any, required: set[str], optional: set[str], where: str) -> None:
    if not isinstance(doc, dict):
        _fail(f"{where} must be a JSON object; got {type(doc).__name__}.")
    missing = required - doc.keys()
    unknown = doc.keys() - required - optional
    if missing:
        _fail(f"{where} is missing {sorted(missing)}.")
    if unknown:
        _fail(f"{where} has unknown entries {sorted(unknown)}.")


def _int(
    value: Any, where: str, minimum: int = 1, maximum: int = MAX_PARAMETERS
) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        _fail(f"{where} must be an integer; got {value!r}.")
    if value < minimum:
        _fail(f"{where} must be >= {minimum}; got {value}.")
    # Beyond this no dimension can fit the parameter bound anyway; checking
    # it here keeps later arithmetic and network building small.
    if value > maximum:
        _fail(f"{where}={value} exceeds the sanity bound {maximum}.")
    return value


def _float(value: Any, where: str, *, positive: bool = False) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        _fail(f"{where} must be a number; got {value!r}.")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "> 0" if positive else ">= 0"
        _fail(f"{where} must be a finite number {bound}; got {value!r}.")
    return number


def _decode(value: Any, where: str) -> Any:
    """Inverse of :func:`_encode` (and of the ``dag`` forms)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            _fail(f"{where} holds a non-finite number.")
        return value
    if isinstance(value, list):
        return [_decode(v, where) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        _fail(f"{where} holds a malformed value {value!r:.80}.")
    ((tag, body),) = value.items()
    if tag == "tuple" and isinstance(body, list):
        return tuple(_decode(v, where) for v in body)
    if tag in ("dict", "latent_dag") and isinstance(body, list):
        items = []
        for item in body:
            if not isinstance(item, list) or len(item) != 2:
                _fail(f"{where} holds a malformed mapping entry {item!r:.80}.")
            key = _decode(item[0], where)
            if isinstance(key, list):
                _fail(f"{where} holds a list as a mapping key.")
            items.append((key, _decode(item[1], where)))
        mapping = dict(items)
        if len(mapping) != len(items):
            _fail(f"{where} repeats a mapping key.")
        return LatentDAG(mapping) if tag == "latent_dag" else mapping
    _fail(f"{where} holds an unknown tagged value {tag!r}.")


def _make_estimator(document: dict[str, Any], expected_class: type | None):
    """Instantiate the allow-listed class and validate its parameters."""
    name = _get(document, "estimator", "config.json")
    classes = _allowed_classes()
    if not isinstance(name, str) or name not in classes:
        _fail(f"the estimator class {name!r:.80} is not one of {sorted(classes)}.")
    cls = classes[name]
    if expected_class is not None and not issubclass(cls, expected_class):
        raise _WrongClass(
            f"this file holds a sampler of class {name}, not "
            f"{expected_class.__name__}; load it with {name}.load(path)."
        )
    estimator = cls()
    valid = set(estimator.get_params(deep=False))
    raw_params = _get(document, "params", "config.json")
    not_saved = _get(document, "params_not_saved", "config.json")
    if not isinstance(raw_params, dict):
        _fail("'params' must be a JSON object.")
    if not isinstance(not_saved, list) or not all(
        isinstance(n, str) for n in not_saved
    ):
        _fail("'params_not_saved' must be a list of names.")
    unknown = (raw_params.keys() | set(not_saved)) - valid
    if unknown:
        _fail(f"unknown parameters {sorted(unknown)} for {name}.")
    if raw_params.keys() & set(not_saved):
        _fail("a parameter is both saved and listed as not saved.")
    params = {k: _decode(v, f"parameter {k!r}") for k, v in raw_params.items()}
    # A parameter added after a file was written: the model in the file was
    # fitted with the behaviour that predates it, and the parameter must say
    # so rather than take today's default.
    for key, value in _LEGACY_VALUES.items():
        if key in valid and key not in raw_params and key not in not_saved:
            params[key] = value
    try:
        estimator.set_params(**params)
        # sklearn's own constraints, the ones fit would check
        estimator._validate_params()
        dag = getattr(estimator, "dag", None)
        if dag is not None and not isinstance(dag, str):
            check_dag(dag)
    except (ValueError, TypeError) as exc:
        raise _InvalidFile(f"invalid parameters: {exc}") from exc
    return estimator


def _check_config(raw: Any) -> TrainingConfig:
    """A :class:`TrainingConfig` from its JSON form, every field type-checked."""
    fields = {f.name: f for f in dataclasses.fields(TrainingConfig)}
    required = {
        n
        for n, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    _check_keys(raw, required, set(fields) - required, "config_")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"config_.{key}"
        kind = str(fields[key].type)
        if key == "verbose":
            values[key] = value if isinstance(value, bool) else _int(value, where, 0)
        elif key in ("learning_rate", "noise_scale"):
            values[key] = _float(value, where, positive=True)
        elif key == "ema_decay":
            values[key] = _float(value, where)
            if values[key] >= 1:
                _fail(f"{where} must be below 1; got {value!r}.")
        elif key == "augment_shift":
            values[key] = _int(value, where, 0)
        elif key == "precision":
            if value not in ("float32", "bfloat16"):
                _fail(f"{where} must be 'float32' or 'bfloat16'; got {value!r:.40}.")
            values[key] = value
        elif kind == "bool":
            if not isinstance(value, bool):
                _fail(f"{where} must be true or false; got {value!r}.")
            values[key] = value
        elif kind == "int":
            values[key] = _int(value, where)
        elif kind == "float":
            values[key] = _float(value, where)
        else:  # a field type this loader does not know how to check
            _fail(f"{where} has an unsupported type {kind}.")
    return TrainingConfig(**values)


def _check_history(raw: Any) -> dict[str, list[float]]:
    if not isinstance(raw, dict):
        _fail("history_ must be a JSON object.")
    history = {}
    for key, values in raw.items():
        if not isinstance(values, list):
            _fail(f"history_[{key!r}] must be a list.")
        floats = []
        for v in values:
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                _fail(f"history_[{key!r}] holds a non-number {v!r:.40}.")
            if not math.isfinite(v):
                _fail(f"history_[{key!r}] holds a non-finite number.")
            floats.append(float(v))
        history[key] = floats
    return history


def _check_image_shape(raw: Any, n_features: int) -> tuple[int, int, int] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 3:
        _fail(f"image_shape_ must be null or three integers; got {raw!r:.80}.")
    channels = _int(raw[0], "image_shape_[0]")
    height = _int(raw[1], "image_shape_[1]", _MIN_IMAGE_SIDE)
    width = _int(raw[2], "image_shape_[2]", _MIN_IMAGE_SIDE)
    if channels * height * width != n_features:
        _fail(
            f"image_shape_={raw} describes {channels * height * width} features but "
            f"n_features_in_ is {n_features}."
        )
    return channels, height, width


def _check_scaler_dtype(raw: Any) -> np.dtype:
    if not isinstance(raw, str) or len(raw) > 8:
        _fail(f"scaler_.dtype must be a short dtype string; got {raw!r:.40}.")
    try:
        dtype = np.dtype(raw)
    except TypeError as exc:
        raise _InvalidFile(f"scaler_.dtype {raw!r} is not a dtype.") from exc
    if dtype.kind not in _SCALER_DTYPE_KINDS or dtype.subdtype is not None:
        _fail(f"scaler_.dtype must be a numeric or boolean dtype; got {raw!r}.")
    return dtype


# -- loading: the networks ------------------------------------------------------


def _expected_state_shapes(
    *,
    n_features: int,
    n_classes: int,
    n_codes: int,
    noise_dim: int,
    hidden: int,
    image_shape: tuple[int, int, int] | None,
    projection: bool,
    spectral_norm: bool,
) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every weight the file must hold, computed for free.

    The modules come from :func:`imbgan._networks.build_meta_networks` (no
    storage is allocated, whatever the sizes); the real networks are only
    built once these shapes have matched the file and passed
    :data:`MAX_PARAMETERS`.
    """
    try:
        gen, disc = build_meta_networks(
            n_features=n_features,
            n_classes=n_classes,
            n_codes=n_codes,
            noise_dim=noise_dim,
            hidden=hidden,
            image_shape=image_shape,
            projection=projection,
            spectral_norm=spectral_norm,
        )
        with torch.device("meta"):
            bounded = BoundedGenerator(
                gen, torch.empty(n_features), torch.empty(n_features)
            )
    except (RuntimeError, ValueError, OverflowError) as exc:
        # e.g. torch's "Storage size calculation overflowed"
        raise _InvalidFile(
            f"the declared network sizes are impossible ({exc})."
        ) from exc
    shapes = {}
    for prefix, net in (("generator", bounded), ("discriminator", disc)):
        for key, tensor in net.state_dict().items():
            shapes[f"{prefix}/{key}"] = tuple(tensor.shape)
    n_parameters = sum(math.prod(s) for s in shapes.values())
    if n_parameters > MAX_PARAMETERS:
        _fail(
            f"the declared networks have {n_parameters} parameters, more than the "
            f"sanity bound {MAX_PARAMETERS}."
        )
    return shapes


# -- loading: the whole file ----------------------------------------------------


def _open_npz(data: bytes) -> np.lib.npyio.NpzFile:
    # The only call that reads array data: never with allow_pickle=True.
    npz = np.load(io.BytesIO(data), allow_pickle=False)
    if not isinstance(npz, np.lib.npyio.NpzFile):
        _fail("it is not an .npz archive.")
    return npz


def _load(data: bytes, device: torch.device, expected_class: type | None):
    """Validate ``data`` (the file's bytes) completely, then build the sampler."""
    # zipfile tolerates leading bytes but np.load does not (it would take
    # the file for a pickle and suggest allow_pickle=True): demand both.
    if not data.startswith(b"PK\x03\x04"):
        _fail("it is not a zip (.npz) archive.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _InvalidFile("it is not a zip (.npz) archive.") from exc
    with zf:
        members = _members(zf)
        if _CONFIG_MEMBER not in members:
            _fail("it has no config.json member.")
        shape, dtype = _read_header(zf, members[_CONFIG_MEMBER])
        if dtype != np.uint8 or len(shape) != 1:
            _fail("config.json must be a 1-d uint8 array.")
        if shape[0] > MAX_JSON_BYTES:
            _fail(f"config.json is larger than {MAX_JSON_BYTES} bytes.")
        # Parse and check the whole document before any other array is read.
        with _open_npz(data) as npz:
            document = _parse_json(npz[_CONFIG_MEMBER].tobytes())
        state = _check_document(document, expected_class)

        expected = state["expected"]
        if set(members) != set(expected):
            missing = sorted(set(expected) - set(members))
            extra = sorted(set(members) - set(expected))
            _fail(
                f"its arrays do not match the model: missing {missing}, extra {extra}."
            )
        for key, (want_shape, kinds, max_itemsize) in expected.items():
            if key == _CONFIG_MEMBER:
                continue
            shape, dtype = _read_header(zf, members[key])
            if dtype.kind not in kinds or dtype.itemsize > max_itemsize:
                _fail(f"array {key!r} has dtype {dtype}; expected kind {kinds}.")
            if shape != want_shape:
                _fail(f"array {key!r} has shape {shape}; expected {want_shape}.")

    with _open_npz(data) as npz:
        arrays = {key: npz[key] for key in expected if key != _CONFIG_MEMBER}
    return _build(state, arrays, device)


def _check_document(document: dict[str, Any], expected_class: type | None):
    """Validate the JSON document; return what :func:`_build` needs."""
    top = {
        "format",
        "format_version",
        "imbgan_version",
        "estimator",
        "params",
        "params_not_saved",
        "fitted",
    }
    if document.get("format") != FORMAT_NAME:
        _fail(f"its format is {document.get('format')!r:.80}, not {FORMAT_NAME!r}.")
    version = document.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        _fail(
            f"its format version is {version!r:.80}; this imbgan reads version "
            f"{FORMAT_VERSION}."
        )
    _check_keys(document, top, set(), "config.json")
    if not isinstance(document["imbgan_version"], str):
        _fail("imbgan_version must be a string.")
    estimator = _make_estimator(document, expected_class)
    is_bayes = type(estimator).__name__ == "BayesGANOversampler"

    fitted = document["fitted"]
    fitted_keys = {
        "n_features_in_",
        "has_feature_names",
        "n_codes_",
        "hidden_units_",
        "image_shape_",
        "classes_kind",
        "sampling_strategy_",
        "config_",
        "history_",
        "scaler_",
    }
    if is_bayes:
        fitted_keys.add("dag_")
    _check_keys(fitted, fitted_keys, set(), "fitted")
    n_features = _int(fitted["n_features_in_"], "n_features_in_")
    has_names = fitted["has_feature_names"]
    if not isinstance(has_names, bool):
        _fail("has_feature_names must be true or false.")
    n_codes = _int(fitted["n_codes_"], "n_codes_")
    hidden = _int(fitted["hidden_units_"], "hidden_units_")
    image_shape = _check_image_shape(fitted["image_shape_"], n_features)
    classes_kind = fitted["classes_kind"]
    if not isinstance(classes_kind, str) or classes_kind not in _CLASS_KINDS:
        _fail(f"classes_kind must be one of {sorted(_CLASS_KINDS)}.")
    config = _check_config(fitted["config_"])
    if config.n_codes != n_codes:
        _fail(f"config_.n_codes={config.n_codes} differs from n_codes_={n_codes}.")
    history = _check_history(fitted["history_"])
    scaler_doc = fitted["scaler_"]
    # discrete_columns and kind are optional: files written before snapping
    # or quantile scaling existed have none, and load as they were saved.
    _check_keys(
        scaler_doc,
        {"per_feature", "dtype"},
        {"discrete_columns", "kind", "n_quantiles"},
        "scaler_",
    )
    if not isinstance(scaler_doc["per_feature"], bool):
        _fail("scaler_.per_feature must be true or false.")
    discrete = _check_discrete_columns(scaler_doc, n_features)
    n_quantiles = _check_scaler_kind(scaler_doc)
    scaler_dtype = _check_scaler_dtype(scaler_doc["dtype"])
    strategy = fitted["sampling_strategy_"]
    if not isinstance(strategy, list) or not all(
        isinstance(item, list) and len(item) == 2 for item in strategy
    ):
        _fail("sampling_strategy_ must be a list of [label, count] pairs.")
    for _, count in strategy:
        _int(count, "a sampling_strategy_ count", 0)
    dag = None
    if is_bayes:
        raw_dag = fitted["dag_"]
        if not isinstance(raw_dag, dict):
            _fail("dag_ must be a JSON object {code: [parents]}.")
        try:
            dag = LatentDAG(raw_dag)
        except (TypeError, ValueError) as exc:
            raise _InvalidFile(f"dag_ is invalid: {exc}") from exc
        if dag.n_codes != n_codes:
            _fail(f"dag_ names {dag.n_codes} codes but n_codes_ is {n_codes}.")

    # Sizes are bounded before anything of that size is read or built.
    shapes = _expected_state_shapes(
        n_features=n_features,
        n_classes=config.n_classes,
        n_codes=n_codes,
        noise_dim=config.noise_dim,
        hidden=hidden,
        image_shape=image_shape,
        projection=config.projection,
        spectral_norm=config.spectral_norm,
    )
    label_kinds = {"O": "Ui"}.get(classes_kind, classes_kind)
    # name -> (shape, allowed dtype kinds, largest item size)
    expected: dict[str, tuple[tuple[int, ...], str, int]] = {
        _CONFIG_MEMBER: ((), "u", 1),  # checked separately
        "classes_": ((config.n_classes,), label_kinds, 4 * MAX_STRING_CHARS),
    }
    if has_names:
        expected["feature_names_in_"] = ((n_features,), "U", 4 * MAX_STRING_CHARS)
    for attr in _SCALER_ARRAYS:
        expected[f"scaler/{attr}"] = ((n_features,), "f", 8)
    expected[f"scaler/{_SCALER_MASK}"] = ((n_features,), "b", 1)
    if discrete is not None:
        n_levels = sum(count for _, count in discrete)
        expected[f"scaler/{_SCALER_LEVELS}"] = ((n_levels,), "f", 8)
    if n_quantiles is not None:
        expected[f"scaler/{_SCALER_QUANTILES}"] = ((n_quantiles, n_features), "f", 8)
    for key, shape in shapes.items():
        # float32 only: the item size bound rules out float64 and wider
        expected[key] = (shape, "f", 4)
    return {
        "estimator": estimator,
        "n_features": n_features,
        "n_codes": n_codes,
        "hidden": hidden,
        "image_shape": image_shape,
        "classes_kind": classes_kind,
        "config": config,
        "history": history,
        "per_feature": scaler_doc["per_feature"],
        "discrete_columns": discrete,
        "n_quantiles": n_quantiles,
        "scaler_dtype": scaler_dtype,
        "strategy": strategy,
        "dag": dag,
        "expected": expected,
    }


def _check_scaler_kind(scaler_doc: dict[str, Any]) -> int | None:
    """A quantile scaler's number of quantiles; None for a min-max scaler."""
    kind = scaler_doc.get("kind", "minmax")
    if kind not in _SCALER_KINDS:
        _fail(f"scaler_.kind must be one of {list(_SCALER_KINDS)}; got {kind!r:.40}.")
    if kind == "minmax":
        if "n_quantiles" in scaler_doc:
            _fail("scaler_.n_quantiles is only for a quantile scaler.")
        return None
    if not scaler_doc["per_feature"]:
        _fail("scaler_.kind must be 'minmax' for images.")
    if "n_quantiles" not in scaler_doc:
        _fail("scaler_.n_quantiles is missing for a quantile scaler.")
    return _int(scaler_doc["n_quantiles"], "scaler_.n_quantiles", 2, MAX_QUANTILES)


def _check_discrete_columns(
    scaler_doc: dict[str, Any], n_features: int
) -> list[tuple[int, int]] | None:
    """``[[column, n_levels], ...]`` in increasing column order, or None if absent."""
    if "discrete_columns" not in scaler_doc:
        return None
    raw = scaler_doc["discrete_columns"]
    if not isinstance(raw, list) or not all(
        isinstance(item, list) and len(item) == 2 for item in raw
    ):
        _fail("scaler_.discrete_columns must be a list of [column, n_levels] pairs.")
    if raw and not scaler_doc["per_feature"]:
        _fail("scaler_.discrete_columns must be empty for images.")
    result = []
    previous = -1
    for column, count in raw:
        column = _int(column, "a discrete column index", 0, n_features - 1)
        if column <= previous:
            _fail("scaler_.discrete_columns must be in increasing column order.")
        previous = column
        result.append((column, _int(count, "a discrete column's n_levels", 2)))
    if sum(count for _, count in result) > MAX_PARAMETERS:
        _fail(f"scaler_.discrete_columns holds more than {MAX_PARAMETERS} levels.")
    return result


def _check_finite(arrays: dict[str, np.ndarray], keys) -> None:
    for key in keys:
        if not np.isfinite(arrays[key]).all():
            _fail(f"array {key!r} contains non-finite values.")


def _check_unicode(array: np.ndarray, key: str) -> None:
    """Reject code points Python cannot represent (a damaged unicode array)."""
    if array.dtype.kind != "U" or array.dtype.itemsize == 0:
        return
    native = array.astype(array.dtype.newbyteorder("="), copy=False)
    if (np.ascontiguousarray(native).view(np.uint32) > 0x10FFFF).any():
        _fail(f"array {key!r} holds invalid unicode characters.")


def _restore_classes(raw: np.ndarray, kind: str, n_classes: int) -> np.ndarray:
    _check_unicode(raw, "classes_")
    if raw.dtype.kind == "f":
        _check_finite({"classes_": raw}, ["classes_"])
    if np.unique(raw).size != n_classes:
        _fail("classes_ contains repeated labels.")
    if kind == "O":
        return raw.astype(object)
    return raw


def _restore_strategy(strategy: list, classes: np.ndarray) -> OrderedDict:
    """``sampling_strategy_`` with keys that are elements of ``classes``."""
    labels = classes.tolist()
    result: OrderedDict = OrderedDict()
    for label, count in strategy:
        # Reject cross-type matches (True == 1 in Python) before comparing.
        if isinstance(label, bool) != (classes.dtype.kind == "b") or not isinstance(
            label, (bool, int, float, str)
        ):
            _fail(f"sampling_strategy_ label {label!r:.40} does not match classes_.")
        if isinstance(label, str) != isinstance(labels[0], str):
            _fail(f"sampling_strategy_ label {label!r:.40} does not match classes_.")
        matches = [i for i, known in enumerate(labels) if known == label]
        if len(matches) != 1:
            _fail(f"sampling_strategy_ label {label!r:.40} is not in classes_.")
        key = classes[matches[0]]
        if key in result:
            _fail(f"sampling_strategy_ lists {label!r:.40} twice.")
        result[key] = count
    return result


def _restore_scaler(
    state: dict[str, Any], arrays: dict[str, np.ndarray]
) -> RangeScaler:
    stored = {
        attr: arrays[f"scaler/{attr}"].astype(np.float64) for attr in _SCALER_ARRAYS
    }
    _check_finite(arrays, [f"scaler/{attr}" for attr in _SCALER_ARRAYS])
    low, high = stored["feature_min_"], stored["feature_max_"]
    if not (low <= high).all():
        _fail("scaler feature_min_ exceeds feature_max_.")
    # Refit on the two extreme rows: the scaler's own code derives the other
    # attributes, which must then equal the stored ones exactly.
    if state["n_quantiles"] is None:
        scaler = RangeScaler(per_feature=state["per_feature"])
    else:
        scaler = QuantileScaler()
    with np.errstate(over="ignore", invalid="ignore"):
        scaler.fit(
            np.stack([low, high]),
            integer_columns=arrays[f"scaler/{_SCALER_MASK}"].astype(bool),
        )
    for attr in ("center_", "half_range_"):
        if not np.array_equal(getattr(scaler, attr), stored[attr]):
            _fail(f"scaler {attr} is inconsistent with feature_min_/feature_max_.")
    if isinstance(scaler, QuantileScaler):
        scaler.quantiles_ = _restore_quantiles(arrays, low, high)
    scaler.dtype_ = state["scaler_dtype"]
    scaler.levels_ = _restore_levels(state, arrays, low, high)
    return scaler


def _restore_quantiles(arrays: dict[str, np.ndarray], low, high) -> np.ndarray:
    """Each column's quantiles: finite, non-decreasing, from its min to its max."""
    key = f"scaler/{_SCALER_QUANTILES}"
    _check_finite(arrays, [key])
    quantiles = arrays[key].astype(np.float64)
    if not (np.diff(quantiles, axis=0) >= 0).all():
        _fail("the scaler's quantiles are not non-decreasing in every column.")
    if not (np.array_equal(quantiles[0], low) and np.array_equal(quantiles[-1], high)):
        _fail("the scaler's quantiles do not run from feature_min_ to feature_max_.")
    return quantiles


def _restore_levels(
    state: dict[str, Any], arrays: dict[str, np.ndarray], low, high
) -> dict[int, np.ndarray]:
    """Each discrete column's levels: finite, increasing, inside its range."""
    discrete = state["discrete_columns"]
    if discrete is None:
        return {}
    key = f"scaler/{_SCALER_LEVELS}"
    _check_finite(arrays, [key])
    flat = arrays[key].astype(np.float64)
    levels: dict[int, np.ndarray] = {}
    start = 0
    for column, count in discrete:
        values = flat[start : start + count]
        start += count
        if not (np.diff(values) > 0).all():
            _fail(f"the levels of discrete column {column} are not increasing.")
        if values[0] < low[column] or values[-1] > high[column]:
            _fail(f"the levels of discrete column {column} leave its range.")
        levels[column] = values
    return levels


def _restore_network(
    net: torch.nn.Module, prefix: str, arrays: dict[str, np.ndarray]
) -> None:
    state = {
        key[len(prefix) + 1 :]: torch.from_numpy(np.array(value, dtype=np.float32))
        for key, value in arrays.items()
        if key.startswith(prefix + "/")
    }
    net.load_state_dict(state, strict=True)


def _build(state: dict[str, Any], arrays: dict[str, np.ndarray], device: torch.device):
    """Assemble the fitted sampler from validated pieces."""
    config: TrainingConfig = state["config"]
    weight_keys = [k for k in arrays if k.split("/")[0] in _NETWORKS]
    _check_finite(arrays, weight_keys)
    classes = _restore_classes(
        arrays["classes_"], state["classes_kind"], config.n_classes
    )
    strategy = _restore_strategy(state["strategy"], classes)
    scaler = _restore_scaler(state, arrays)

    generator, discriminator = build_networks(
        n_features=state["n_features"],
        n_classes=config.n_classes,
        n_codes=state["n_codes"],
        noise_dim=config.noise_dim,
        hidden=state["hidden"],
        image_shape=state["image_shape"],
        output_bounds=scaler.scaled_bounds(),
        seed=0,  # every weight is overwritten below
        device=torch.device("cpu"),
        projection=config.projection,
        spectral_norm=config.spectral_norm,
    )
    _restore_network(generator, "generator", arrays)
    _restore_network(discriminator, "discriminator", arrays)

    estimator = state["estimator"]
    scaler.max_levels = estimator.max_discrete_levels
    estimator.n_features_in_ = state["n_features"]
    if "feature_names_in_" in arrays:
        _check_unicode(arrays["feature_names_in_"], "feature_names_in_")
        estimator.feature_names_in_ = arrays["feature_names_in_"].astype(object)
    estimator.sampling_strategy_ = strategy
    if state["dag"] is not None:
        estimator.dag_ = state["dag"]
    estimator.classes_ = classes
    estimator.n_codes_ = state["n_codes"]
    estimator.hidden_units_ = state["hidden"]
    estimator.image_shape_ = state["image_shape"]
    estimator.device_ = device
    estimator.n_threads_ = resolve_threads(estimator.n_threads, state["image_shape"])
    estimator.scaler_ = scaler
    estimator.config_ = config
    estimator.generator_ = generator.to(device).eval()
    estimator.discriminator_ = discriminator.to(device).eval()
    estimator.history_ = state["history"]
    return estimator


def load_sampler(
    path: str | os.PathLike,
    *,
    device: str = "auto",
    expected_class: type | None = None,
):
    """Load a sampler written by :func:`save_sampler`, never executing its content.

    The file is read with ``np.load(..., allow_pickle=False)`` only, and every
    value is validated (format, class, parameters, sizes, shapes, dtypes,
    finiteness, consistency) before the networks are built.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    device : str, default="auto"
        Where to put the networks: ``"auto"`` (CUDA if available, else CPU),
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``. Becomes ``device_``; the
        ``device`` parameter keeps its saved value and only matters for a
        refit.
    expected_class : type, optional
        When given, the file must hold an instance of this class (or of a
        subclass); ``BayesGANOversampler.load`` passes its own class.

    Returns
    -------
    sampler : BayesGANOversampler or InfoGANOversampler
        Fitted, with its networks in eval mode on ``device``. Parameters that
        were listed as not saved have their default values.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a valid model file; the message starts with
        ``"Not a valid imbgan model file"`` and says what is wrong. Also if
        the file holds another class than ``expected_class``, or ``device``
        is invalid or unavailable.
    """
    target = resolve_device(device)
    location = os.fspath(path)
    with open(location, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(
                f"{INVALID_FILE} ({location}): it is larger than "
                f"{MAX_FILE_BYTES} bytes."
            )
        data = file.read()
    try:
        return _load(data, target, expected_class)
    except _WrongClass as exc:
        raise ValueError(f"{location}: {exc}") from None
    except _InvalidFile as exc:
        raise ValueError(f"{INVALID_FILE} ({location}): {exc}") from exc.__cause__
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ValueError(
            f"{INVALID_FILE} ({location}): the archive is corrupted or truncated "
            f"({type(exc).__name__}: {exc})."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - nothing else may escape a bad file
        # Whatever else a malformed archive makes zipfile, numpy or torch
        # raise (KeyError, struct.error, ...) is a property of the file,
        # reported as such.
        raise ValueError(
            f"{INVALID_FILE} ({location}): {type(exc).__name__}: {exc}"
        ) from exc
