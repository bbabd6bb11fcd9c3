"""Model readers: one module per file format, all producing one in-memory `Model`."""

from sparsesim.workloads.readers.load import load_model
from sparsesim.workloads.readers.network import Conv, Dense, Model
from sparsesim.workloads.readers.scipy_npz import model_from_scipy

__all__ = ["Conv", "Dense", "Model", "load_model", "model_from_scipy"]
