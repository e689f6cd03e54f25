"""Small helpers for the OSM tests: the same data as another OSM file format."""

from __future__ import annotations

from pathlib import Path


def to_pbf(source: Path, target: Path) -> Path:
    """Write the OSM data of ``source`` (any format libosmium reads) as PBF at ``target``."""
    import osmium

    writer = osmium.SimpleWriter(str(target))
    for item in osmium.FileProcessor(str(source)):
        writer.add(item)
    writer.close()
    return target
