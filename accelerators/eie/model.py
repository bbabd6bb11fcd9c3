"""EIE (Han et al., ISCA 2016): compile a workload, run it on either engine.

    compiled = compile(layer, EIE_PAPER)
    result = run(compiled, engine="reference")   # SimResult, output checked vs numpy
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from sparsesim.accelerators.eie.compile import CompiledLayer, compile_layer
from sparsesim.accelerators.eie.config import EIE_PAPER, EIEConfig
from sparsesim.accelerators.eie.counters import EIECounters, build_result
from sparsesim.accelerators.eie.fast import simulate_fast
from sparsesim.accelerators.eie.reference import simulate_reference
from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.formats import CSC
from sparsesim.workloads.layer import Layer, Workload

ENGINES = ("fast", "reference")  # the first is the default

__all__ = ["EIE_PAPER", "ENGINES", "CompiledWorkload", "EIEConfig", "classify", "compile",
           "compile_workload", "run", "run_compiled", "run_workload", "warm_up"]


FP16_MAX = 65504.0  # largest finite float16: the codebook's 16-bit values (EIE Sec. III-B)


def compile(layer: Layer, config: EIEConfig = EIE_PAPER) -> CompiledLayer:  # noqa: A001
    """Encode `layer` the way EIE stores it (k-means codebook + interleaved CSC). A bias
    becomes one more broadcast column with activation 1.0 whose entries are the bias
    codes (see Layer.bias_as_column): it costs that column's broadcast and entries."""
    for part, values in (("weight", layer.weights.values), ("bias", layer.bias)):
        if values is not None and np.abs(values).max(initial=0.0) > FP16_MAX:
            raise WorkloadError(f"layer {layer.name}: a {part} exceeds {FP16_MAX:g}, beyond "
                                "EIE's 16-bit codebook; rescale the layer")
    return compile_layer(layer.bias_as_column(), config)


def _simulate(compiled: CompiledLayer, engine: str) -> tuple[EIECounters, float, float]:
    """Counters, simulation wall seconds, and JIT compile seconds (fast engine only)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    compile_seconds = 0.0
    if engine == "reference":
        compiled.decode_entries()  # the SimPy model's look-ups, outside its timing
    start = time.perf_counter()
    if engine == "fast":
        counters, compile_seconds = simulate_fast(compiled)
    else:
        counters = simulate_reference(compiled)
    return counters, time.perf_counter() - start - compile_seconds, compile_seconds


def run(compiled: CompiledLayer, engine: str = "fast", seed: int | None = None,
        workload: str | None = None, tech: str = "45nm") -> SimResult:
    """Simulate one compiled layer; the SimResult's output is checked against numpy and
    its energy comes from technology table `tech` (see simulator/energy.py)."""
    return _run_with_output(compiled, engine, seed, workload, tech)[0]


def _run_with_output(compiled: CompiledLayer, engine: str, seed: int | None,
                     workload: str | None, tech: str = "45nm") -> tuple[SimResult, np.ndarray]:
    counters, wall, compile_seconds = _simulate(compiled, engine)
    result = build_result(compiled, counters, engine=engine, seed=seed, wall_seconds=wall,
                          workload=workload or compiled.name, tech=tech)
    if engine == "fast":
        result.details["compile_seconds"] = compile_seconds
    return result, counters.output


def warm_up(engine: str = "fast") -> None:
    """Load the fast engine's kernel now (from numba's disk cache) on a one-entry layer,
    e.g. before forking sweep workers, which then share the loaded kernel."""
    if engine == "fast":
        one = np.ones(1, dtype=np.float32)
        simulate_fast(compile(Layer("warm-up", CSC.from_dense(one.reshape(1, 1)), one)))


@dataclasses.dataclass(frozen=True)
class CompiledWorkload:
    """Every layer of a workload encoded; in a chain each layer's input is replaced at run
    time by the previous layer's simulated output."""

    name: str
    layers: tuple[CompiledLayer, ...]
    chained: bool
    biased: tuple[bool, ...]  # per layer: its bias is the last column (input 1.0)

    def with_config(self, config: EIEConfig) -> CompiledWorkload:
        """The same encodings under a config differing only in timing or energy fields."""
        return dataclasses.replace(self, layers=tuple(layer.with_config(config)
                                                      for layer in self.layers))


def compile_workload(workload: Workload, config: EIEConfig = EIE_PAPER) -> CompiledWorkload:
    return CompiledWorkload(workload.name, tuple(compile(layer, config)
                                                 for layer in workload.layers),
                            workload.chained,
                            tuple(layer.bias is not None for layer in workload.layers))


def _fed(layer: CompiledLayer, x: np.ndarray, biased: bool) -> CompiledLayer:
    """`layer` with input vector x, followed by the bias column's 1.0 if it has one."""
    x = np.asarray(x, dtype=np.float32)
    return layer.with_activations(np.append(x, np.float32(1.0)) if biased else x)


def run_compiled(compiled: CompiledWorkload, engine: str = "fast", seed: int | None = None,
                 tech: str = "45nm") -> tuple[list[SimResult], np.ndarray]:
    """Results per layer and the last layer's simulated output vector."""
    results = []
    previous: np.ndarray | None = None
    for layer, biased in zip(compiled.layers, compiled.biased):
        if compiled.chained and previous is not None:
            layer = _fed(layer, previous, biased)
        result, previous = _run_with_output(layer, engine, seed, compiled.name, tech)
        results.append(result)
    return results, previous


def run_workload(workload: Workload, config: EIEConfig = EIE_PAPER, engine: str = "fast",
                 seed: int | None = None, tech: str = "45nm") -> list[SimResult]:
    """Run every layer; in a chain each layer's input is the previous simulated output."""
    return run_compiled(compile_workload(workload, config), engine, seed, tech)[0]


@dataclasses.dataclass(frozen=True)
class Classification:
    """A chained workload run on many real inputs, one after another."""

    outputs: np.ndarray  # (inputs, last layer outputs) simulated final outputs, float64
    cycles: np.ndarray  # (inputs,) cycles of the whole chain per input
    output_ok: bool  # every layer's output matched numpy for every input


def classify(workload: Workload, inputs: np.ndarray, config: EIEConfig = EIE_PAPER,
             engine: str = "fast") -> Classification:
    """Run the chain once per row of `inputs` (each layer compiled once, its input
    replaced), every layer taking the previous layer's simulated output."""
    compiled = compile_workload(workload, config)
    outputs, cycles, ok = [], [], True
    for x in inputs:
        total = 0
        for layer, biased in zip(compiled.layers, compiled.biased):
            result, x = _run_with_output(_fed(layer, x, biased), engine, None, workload.name)
            ok, total = ok and result.output_ok, total + result.cycles
        outputs.append(x)
        cycles.append(total)
    return Classification(np.array(outputs), np.array(cycles, dtype=np.int64), ok)
