"""The model's fixed defaults and thresholds, in one place (OSMnx ``settings`` style).

Read at call time by the modules that use them; each is documented with its unit.
"""

from __future__ import annotations

#: Days every closure result, report and sweep states troops for (the LaSER report's
#: 10/30/180-day milestones); the targets' deadlines are added to them.
REPORT_DAYS: tuple[int, ...] = (10, 30, 180)

#: Share of a capacity in use (0-1) from which the exact solver calls it saturated.
SATURATED_SHARE = 0.995
#: Share of a capacity or fleet in use (0-1) from which the fleet LP calls it binding and the
#: command line calls a fleet "all in use".
BINDING_SHARE = 0.99

#: Hours a day road columns move when no scenario says (the calibrated daily march limit:
#: data/VALIDATION.md, Part C); the default of every scenario and of routing without one.
CALIBRATED_MARCH_HOURS_PER_DAY = 4.5
#: The march day the calibration starts from (before fitting), hours a day.
UNCALIBRATED_MARCH_HOURS_PER_DAY = 10.0

#: Coordinates of every network, GeoDataFrame and map: WGS 84 longitude/latitude.
CRS = "EPSG:4326"
#: Metric CRS for lengths and buffers (ETRS89 / LAEA Europe).
METRIC_CRS = "EPSG:3035"
