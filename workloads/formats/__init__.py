"""Sparse matrix formats, each with a way back to dense for checking."""

from sparsesim.workloads.formats.compressed import CSC, CSR
from sparsesim.workloads.formats.eie_csc import EIECSC
from sparsesim.workloads.formats.nm_compressed import NMCompressed

__all__ = ["CSC", "CSR", "EIECSC", "NMCompressed"]
