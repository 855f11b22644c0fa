"""``python -m imbgan``: the same as the ``imbgan`` command."""

import sys

from .cli import main

sys.exit(main())
