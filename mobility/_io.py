"""Output files: checked before any work, written atomically (whole or not at all)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mobility._errors import OutputPathError


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` via a temporary file in the same folder.

    The folder is created if needed; :func:`os.replace` makes the switch atomic, so a reader
    never sees a half-written file.
    """
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then replace)."""
    return atomic_write_set({path: data})[0]


def atomic_write_set(files: Mapping[Any, str | bytes]) -> list[Path]:
    """Write several files as a set: all of them appear, or none does.

    Every file is first written to a temporary name beside its target; only when all are
    written are they moved into place (:func:`os.replace`, which does not fail once the
    temporary file exists in the same folder). A failure while writing removes the temporary
    files and any folder this call created, so a failed command leaves nothing behind.
    """
    created: list[Path] = []
    staged: list[tuple[str, Path]] = []
    new: list[Path] = []  # targets that did not exist before: undone if a rename fails
    try:
        for path, content in files.items():
            target = Path(path)
            missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            created.extend(reversed(missing))
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                                 dir=target.parent)
            staged.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(temporary, 0o644)  # mkstemp makes 0600; outputs are shared documents
        new = [target for _, target in staged if not target.exists()]
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        for target in new:
            target.unlink(missing_ok=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return [target for _, target in staged]


def check_output(path: str | Path, option: str, *, folder: bool = False) -> Path:
    """Check before any work that ``path`` can be written, as a file or as a folder.

    Raises :class:`OutputPathError` naming the option, the path and why: a file where a folder
    is due (or the reverse), a file among its parent folders, or a folder that cannot be
    written (probed with a temporary file that is removed at once). Nothing is created.
    """
    target = Path(path)
    if folder and target.exists() and not target.is_dir():
        raise OutputPathError(f"{option} {target}: this is a file; give a folder")
    if not folder and target.is_dir():
        raise OutputPathError(f"{option} {target}: this is a folder; give a file name")
    existing = target if folder else target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputPathError(f"{option} {target}: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise OutputPathError(f"{option} {target}: cannot write in {existing}: "
                              f"{error.strerror or error}") from None
    return target
