"""``python -m amts_local.cli`` (what ``make demo`` runs): the same entry point as the ``amts`` command."""

import sys

from amts_local.cli import main

sys.exit(main())
