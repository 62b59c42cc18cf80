"""`python -m siem2graph`."""

import sys

from siem2graph.cli import main

sys.exit(main())
