"""Exceptions raised at the project's boundaries (files, scenarios, CLI arguments).

Every message names the file, the feature or field, the bad value and what would be valid,
so the CLI can print it as one line with no traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

#: How a message names an argument of the function that raised it: ```snap_km```. The library
#: never names a command-line option; :func:`as_options` turns these into ``--snap-km`` for the
#: command line, and ``str()`` shows the Python name.
_ARGUMENT = re.compile(r"`([a-z][a-z0-9_]*)`")


class MobilityError(ValueError):
    """Base class of the errors a user can fix by correcting an input.

    A message may name an argument of the called function between backticks (```out```):
    ``str(error)`` shows it as ``out``, :func:`as_options` as the command line's ``--out``.
    """

    def __str__(self) -> str:
        return _ARGUMENT.sub(r"\1", raw_message(self))


def raw_message(error: MobilityError) -> str:
    """The message as raised, arguments still marked (see :class:`MobilityError`)."""
    return str(error.args[0]) if error.args else ""


def as_options(error: MobilityError) -> str:
    """The message with each argument it names as the command-line option of that name."""
    return _ARGUMENT.sub(lambda m: "--" + m.group(1).replace("_", "-"), raw_message(error))


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
        raise type(error)(f"{where}: field '{field}': {raw_message(error)}") from None
