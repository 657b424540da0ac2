"""``python -m tools.develop``: the helper commands scripts/develop runs."""

import sys

from .cli import main

sys.exit(main())
