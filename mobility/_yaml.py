"""Reading YAML inputs and turning validation errors into one line a user can act on."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mobility._errors import MobilityError
from mobility.names import suggestions

#: Largest input file read (bytes): scenarios, sweeps, force lists and profiles are a few kB.
MAX_BYTES = 10_000_000
#: Deepest nesting of lists and mappings; the deepest shipped file nests 5 levels.
MAX_DEPTH = 50
#: Most values a document may hold once its aliases are expanded ("billion laughs" guard).
MAX_VALUES = 100_000


class _Refused(yaml.YAMLError):
    """A document that parses but is refused: duplicate keys, too deep, too many values."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also refuses duplicate keys, deep nesting and alias bombs.

    PyYAML keeps the last of two equal keys, so a second ``origins:`` would silently drop the
    first list; nesting is composed recursively (a RecursionError at ~1000 levels); and an
    alias is a shared reference whose expansion (by validation or a dump) can need gigabytes.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels",
                               self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: dict[object, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:  # an unhashable key: PyYAML's own error says so below
                continue
            if first is not key_node.start_mark:
                raise _Refused(f"duplicate key {key!r} (first at line {first.line + 1}); "
                               "each key may appear once", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _expanded_values(node: yaml.Node, sizes: dict[int, int],
                     inside: set[int] | None = None) -> int:
    """Values in ``node`` with every alias expanded (each shared node counted each time).

    An anchor used inside itself (``a: &x [*x]``) never ends when expanded: refused.
    """
    if id(node) in sizes:
        return sizes[id(node)]
    inside = set() if inside is None else inside
    if id(node) in inside:
        raise _Refused("an anchor is used inside itself (a recursive alias); write the "
                       "values out", node.start_mark)
    inside.add(id(node))
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded_values(child, sizes, inside) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_expanded_values(k, sizes, inside) + _expanded_values(v, sizes, inside)
                     for k, v in node.value)
    inside.discard(id(node))
    sizes[id(node)] = total
    return total


def parse_yaml(text: str) -> object:
    """Parse one YAML document with :class:`SafeLoader`; raises :class:`yaml.YAMLError`."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_values(node, {}) > MAX_VALUES:
            raise _Refused(f"its aliases expand to more than {MAX_VALUES:,} values (an alias "
                           "bomb?); write the values out or use fewer aliases")
        try:
            return loader.construct_document(node)
        except (ValueError, OverflowError) as problem:
            # PyYAML builds timestamps with datetime itself: 2029-13-01 raised a bare
            # ValueError (an "internal error" for every input file); name the value instead
            raise _Refused(*_bad_scalar(node, problem)) from None
    finally:
        loader.dispose()


def _bad_scalar(node: yaml.Node, problem: Exception) -> tuple[str, yaml.Mark | None]:
    """The first scalar under ``node`` that cannot be built, and where it is."""
    stack, seen = [node], set()
    while stack:
        current = stack.pop(0)
        if id(current) in seen:  # an alias of a node already looked at
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            probe = SafeLoader("")  # the failed loader keeps the node as half-built
            try:
                probe.construct_object(current, deep=True)
            except (ValueError, OverflowError) as error:
                if current.tag.endswith(":timestamp"):
                    what = f"{current.value!r} is not a date: {error} (dates are YYYY-MM-DD)"
                else:
                    what = f"{current.value!r} cannot be read: {error}"
                return what, current.start_mark
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(part for pair in current.value for part in pair)
    return f"a value cannot be read: {problem}", None


T = TypeVar("T")


def file_version(path: Path | str) -> tuple[int, int]:
    """When a file last changed and its size ((0, 0): missing, and the read says so)."""
    try:
        found = os.stat(path)
    except OSError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)


def cached_by_file(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """An ``lru_cache`` for a reader whose first argument is a file path, keyed also by the
    file's :func:`file_version`: a file rewritten in the same process is read again."""
    def decorate(read: Callable[..., T]) -> Callable[..., T]:
        @lru_cache(maxsize=maxsize)
        def versioned(path: str, version: tuple[int, int], *rest: Any) -> T:
            return read(path, *rest)

        @wraps(read)
        def reader(path: str, *rest: Any) -> T:
            return versioned(path, file_version(path), *rest)
        return reader
    return decorate


def read_yaml(path: str | Path, error: type[MobilityError] = MobilityError) -> object:
    """Parse a YAML file; a missing, unreadable, oversized or malformed file raises ``error``.

    Duplicate keys, nesting deeper than :data:`MAX_DEPTH` and aliases expanding to more than
    :data:`MAX_VALUES` values are refused (see :class:`SafeLoader`).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES and path.is_file():
            raise error(f"{path}: {size / 1e6:.1f} MB is larger than the "
                        f"{MAX_BYTES / 1e6:.0f} MB an input file may be")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot be read: {problem}") from None
    if "\x00" in text:
        raise error(f"{path}: cannot be read: a binary file, not YAML text")
    try:
        return parse_yaml(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        what = getattr(problem, "problem", None) or str(problem).splitlines()[0]
        raise error(f"{path}: not valid YAML{where}: {what}") from None


#: A boolean given for a number becomes one of these words (see InputModel), which then
#: fails as a number at the field's own location and is reported as such by describe().
_BOOL_WORDS = {True: "true", False: "false"}


def _numeric(annotation: object) -> bool:
    """Whether a field's type is a number (``float``, ``int``, ``float | None`` …)."""
    if annotation in (int, float):
        return True
    args = getattr(annotation, "__args__", ())
    return type(annotation).__name__ in ("UnionType", "_UnionGenericAlias") and any(
        arg in (int, float) for arg in args)


#: An id in a user's file (a unit, an item, a plant …): lower case, digits, '-' and '_'.
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
#: Where a number in a user's file comes from (a citation or "assumption M3").
Source = Annotated[str, Field(min_length=1, max_length=500)]


class InputModel(BaseModel):
    """Base of every model validated from a user's file: unknown fields, NaN, inf and
    ``true``/``false`` given for a number are refused (YAML reads ``yes`` as true, and
    pydantic would take it as 1)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", frozen=True,
                                                   allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, data: Any) -> Any:
        # A bool becomes the word the user wrote, which then fails as "not a valid number"
        # at the field's own location (a model-level error would lose the field).
        if not isinstance(data, dict):
            return data
        return {key: _BOOL_WORDS[value] if isinstance(value, bool) and
                key in cls.model_fields and _numeric(cls.model_fields[key].annotation)
                else value for key, value in data.items()}


def describe(error: ValidationError, path: str | Path, root: type[BaseModel]) -> str:
    """One line: the file, the field, the bad value and what is valid.

    ``root`` is the model the file was validated into; it tells which fields are valid
    where an unknown one was given.
    """
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a rule about the whole file: no value to quote
        return f"{path}: {message}"
    if first["type"] == "missing":
        return f"{path}: field '{field}' is missing"
    if first["type"] == "extra_forbidden":
        model = model_at(root, first["loc"][:-1])
        valid = ", ".join(name for name in model.model_fields if name != "source_file")
        return f"{path}: unknown field '{field}'; valid fields here: {valid}"
    given = first.get("input")
    if first["type"] in ("float_parsing", "int_parsing") and given in _BOOL_WORDS.values():
        return f"{path}: field '{field}' = {first['input']}: give a number, not true/false"
    return f"{path}: field '{field}' = {first.get('input')!r}: {message}"


def model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel]:
    """The nested model that the location ``loc`` inside ``root`` points into."""
    model = root
    for part in loc:
        if isinstance(part, int) or str(part) not in model.model_fields:
            continue
        inner = first_model(model.model_fields[str(part)].annotation)
        if inner is None:
            break
        model = inner
    return model


def first_model(annotation: object) -> type[BaseModel] | None:
    """The first pydantic model inside a type annotation (``tuple[Origin, ...]`` → Origin)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = first_model(arg)
        if found is not None:
            return found
    return None


def shipped_or_path(target: str, folder: Path, names: Callable[[], list[str]],
                    error: type[MobilityError], unknown: str, listing: str,
                    tail: str = "") -> Path:
    """``target`` as a file path, or the shipped ``folder/target.yaml`` when it names no file;
    an unknown name raises ``error``: "unknown {unknown} 'x'; did you mean …? {listing}: …"."""
    path = Path(target)
    if path.suffix or path.exists():
        return path
    shipped = folder / f"{target}.yaml"
    if shipped.exists():
        return shipped
    known = names()
    close = suggestions(target, known)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise error(f"unknown {unknown} {target!r}{hint} {listing}: {', '.join(known)}{tail}")


Model = TypeVar("Model", bound=BaseModel)


def model_from_mapping(raw: object, path: Path, model: type[Model], error: type[MobilityError],
                       what: str, name: str) -> Model:
    """Validate a file's YAML mapping into ``model`` (``name`` unless it gives one), with its
    ``source_file``; anything else raises ``error`` in one line naming file, field, value."""
    if not isinstance(raw, dict):
        raise error(f"{path}: a {what} is a YAML mapping of fields, not {type(raw).__name__}")
    raw.setdefault("name", name)
    try:
        found = model.model_validate(raw)
    except ValidationError as problem:
        raise error(describe(problem, path, model)) from None
    return found.model_copy(update={"source_file": str(path)})
