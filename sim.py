"""Run sparsesim from a checkout: `python sim.py --accel eie` is `sparsesim --accel eie`."""

import sys

try:
    from sparsesim.cli.main import main
except ModuleNotFoundError as exc:  # this Python has not installed the checkout yet
    print(f"sparsesim: error: {exc}; install it first with `pip install -e .` "
          "(README, Set-up)", file=sys.stderr)
    sys.exit(2)

if __name__ == "__main__":
    sys.exit(main())
