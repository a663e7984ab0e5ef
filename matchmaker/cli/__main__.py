"""``python -m matchmaker.cli ...``: the same as the ``matchmaker`` command."""

import sys

from matchmaker.cli import main

sys.exit(main())
