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


# ------------------------------------------------------------------- shapes

SHAPE_FACTORS: tuple[str, ...] = ("shape", "scale", "rotation", "pos_x", "pos_y")
FACTOR_SIZES: tuple[int, ...] = (3, 6, 40, 16, 16)

_SCALES = np.linspace(0.5, 1.0, FACTOR_SIZES[1])
_ROTATIONS = np.linspace(0.0, 2 * np.pi, FACTOR_SIZES[2], endpoint=False)
_POS_X = np.linspace(0.0, 1.0, FACTOR_SIZES[3])
_POS_Y = np.linspace(0.0, 1.0, FACTOR_SIZES[4])

# Radius, as a fraction of the image side, of the disc every shape fits in at
# scale 1: rotation then cannot push it out of the image.
_RADIUS_FRACTION = 0.2
_MIN_IMAGE_SIZE = 16  # below this the smallest shapes may miss every pixel
_CHUNK = 2048  # images rendered at once: bounds the temporary arrays


# Point-in-shape tests in canonical coordinates (u, v), each shape inside the
# unit disc, v pointing down the image.
# The three areas differ (square 1.44, ellipse 1.88, heart 2.34) so that even
# the smallest shapes rarely hit the same pixels at 32x32.
def _in_square(u, v):
    return np.maximum(np.abs(u), np.abs(v)) <= 0.6


def _in_ellipse(u, v):
    return u * u + (v / 0.6) ** 2 <= 1.0


def _in_heart(u, v):
    # (x^2 + y^2 - 1)^3 <= x^2 y^3, y up, spans x in [-1.14, 1.14] and
    # y in [-1, 1.24]; it lies within radius 1.25 of (0, 0.25).
    x = 1.25 * u
    y = 0.25 - 1.25 * v
    r = x * x + y * y - 1.0
    return r * r * r <= x * x * y * y * y


_SHAPE_TESTS = (_in_square, _in_ellipse, _in_heart)


def _check_image_size(image_size) -> int:
    if (
        not isinstance(image_size, Integral)
        or isinstance(image_size, bool)
        or image_size < _MIN_IMAGE_SIZE
    ):
        raise ValueError(
            f"image_size must be an integer >= {_MIN_IMAGE_SIZE}, got {image_size!r}."
        )
    return int(image_size)


def render_shapes(factors: np.ndarray, image_size: int = 32) -> np.ndarray:
    """Render shape images from factor indices.

    Parameters
    ----------
    factors : array-like of shape (n_samples, 5)
        Columns ``[shape, scale, rotation, pos_x, pos_y]`` (see
        :data:`SHAPE_FACTORS`), each the integer index of the factor's value
        in its grid, ``0 <= index < FACTOR_SIZES[j]`` (integer-valued floats
        are accepted). Shapes: 0 square, 1 ellipse, 2 heart. Scales: 6 values
        from 0.5 to 1; rotations: 40 angles in ``[0, 2 pi)``; positions: 16
        values from 0 to 1, ``pos_x`` left to right and ``pos_y`` top to
        bottom.

    image_size : int, default=32
        Side of the square images, at least 16.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Binary images (0 background, 1 shape), flattened in C-order (row
        by row). Every shape lies inside the image, with a margin of at least
        one pixel, whatever its factors.

    Raises
    ------
    ValueError
        If ``factors`` is not a 2-D array of 5 columns of integer indices
        inside their grids, or ``image_size`` is not valid.
    """
    size = _check_image_size(image_size)
    factors = np.asarray(factors)
    if factors.ndim != 2 or factors.shape[1] != len(SHAPE_FACTORS):
        raise ValueError(
            f"factors must have shape (n_samples, {len(SHAPE_FACTORS)}), got "
            f"{factors.shape}."
        )
    if not (
        np.issubdtype(factors.dtype, np.integer)
        or np.issubdtype(factors.dtype, np.floating)
    ):
        raise ValueError(f"factors must be numeric, got dtype {factors.dtype}.")
    if not np.all(np.isfinite(factors)) or np.any(factors != np.round(factors)):
        raise ValueError("factors must hold integer indices.")
    index = factors.astype(np.int64)
    for j, (name, n_values) in enumerate(zip(SHAPE_FACTORS, FACTOR_SIZES, strict=True)):
        bad = (index[:, j] < 0) | (index[:, j] >= n_values)
        if bad.any():
            raise ValueError(
                f"factor {name!r} (column {j}) must be in [0, {n_values - 1}]; "
                f"got {index[bad, j][0]}."
            )

    radius = _RADIUS_FRACTION * size
    # Centres range over [low, high] so that a shape of full radius keeps a
    # one-pixel margin: the border rows and columns are always empty.
    low, high = radius + 1.0, size - radius - 1.0
    centres = np.arange(size, dtype=np.float32) + np.float32(0.5)
    grid_y, grid_x = (g.ravel() for g in np.meshgrid(centres, centres, indexing="ij"))

    n = len(index)
    X = np.empty((n, size * size), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        idx = index[start : start + _CHUNK]
        theta = _ROTATIONS[idx[:, 2]]
        inv_scale = 1.0 / (_SCALES[idx[:, 1]] * radius)
        cos = (np.cos(theta) * inv_scale).astype(np.float32)[:, None]
        sin = (np.sin(theta) * inv_scale).astype(np.float32)[:, None]
        cx = (low + _POS_X[idx[:, 3]] * (high - low)).astype(np.float32)[:, None]
        cy = (low + _POS_Y[idx[:, 4]] * (high - low)).astype(np.float32)[:, None]
        dx = grid_x[None, :] - cx
        dy = grid_y[None, :] - cy
        # Inverse transform: translate, rotate by -theta, divide by the scale.
        u = cos * dx + sin * dy
        v = cos * dy - sin * dx
        inside = np.zeros(u.shape, dtype=bool)
        for k, test in enumerate(_SHAPE_TESTS):
            mask = idx[:, 0] == k
            if mask.any():
                inside[mask] = test(u[mask], v[mask])
        X[start : start + len(idx)] = inside
    return X


def make_shapes(
    n_samples: int = 10000,
    *,
    image_size: int = 32,
    shape_weights=None,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate dSprites-style shape images with known latent factors.

    Each image shows one shape (0 square, 1 ellipse, 2 heart) at a scale,
    rotation and position drawn uniformly from their grids (see
    :func:`render_shapes`); the shape is drawn with ``shape_weights``.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of images.

    image_size : int, default=32
        Side of the square images, at least 16.

    shape_weights : sequence of 3 float, default=None
        Relative frequencies of square, ellipse and heart (normalised to sum
        to 1); ``None`` means equal. ``(0.8, 0.15, 0.05)`` makes the set
        imbalanced by shape.

    random_state : int, RandomState instance or None, default=None
        Seeds the draw (:func:`sklearn.utils.check_random_state`); the same
        integer gives the same images.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Binary images in ``{0, 1}``, flattened in C-order.

    y : ndarray of shape (n_samples,), dtype int64
        The shape of each image, the class label.

    factors : ndarray of shape (n_samples, 5), dtype float64
        Columns ``[shape, scale, rotation, pos_x, pos_y]``: the index of each
        factor's value in its grid (integers stored as floats), so that
        ``render_shapes(factors, image_size)`` reproduces ``X``.

    Raises
    ------
    ValueError
        If ``n_samples`` is not a non-negative integer, ``shape_weights`` is
        not 3 non-negative finite numbers with a positive sum, or
        ``image_size`` is not valid.
    """
    if (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool)
        or (n_samples < 0)
    ):
        raise ValueError(
            f"n_samples must be a non-negative integer, got {n_samples!r}."
        )
    size = _check_image_size(image_size)
    if shape_weights is None:
        weights = np.full(FACTOR_SIZES[0], 1.0 / FACTOR_SIZES[0])
    else:
        weights = np.asarray(shape_weights, dtype=np.float64)
        if (
            weights.shape != (FACTOR_SIZES[0],)
            or not np.all(np.isfinite(weights))
            or np.any(weights < 0)
            or weights.sum() <= 0
        ):
            raise ValueError(
                f"shape_weights must be {FACTOR_SIZES[0]} non-negative numbers "
                f"with a positive sum, got {shape_weights!r}."
            )
        weights = weights / weights.sum()

    rng = check_random_state(random_state)
    n = int(n_samples)
    factors = np.empty((n, len(FACTOR_SIZES)), dtype=np.float64)
    factors[:, 0] = rng.choice(FACTOR_SIZES[0], size=n, p=weights)
    for j, n_values in enumerate(FACTOR_SIZES[1:], start=1):
        factors[:, j] = rng.randint(n_values, size=n)
    X = render_shapes(factors, image_size=size)
    return X, factors[:, 0].astype(np.int64), factors


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


# ----------------------------------------------------------------- pendulum

PENDULUM_FACTORS: tuple[str, ...] = (
    "angle",
    "light",
    "shadow_position",
    "shadow_length",
)
"""The factors of :func:`make_pendulum`, in the order of its columns."""

PENDULUM_DAG: dict[str, list[str]] = {
    "angle": [],
    "light": [],
    "shadow_position": ["angle", "light"],
    "shadow_length": ["angle", "light"],
}
"""The causal graph of :func:`make_pendulum`'s factors, ``{child: [parents]}``.

Its key order is :data:`PENDULUM_FACTORS`, so passed as a sampler's ``dag``
it gives code ``k`` the name of factor ``k``.
"""

# The scene, in unit coordinates: x left to right, y top to bottom.
_PIVOT = (0.5, 0.46)  # where the rod hangs from
_ROD = 0.26  # pivot to the bob's centre
_ANGLES = (-0.05, 1.05)  # radians from the vertical, positive to the right
_LIGHT_X = (0.55, 0.85)  # the light moves along the top, right of the pivot
_LIGHT_Y = 0.07
_GROUND = 0.92  # the ground line the shadow falls on
# Each shadow factor is its geometric value plus an independent uniform
# perturbation of at most this much (in unit coordinates).
_SHADOW_JITTER = 0.06
_SHADOW_CAP = 0.02  # drawn past each end of the shadow, so a short one shows
# Sizes and grey levels of the parts.
_LIGHT_RADIUS = 0.05
_PIVOT_RADIUS = 0.03
_ROD_HALF_WIDTH = 0.018
_BOB_RADIUS = 0.075  # the round bob (class 0)
_BOB_HALF_SIDE = 0.07  # the square bob (class 1), turned with the rod
_GROUND_BAND = (0.925, 0.955)
_SHADOW_BAND = (0.912, 0.968)
_LEVELS = {"ground": 0.25, "shadow": 0.6, "rod": 0.75, "bob": 1.0, "light": 1.0}
_SUPERSAMPLE = 2  # rendered at 2x and averaged over 2x2 blocks
_PENDULUM_CHUNK = 512


def _scene_from_unit(u: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """Map ``u`` in ``[-1, 1]`` linearly onto ``bounds``."""
    low, high = bounds
    return low + (np.asarray(u, dtype=np.float64) + 1.0) * (0.5 * (high - low))


def _unit_from_scene(value: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """The inverse of :func:`_scene_from_unit`."""
    low, high = bounds
    return (np.asarray(value, dtype=np.float64) - low) * (2.0 / (high - low)) - 1.0


def _shadow_geometry(theta: np.ndarray, light_x: np.ndarray):
    """Centre and length of the pendulum's shadow on the ground line.

    The point light at ``(light_x, _LIGHT_Y)`` projects the pivot and the
    bob's centre onto the line ``y = _GROUND``; the shadow of the rod is the
    segment between the two projections.
    """
    px, py = _PIVOT
    bx = px + _ROD * np.sin(theta)
    by = py + _ROD * np.cos(theta)
    drop = _GROUND - _LIGHT_Y
    pivot_shadow = light_x + (px - light_x) * (drop / (py - _LIGHT_Y))
    bob_shadow = light_x + (bx - light_x) * (drop / (by - _LIGHT_Y))
    return 0.5 * (pivot_shadow + bob_shadow), np.abs(bob_shadow - pivot_shadow)


def _shadow_bounds() -> tuple[tuple[float, float], tuple[float, float]]:
    """Ranges of the shadow's centre and length, jitter included.

    Both are monotone in the angle and the light over their ranges (the rod
    never points at the light), so a grid that holds the corners finds the
    exact extremes.
    """
    theta, light_x = np.meshgrid(
        np.linspace(*_ANGLES, 65), np.linspace(*_LIGHT_X, 65), indexing="ij"
    )
    centre, length = _shadow_geometry(theta, light_x)
    return (
        (float(centre.min()) - _SHADOW_JITTER, float(centre.max()) + _SHADOW_JITTER),
        (float(length.min()) - _SHADOW_JITTER, float(length.max()) + _SHADOW_JITTER),
    )


_SHADOW_CENTRES, _SHADOW_LENGTHS = _shadow_bounds()


def _check_pendulum_factors(factors, y) -> tuple[np.ndarray, np.ndarray]:
    n_factors = len(PENDULUM_FACTORS)
    factors = np.asarray(factors)
    if factors.ndim != 2 or factors.shape[1] != n_factors:
        raise ValueError(
            f"factors must have shape (n_samples, {n_factors}), got {factors.shape}."
        )
    if not (
        np.issubdtype(factors.dtype, np.integer)
        or np.issubdtype(factors.dtype, np.floating)
    ):
        raise ValueError(f"factors must be numeric, got dtype {factors.dtype}.")
    factors = factors.astype(np.float64)
    if not np.all(np.isfinite(factors)):
        raise ValueError("factors must be finite.")
    for j, name in enumerate(PENDULUM_FACTORS):
        bad = np.abs(factors[:, j]) > 1.0 + 1e-9
        if bad.any():
            raise ValueError(
                f"factor {name!r} (column {j}) must be in [-1, 1]; got "
                f"{factors[bad, j][0]!r}."
            )
    y = np.asarray(y)
    if y.shape != (len(factors),):
        raise ValueError(
            f"y must have shape ({len(factors)},), one label per row of factors; "
            f"got {y.shape}."
        )
    if len(y) and not np.all(np.isin(y, (0, 1))):
        raise ValueError(
            f"y must hold 0 (round bob) or 1 (square bob); got {np.unique(y)}."
        )
    return np.clip(factors, -1.0, 1.0), y.astype(np.int64)


def render_pendulum(factors, y, image_size: int = 32) -> np.ndarray:
    """Render pendulum scenes from their factors (see :func:`make_pendulum`).

    Every factor is rendered as given, so a row whose shadow factors do not
    follow its angle and light (an intervention on the shadow) is drawn as
    asked, with no physics applied.

    Parameters
    ----------
    factors : array-like of shape (n_samples, 4)
        Columns ``[angle, light, shadow_position, shadow_length]`` (see
        :data:`PENDULUM_FACTORS`), each in ``[-1, 1]``: the angle of the rod
        from -0.05 to 1.05 radians right of the vertical, the light from
        left to right along its track, the shadow's centre from left to
        right and its length from short to long over their ranges in
        :func:`make_pendulum`.

    y : array-like of shape (n_samples,)
        The bob of each scene: 0 round, 1 square.

    image_size : int, default=32
        Side of the square images, at least 16.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Grey images in ``[0, 1]`` on a black background, flattened in
        C-order: rendered at twice the size and averaged over 2x2 blocks.

    Raises
    ------
    ValueError
        If ``factors`` is not a finite numeric array of 4 columns in
        ``[-1, 1]``, ``y`` is not one 0/1 label per row, or ``image_size``
        is not valid.
    """
    size = _check_image_size(image_size)
    factors, y = _check_pendulum_factors(factors, y)
    n = len(factors)
    fine = _SUPERSAMPLE * size
    centres = (np.arange(fine, dtype=np.float32) + np.float32(0.5)) / np.float32(fine)
    gy, gx = (g.ravel()[None, :] for g in np.meshgrid(centres, centres, indexing="ij"))

    # The parts that never move: the ground and the pivot.
    still = np.zeros((1, fine * fine), dtype=np.float32)
    ground = (gy >= _GROUND_BAND[0]) & (gy <= _GROUND_BAND[1])
    still = np.maximum(still, _LEVELS["ground"] * ground)
    pivot = (gx - _PIVOT[0]) ** 2 + (gy - _PIVOT[1]) ** 2 <= _PIVOT_RADIUS**2
    still = np.maximum(still, _LEVELS["rod"] * pivot).astype(np.float32)
    on_shadow_band = (gy >= _SHADOW_BAND[0]) & (gy <= _SHADOW_BAND[1])

    X = np.empty((n, size * size), dtype=np.float32)
    for start in range(0, n, _PENDULUM_CHUNK):
        f = factors[start : start + _PENDULUM_CHUNK]
        m = len(f)
        col = lambda a: a.astype(np.float32)[:, None]  # noqa: E731
        theta = _scene_from_unit(f[:, 0], _ANGLES)
        sin, cos = col(np.sin(theta)), col(np.cos(theta))
        light_x = col(_scene_from_unit(f[:, 1], _LIGHT_X))
        centre = col(_scene_from_unit(f[:, 2], _SHADOW_CENTRES))
        half = col(
            0.5 * np.maximum(_scene_from_unit(f[:, 3], _SHADOW_LENGTHS), 0.0)
            + _SHADOW_CAP
        )
        img = np.repeat(still, m, axis=0)

        shadow = on_shadow_band & (np.abs(gx - centre) <= half)
        np.maximum(img, _LEVELS["shadow"] * shadow, out=img)
        light = (gx - light_x) ** 2 + (gy - _LIGHT_Y) ** 2 <= _LIGHT_RADIUS**2
        np.maximum(img, _LEVELS["light"] * light, out=img)

        # The rod's frame: a along the rod (0 at the pivot), b across it.
        dx, dy = gx - _PIVOT[0], gy - _PIVOT[1]
        a = dx * sin + dy * cos
        b = dx * cos - dy * sin
        rod = (np.abs(b) <= _ROD_HALF_WIDTH) & (a >= 0) & (a <= _ROD)
        np.maximum(img, _LEVELS["rod"] * rod, out=img)
        a = a - _ROD  # from the bob's centre
        square = y[start : start + m, None] == 1
        bob = np.where(
            square,
            np.maximum(np.abs(a), np.abs(b)) <= _BOB_HALF_SIDE,
            a * a + b * b <= _BOB_RADIUS**2,
        )
        np.maximum(img, _LEVELS["bob"] * bob, out=img)

        img = img.reshape(m, size, _SUPERSAMPLE, size, _SUPERSAMPLE)
        X[start : start + m] = img.mean(axis=(2, 4)).reshape(m, -1)
    return X


def make_pendulum(
    n_samples: int = 10000,
    *,
    minority_fraction: float = 0.05,
    image_size: int = 32,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate pendulum scenes whose factors follow a known causal graph.

    A small rendered causal scene in the style of CausalVAE's pendulum
    (Yang et al., CVPR 2021), generated offline with numpy: a rod hangs from
    a fixed pivot in the middle of the image and ends in a bob; a round
    light moves along the top edge, right of the pivot; the pendulum's
    shadow is a grey bar on the ground line at the bottom.

    The factors and how they are drawn (:data:`PENDULUM_DAG`):

    - ``angle``: the rod's angle, uniform from -0.05 to 1.05 radians right
      of the vertical (the bob swings towards the light's side);
    - ``light``: the light's horizontal position, uniform over its track;
    - ``shadow_position`` and ``shadow_length``: the point light projects
      the pivot and the bob's centre onto the ground line; the shadow's
      centre and length are the midpoint and the distance of the two
      projections, so both are caused by the angle and the light (each is
      monotone in both of them over these ranges). Each then gets an
      independent exogenous perturbation of its own, uniform in
      +-0.06 of the image side, so a shadow factor keeps variation that its
      parents do not explain (about 9% of the length's variance and 14% of the
      position's).

    Every factor is returned standardised to ``[-1, 1]`` over its range
    (the ranges of the shadow factors include the perturbation);
    :func:`render_pendulum` draws a scene from such factors.

    The class is the bob: 0 round (common), 1 square (rare,
    ``round(minority_fraction * n_samples)`` rows at random positions),
    drawn independently of the factors, so the data set is also an
    over-sampling problem. The images are rendered at twice ``image_size``
    and averaged over 2x2 blocks, so the factors stay readable at 32x32.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of scenes.

    minority_fraction : float, default=0.05
        Fraction of the scenes with the square bob (class 1), in ``[0, 1]``.

    image_size : int, default=32
        Side of the square images, at least 16.

    random_state : int, RandomState instance or None, default=None
        Seeds the draw (:func:`sklearn.utils.check_random_state`); the same
        integer gives the same scenes. numpy's global state is not used.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size ** 2), dtype float32
        Grey images in ``[0, 1]``, flattened in C-order.

    y : ndarray of shape (n_samples,), dtype int64
        The class: 0 round bob, 1 square bob.

    factors : ndarray of shape (n_samples, 4), dtype float64
        Columns ``[angle, light, shadow_position, shadow_length]``
        (:data:`PENDULUM_FACTORS`), each in ``[-1, 1]``;
        ``render_pendulum(factors, y, image_size)`` reproduces ``X``.

    Raises
    ------
    ValueError
        If ``n_samples`` is not a non-negative integer, ``minority_fraction``
        is not a number in ``[0, 1]``, or ``image_size`` is not valid.

    References
    ----------
    .. [1] M. Yang, F. Liu, Z. Chen, X. Shen, J. Hao and J. Wang,
       "CausalVAE: Disentangled Representation Learning via Neural
       Structural Causal Models", CVPR 2021.
    """
    if (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool)
        or (n_samples < 0)
    ):
        raise ValueError(
            f"n_samples must be a non-negative integer, got {n_samples!r}."
        )
    if (
        not isinstance(minority_fraction, Real)
        or isinstance(minority_fraction, bool)
        or not 0.0 <= minority_fraction <= 1.0
    ):
        raise ValueError(
            f"minority_fraction must be a number in [0, 1], got {minority_fraction!r}."
        )
    size = _check_image_size(image_size)
    n = int(n_samples)
    rng = check_random_state(random_state)
    angle = rng.uniform(-1.0, 1.0, size=n)
    light = rng.uniform(-1.0, 1.0, size=n)
    jitter = rng.uniform(-_SHADOW_JITTER, _SHADOW_JITTER, size=(n, 2))
    centre, length = _shadow_geometry(
        _scene_from_unit(angle, _ANGLES), _scene_from_unit(light, _LIGHT_X)
    )
    factors = np.column_stack(
        [
            angle,
            light,
            _unit_from_scene(centre + jitter[:, 0], _SHADOW_CENTRES),
            _unit_from_scene(length + jitter[:, 1], _SHADOW_LENGTHS),
        ]
    )
    np.clip(factors, -1.0, 1.0, out=factors)  # rounding at the ends only
    y = np.zeros(n, dtype=np.int64)
    y[: round(float(minority_fraction) * n)] = 1
    y = y[rng.permutation(n)]
    return render_pendulum(factors, y, image_size=size), y, factors
