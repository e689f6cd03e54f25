"""The installed package's version, from its metadata (one place reads it)."""

from __future__ import annotations


def package_version() -> str:
    """The installed version of ``baltic-mobility`` (``0.1.0``), or ``unknown`` outside an
    installation. Read afresh on each call (cheap), so a sweep's fingerprint follows it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("baltic-mobility")
    except PackageNotFoundError:
        return "unknown"
