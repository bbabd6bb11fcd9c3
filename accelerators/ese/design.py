"""ESE as a registered design: an LSTM pruned load-balance-aware for the configured PE
count (the paper's compression), compiled and run over its frame sequence."""

from __future__ import annotations

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.area import area
from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.accelerators.ese.pruning import DEFAULT_SPARSITY, SCHEMES, prune
from sparsesim.accelerators.protocol import Design, DesignRun, expect_workload
from sparsesim.workloads.lstm import LSTMModel
from sparsesim.workloads.lstm_models import WORKLOAD_NAMES, lstm_workload
from sparsesim.workloads.readers import Model


def named_workload(name: str, seed: int, config: ESEConfig) -> LSTMModel:
    """A built-in LSTM, pruned with ESE's default scheme and sparsity for `config`'s PEs."""
    return prune(lstm_workload(name, seed), SCHEMES[0], DEFAULT_SPARSITY,
                 config.pes_per_channel)


def model_workload(model: object, seed: int, config: ESEConfig) -> LSTMModel:
    """Your own LSTM (an LSTMModel, or a model read by workloads.readers whose layers are
    all LSTMs), run as it is: prune it first if you want it sparse."""
    if isinstance(model, Model):
        return model.to_lstm(seed=seed)
    return expect_workload(model, LSTMModel, "ese")


def run(compiled, *, engine: str = "fast", seed: int | None = None,
        tech: str = "45nm") -> DesignRun:
    result = ese.run(compiled, engine=engine, seed=seed, tech=tech)
    return DesignRun(result.layers, result.hidden_states)


DESIGN = Design(
    name="ese",
    description="ESE (Han et al., FPGA 2017): sparse LSTM engine, load-balance-aware pruning",
    config_type=ESEConfig,
    presets={"paper": ese.ESE_PAPER},
    engines=ese.ENGINES,
    workloads=WORKLOAD_NAMES,
    workload=named_workload,
    compile=ese.compile,
    run=run,
    from_model=model_workload,
    area=area,
)
