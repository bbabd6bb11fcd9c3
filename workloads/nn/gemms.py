"""A numpy network (workloads/nn) lowered to the GEMMs a tensor core runs, through the
shared lowering (workloads/lowering.py): fully connected layers as linear GEMMs,
convolutions as implicit GEMMs (M = output channels, K = input channels x k x k,
N = batch x output pixels). Pooling, reshapes and scaling are not GEMMs and are left out.
"""

from __future__ import annotations

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.lowering import ConvSpec, NetworkGemm, conv, linear
from sparsesim.workloads.nn.layers import Conv2d, Dense, MaxPool2, Reshape
from sparsesim.workloads.nn.network import Network


def network_gemms(network: Network, batch: int) -> list[NetworkGemm]:
    """One GEMM per weighted layer of `network` on `batch` images, at the layers' sizes
    (a compacted network's smaller ones)."""
    gemms, size = [], None  # size: the feature map's (h, w) once the input is an image
    for layer in network.layers:
        if isinstance(layer, Reshape):
            size = layer.shape[1:] if len(layer.shape) == 3 else None
        elif isinstance(layer, MaxPool2):
            size = (size[0] // 2, size[1] // 2)
        elif isinstance(layer, Conv2d):
            if size is None:
                raise WorkloadError(f"{network.name}: convolution {layer.name} has no image "
                                    "input to lower")
            spec = ConvSpec(layer.in_channels, layer.out_channels, (layer.kernel,) * 2)
            gemm, size = conv(layer.name, spec, batch, *size)
            gemms.append(gemm)
        elif isinstance(layer, Dense):
            gemms.append(linear(layer.name, layer.outputs, layer.inputs, batch))
    return gemms
