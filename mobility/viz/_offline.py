"""Make Folium maps self-contained: Leaflet inlined, nothing fetched from the network.

Folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. Analysts open the maps on
machines with no internet, so :func:`offline_html` removes every CDN link, inlines Leaflet's
``leaflet.js`` and ``leaflet.css`` from the ``xstatic-leaflet`` package (the CSS's marker and
layer-control images become ``data:`` URIs) and checks the rendered page with
:func:`fetched_urls` before it is written.

Two ``http(s)://`` strings remain in the inlined Leaflet and are never fetched:
the SVG XML namespace (an identifier passed to ``createElementNS``) and the project link in
Leaflet's licence header and attribution prefix (a hyperlink, followed only if clicked; the
maps replace the prefix with plain text). They are listed in :data:`NON_FETCHED_URLS`.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink

#: URLs that appear in inlined third-party code but are identifiers or click-only links.
NON_FETCHED_URLS = frozenset({"http://www.w3.org/2000/svg", "https://leafletjs.com"})

_URL_PATTERN = re.compile(r"""https?://[^\s"'<>()`\\]+""", re.IGNORECASE)
_SOURCE_MAP_PATTERN = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_COMMENT_PATTERN = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL_PATTERN = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


class OfflineMapError(RuntimeError):
    """A map would fetch something from the network."""


class RawHtml(Element):
    """An element that renders its text verbatim (no Jinja: inlined code may hold ``{{``)."""

    def __init__(self, text: str, name: str = "raw_html") -> None:
        super().__init__()
        self._name = name
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the stored text unchanged."""
        return self.text


def leaflet_dir() -> Path:
    """Folder of the Leaflet distribution shipped by ``xstatic-leaflet``."""
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR)


@cache
def static_text(name: str) -> str:
    """A file of the package's ``static/`` folder (the maps' and report's own JS and CSS).

    Raises
    ------
    OfflineMapError
        If the text could close the element it is inlined into.
    """
    from importlib.resources import files

    text = (files("mobility.viz") / "static" / name).read_text(encoding="utf-8")
    closing = "</script" if name.endswith(".js") else "</style"
    if closing in text.lower():
        raise OfflineMapError(f"static/{name} contains {closing!r} and cannot be inlined safely")
    return text


@cache
def leaflet_js() -> str:
    """``leaflet.js`` without its source-map comment (which devtools would try to load)."""
    text = (leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    text = _SOURCE_MAP_PATTERN.sub("", text)
    if "</script" in text.lower():
        raise OfflineMapError("leaflet.js contains '</script' and cannot be inlined safely")
    return text


@cache
def leaflet_css() -> str:
    """``leaflet.css`` with its ``images/*.png`` turned into ``data:`` URIs, comments removed.

    The comments only hold notes on browser workarounds (with bug-tracker links).
    """
    root = leaflet_dir()
    text = _CSS_COMMENT_PATTERN.sub("", (root / "leaflet.css").read_text(encoding="utf-8"))

    def inline(match: re.Match[str]) -> str:
        image = root / match.group(2)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{encoded}")'

    text = _CSS_URL_PATTERN.sub(inline, text)
    if "</style" in text.lower():
        raise OfflineMapError("leaflet.css contains '</style' and cannot be inlined safely")
    return text


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026`` so no string
    can close the script (``</script>``) or open a comment; U+2028/U+2029 are escaped because
    older JavaScript parsers treat them as line ends. Keys are sorted for byte-identical output.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def external_urls(text: str, *, allowed: frozenset[str] = NON_FETCHED_URLS) -> list[str]:
    """The ``http(s)://`` URLs in ``text`` other than the known non-fetched ones, sorted."""
    found = {match.group(0).rstrip(".,;") for match in _URL_PATTERN.finditer(text)}
    return sorted(url for url in found if url not in allowed)


_URL = r"""(https?://[^\s"'<>()`\\]+)"""
#: Where a browser fetches a URL by itself: HTML attributes, CSS url() and @import, and the
#: script calls that load or connect. A URL elsewhere (a place's description, a tooltip, a
#: table cell) is text the user wrote, shown as text and never requested.
_FETCH_CONTEXTS = [re.compile(pattern + _URL, re.IGNORECASE) for pattern in (
    r"""\b(?:src|href|srcset|poster|data|action|formaction|background|xlink:href)\s*=\s*["']?\s*""",
    r"""url\(\s*["']?\s*""",
    r"""@import\s+(?:url\(\s*)?["']?\s*""",
    r"""(?:fetch|importScripts|import|open|tileLayer|Worker|EventSource|WebSocket|sendBeacon)"""
    r"""\s*\(\s*(?:["'][A-Z]+["']\s*,\s*)?["'`]""",
    r"""\.(?:src|href)\s*=\s*["'`]""",
)]


def fetched_urls(text: str, *, allowed: frozenset[str] = NON_FETCHED_URLS) -> list[str]:
    """The ``http(s)://`` URLs that a browser would request on its own while showing
    ``text`` (an HTML page), other than the known non-fetched ones, sorted.

    Unlike :func:`external_urls` this ignores URLs written as text (a scenario description
    naming a web page), so user text may hold URLs without making a map "online".
    """
    found = {match.group(1).rstrip(".,;") for pattern in _FETCH_CONTEXTS
             for match in pattern.finditer(text)}
    return sorted(url for url in found if url not in allowed)


def _walk(element: Element) -> list[Element]:
    """The element and all its descendants, depth first in insertion order."""
    out = [element]
    for child in list(element._children.values()):
        out.extend(_walk(child))
    return out


def _elements(m: folium.Map) -> list[Element]:
    figure = m.get_root()
    if not isinstance(figure, Figure):
        figure = Figure()
        figure.add_child(m)
    return [*_walk(figure), *_walk(figure.header)[1:], *_walk(figure.html)[1:],
            *_walk(figure.script)[1:]]


def make_offline(m: folium.Map) -> folium.Map:
    """Strip every CDN link from ``m`` and inline Leaflet's JS and CSS into its page header.

    Each element's class-level ``default_js``/``default_css`` lists are shadowed by empty
    instance lists (so Folium's shared class lists are not mutated), CDN links already in the
    header are removed, and Leaflet is added as inline ``<style>``/``<script>``.

    Parameters
    ----------
    m
        The map; modified in place.

    Returns
    -------
    folium.Map
        The same map, for chaining.
    """
    figure = m.get_root()
    if not isinstance(figure, Figure):
        figure = Figure()
        figure.add_child(m)
    for element in _elements(m):
        if hasattr(element, "default_js"):
            element.default_js = []
        if hasattr(element, "default_css"):
            element.default_css = []
    for name, child in list(figure.header._children.items()):
        is_link = isinstance(child, JavascriptLink | CssLink)
        if is_link and external_urls(child.url,  # type: ignore[attr-defined]  # branca's links
                                     allowed=frozenset()):
            del figure.header._children[name]
    # Right after the charset <meta> (which must come first), before any CSS of the page's
    # own, so the page's rules override Leaflet's defaults.
    position = 1 if figure.header._children else 0
    for name, text in (("leaflet_js", f"<script>\n{leaflet_js()}\n</script>"),
                       ("leaflet_css", f"<style>\n{leaflet_css()}\n</style>")):
        figure.header._children.pop(name, None)
        figure.header.add_child(RawHtml(text), name=name, index=position)
    return m


def _deterministic_ids(m: folium.Map) -> None:
    """Replace Folium's random element ids by sequence numbers (byte-identical output)."""
    for index, element in enumerate(_elements(m)):
        element._id = f"{index:04d}"


def offline_html(m: folium.Map, *, allow_urls: frozenset[str] = frozenset()) -> str:
    """Render ``m`` as one self-contained HTML page and prove it fetches nothing.

    Parameters
    ----------
    m
        The map; made offline (see :func:`make_offline`) and given deterministic ids.
    allow_urls
        Extra URLs the page may contain, e.g. the tile URL when online tiles were asked for.

    Returns
    -------
    str
        The page.

    Raises
    ------
    OfflineMapError
        If the page still refers to a URL outside :data:`NON_FETCHED_URLS` and ``allow_urls``.
    """
    make_offline(m)
    _deterministic_ids(m)
    page = m.get_root().render()
    unexpected = [url for url in fetched_urls(page) if not _allowed(url, allow_urls)]
    if unexpected:
        msg = f"the map would fetch {unexpected[0]!r} (and {len(unexpected) - 1} more URLs)"
        raise OfflineMapError(msg)
    return page


def _allowed(url: str, allow_urls: frozenset[str]) -> bool:
    return any(url.startswith(prefix) for prefix in allow_urls)
