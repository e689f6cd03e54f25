"""Reading YAML inputs and turning validation errors into one line a user can act on."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from mobility._errors import MobilityError


def read_yaml(path: str | Path, error: type[MobilityError] = MobilityError) -> object:
    """Parse a YAML file; a missing, unreadable or malformed file raises ``error``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot be read: {problem}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        what = getattr(problem, "problem", None) or str(problem).splitlines()[0]
        raise error(f"{path}: not valid YAML{where}: {what}") from None


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
