"""Plain state files: one JSON document and named arrays, without pickle.

A pickle (or joblib) file runs arbitrary code when it is loaded. The files
written here are ``.npz`` archives (a zip of ``.npy`` files) holding only
plain numeric, boolean and unicode arrays; one of them, ``config.json``, is
the UTF-8 bytes of a JSON document. They are read with
``np.load(..., allow_pickle=False)`` only, and nothing in them is executed.

This module knows nothing of what the state describes. A reader passes
:func:`read_archive` a *plan*: a function that checks the JSON document and
returns the table of the arrays the document implies (name -> :class:`Spec`)
and how to build the result from them. Every array is compared with its spec
first from its ``.npy`` header alone (so nothing of a declared size is read
before the size has been checked), then by value, with :func:`check`, which
also checks single JSON values against a spec. Any failure raises a
``ValueError`` whose message starts with :data:`INVALID_FILE`.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from tokenize import TokenError
from typing import Any, NamedTuple, NoReturn

import numpy as np

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "INVALID_FILE",
    "InvalidFile",
    "Spec",
    "check",
    "check_all",
    "decode_value",
    "encode_value",
    "fail",
    "read_archive",
    "write_archive",
]

FORMAT_NAME = "imbgan-sampler"
# Files of any other version are rejected: there is no conversion.
FORMAT_VERSION = 2

#: Every error about the content of a file starts with this.
INVALID_FILE = "Not a valid imbgan model file"

# Sanity bounds, checked before anything of the declared size is allocated.
# 10**9 float32 parameters is 4 GB, far beyond any network this package
# builds by default; the file-size bound leaves room for that plus the rest.
MAX_PARAMETERS = 10**9
MAX_FILE_BYTES = 5 * 2**30
MAX_JSON_BYTES = 64 * 2**20
MAX_MEMBERS = 1024
MAX_STRING_CHARS = 4096  # per string in a unicode array

CONFIG_MEMBER = "config.json"
_NPY_HEADER_LIMIT = 10000  # numpy's own default limit on a header's size
_JSON_KINDS = {bool: "b", int: "i", float: "f", str: "U"}


class InvalidFile(Exception):
    """A check on a file's content failed; :func:`read_archive` reports it."""


def fail(message: str) -> NoReturn:
    raise InvalidFile(message)


# -- the checker ---------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What one array (or one JSON value, of shape ``()``) must be.

    ``kinds`` are the allowed numpy dtype kinds (a JSON ``true`` is ``"b"``,
    an integer ``"i"``, a number with a fraction ``"f"``, a string ``"U"``);
    ``itemsize`` bounds an array's item size in bytes. Floats must be
    finite; numbers lie in ``[low, high]``; ``unique`` values must differ;
    a JSON string must be one of ``choices``.
    """

    shape: tuple[int, ...] = ()
    kinds: str = "f"
    itemsize: int = 8
    low: float | None = None
    high: float | None = None
    unique: bool = False
    choices: frozenset[str] | None = None


class Header(NamedTuple):
    """An array's shape and dtype, read from its ``.npy`` header."""

    shape: tuple[int, ...]
    dtype: np.dtype


def check(name: str, value: Any, spec: Spec) -> None:
    """Check a JSON value, an array, or an array's :class:`Header` against ``spec``."""
    is_array = isinstance(value, Header | np.ndarray)
    if is_array:
        shape, kind, itemsize = value.shape, value.dtype.kind, value.dtype.itemsize
    else:
        shape, kind, itemsize = (), _JSON_KINDS.get(type(value), "O"), 0
    if kind not in spec.kinds or itemsize > spec.itemsize:
        what = value.dtype if is_array else type(value).__name__
        size = f" of at most {spec.itemsize} bytes" if is_array else ""
        fail(f"{name} is of type {what}; expected kind {spec.kinds!r}{size}.")
    if shape != spec.shape:
        fail(f"{name} has shape {shape}; expected {spec.shape}.")
    if isinstance(value, Header):
        return  # the values are checked once they have been read
    if kind == "f" and not np.isfinite(value).all():
        fail(f"{name} contains non-finite values.")
    if kind in "iuf" and np.size(value):
        if spec.low is not None and np.min(value) < spec.low:
            fail(f"{name} holds {_show(np.min(value))}, below its bound {spec.low}.")
        if spec.high is not None and np.max(value) > spec.high:
            fail(f"{name} holds {_show(np.max(value))}, above its bound {spec.high}.")
    if kind == "U" and is_array and itemsize:
        native = value.astype(value.dtype.newbyteorder("="), copy=False)
        if (np.ascontiguousarray(native).view(np.uint32) > 0x10FFFF).any():
            fail(f"{name} holds invalid unicode characters.")
    if spec.unique and np.unique(value).size != np.size(value):
        fail(f"{name} contains repeated values.")
    if spec.choices is not None and value not in spec.choices:
        fail(f"{name} is {value!r:.40}; expected one of {sorted(spec.choices)}.")


def _show(number: Any) -> str:
    text = str(number)
    return text if len(text) <= 24 else f"{text[:20]}..."


def check_all(values: Mapping[str, Any], table: Mapping[str, Spec], what: str) -> None:
    """``values`` has exactly the names of ``table``, and each fits its spec."""
    if not isinstance(values, Mapping):
        fail(f"its {what} must be a JSON object.")
    if set(values) != set(table):
        missing = sorted(set(table) - set(values))
        extra = sorted(set(values) - set(table))
        fail(f"its {what} do not match the model: missing {missing}, extra {extra}.")
    for name, spec in table.items():
        check(f"{what[:-1]} {name!r}", values[name], spec)


# -- parameter values as JSON --------------------------------------------------


def encode_value(value: Any) -> Any:
    """The JSON form of a parameter value; a ``TypeError`` if it has none.

    Every JSON object in the result is a tag, ``{"tuple": [...]}`` or
    ``{"dict": [[key, value], ...]}``, so :func:`decode_value` restores
    tuples and non-string keys exactly.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)  # np.str_ -> str
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and math.isfinite(value):
        return float(value)
    if isinstance(value, tuple | list):
        items = [encode_value(v) for v in value]
        return {"tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, Mapping):
        return {"dict": [[encode_value(k), encode_value(v)] for k, v in value.items()]}
    raise TypeError(f"{type(value).__name__} has no JSON form")


def decode_value(value: Any, where: str) -> Any:
    """Inverse of :func:`encode_value`; rejects anything it cannot have made."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        check(where, value, Spec())  # finite
        return value
    if isinstance(value, list):
        return [decode_value(v, where) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        fail(f"{where} holds a malformed value {value!r:.80}.")
    ((tag, body),) = value.items()
    if tag == "tuple" and isinstance(body, list):
        return tuple(decode_value(v, where) for v in body)
    if tag != "dict" or not isinstance(body, list):
        fail(f"{where} holds an unknown tagged value {tag!r:.40}.")
    items = []
    for item in body:
        if not isinstance(item, list) or len(item) != 2:
            fail(f"{where} holds a malformed mapping entry {item!r:.80}.")
        key = decode_value(item[0], where)
        if isinstance(key, list):
            fail(f"{where} holds a list as a mapping key.")
        items.append((key, decode_value(item[1], where)))
    mapping = dict(items)
    if len(mapping) != len(items):
        fail(f"{where} repeats a mapping key.")
    return mapping


# -- writing -------------------------------------------------------------------


def write_archive(
    path: str | os.PathLike, document: dict[str, Any], arrays: dict[str, np.ndarray]
) -> None:
    """Write ``document`` (with the format name and version) and ``arrays``.

    The archive is built in memory before ``path`` is opened, so a failure
    never leaves a partial file; ``path`` is used as given (no extension).
    """
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION}
    # allow_nan=False: NaN/Infinity are not JSON, and the reader rejects them.
    text = json.dumps({**header, **document}, allow_nan=False, ensure_ascii=False)
    raw = text.encode("utf-8")
    if len(raw) > MAX_JSON_BYTES:
        raise ValueError(f"the JSON document is larger than {MAX_JSON_BYTES} bytes.")
    buffer = io.BytesIO()
    # allow_pickle=False: an object array fails here, not when it is read.
    members = {CONFIG_MEMBER: np.frombuffer(raw, dtype=np.uint8), **arrays}
    np.savez(buffer, allow_pickle=False, **members)
    with open(os.fspath(path), "wb") as file:
        file.write(buffer.getbuffer())


# -- reading -------------------------------------------------------------------


def read_archive(path: str | os.PathLike, plan: Callable[[dict[str, Any]], Any]):
    """Read ``path``: the JSON document, then the arrays ``plan`` expects.

    ``plan`` receives the document without ``format`` and ``format_version``
    (already checked) and returns an object with a ``table`` (name ->
    :class:`Spec` of every array the file must hold) and a ``build(arrays)``
    method, called once each array matches its spec; both may raise
    :class:`InvalidFile`. Any problem with the file is a ``ValueError``
    starting with :data:`INVALID_FILE`; a missing file, ``FileNotFoundError``.
    """
    location = os.fspath(path)
    with open(location, "rb") as file:
        if os.fstat(file.fileno()).st_size > MAX_FILE_BYTES:
            raise ValueError(
                f"{INVALID_FILE} ({location}): it is larger than "
                f"{MAX_FILE_BYTES} bytes."
            )
        data = file.read()
    try:
        return _read(data, plan)
    except InvalidFile as exc:
        raise ValueError(f"{INVALID_FILE} ({location}): {exc}") from exc.__cause__
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ValueError(
            f"{INVALID_FILE} ({location}): the archive is corrupted or truncated "
            f"({type(exc).__name__}: {exc})."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - nothing else may escape a bad file
        # Whatever else a malformed archive makes zipfile, numpy or torch
        # raise (KeyError, struct.error, ...) is a property of the file.
        raise ValueError(
            f"{INVALID_FILE} ({location}): {type(exc).__name__}: {exc}"
        ) from exc


def _read(data: bytes, plan: Callable[[dict[str, Any]], Any]) -> Any:
    # zipfile tolerates leading bytes but np.load does not (it would take
    # the file for a pickle and suggest allow_pickle=True): demand both.
    if not data.startswith(b"PK\x03\x04"):
        fail("it is not a zip (.npz) archive.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InvalidFile("it is not a zip (.npz) archive.") from exc
    with zf:
        members = _members(zf)
        if CONFIG_MEMBER not in members:
            fail(f"it has no {CONFIG_MEMBER} member.")
        header = _read_header(zf, members.pop(CONFIG_MEMBER))
        if header.dtype != np.uint8 or len(header.shape) != 1:
            fail(f"{CONFIG_MEMBER} must be a 1-d uint8 array.")
        if header.shape[0] > MAX_JSON_BYTES:
            fail(f"{CONFIG_MEMBER} is larger than {MAX_JSON_BYTES} bytes.")
        # The whole document is checked before any other array is read.
        with _open_npz(data) as npz:
            document = _parse_json(npz[CONFIG_MEMBER].tobytes())
        planned = plan(_check_format(document))
        headers = {name: _read_header(zf, info) for name, info in members.items()}
        check_all(headers, planned.table, "arrays")
        declared = sum(math.prod(h.shape) * h.dtype.itemsize for h in headers.values())
        if declared > MAX_FILE_BYTES:  # np.savez's arrays are as large as the file
            fail(f"its arrays declare more than {MAX_FILE_BYTES} bytes.")
    with _open_npz(data) as npz:
        arrays = {name: npz[name] for name in planned.table}
    check_all(arrays, planned.table, "arrays")
    return planned.build(arrays)


def _open_npz(data: bytes) -> Any:
    # The only call that reads array data: never with allow_pickle=True.
    npz = np.load(io.BytesIO(data), allow_pickle=False)
    if not isinstance(npz, np.lib.npyio.NpzFile):
        fail("it is not an .npz archive.")
    return npz


def _members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Map array name -> zip entry, rejecting anything but plain ``.npy`` files."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        fail(f"it has {len(infos)} members (at most {MAX_MEMBERS}).")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if not name.endswith(".npy") or info.is_dir():
            fail(f"member {name!r} is not a .npy array.")
        if info.flag_bits & 0x1:
            fail(f"member {name!r} is encrypted.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            fail(f"member {name!r} uses unsupported compression.")
        if name[:-4] in members:
            fail(f"member {name!r} appears twice.")
        members[name[:-4]] = info
    return members


def _read_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Header:
    """A member's shape and dtype, checking its declared length.

    Only the header is read, so a member that declares a huge array costs
    nothing until its shape has been compared with what is expected.
    """
    with zf.open(info) as member:
        try:
            version = np.lib.format.read_magic(member)
            if version not in ((1, 0), (2, 0)):
                fail(f"member {info.filename!r} has .npy version {version}.")
            read = getattr(np.lib.format, f"read_array_header_{version[0]}_0")
            shape, _, dtype = read(member, max_header_size=_NPY_HEADER_LIMIT)
        except (ValueError, TypeError, SyntaxError, RecursionError, TokenError) as exc:
            # numpy parses the header with ast.literal_eval (never eval), so
            # a damaged header can only fail to parse.
            raise InvalidFile(
                f"member {info.filename!r} has a malformed .npy header ({exc})."
            ) from exc
        data_offset = member.tell()
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        fail(f"member {info.filename!r} has a non-plain dtype {dtype}.")
    if info.file_size != data_offset + math.prod(shape) * dtype.itemsize:
        fail(
            f"member {info.filename!r} declares shape {shape} of {dtype} but holds "
            f"{info.file_size - data_offset} bytes of data."
        )
    return Header(shape, dtype)


def _parse_json(raw: bytes) -> Any:
    def reject_constant(name: str) -> NoReturn:
        fail(f"{CONFIG_MEMBER} contains the non-finite number {name}.")

    def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                fail(f"{CONFIG_MEMBER} repeats the key {key!r:.80}.")
            result[key] = value
        return result

    try:
        return json.loads(
            raw.decode("utf-8"),
            parse_constant=reject_constant,
            object_pairs_hook=no_duplicate_keys,
        )
    except (ValueError, RecursionError) as exc:
        raise InvalidFile(f"{CONFIG_MEMBER} is not valid UTF-8 JSON ({exc}).") from exc


def _check_format(document: Any) -> dict[str, Any]:
    """The document without its format entries, once they are this format's."""
    if not isinstance(document, dict):
        fail(f"{CONFIG_MEMBER} is not a JSON object.")
    rest = dict(document)
    name, version = rest.pop("format", None), rest.pop("format_version", None)
    if name != FORMAT_NAME:
        fail(f"its format is {name!r:.80}, not {FORMAT_NAME!r}.")
    if type(version) is not int or version != FORMAT_VERSION:
        fail(
            f"its format version is {version!r:.80}; this imbgan reads version "
            f"{FORMAT_VERSION} only (refit and save the model again)."
        )
    return rest
