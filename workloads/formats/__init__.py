"""Sparse matrix formats, each with a way back to dense for checking."""

from workloads.formats.compressed import CSC, CSR
from workloads.formats.eie_csc import EIECSC

__all__ = ["CSC", "CSR", "EIECSC"]
