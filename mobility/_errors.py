"""Exceptions raised at the project's boundaries (files, scenarios, CLI arguments).

Every message names the file, the feature or field, the bad value and what would be valid,
so the CLI can print it as one line with no traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class MobilityError(ValueError):
    """Base class of the errors a user can fix by correcting an input."""


class NetworkDataError(MobilityError):
    """A network file is missing, malformed or inconsistent."""


class ScenarioError(MobilityError):
    """A scenario file or scenario field is invalid."""


class UnknownNodeError(MobilityError):
    """A node name or id does not match any node of the network."""


class InfeasibleError(MobilityError):
    """The question has no answer on this network (e.g. an unreachable destination)."""


class FlowSolverError(RuntimeError):
    """OR-Tools did not return an optimal answer (a bug or an overflow, not a user error).

    Defined here, beside the user errors, so the CLI can catch it without importing the
    solvers; :mod:`mobility.flows` re-exports it.
    """


class OutputPathError(MobilityError):
    """An output path cannot be written (a file where a folder is due, no permission …)."""


@contextmanager
def field_of(where: str, field: str) -> Iterator[None]:
    """Prefix a :class:`MobilityError` raised inside with the file and field that led to it:
    ``s.yaml: field 'forces': f.yaml: no such file``."""
    try:
        yield
    except MobilityError as error:
        raise type(error)(f"{where}: field '{field}': {error}") from None
