"""The installed layout: one import name, `sparsesim`, mapped from the checkout's folders."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"sparsesim": "sparsesim", "sparsesim.simulator": "simulator",
          "sparsesim.accelerators": "accelerators", "sparsesim.workloads": "workloads"}


def _setup_packages() -> set[str]:
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    return {line.strip() for line in setup["options"]["packages"].splitlines() if line.strip()}


def _folder_packages() -> set[str]:
    found = set()
    for name, folder in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *rel.parts]))
    return found


def test_setup_cfg_lists_every_package_folder():
    assert _setup_packages() == _folder_packages()


def test_package_dir_maps_the_top_level_folders():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    lines = [line.split("=") for line in setup["options"]["package_dir"].splitlines() if line]
    assert {k.strip(): v.strip() for k, v in lines} == MAPPED
