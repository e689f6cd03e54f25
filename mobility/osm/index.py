"""Points near a point, through a spatial index (shapely STRtree) and geodesic distances.

Every snapping and naming step of the import asks the same question — which of these points
lie within so many metres of that one, nearest first — so it is answered here once: the
index returns the candidates in a box around the point, and only those are measured on the
WGS84 ellipsoid. The cost grows with the candidates found, not with every point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pyproj import Geod
from shapely import STRtree, box, points

GEOD = Geod(ellps="WGS84")
#: Metres per degree of latitude (a little less than the shortest, so boxes never cut short).
_M_PER_DEG = 110_000.0


class PointIndex:
    """An STRtree over ``(lon, lat)`` points, answering "which within ``metres``"."""

    def __init__(self, lons: Sequence[float], lats: Sequence[float]) -> None:
        self.lons = np.asarray(lons, dtype=float)
        self.lats = np.asarray(lats, dtype=float)
        self._tree = STRtree(points(self.lons, self.lats)) if len(self.lons) else None

    def __len__(self) -> int:
        return len(self.lons)

    def within(self, lon: float, lat: float, metres: float) -> list[tuple[float, int]]:
        """``(distance_m, position)`` of the points within ``metres``, nearest first."""
        if self._tree is None:
            return []
        dlat = metres / _M_PER_DEG
        dlon = metres / (_M_PER_DEG * max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))),
                                          1e-6))
        hits = self._tree.query(box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
        if not len(hits):
            return []
        hits = np.sort(hits)
        _, _, distance = GEOD.inv(np.full(len(hits), lon), np.full(len(hits), lat),
                                  self.lons[hits], self.lats[hits])
        found = [(float(d), int(i)) for d, i in zip(distance, hits, strict=True) if d <= metres]
        return sorted(found)

    def nearest(self, lon: float, lat: float, metres: float) -> tuple[float, int] | None:
        """The nearest point within ``metres`` (ties: the first position), or ``None``."""
        found = self.within(lon, lat, metres)
        return found[0] if found else None
