"""The point-cloud flags PointAcc and TorchSparse share: which shipped cloud, which voxel."""

from __future__ import annotations

import argparse

from sparsesim.cli.parser import positive_float
from sparsesim.workloads.point_clouds import CLOUD_NAMES, DEFAULT_VOXEL


def add_cloud_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cloud", choices=CLOUD_NAMES, default=CLOUD_NAMES[0],
                        help=f"shipped point cloud (default {CLOUD_NAMES[0]})")
    parser.add_argument("--voxel", type=positive_float,
                        help="voxel edge in the cloud's units (default: "
                             + ", ".join(f"{c} {v:g}" for c, v in DEFAULT_VOXEL.items())
                             + " m)")


def voxel_of(args: argparse.Namespace) -> float:
    """--voxel, or the chosen cloud's default voxel edge."""
    return args.voxel if args.voxel is not None else DEFAULT_VOXEL[args.cloud]
