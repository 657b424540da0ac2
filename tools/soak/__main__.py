"""``python -m tools.soak`` (what scripts/soak runs)."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
