"""TorchSparse as a registered design: the PointAcc workloads' conv block on a GPU."""

from __future__ import annotations

from sparsesim.accelerators.pointacc.design import model_workload, named_workload
from sparsesim.accelerators.protocol import Design, paired_run
from sparsesim.accelerators.torchsparse import model
from sparsesim.accelerators.torchsparse.config import PRESETS, TorchSparseConfig
from sparsesim.accelerators.torchsparse.timeline import ENGINES
from sparsesim.workloads.point_clouds import CLOUD_NAMES

DESIGN = Design(
    name="torchsparse",
    description="TorchSparse (Tang et al., MLSys 2022): gather-matmul-scatter sparse conv "
                "with adaptive offset grouping on a GPU (A100/H100 presets)",
    config_type=TorchSparseConfig,
    presets=PRESETS,
    engines=ENGINES,
    workloads=CLOUD_NAMES,
    workload=named_workload,
    compile=model.compile,
    run=paired_run(model.run),
    from_model=model_workload,
)
