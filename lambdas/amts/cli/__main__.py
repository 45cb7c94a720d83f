"""``python -m amts.cli`` (what ``make demo`` runs): the same entry point as the ``amts`` command."""

import sys

from amts.cli import main

sys.exit(main())
