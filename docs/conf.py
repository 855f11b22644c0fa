"""Sphinx configuration for the imbgan documentation.

Build (offline, warnings as errors; what ``make -C docs html`` runs)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Nothing is fetched from the network: ``intersphinx_mapping`` is empty and the
gallery only executes examples that need no downloaded data.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the working tree even when imbgan is not installed (editable
# installs and plain checkouts give the same result).
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "sphinxext"))
# ... and in the processes the examples start (csv_cli runs `python -m imbgan`),
# which also get one thread each (see sphinxext/imbgan_docs.one_thread).
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
)
os.environ["OMP_NUM_THREADS"] = "1"

import imbgan  # noqa: E402

# -- project -----------------------------------------------------------------

project = "imbgan"
author = "the imbgan developers"
copyright = "the imbgan developers"  # noqa: A001
release = imbgan.__version__
version = ".".join(release.split(".")[:2])

# -- extensions --------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "imbgan_docs",  # sphinxext/: the PNG scraper, example-figure, sklearn labels
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# As scikit-learn: `name` in a docstring is code, e.g. (`n_features_in_`,).
default_role = "literal"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_gallery_src",  # the staged copy of ../examples (see below)
    "results",  # benchmark result files: data the pages quote, not pages
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
]

# The build must work offline: no inventories are fetched.
intersphinx_mapping: dict = {}

# -- autodoc / autosummary / numpydoc (the scikit-learn conventions) ---------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"  # the numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- MyST (the Markdown pages) ------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
# Anchors for ``[text](page.md#section)`` links between the Markdown pages.
myst_heading_anchors = 3

# -- sphinx-gallery ------------------------------------------------------------
#
# sphinx-gallery needs a GALLERY_HEADER.rst in the examples folder and runs
# each example with that folder as the working directory. To leave
# ../examples untouched (no header file to maintain there, no output files
# written into it during a build), the examples are staged into
# docs/_gallery_src (ignored by git and by Sphinx) with the header from
# docs/gallery_header.txt. Only the staged copy changes; execution results
# are cached by content (md5) in docs/auto_examples as usual.

_GALLERY_SRC = DOCS / "_gallery_src"


def _stage_examples() -> None:
    examples = ROOT / "examples"
    header = (DOCS / "gallery_header.txt").read_text(encoding="utf-8")
    wanted = {p.name: p.read_bytes() for p in sorted(examples.glob("*.py"))}
    wanted["GALLERY_HEADER.rst"] = header.encode("utf-8")
    _GALLERY_SRC.mkdir(exist_ok=True)
    # Remove what the examples wrote last time (the PNG scraper shows every
    # new PNG file under this folder) and examples that no longer exist.
    for path in list(_GALLERY_SRC.iterdir()):
        if path.name not in wanted or path.is_dir():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    for name, content in wanted.items():
        dst = _GALLERY_SRC / name
        if not dst.exists() or dst.read_bytes() != content:
            dst.write_bytes(content)


_stage_examples()

# Examples executed at build time: those that run offline in a minute or
# two on a CPU. Every other example is rendered (code and text) but not run:
# - paper_reproduction.py needs the MNIST / Fashion-MNIST IDX files and a GPU
#   for its full protocol;
# - distributed_search.py starts several worker processes and takes too long
#   for a docs build.
EXECUTED_EXAMPLES = ("quickstart", "latent_traversal", "pipeline_gridsearch", "csv_cli")

sphinx_gallery_conf = {
    "examples_dirs": str(_GALLERY_SRC),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"[\\/](" + "|".join(EXECUTED_EXAMPLES) + r")\.py$",
    # Files that are not examples at all (none today) would go here.
    "ignore_pattern": r"__init__\.py|[\\/]_",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("imbgan",),
    "reference_url": {"imbgan": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "min_reported_time": 1,
    "show_memory": False,
    # pyplot figures, and the PNG files the examples write (imbgan.plotting
    # draws without pyplot, so only the second sees its figures).
    "image_scrapers": ("matplotlib", "imbgan_docs.png_scraper"),
    # Each example starts with pyplot closed and one torch and BLAS thread
    # (see imbgan_docs.one_thread: on shared cores more threads make the
    # examples many times slower).
    "reset_modules": ("matplotlib", "imbgan_docs.one_thread"),
    "within_subsection_order": "imbgan_docs.ExampleOrder",
}

# -- figures drawn at build time -------------------------------------------------


def _draw_figures() -> None:
    """The DAG figure of writing_a_dag.rst (no training needed)."""
    import io

    from imbgan.plotting import plot_dag

    out = DOCS / "gen_modules" / "figures"
    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "dag_stroke.png": {
            "thickness": [],
            "width": [],
            "stroke": ["thickness", "width"],
        },
        "dag_entangled.png": "entangled",
    }
    for name, dag in figures.items():
        buffer = io.BytesIO()
        plot_dag(dag).savefig(buffer, format="png", dpi=100)
        path = out / name
        if not path.exists() or path.read_bytes() != buffer.getvalue():
            path.write_bytes(buffer.getvalue())


_draw_figures()

# -- the command-line reference (cli.rst) ---------------------------------------
#
# The help of ``imbgan`` and of every subcommand, as argparse prints it,
# written at build time so that the page follows the parser.


def _write_cli_help() -> None:
    import argparse
    import os

    from imbgan.cli import _build_parser

    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"
    try:
        sections: list[str] = []

        def walk(parser: argparse.ArgumentParser) -> None:
            text = parser.format_help().rstrip()
            sections.append(
                f"``{parser.prog}``\n{'-' * (len(parser.prog) + 4)}\n\n"
                ".. code-block:: text\n\n"
                + "\n".join(("   " + line).rstrip() for line in text.splitlines())
                + "\n"
            )
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    for sub in action.choices.values():
                        walk(sub)

        walk(_build_parser())
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    out = DOCS / "gen_modules" / "cli.rst.inc"
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(sections)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")


_write_cli_help()

# -- HTML ----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"imbgan {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = True
