"""The one progress callback a long computation accepts; the command line fills it.

A solver never prints: it reports progress through a :class:`Progress`, and ``None`` means
silence. One shape serves every kind of work::

    progress("solving the baseline")            # a stage begins
    progress("Kaunas closed", 3, 40)            # counted work: 3 of 40 re-solves done
    progress("merging chains into edges", 0.6, 1)  # a share of the work done
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """``progress(message, done=None, total=None)``: a stage's message, with the work done
    of the total when it is counted (runs, elements) or a share of 1."""

    def __call__(self, message: str, done: float | None = None,
                 total: float | None = None, /) -> None: ...


def silent(message: str, done: float | None = None, total: float | None = None, /) -> None:
    """The callback used when none is given."""
