"""Development-time converter: Debian data packages -> workloads/data/pointclouds/*.npz.

Not used at run time. See workloads/data/pointclouds/SOURCES for the exact commands.
Each output file holds one float32 array `points` of shape (N, 3) and a `__metadata__`
JSON string (origin, units, what was done to the points).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import numpy as np

# VLP-16 packet layout (Velodyne VLP-16 User Manual, Sec. 9: data packet format):
# 12 data blocks of 100 bytes: flag 0xFFEE, azimuth (uint16, 0.01 degree), then
# 32 channel records of (distance uint16 in 2 mm units, reflectivity uint8); channels
# 0-15 are the first firing of lasers 0-15, channels 16-31 the second firing.
BLOCK_BYTES, BLOCKS_PER_PACKET, CHANNELS = 100, 12, 32
DISTANCE_M_PER_LSB = 0.002
# Vertical angle of laser i, degrees (VLP-16 manual; same as MRPT's
# velodyne_default_calib_VLP-16.xml vertCorrection_ entries).
VLP16_ELEVATION_DEG = np.array([-15, 1, -13, 3, -11, 5, -9, 7, -7, 9, -5, 11, -3, 13, -1, 15])


def read_off_vertices(path: Path) -> np.ndarray:
    tokens = path.read_text().split()
    if tokens[0] != "OFF":
        raise ValueError(f"{path}: not an OFF file")
    count = int(tokens[1])
    return np.array(tokens[4:4 + 3 * count], dtype=np.float64).reshape(count, 3)


def read_xyz(path: Path) -> np.ndarray:
    return np.loadtxt(path, dtype=np.float64)[:, :3]


def velodyne_blocks(raw: bytes) -> list[int]:
    """Byte offsets of data blocks: runs of 12 flags 0xFFEE spaced 100 bytes apart."""
    starts, offset = [], raw.find(b"\xff\xee")
    while offset >= 0:
        if all(raw[offset + b * BLOCK_BYTES: offset + b * BLOCK_BYTES + 2] == b"\xff\xee"
               for b in range(BLOCKS_PER_PACKET)):
            starts.extend(offset + b * BLOCK_BYTES for b in range(BLOCKS_PER_PACKET))
            offset = raw.find(b"\xff\xee", offset + BLOCKS_PER_PACKET * BLOCK_BYTES)
        else:
            offset = raw.find(b"\xff\xee", offset + 2)
    return starts


def read_vlp16_rawlog(path: Path) -> np.ndarray:
    """x, y, z in metres of every nonzero return in the rawlog's VLP-16 packets."""
    raw = gzip.decompress(path.read_bytes())
    blocks = velodyne_blocks(raw)
    azimuth = np.array([int.from_bytes(raw[s + 2:s + 4], "little") for s in blocks]) / 100.0
    records = np.frombuffer(b"".join(raw[s + 4:s + BLOCK_BYTES] for s in blocks),
                            dtype=np.uint8).reshape(len(blocks), CHANNELS, 3)
    distance = (records[:, :, 0].astype(np.int64) | (records[:, :, 1].astype(np.int64) << 8))
    # The second firing of a block is half-way to the next block's azimuth.
    step = np.diff(azimuth, append=azimuth[-1]) % 360.0
    step[-1] = np.median(step[:-1])
    firing_azimuth = np.stack([azimuth, azimuth + step / 2], axis=1) % 360.0
    az = np.deg2rad(np.repeat(firing_azimuth, 16, axis=1))
    el = np.deg2rad(np.tile(VLP16_ELEVATION_DEG, (len(blocks), 2)))
    r = distance * DISTANCE_M_PER_LSB
    keep = distance > 0
    xyz = np.stack([r * np.cos(el) * np.sin(az), r * np.cos(el) * np.cos(az), r * np.sin(el)],
                   axis=-1)
    return xyz[keep]


def save(out: Path, name: str, points: np.ndarray, metadata: dict) -> None:
    metadata = dict(metadata, points=int(len(points)))
    np.savez_compressed(out / f"{name}.npz", points=points.astype(np.float32),
                        __metadata__=np.array(json.dumps(metadata, sort_keys=True)))
    print(f"{name}: {len(points)} points, {(out / f'{name}.npz').stat().st_size} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cgal-data", type=Path, required=True,
                        help="folder `data` unpacked from libcgal-demo's data.tar.gz")
    parser.add_argument("--mrpt-datasets", type=Path, required=True,
                        help="usr/share/mrpt/datasets unpacked from mrpt-common")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    save(args.out, "bunny", read_off_vertices(args.cgal_data / "meshes/bunny00.off"),
         {"origin": "Stanford bunny, vertices of CGAL data/meshes/bunny00.off "
                    "(Debian libcgal-demo 5.5.1-2)", "units": "normalised to a unit box"})
    save(args.out, "kitten", read_xyz(args.cgal_data / "points_3/kitten.xyz"),
         {"origin": "kitten scan, CGAL data/points_3/kitten.xyz (Debian libcgal-demo 5.5.1-2)",
          "units": "normalised to a unit box"})
    save(args.out, "vlp16", read_vlp16_rawlog(args.mrpt_datasets / "test_velodyne_VLP16.rawlog"),
         {"origin": "Velodyne VLP-16 scan, MRPT datasets/test_velodyne_VLP16.rawlog "
                    "(Debian mrpt-common 1:2.5.8+ds-2), every nonzero return of its packets",
          "units": "metres, sensor at the origin"})


if __name__ == "__main__":
    main()
