"""PointAcc energy: merge-sort versus hash mapping unit on the shipped point clouds.

    python benchmarks/pointacc_energy.py [--tech 45nm|FILE.toml] [--out PATH.json]

Runs every shipped cloud (at the CLI's default voxel size) under both mappers, prints
energy and the mapping unit's share per cloud, writes the JSON and a stacked-bar PNG of
the per-layer breakdown on bunny (PATH.png). PointAcc publishes its energy only
relative to a GPU (22x saving over an RTX 2080 Ti; Lin et al., MICRO 2021), so there is
no absolute figure to compare with: these are ours.
"""

from __future__ import annotations

import argparse
import dataclasses

from common import output_path, write_json

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.cli.progress import progress
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.energy_plots import energy_figure
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.point_clouds import CLOUD_NAMES, DEFAULT_VOXEL, load_cloud
from sparsesim.workloads.point_layers import point_workload

MAPPING = ("arithmetic_mapping", "sram_key_buffer")  # the mapping unit's classes
# (in the set abstraction the distance unit does the mapping for both mappers alike, so
# the mapper comparison sums these classes over the sparse convolutions only)
PLOTTED_CLOUD = "bunny"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tech", default="45nm", help="energy table name or .toml path")
    parser.add_argument("--out", help="JSON path (default benchmarks/results/"
                                      "pointacc_energy.json)")
    args = parser.parse_args()
    load_table(args.tech)
    rows, plotted = [], {}
    print(f"{'cloud':6s} {'voxels':>7s} {'mapper':9s} {'cycles':>8s} {'energy_uJ':>9s} "
          f"{'power_mW':>8s} {'conv_map_uJ':>11s} {'compare_uJ':>10s} {'keybuf_uJ':>9s} "
          f"{'keybuf_KiB':>10s} {'dram_uJ':>8s} {'output':>6s}")
    for cloud_name in progress(CLOUD_NAMES, "pointacc_energy"):
        workload = point_workload(load_cloud(cloud_name), DEFAULT_VOXEL[cloud_name], seed=0)
        for mapper in pointacc.MAPPERS:
            config = dataclasses.replace(pointacc.POINTACC_DEFAULT, mapper=mapper)
            results = pointacc.run(pointacc.compile(workload, config), seed=0, tech=args.tech)
            parts = {k: sum(r.energy_breakdown_pj[k] for r in results)
                     for k in results[0].energy_breakdown_pj}
            energy, seconds = sum(parts.values()), sum(r.seconds for r in results)
            convs = [r for r in results if r.details["kind"] == "sparse_conv"]
            row = {"cloud": cloud_name, "voxels": len(workload.coords), "mapper": mapper,
                   "cycles": sum(r.cycles for r in results), "seconds": seconds,
                   "energy_pj": energy, "power_w": energy * 1e-12 / seconds,
                   "energy_breakdown_pj": parts,
                   "conv_mapping_energy_pj": sum(r.energy_breakdown_pj[k] for r in convs
                                                 for k in MAPPING),
                   "conv_key_buffer_bytes_max": max(r.memory_stats["key_buffer"]
                                                    ["capacity_bytes"] for r in convs),
                   "output_ok": all(r.output_ok for r in results)}
            rows.append(row)
            if cloud_name == PLOTTED_CLOUD:
                plotted[mapper] = results
            print(f"{cloud_name:6s} {row['voxels']:7d} {mapper:9s} {row['cycles']:8d} "
                  f"{energy * 1e-6:9.1f} {row['power_w'] * 1e3:8.1f} "
                  f"{row['conv_mapping_energy_pj'] * 1e-6:11.2f} "
                  f"{parts['arithmetic_mapping'] * 1e-6:10.2f} "
                  f"{parts['sram_key_buffer'] * 1e-6:9.2f} "
                  f"{row['conv_key_buffer_bytes_max'] / 1024:10.0f} {parts['dram'] * 1e-6:8.1f} "
                  f"{'ok' if row['output_ok'] else 'WRONG':>6s}")
    for cloud_name in CLOUD_NAMES:
        merge, hashed = (next(r for r in rows if r["cloud"] == cloud_name and r["mapper"] == m)
                         for m in pointacc.MAPPERS)
        total = hashed["energy_pj"] / merge["energy_pj"]
        mapping = hashed["conv_mapping_energy_pj"] / merge["conv_mapping_energy_pj"]
        print(f"{cloud_name}: hash / merge-sort energy {total:.3f}, mapping unit in the "
              f"sparse convolutions {mapping:.3f}")
    path = output_path("pointacc_energy.json", args.out)
    write_json(path, {"tech": args.tech, "label": "ours (sparsesim), not published figures",
                      "config": pointacc.POINTACC_DEFAULT.to_dict(), "runs": rows})
    png = path.with_suffix(".png")
    save_png(energy_figure(plotted, f"PointAcc energy per layer on {PLOTTED_CLOUD}, "
                                    f"{args.tech}"), png)
    print(f"wrote {path} and {png}")


if __name__ == "__main__":
    main()
