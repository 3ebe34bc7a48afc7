"""``python3 -m atcsim``: see :mod:`atcsim.cli`."""

import sys

from .cli import guarded_main

if __name__ == "__main__":
    sys.exit(guarded_main())
