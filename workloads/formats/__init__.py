"""Sparse matrix formats, each with a way back to dense for checking."""

from sparsesim.workloads.formats.blocked_ell import BlockedELL
from sparsesim.workloads.formats.bsr import BSR
from sparsesim.workloads.formats.compressed import CSC, CSR
from sparsesim.workloads.formats.eie_csc import EIECSC
from sparsesim.workloads.formats.nm_compressed import NMCompressed

__all__ = ["BSR", "CSC", "CSR", "EIECSC", "BlockedELL", "NMCompressed"]
