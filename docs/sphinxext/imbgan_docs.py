"""Helpers for the imbgan docs build (loaded by ``docs/conf.py``).

- :func:`png_scraper`: a sphinx-gallery image scraper for the PNG files an
  example writes. :mod:`imbgan.plotting` never goes through pyplot, so the
  default matplotlib scraper sees none of its figures; this one picks up
  every PNG file that appears (or changes) under the gallery's source folder
  while a code block runs, shows it on the example's page and keeps a copy
  under a stable name, ``gen_modules/example_images/<example>/<path>``, for
  the pages that show an example's figure.
- ``.. example-figure:: <example>/<path>``: a figure directive for such a
  copy. When the gallery was not executed (``make html-noplot``) a missing
  file is replaced by a note; when it was, a missing file is a warning (and
  so fails the ``-W`` build), because the example no longer writes it.
- :class:`ExampleOrder`: the order of the examples in the gallery.
- :func:`one_thread`: each example runs with one torch and BLAS thread.
- Labels of scikit-learn's user guide that inherited docstrings refer to
  (``:ref:`metadata_routing```) become links to its site: no inventory is
  fetched, so they would otherwise be undefined.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst.directives.images import Figure
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

# Where the copies go, relative to the Sphinx source folder (docs/).
STABLE_DIR = Path("gen_modules") / "example_images"

# (path, mtime_ns, size) of every PNG already shown, so that a file is shown
# once, on the page of the example that wrote it.
_seen: set[tuple[str, int, int]] = set()


def _new_pngs(root: Path) -> list[Path]:
    found = []
    for png in root.rglob("*.png"):
        stat = png.stat()
        key = (str(png), stat.st_mtime_ns, stat.st_size)
        if key not in _seen:
            _seen.add(key)
            found.append((stat.st_mtime_ns, str(png), png))
    return [png for _, _, png in sorted(found)]


def png_scraper(block, block_vars, gallery_conf):
    """Show the PNG files written by the code block that just ran."""
    from sphinx_gallery.scrapers import figure_rst

    src_file = Path(block_vars["src_file"])
    root = src_file.parent
    example = src_file.stem
    stable_root = Path(gallery_conf["src_dir"]) / STABLE_DIR / example
    image_paths = []
    for png in _new_pngs(root):
        image_path = Path(next(block_vars["image_path_iterator"]))
        shutil.copyfile(png, image_path)
        image_paths.append(str(image_path))
        stable = stable_root / png.relative_to(root)
        stable.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, stable)
    return figure_rst(image_paths, gallery_conf["src_dir"])


def one_thread(gallery_conf, fname, when=None) -> None:
    """sphinx-gallery ``reset_modules``: one torch and one BLAS thread.

    Run before each example, so that an example that changes the thread
    count does not change the next one's. One thread because the docs build
    shares its cores (with CI's tests, or other work): a second intra-op
    thread spin-waits for a busy core and makes these small networks many
    times slower (quickstart took 26 minutes instead of 2 on two loaded
    cores). Processes the examples start get ``OMP_NUM_THREADS=1``.
    """
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(limits=1)


class ExampleOrder:
    """sphinx-gallery ``within_subsection_order``: the reading order below,
    then any other example by file name."""

    ORDER = (
        "quickstart.py",
        "latent_traversal.py",
        "pipeline_gridsearch.py",
        "csv_cli.py",
        "distributed_search.py",
        "paper_reproduction.py",
    )

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        rank = self.ORDER.index(name) if name in self.ORDER else len(self.ORDER)
        return (rank, name)


def reset_seen(*args) -> None:
    """Forget what was shown (the gallery source folder is staged afresh)."""
    _seen.clear()


class ExampleFigure(SphinxDirective):
    """``.. example-figure:: latent_traversal/some/file.png`` plus figure options."""

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = True
    option_spec = Figure.option_spec

    def run(self):
        relative = STABLE_DIR / self.arguments[0]
        absolute = Path(self.env.srcdir) / relative
        if not absolute.is_file():
            if _gallery_executed(self.config):
                logger.warning(
                    "example-figure: %s was not written by the gallery example "
                    "%r (does the example still write it?)",
                    self.arguments[0],
                    self.arguments[0].split("/")[0],
                    location=self.get_location(),
                )
            note = nodes.paragraph(
                text=f"[Figure {self.arguments[0]}: made when the gallery "
                "examples are executed.]"
            )
            return [note]
        uri = "/" + relative.as_posix()  # relative to the source folder
        figure = Figure(
            self.name,
            [uri],
            self.options,
            self.content,
            self.lineno,
            self.content_offset,
            self.block_text,
            self.state,
            self.state_machine,
        )
        return figure.run()


def _gallery_executed(config) -> bool:
    value = getattr(config, "plot_gallery", "True")
    return str(value).lower() not in {"0", "false", "no", "off", ""}


# scikit-learn user-guide labels used in docstrings imbgan inherits.
EXTERNAL_LABELS = {
    "metadata_routing": "https://scikit-learn.org/stable/metadata_routing.html",
}


def external_label(app, env, node, contnode):
    """Resolve a known scikit-learn label to a link, without an inventory."""
    if node.get("refdomain") != "std" or node.get("reftype") != "ref":
        return None
    url = EXTERNAL_LABELS.get(node.get("reftarget"))
    if url is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=url)
    reference += contnode
    return reference


def setup(app):
    app.add_directive("example-figure", ExampleFigure)
    app.connect("config-inited", reset_seen)
    app.connect("missing-reference", external_label)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
