"""PointAcc scaling benchmark: kernel-map cycles of the merge-sort mapping unit vs the
hash-table baseline as a shipped cloud grows from 1,000 points to all of it.

    python benchmarks/pointacc_scaling.py --json scaling.json --png scaling.png

For each cloud and point count: a seeded random subset of the points, voxelized at
the CLI's default voxel size, then the mapping unit alone builds the 3x3x3 kernel maps
of a stride-1 and a stride-2 convolution; each map is checked against numpy. Our
model's figures (PointAcc's parameters are not published; see pointacc_config.py):
compare shapes, not absolute cycles.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

import numpy as np

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.accelerators.pointacc import references as ref
from sparsesim.accelerators.pointacc.keys import kernel_offsets
from sparsesim.cli.progress import progress
from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.workloads.point_clouds import (
    CLOUD_NAMES,
    DEFAULT_VOXEL,
    load_cloud,
    subsample,
    voxelize,
)

STRIDES = (1, 2)


def point_counts(total: int, start: int = 1000) -> list[int]:
    """start, 2 start, 4 start, ... below total, then total."""
    counts, n = [], start
    while n < total:
        counts.append(n)
        n *= 2
    return counts + [total]


def measure(cloud_name: str, seed: int) -> list[dict]:
    cloud = load_cloud(cloud_name)
    voxel = DEFAULT_VOXEL[cloud_name]
    rows = []
    for count in progress(point_counts(len(cloud.points)), "pointacc_scaling"):
        coords = voxelize(subsample(cloud.points, count, seed), voxel).coords
        for stride in STRIDES:
            expected = ref.kernel_map(coords, ref.output_coords(coords, stride),
                                      kernel_offsets(3))
            row = {"cloud": cloud_name, "points": count, "voxel_size": voxel,
                   "voxels": len(coords), "stride": stride, "map_entries": len(expected)}
            for mapper in pointacc.MAPPERS:
                config = dataclasses.replace(pointacc.POINTACC_DEFAULT, mapper=mapper)
                maps = pointacc.kernel_maps(coords, stride, config)
                row[f"{mapper}_mapping_cycles"] = maps.cycles
                row[f"{mapper}_comparisons"] = maps.comparisons
                row[f"{mapper}_maps_ok"] = bool(np.array_equal(ref.canonical(maps.entries),
                                                               expected))
            row["hash_collisions"] = maps.collisions
            row["hash_over_mergesort"] = (row["hash_mapping_cycles"]
                                          / max(1, row["mergesort_mapping_cycles"]))
            rows.append(row)
    return rows


def figure(rows: list[dict]):
    from matplotlib.ticker import FuncFormatter, LogLocator

    from sparsesim.simulator.plots import plt

    plain = FuncFormatter(lambda value, _: f"{value:,.0f}")

    clouds = sorted({r["cloud"] for r in rows}, key=CLOUD_NAMES.index)
    fig, axes = plt.subplots(1, len(clouds), figsize=(5.2 * len(clouds), 4.4), squeeze=False)
    styles = {"mergesort": ("#1864ab", "o"), "hash": ("#e8590c", "s")}
    for ax, cloud in zip(axes[0], clouds):
        for stride, dash in zip(STRIDES, ("-", "--")):
            sel = [r for r in rows if r["cloud"] == cloud and r["stride"] == stride]
            for mapper, (colour, marker) in styles.items():
                ax.plot([r["points"] for r in sel], [r[f"{mapper}_mapping_cycles"] for r in sel],
                        dash, color=colour, marker=marker, ms=4,
                        label=f"{mapper}, stride {stride}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(plain)
            axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        ax.set_xlabel(f"points in the cloud (voxelized at {DEFAULT_VOXEL[cloud]:g})")
        ax.set_ylabel("kernel-map mapping cycles")
        ax.set_title(f"{cloud}: 3x3x3 kernel maps, 16 comparators / probes per cycle",
                     fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clouds", nargs="+", choices=CLOUD_NAMES, default=list(CLOUD_NAMES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the rows as JSON here")
    parser.add_argument("--png", help="write the plot here")
    args = parser.parse_args(argv)
    rows = [row for cloud in args.clouds for row in measure(cloud, args.seed)]
    head = (f"{'cloud':7s} {'points':>7s} {'voxels':>7s} {'stride':>6s} {'entries':>8s} "
            f"{'mergesort_cyc':>13s} {'hash_cyc':>9s} {'hash/merge':>10s} {'collisions':>10s} "
            f"{'maps':>5s}")
    print(head)
    for r in rows:
        ok = r["mergesort_maps_ok"] and r["hash_maps_ok"]
        print(f"{r['cloud']:7s} {r['points']:7d} {r['voxels']:7d} {r['stride']:6d} "
              f"{r['map_entries']:8d} {r['mergesort_mapping_cycles']:13d} "
              f"{r['hash_mapping_cycles']:9d} {r['hash_over_mergesort']:10.2f} "
              f"{r['hash_collisions']:10d} {'ok' if ok else 'WRONG':>5s}")
    if args.json:
        document = {"benchmark": "pointacc_scaling", "source": "ours (sparsesim model)",
                    "config": pointacc.POINTACC_DEFAULT.to_dict(), "seed": args.seed,
                    "rows": rows}
        text = json.dumps(document, indent=2, sort_keys=True).encode()
        write_atomically(args.json, lambda handle: handle.write(text))
        print(f"wrote {args.json}")
    if args.png:
        from sparsesim.simulator.plots import save_png

        save_png(figure(rows), args.png)
        print(f"wrote {args.png}")
    return 0 if all(r["mergesort_maps_ok"] and r["hash_maps_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
