"""``python -m imbgan.cli``: the same as the ``imbgan`` command."""

import sys

from . import main

sys.exit(main())
