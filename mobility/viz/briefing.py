"""What every map, report and plot states about itself: as-of date, model version, scenario,
caveat and attributions.

A briefing slide outlives the run that made it, so each view carries the date it was made,
the model version, the scenario id and a one-line caveat. The date is today's (UTC) unless
``SOURCE_DATE_EPOCH`` is set (the reproducible-builds convention), so two runs on the same
day, or any run with that variable fixed, give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache

#: The one-line caveat every view carries.
CAVEAT = ("Model estimate under stated assumptions (public data and the planning factors "
          "of data/SOURCES.md); not an operational plan.")
#: Attributions the data require wherever the map is shown (see data/SOURCES.md).
ATTRIBUTIONS = (
    "Basemap: Natural Earth (public domain)",
    "Station coordinates: © EuroGeographics (EuroGlobalMap)",
)
#: The theatre a printed page must show: the Baltic states, NE Poland and the approaches
#: ((south, west), (north, east) in degrees).
THEATRE_BOUNDS = ((53.0, 19.3), (59.9, 28.4))
#: The three Baltic states' bounding box; the map keeps its panels off it.
BALTIC_BOUNDS = ((53.89, 20.95), (59.68, 28.24))


@cache
def model_version() -> str:
    """The installed package version (``0.1.0``), or ``unknown`` outside an installation."""
    from mobility._version import package_version

    return package_version()


def as_of_date() -> dt.date:
    """Today's date in UTC, or the date of ``SOURCE_DATE_EPOCH`` (seconds) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


@dataclass(frozen=True)
class Briefing:
    """The self-description a view carries (plain text; views escape it).

    Attributes
    ----------
    title
        What the view shows ("Force closure").
    scenario
        The scenario id, or ``""`` for the bare network.
    description
        The scenario's one-line description, or ``""``.
    as_of
        The date the view was made (ISO ``YYYY-MM-DD``).
    version
        The model version.
    caveat
        One line on how to read the numbers.
    """

    title: str
    scenario: str = ""
    description: str = ""
    as_of: str = ""
    version: str = ""
    caveat: str = CAVEAT

    @property
    def stamp(self) -> str:
        """``"Scenario baseline · as of 2026-12-02 · baltic-mobility 0.1.0"``."""
        parts = [f"Scenario {self.scenario}"] if self.scenario else []
        parts += [f"as of {self.as_of}", f"baltic-mobility {self.version}"]
        return " · ".join(parts)

    @property
    def page_title(self) -> str:
        """The ``<title>``: ``"Force closure — baseline"``."""
        return f"{self.title} — {self.scenario}" if self.scenario else self.title


def briefing(title: str, scenario: str = "", description: str = "") -> Briefing:
    """A :class:`Briefing` dated today (see :func:`as_of_date`) for the installed version."""
    return Briefing(title=title, scenario=scenario, description=description,
                    as_of=as_of_date().isoformat(), version=model_version())
