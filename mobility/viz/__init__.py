"""Views of results: offline maps, plots, HTML reports, file exports, PDF/PNG.

The top stage: these modules read closure, routing and analysis results and never feed back
into them. ``maps`` and ``map_layers`` (Folium maps, the Leaflet inlined by ``_offline``),
``plots`` (the closure plot), ``report``, ``compare_views`` and ``analysis_reports`` (HTML
reports of a run, a comparison and the analyses), ``briefing`` (what every view states:
scenario, as-of date, version, caveat, attributions), ``export`` (tables and GeoPackage),
``browser_export`` (PDF/PNG through headless Chromium); ``static/`` holds the maps' own
JavaScript and CSS.
"""
