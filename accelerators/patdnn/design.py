"""PatDNN as a registered design: pattern-pruned conv layers on a mobile CPU."""

from __future__ import annotations

import os

from sparsesim.accelerators.patdnn import model
from sparsesim.accelerators.patdnn.config import PRESETS, PatDNNConfig
from sparsesim.accelerators.patdnn.simulate import ENGINES
from sparsesim.accelerators.protocol import Design, expect_workload, paired_run
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.conv_layers import (
    ConvWorkload,
    lenet5_from_file,
    lenet5_seeded,
    network_workload,
)

WORKLOADS = ("lenet5", "vgg16", "resnet18", "vgg16-div4", "resnet18-div4")


def named_workload(name: str, seed: int, config: object = None) -> ConvWorkload:
    """LeNet-5 (seeded weights, a real MNIST image), or VGG-16 / ResNet-18 conv shapes
    (seeded; `-div4` divides height and width by 4), all pattern-pruned."""
    if name not in WORKLOADS:
        raise WorkloadError(f"unknown patdnn workload {name!r}; choose one of "
                            f"{', '.join(WORKLOADS)}")
    if name == "lenet5":
        return lenet5_seeded(seed)
    network, _, scale = name.partition("-div")
    return network_workload(network, seed, scale=int(scale or 1))


def model_workload(obj: object, seed: int, config: object = None) -> ConvWorkload:
    """A ConvWorkload as it is, or a LeNet-5 model file by path."""
    if isinstance(obj, str | os.PathLike):
        return lenet5_from_file(obj, seed)
    return expect_workload(obj, ConvWorkload, "patdnn")


DESIGN = Design(
    name="patdnn",
    description="PatDNN (Niu et al., ASPLOS 2020): pattern-pruned conv in FKW with filter "
                "kernel reorder and load redundancy elimination on a mobile CPU",
    config_type=PatDNNConfig,
    presets=PRESETS,
    engines=ENGINES,
    workloads=WORKLOADS,
    workload=named_workload,
    compile=model.compile,
    run=paired_run(model.run),
    from_model=model_workload,
    read_model=lenet5_from_file,
)
