"""Model files shipped with the package, usable as built-in workloads by name."""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent / "data" / "models"

# name -> model file; regenerate with the command in workloads/data/models/SOURCES
SHIPPED_MODELS: dict[str, Path] = {
    "lenet300-pruned": MODELS_DIR / "lenet300_pruned.npz",
}
