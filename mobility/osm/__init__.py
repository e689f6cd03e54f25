"""OpenStreetMap import, in stages: :mod:`~mobility.osm.read` (XML, PBF, Overpass) →
:mod:`~mobility.osm.tags` (tags to attributes, defaults) → :mod:`~mobility.osm.build`
(gauge breaks, curated sites, chain contraction). The public entry point is
:mod:`mobility.osm_import`.
"""
