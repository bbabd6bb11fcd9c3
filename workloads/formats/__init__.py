"""Sparse matrix formats, each with a way back to dense for checking."""

from workloads.formats.compressed import CSC, CSR
from workloads.formats.eie_csc import EIECSC
from workloads.formats.nm_compressed import NMCompressed

__all__ = ["CSC", "CSR", "EIECSC", "NMCompressed"]
