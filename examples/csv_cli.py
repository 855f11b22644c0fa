"""
Over-sample a CSV file from the command line with ``imbgan resample``
=====================================================================


Writes a small imbalanced table (two numeric features, an integer count and
a string class column, 20 "fraud" rows among 300) into a temporary folder,
runs ``imbgan resample`` on it as a separate process, the way a shell script
or a Makefile would, and prints the class counts before and after. The
output keeps the input's columns, their order and dtypes, with the original
rows first. Runs in seconds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd


def write_imbalanced_csv(path: Path, n_rows: int = 300, n_rare: int = 20) -> None:
    """Write ``n_rows`` rows of which ``n_rare`` are of the class "fraud"."""
    rng = np.random.default_rng(0)
    rare = np.arange(n_rows) < n_rare
    pd.DataFrame(
        {
            "amount": rng.lognormal(3 + rare, 0.5).round(2),
            "hour": rng.integers(0, 24, size=n_rows),  # stays an integer
            "score": rng.normal(rare * 1.5, 1.0),
            "kind": np.where(rare, "fraud", "ok"),
        }
    ).to_csv(path, index=False)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, result = Path(folder) / "payments.csv", Path(folder) / "balanced.csv"
        write_imbalanced_csv(source)
        # sys.executable -m imbgan is the `imbgan` command of this interpreter,
        # whether or not its scripts folder is on PATH.
        command = [
            sys.executable, "-m", "imbgan", "resample", str(source),
            "--target", "kind", "-o", str(result), "--epochs", "30", "--seed", "0",
        ]  # fmt: skip
        print("$", " ".join(["imbgan", *command[3:]]))
        subprocess.run(command, check=True)

        before, after = pd.read_csv(source), pd.read_csv(result)
        print(f"before: {before['kind'].value_counts().to_dict()}")
        print(f"after:  {after['kind'].value_counts().to_dict()}")
        print(f"dtypes kept: {before.dtypes.equals(after.dtypes)}")
        print("first synthetic rows:")
        print(after.iloc[len(before) : len(before) + 3].to_string())


if __name__ == "__main__":
    main()
