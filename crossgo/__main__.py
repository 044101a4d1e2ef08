"""``python -m crossgo``."""

import sys

from crossgo.cli import main

sys.exit(main())
