"""Command-line adapters: flags -> workload -> model -> printed table, JSON, plot.

The models in accelerators/ take workload objects and never touch files; these
adapters are the glue the CLI (sim.py) uses, so they may call workloads' loaders.
"""
