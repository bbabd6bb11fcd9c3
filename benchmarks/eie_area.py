"""EIE's per-PE area by module beside the paper's Table II (the README table).

    python benchmarks/eie_area.py [--tech 45nm] [--out-dir DIR]

Ours comes from simulator/area.py's tables and rules and accelerators/eie/area.py's
inventory; nothing is fitted to the paper. Two configs: the simulator's default (pointer
SRAM 64 KiB) and the paper's SRAM sizes (Spmat 128 KB, Ptr 32 KB, Act 2 KB; EIE Sec. VI).
Writes eie_area.json to benchmarks/results/ unless told.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from common import RESULTS, write_json

from sparsesim.accelerators.eie.area import area
from sparsesim.accelerators.eie.config import EIE_PAPER

# Han et al., EIE, ISCA 2016, Table II (compare only): one PE's area by module, um^2, at
# TSMC 45 nm; 64 PEs take 40.8 mm^2. Filler cells are not a module we model.
PAPER_PE_UM2 = {"SpmatRead": 469_412, "PtrRead": 121_849, "ActRW": 18_934,
                "ArithmUnit": 3_110, "Act queue": 758, "filler cell": 23_961}
PAPER_PE_TOTAL_UM2 = 638_024
PAPER_CHIP_MM2 = 40.8
OURS = {"SpmatRead": ("sram_spmat",), "PtrRead": ("sram_pointer",),
        "ActRW": ("activation_rw",), "ArithmUnit": ("arithmetic", "register_file_codebook"),
        "Act queue": ("activation_queue",), "filler cell": ()}


def rows(tech: str) -> dict[str, dict]:
    configs = {"default": EIE_PAPER,
               "paper_sram": dataclasses.replace(EIE_PAPER, pointer_sram_kib=32)}
    out = {}
    for name, config in configs.items():
        block = area(config, tech)
        pe = block["per_pe_breakdown_um2"]
        modules = {module: sum(pe[key] for key in keys) for module, keys in OURS.items()}
        out[name] = {"modules_um2": modules, "per_pe_um2": block["per_pe_area_um2"],
                     "chip_mm2": block["area_mm2"], "lnzd_um2": pe["lnzd"]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tech", default="45nm")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = rows(args.tech)
    print(f"{'module':12s} {'paper_um2':>10s} {'ours':>10s} {'ratio':>6s} "
          f"{'ours_ptr32':>10s} {'ratio':>6s}")
    for module, paper in PAPER_PE_UM2.items():
        cells = []
        for name in ("default", "paper_sram"):
            ours = result[name]["modules_um2"][module]
            cells.append(f"{ours:10,.0f} {ours / paper:6.2f}" if ours else f"{'-':>10s} {'':>6s}")
        print(f"{module:12s} {paper:10,d} {' '.join(cells)}")
    per_pe = [result[n]["per_pe_um2"] for n in ("default", "paper_sram")]
    chip = [result[n]["chip_mm2"] for n in ("default", "paper_sram")]
    print(f"{'one PE':12s} {PAPER_PE_TOTAL_UM2:10,d} " + " ".join(
        f"{v:10,.0f} {v / PAPER_PE_TOTAL_UM2:6.2f}" for v in per_pe))
    print(f"{'64 PEs mm2':12s} {PAPER_CHIP_MM2:10.1f} " + " ".join(
        f"{v:10.2f} {v / PAPER_CHIP_MM2:6.2f}" for v in chip))
    write_json(args.out_dir / "eie_area.json", result)


if __name__ == "__main__":
    main()
