"""``imbgan resample IN --target COL -o OUT``: over-sample a table.

Reads a CSV or Parquet table, over-samples the classes of the target column
with :class:`~imbgan.BayesGANOversampler` and writes the same columns in the
same order with the same dtypes, the original rows first. Everything that
needs no data (extensions, folders, ``--image-shape``, ``--dag``) is checked
before the table is read, and the table before anything is trained.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CommandError, int_in_range, progress, progress_bar_level

if TYPE_CHECKING:  # only for annotations: keep the command's start-up light
    import pandas as pd

STRATEGY_NAMES = ("auto", "minority", "not minority", "not majority", "all")
TABLE_SUFFIXES = (".csv", ".parquet")


def add_parser(commands: Any) -> None:
    """Add ``resample`` to the subcommands ``commands``."""
    resample = commands.add_parser(
        "resample",
        help="over-sample a CSV or Parquet table with BayesGAN",
        description=(
            "Over-sample the classes of --target in a CSV or Parquet table with "
            "BayesGANOversampler and write the result: the same columns in the "
            "same order with the same dtypes, the original rows first, then "
            "the synthetic ones. Feature columns must be numeric."
        ),
    )
    resample.add_argument(
        "input", type=Path, metavar="IN", help="a .csv or .parquet table"
    )
    resample.add_argument(
        "--target", required=True, metavar="COL", help="the class column"
    )
    resample.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="where to write the result (.csv or .parquet)",
    )
    resample.add_argument(
        "--sampling-strategy",
        default="auto",
        metavar="S",
        help=(
            f"{', '.join(STRATEGY_NAMES)}; a float (minority / majority ratio "
            "after resampling, two classes only); or a JSON object of final "
            "counts such as '{\"rare\": 100}' (default: auto)"
        ),
    )
    resample.add_argument(
        "--dag",
        type=Path,
        metavar="dag.json",
        help='latent DAG: a JSON mapping {"child": ["parent", ...]} or a list '
        'of ["parent", "child"] edges',
    )
    resample.add_argument(
        "--image-shape",
        metavar="C,H,W",
        help="rows are flattened C x H x W images (convolutional networks)",
    )
    resample.add_argument(
        "--seed",
        type=int_in_range(0),
        default=0,
        metavar="N",
        help="seeds the GAN: the same seed gives the same rows on the CPU (default: 0)",
    )
    resample.add_argument(
        "--epochs",
        type=int_in_range(1),
        default=100,
        metavar="N",
        help="GAN epochs (default: 100)",
    )
    resample.add_argument(
        "--save-model",
        type=Path,
        metavar="PATH",
        help="also save the fitted sampler (load with BayesGANOversampler.load)",
    )
    resample.set_defaults(run=run, interrupted="imbgan: interrupted")


def _table_kind(path: Path, role: str) -> str:
    """``"csv"`` or ``"parquet"`` from the extension; a clear error otherwise."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise CommandError(
            f"{role} file {str(path)!r}: unsupported extension "
            f"{suffix or '(none)'!r}; use {' or '.join(TABLE_SUFFIXES)}"
        )
    if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
        raise CommandError(
            f"{role} file {str(path)!r}: Parquet needs pyarrow, which is not "
            "installed: pip install pyarrow"
        )
    return suffix[1:]


def _import_pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise CommandError(
            "imbgan resample needs pandas, which is not installed: pip install pandas"
        ) from None
    return pd


def _read_table(path: Path, kind: str) -> pd.DataFrame:
    pd = _import_pandas()
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "not found"
        raise CommandError(f"input file {str(path)!r} {what}")
    try:
        if kind == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path, engine="pyarrow")
    # pandas' parser errors and pyarrow's ArrowInvalid are ValueErrors
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read {str(path)!r}: {exc}") from None


def _write_table(frame: pd.DataFrame, path: Path, kind: str) -> None:
    """Write through a temporary file: OUT is either complete or untouched."""
    import os
    import tempfile

    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        if kind == "csv":
            frame.to_csv(tmp_name, index=False)
        else:
            frame.to_parquet(tmp_name, index=False, engine="pyarrow")
        os.replace(tmp_name, path)
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError | ValueError):
            raise CommandError(f"cannot write {str(path)!r}: {exc}") from None
        raise


def _check_folder_of(path: Path, option: str) -> None:
    # Checked before training, so a typo in a path does not waste a fit.
    if not path.parent.is_dir():
        raise CommandError(
            f"{option} {str(path)!r}: the folder {str(path.parent)!r} does not exist"
        )


def _parse_image_shape(text: str) -> tuple[int, int, int]:
    """``C,H,W`` as three ints, checked with the sampler's rule for the sides."""
    from .._networks import MIN_IMAGE_SIDE

    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 3 or shape[0] < 1 or min(shape[1:]) < MIN_IMAGE_SIDE:
        raise CommandError(
            "--image-shape must be three integers C,H,W such as 1,28,28, with "
            f"C >= 1 and H and W >= {MIN_IMAGE_SIDE}; got {text!r}"
        )
    return shape  # type: ignore[return-value]


def _load_dag(path: Path) -> Any:
    """Read and validate a latent DAG from a JSON file.

    The file holds what ``BayesGANOversampler(dag=...)`` takes: a mapping
    ``{child: [parents]}`` or a list of ``[parent, child]`` edges (or a preset
    name). Validated here, before the data are read or anything is trained.
    """
    from .._dag import check_dag

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"--dag file {str(path)!r} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read --dag file {str(path)!r}: {exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"--dag file {str(path)!r} is not valid JSON: {exc}"
        ) from None
    if isinstance(raw, list):
        # JSON has no tuples; an edge list arrives as a list of lists
        raw = [tuple(edge) if isinstance(edge, list) else edge for edge in raw]
    try:
        return check_dag(raw)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"--dag file {str(path)!r}: {exc}") from None


def _as_python(value: Any) -> Any:
    # numpy scalars become Python ones, so the strategy survives --save-model
    return value.item() if hasattr(value, "item") else value


def _parse_sampling_strategy(text: str, y: pd.Series) -> str | float | dict:
    """Turn ``--sampling-strategy`` into a value for the sampler.

    JSON object keys are always strings: each is matched against the
    target's values by their text (``"1"`` matches the integer 1), then, for
    a numeric target, by number (``"1"`` matches 1.0).
    """
    if text in STRATEGY_NAMES:
        return text
    try:
        return float(text)
    except ValueError:
        pass
    if not text.lstrip().startswith("{"):
        raise CommandError(
            f"--sampling-strategy must be one of {', '.join(STRATEGY_NAMES)}, a "
            "float such as 0.5, or a JSON object such as '{\"rare\": 100}'; "
            f"got {text!r}"
        )
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--sampling-strategy is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise CommandError(f"--sampling-strategy must be a JSON object; got {text!r}")
    classes = [_as_python(v) for v in y.unique()]
    by_text = {str(label): label for label in classes}
    numeric = y.dtype.kind in "iufb"
    strategy = {}
    for key, count in raw.items():
        label = by_text.get(key)
        if label is None and numeric:
            try:
                number = float(key)
            except ValueError:
                number = None
            label = next((c for c in classes if c == number), None)
        if label is None:
            raise CommandError(
                f"--sampling-strategy names the class {key!r}, which is not a "
                f"value of {y.name!r}; its values are {_sorted(classes)}"
            )
        strategy[label] = count
    return strategy


def _sorted(values: Sequence[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:  # mixed types: keep the order of appearance
        return list(values)


def _class_counts(y: pd.Series) -> str:
    counts = {_as_python(k): int(n) for k, n in y.value_counts().items()}
    return ", ".join(f"{label} {counts[label]}" for label in _sorted(list(counts)))


def run(args: argparse.Namespace) -> None:
    """Read, check, over-sample and write the table; then print a summary."""
    # Everything that needs no data is checked first, so mistakes surface in
    # a second rather than after a read or a fit.
    in_kind = _table_kind(args.input, "input")
    out_kind = _table_kind(args.output, "output")
    _check_folder_of(args.output, "-o")
    if args.save_model is not None:
        _check_folder_of(args.save_model, "--save-model")
    image_shape = None
    if args.image_shape is not None:
        image_shape = _parse_image_shape(args.image_shape)
    dag = None if args.dag is None else _load_dag(args.dag)

    frame = _read_table(args.input, in_kind)
    target = args.target
    if target not in frame.columns:
        columns = ", ".join(repr(str(c)) for c in frame.columns)
        raise CommandError(
            f"target column {target!r} not found in {str(args.input)!r}; "
            f"the columns are: {columns}"
        )
    X = frame.drop(columns=[target])
    y = frame[target]
    _check_table(X, y, image_shape)
    strategy = _parse_sampling_strategy(args.sampling_strategy, y)

    from .. import BayesGANOversampler

    sampler = BayesGANOversampler(
        sampling_strategy=strategy,
        dag=dag,
        image_shape=image_shape,
        epochs=args.epochs,
        random_state=args.seed,
        verbose=progress_bar_level(),
    )
    progress(
        f"training BayesGAN on {len(frame)} rows x {X.shape[1]} features, "
        f"{args.epochs} epochs"
    )
    X_res, y_res = sampler.fit_resample(X, y)
    result = _reassemble(frame, X_res, y_res, target)
    _write_table(result, args.output, out_kind)
    if args.save_model is not None:
        try:
            sampler.save(args.save_model)
        except OSError as exc:
            raise CommandError(
                f"cannot write --save-model {str(args.save_model)!r}: {exc}"
            ) from None
        progress(f"saved the sampler to {args.save_model}")
    print(
        f"{target}: {_class_counts(y)} -> {_class_counts(result[target])}; "
        f"wrote {len(result)} rows to {args.output}"
    )


def _check_table(
    X: pd.DataFrame, y: pd.Series, image_shape: tuple[int, int, int] | None
) -> None:
    """Errors the sampler would also find, said in the table's terms."""
    from pandas.api.types import is_numeric_dtype

    if X.shape[1] == 0:
        raise CommandError(f"no feature columns besides the target {y.name!r}")
    non_numeric = [
        f"{str(c)!r} ({X[c].dtype})" for c in X.columns if not is_numeric_dtype(X[c])
    ]
    if non_numeric:
        raise CommandError(
            f"feature columns must be numeric; not numeric: {', '.join(non_numeric)}. "
            "Encode them first (e.g. one-hot with pandas.get_dummies) or drop them."
        )
    missing = int(y.isna().sum())
    if missing:
        raise CommandError(
            f"target column {y.name!r} has {missing} missing value(s); drop or "
            "label those rows first"
        )
    if image_shape is not None:
        channels, height, width = image_shape
        if channels * height * width != X.shape[1]:
            raise CommandError(
                f"--image-shape {channels},{height},{width} describes "
                f"{channels * height * width} features but the table has "
                f"{X.shape[1]} feature columns"
            )


def _reassemble(
    frame: pd.DataFrame, X_res: Any, y_res: Any, target: str
) -> pd.DataFrame:
    """Put the target back in its place and every column in its dtype."""
    pd = _import_pandas()
    features = [c for c in frame.columns if c != target]
    if not isinstance(X_res, pd.DataFrame):
        X_res = pd.DataFrame(X_res, columns=features)
    result = X_res.reset_index(drop=True)
    result[target] = pd.Series(y_res).reset_index(drop=True).to_numpy()
    # The sampler keeps integer columns integral (it rounds them) but a
    # mixed table travels as floats; casting restores each column's dtype.
    return result[list(frame.columns)].astype(frame.dtypes.to_dict())
