"""The progress callbacks a long computation accepts; the command line fills them.

A solver never prints: it reports progress through one of these, and ``None`` means silence.
"""

from __future__ import annotations

from collections.abc import Callable

#: A stage: called with a short message as each stage begins ("solving flows over time").
Progress = Callable[[str], None]
#: Counted work: called with (done, total, label of the item just done).
CountProgress = Callable[[int, int, str], None]
#: Counted runs without labels (a sweep's runs done of the runs to do).
RunProgress = Callable[[int, int], None]
#: A stage with the share done of it (0-1) where known, else ``None`` (OSM reading).
FractionProgress = Callable[[str, float | None], None]


def silent(*_args: object) -> None:
    """The callback used when none is given."""
