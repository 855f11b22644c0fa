"""Data sets of the paper's experiments: MNIST, Fashion-MNIST and shapes.

- :func:`load_mnist` and :func:`load_fashion_mnist` read the standard IDX
  files from a local directory (:func:`data_home`); nothing is ever
  downloaded.
- :func:`make_imbalance_protocol` draws the paper's imbalanced training split
  (4000 rows of class 0 down to 40 of class 9, or a chosen imbalance ratio).
- :func:`make_shapes` and :func:`render_shapes` generate dSprites-style images
  (square, ellipse, heart) from known latent factors, for the
  disentanglement score.
- :func:`make_pendulum` and :func:`render_pendulum` generate a small causal
  scene (a pendulum, a light and the shadow they cast) whose factors follow
  the known graph :data:`PENDULUM_DAG`.
"""

from __future__ import annotations

import gzip
import os
import pathlib
import zlib
from numbers import Integral, Real

import numpy as np
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._pendulum import PENDULUM_DAG, PENDULUM_FACTORS, make_pendulum, render_pendulum
from ._shapes import FACTOR_SIZES, SHAPE_FACTORS, make_shapes, render_shapes

__all__ = [
    "DEFAULT_COUNTS",
    "FACTOR_SIZES",
    "PENDULUM_DAG",
    "PENDULUM_FACTORS",
    "SHAPE_FACTORS",
    "data_home",
    "load_fashion_mnist",
    "load_mnist",
    "make_imbalance_protocol",
    "make_pendulum",
    "make_shapes",
    "read_idx",
    "render_pendulum",
    "render_shapes",
]

#: Rows per class (0..9) of the paper's imbalanced training split.
DEFAULT_COUNTS: tuple[int, ...] = (4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40)

_ENV_VAR = "IMBGAN_DATA"
_DEFAULT_DIRNAME = "imbgan_data"

# ------------------------------------------------------------------ IDX files

# IDX type byte -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the format of MNIST and Fashion-MNIST).

    The file may be gzip-compressed: it is decompressed when it starts with
    the gzip magic bytes ``1f 8b`` or its name ends in ``.gz``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.

    Returns
    -------
    array : ndarray
        A new, writable array in native byte order, of the shape and type
        the header gives: type codes ``0x08`` uint8, ``0x09`` int8, ``0x0B``
        int16, ``0x0C`` int32, ``0x0D`` float32 and ``0x0E`` float64.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not valid IDX: bad gzip stream, bad magic number,
        unknown type code, truncated header or data, or trailing bytes. The
        message names the file.
    """
    path = pathlib.Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC or path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            # A cut-off download ends in EOFError, a non-gzip file with a .gz
            # name in BadGzipFile (an OSError): both are bad data, not I/O.
            raise ValueError(
                f"{path}: not a valid gzip-compressed IDX file ({exc})."
            ) from exc

    if len(raw) < 4:
        raise ValueError(
            f"{path}: truncated IDX header ({len(raw)} bytes, at least 4 needed)."
        )
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(
            f"{path}: bad IDX magic number 0x{raw[:4].hex()}; expected "
            "0x0000TTNN with type TT in "
            f"{{{', '.join(f'0x{code:02x}' for code in _IDX_DTYPES)}}}."
        )
    dtype = _IDX_DTYPES[raw[2]]
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(
            f"{path}: truncated IDX header ({len(raw)} bytes, {header_size} "
            f"needed for {ndim} dimensions)."
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, offset=4))
    # Python ints: a product of uint32 dimensions can overflow a fixed width.
    expected = dtype.itemsize
    for d in shape:
        expected *= d
    actual = len(raw) - header_size
    if actual < expected:
        raise ValueError(
            f"{path}: truncated IDX data: the header gives shape {shape} of "
            f"{dtype.name} ({expected} bytes) but only {actual} bytes follow."
        )
    if actual > expected:
        raise ValueError(
            f"{path}: IDX size mismatch: the header gives shape {shape} of "
            f"{dtype.name} ({expected} bytes) but {actual} bytes follow."
        )
    data = np.frombuffer(raw, dtype, offset=header_size).reshape(shape)
    # astype copies: the result is writable and in native byte order.
    return data.astype(dtype.newbyteorder("="))


# ---------------------------------------------------------- MNIST-like sets


def _resolve_home(data_dir) -> tuple[pathlib.Path, str]:
    """Return the data directory and a phrase saying where it came from."""
    if data_dir is not None:
        return pathlib.Path(data_dir).expanduser(), "the data_dir argument"
    env = os.environ.get(_ENV_VAR)
    if env:
        return pathlib.Path(env).expanduser(), f"the {_ENV_VAR} environment variable"
    return pathlib.Path.home() / _DEFAULT_DIRNAME, "the default"


def data_home(data_dir: str | os.PathLike | None = None) -> pathlib.Path:
    """The directory the data sets are read from.

    Parameters
    ----------
    data_dir : str or os.PathLike, default=None
        Used as given (``~`` expanded) when not ``None``. Otherwise the
        ``IMBGAN_DATA`` environment variable when it is set and not empty,
        else ``~/imbgan_data``.

    Returns
    -------
    path : pathlib.Path
        The directory; it need not exist.
    """
    return _resolve_home(data_dir)[0]


_SPLIT_PREFIX = {"train": "train", "test": "t10k"}

_HOW_TO_GET = {
    "mnist": (
        "- torchvision: torchvision.datasets.MNIST(root, download=True), then "
        "pass data_dir=<root>/MNIST/raw;\n"
        "- the official files from the MNIST site "
        "(http://yann.lecun.com/exdb/mnist/ or a mirror).\n"
    ),
    "fashion-mnist": (
        "- torchvision: torchvision.datasets.FashionMNIST(root, download=True), "
        "then pass data_dir=<root>/FashionMNIST/raw;\n"
        "- the Debian package dataset-fashion-mnist (apt install "
        "dataset-fashion-mnist; `dpkg -L dataset-fashion-mnist` shows the "
        "folder to pass as data_dir);\n"
        "- the official files from the Fashion-MNIST site "
        "(https://github.com/zalandoresearch/fashion-mnist).\n"
    ),
}


def _candidates(home: pathlib.Path, name: str, stem: str) -> list[pathlib.Path]:
    # The uncompressed file first: it reads faster when both exist, as in
    # torchvision's raw/ folder.
    return [
        folder / filename
        for folder in (home / name, home)
        for filename in (stem, stem + ".gz")
    ]


def _load_idx_pair(data_dir, name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Find, read and check the image and label files of one split."""
    if split not in _SPLIT_PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    home, origin = _resolve_home(data_dir)
    prefix = _SPLIT_PREFIX[split]
    stems = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")

    found: list[pathlib.Path] = []
    missing: list[tuple[str, list[pathlib.Path]]] = []
    for stem in stems:
        paths = _candidates(home, name, stem)
        hit = next((p for p in paths if p.is_file()), None)
        if hit is None:
            missing.append((stem, paths))
        else:
            found.append(hit)
    if missing:
        looked = "".join(
            f"{stem}[.gz], looked for as:\n" + "".join(f"    {p}\n" for p in paths)
            for stem, paths in missing
        )
        raise FileNotFoundError(
            f"{name} ({split} split): file(s) not found in {home}.\n"
            f"{looked}"
            f"The data directory is {home}, from {origin}: the data_dir "
            f"argument if given, else the {_ENV_VAR} environment variable, "
            f"else ~/{_DEFAULT_DIRNAME}. Files are looked for in "
            f"<directory>/{name}/ and then in <directory>/ itself, each "
            "gzipped (.gz) or not.\n"
            "imbgan never downloads anything. To get the files:\n"
            f"{_HOW_TO_GET[name]}"
        )

    images_path, labels_path = found
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"{images_path}: expected uint8 images of shape (n, 28, 28), got "
            f"{images.dtype} of shape {images.shape}."
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{labels_path}: expected a 1-D uint8 array of labels, got "
            f"{labels.dtype} of shape {labels.shape}."
        )
    if len(labels) != len(images):
        raise ValueError(
            f"{labels_path} holds {len(labels)} labels but {images_path} holds "
            f"{len(images)} images."
        )
    return images.reshape(len(images), -1), labels.astype(np.int64)


_LOAD_DOC = """Load the {split_doc} of {title} from local IDX files.

    Nothing is downloaded: the files must already be on disk.

    Parameters
    ----------
    data_dir : str or os.PathLike, default=None
        The data directory; ``None`` means ``$IMBGAN_DATA``, else
        ``~/imbgan_data`` (see :func:`data_home`). The files are looked for
        in ``<data_dir>/{name}/`` and then in ``<data_dir>/`` itself, each
        gzipped or not, under their standard names
        (``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
        ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``).
        A torchvision ``raw/`` folder works as it is.

    split : {{"train", "test"}}, default="train"
        The 60000 training or the 10000 test images.

    Returns
    -------
    X : ndarray of shape (n_samples, 784), dtype uint8
        One flattened 28x28 image per row (C-order).

    y : ndarray of shape (n_samples,), dtype int64
        The labels, 0 to 9.

    Raises
    ------
    FileNotFoundError
        If a file is missing; the message lists every path looked in and
        how to get the files.
    ValueError
        If ``split`` is not valid, or a file is not a valid IDX file of
        the expected shape and type.
    """


def load_mnist(
    data_dir: str | os.PathLike | None = None, *, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    return _load_idx_pair(data_dir, "mnist", split)


def load_fashion_mnist(
    data_dir: str | os.PathLike | None = None, *, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    return _load_idx_pair(data_dir, "fashion-mnist", split)


load_mnist.__doc__ = _LOAD_DOC.format(
    split_doc="training or test split", title="MNIST", name="mnist"
)
load_fashion_mnist.__doc__ = _LOAD_DOC.format(
    split_doc="training or test split", title="Fashion-MNIST", name="fashion-mnist"
)


# ------------------------------------------------------ the paper's protocol


def make_imbalance_protocol(
    X, y, *, counts=None, ir: float | None = None, random_state=None
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the paper's imbalanced training split from a balanced set.

    For each class, in sorted order, ``counts[k]`` rows are drawn without
    replacement from the rows of that class.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        The rows; any array (or DataFrame) indexable by rows. Not modified.

    y : array-like of shape (n_samples,)
        The labels. Not modified.

    counts : sequence of int, default=None
        Rows to draw per class, one entry per distinct label of ``y``, the
        classes taken in sorted order. ``None`` means :data:`DEFAULT_COUNTS`
        (4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40).

    ir : float, default=None
        Imbalance ratio. When given, the last class (the smallest of the
        protocol) gets ``round(max(other counts) / ir)`` rows instead of its
        entry in ``counts``; with the default counts that is
        ``round(4000 / ir)``: 80, 40, 20 and 8 rows for ``ir`` 50, 100, 200
        and 500.

    random_state : int, RandomState instance or None, default=None
        Seeds the draw (:func:`sklearn.utils.check_random_state`). One
        generator draws the classes in sorted order, so an integer seed
        gives the same split every time.

    Returns
    -------
    X_sub : ndarray (or the type of ``X``) of shape (n_selected, ...)
        The selected rows, in ascending order of their original index.

    y_sub : ndarray of shape (n_selected,)
        Their labels.

    Raises
    ------
    ValueError
        If ``counts`` does not have one non-negative integer per class,
        ``ir`` is not a positive number or leaves the last class no row, or
        a class has fewer rows than asked (the message names the class and
        both numbers).
    """
    y_arr = column_or_1d(y, warn=True)
    check_consistent_length(X, y_arr)
    classes = np.unique(y_arr)

    if counts is None:
        counts = DEFAULT_COUNTS
    counts = list(counts)
    if len(counts) != len(classes):
        raise ValueError(
            f"counts must have one entry per class: y has {len(classes)} "
            f"classes but counts has {len(counts)} entries."
        )
    for c in counts:
        if not isinstance(c, Integral) or isinstance(c, bool) or c < 0:
            raise ValueError(f"counts must be non-negative integers, got {c!r}.")
    counts = [int(c) for c in counts]

    if ir is not None:
        if (
            not isinstance(ir, Real)
            or isinstance(ir, bool)
            or not np.isfinite(ir)
            or ir <= 0
        ):
            raise ValueError(f"ir must be a positive number, got {ir!r}.")
        if len(counts) < 2:
            raise ValueError("ir needs at least two classes.")
        # The ratio is majority / minority; the majority is the largest of the
        # other classes (4000 with the default counts).
        n_last = round(max(counts[:-1]) / ir)
        if n_last < 1:
            raise ValueError(
                f"ir={ir!r} leaves the last class {round(max(counts[:-1]) / ir)} "
                f"rows (majority {max(counts[:-1])}); it must keep at least 1."
            )
        counts[-1] = int(n_last)

    rng = check_random_state(random_state)
    selected = []
    for klass, n_wanted in zip(classes, counts, strict=True):
        rows = np.flatnonzero(y_arr == klass)
        if n_wanted > len(rows):
            # .item(): name class 9 as 9, not as np.int64(9)
            label = klass.item() if isinstance(klass, np.generic) else klass
            raise ValueError(
                f"class {label!r} has {len(rows)} rows but {n_wanted} were asked."
            )
        selected.append(rng.choice(rows, size=n_wanted, replace=False))
    index = np.sort(np.concatenate(selected)) if selected else np.array([], int)
    return _safe_indexing(X, index), y_arr[index]


def load_imbalanced_digits(
    minority: dict[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return sklearn's embedded digits with a few classes cut to a few rows.

    The demo's and the examples' data set: no download, the same on every
    machine. The first ``minority[k]`` rows of each class ``k`` are kept.

    Parameters
    ----------
    minority : dict of int to int, default=None
        Rows to keep per cut class; ``None`` keeps 15 eights and 12 nines.

    Returns
    -------
    X : ndarray of shape (n_samples, 64)
        Pixel intensities 0-16 of the 8x8 images, flattened row by row.
    y : ndarray of shape (n_samples,)
        Digit labels 0-9.
    """
    from sklearn.datasets import load_digits

    minority = {8: 15, 9: 12} if minority is None else minority
    X, y = load_digits(return_X_y=True)
    keep = np.ones(len(y), dtype=bool)
    for klass, n in minority.items():
        keep[np.flatnonzero(y == klass)[n:]] = False
    return X[keep], y[keep]
