"""Run sparsesim from a checkout: `python sim.py --accel eie` is `sparsesim --accel eie`."""

import sys

from sparsesim.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
