"""Command-line adapters: flags -> workload -> model -> printed table, JSON, plot.

The models in accelerators/ take workload objects and never touch files; these
adapters are the glue the CLI (sim.py) uses, so they may call workloads' loaders.

Warnings the library gives (numba's cache fallback, for one) print as one line
`sparsesim: warning: ...` once this package is imported, before any design is.
"""

import sys
import warnings


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"sparsesim: warning: {message}", file=sys.stderr)


warnings.showwarning = _one_line_warning
