"""Where the shipped data lives: `data/` in a source checkout, `mobility/_data` in a wheel."""

from __future__ import annotations

from pathlib import Path


def data_dir() -> Path:
    """Return the folder holding the curated network, basemap and scenarios."""
    packaged = Path(__file__).parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def network_dir() -> Path:
    return data_dir() / "network"


def basemap_dir() -> Path:
    return data_dir() / "basemap"


def scenarios_dir() -> Path:
    return data_dir() / "scenarios"
