"""Run sparsesim from a checkout: `python sim.py --accel eie` is `sparsesim --accel eie`."""

import sys
from pathlib import Path

# The checkout's sparsesim/ folder is only part of the package (setup.cfg maps simulator/,
# accelerators/ and workloads/ into it), so it must not shadow the installed package:
# Python puts this script's folder first on the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

try:
    from sparsesim.cli.main import main
except ModuleNotFoundError as exc:  # this Python has not installed the checkout yet
    print(f"sparsesim: error: {exc}; install it first with `pip install -e .` "
          "(README, Set-up)", file=sys.stderr)
    sys.exit(2)

if __name__ == "__main__":
    sys.exit(main())
