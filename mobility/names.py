"""Find nodes by name or id, without regard to case or diacritics ("Sestokai" finds Šeštokai)."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from typing import Any

from mobility._errors import UnknownNodeError

# Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ß": "ss", "đ": "d"})


def normalise(text: str) -> str:
    """Lower-case ASCII folding: 'Kazlų Rūda' -> 'kazlu ruda', 'Ełk' -> 'elk'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().replace("-", " ").replace("_", " ").split())


def suggestions(text: str, candidates: Mapping[str, Any] | list[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidate keys closest to ``text`` after normalisation."""
    folded = {normalise(key): key for key in candidates}  # later candidates win ties
    close = difflib.get_close_matches(normalise(text), list(folded), n=n, cutoff=0.6)
    return [folded[key] for key in close]


def resolve_node(graph: Any, text: str, *, what: str = "node") -> str:
    """Return the id of the node whose id or name matches ``text``.

    Matching ignores case and diacritics. An unknown name raises :class:`UnknownNodeError`
    with the closest names as suggestions.
    """
    if text in graph.nodes:
        return text
    wanted = normalise(text)
    by_key: dict[str, str] = {}
    for node_id, data in graph.nodes(data=True):
        by_key.setdefault(normalise(node_id), node_id)
        by_key.setdefault(normalise(data.get("name", node_id)), node_id)
    if wanted in by_key:
        return by_key[wanted]
    names = {data.get("name", node_id): node_id for node_id, data in graph.nodes(data=True)}
    close = suggestions(text, list(graph.nodes) + list(names))  # names win on equal folding
    hint = f"; did you mean {', '.join(repr(c) for c in dict.fromkeys(close))}?" if close else ""
    raise UnknownNodeError(f"unknown {what} {text!r}{hint}")
