"""sparsesim: a cycle-level simulator of sparse DNN accelerators.

    import sparsesim
    sparsesim.accelerators()                       # ['eie', 'ese', 'stc', 'pointacc']
    cfg = sparsesim.config("eie", num_pes=32)      # frozen, validated
    run = sparsesim.run("eie", workload="alexnet-fc8", config=cfg)
    run.totals["cycles"], run.output_ok, run.outputs
    sparsesim.area("eie", cfg)["area_mm2"]          # silicon area, no simulation
"""

__version__ = "0.2.0"

from sparsesim.api import Run, accelerators, area, config, load_model, run  # noqa: E402

__all__ = ["Run", "__version__", "accelerators", "area", "config", "load_model", "run"]
