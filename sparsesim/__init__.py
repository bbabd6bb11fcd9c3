"""sparsesim: a cycle-level simulator of sparse DNN accelerators."""

__version__ = "0.2.0"
