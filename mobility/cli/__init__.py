"""The ``mobility`` command: a thin layer over the package's functions.

Each command module registers its commands on :data:`mobility.cli._app.app` (imported here in the
order ``mobility --help`` lists them); :mod:`mobility.cli._render` prints the results; this
module turns errors into one line and an exit status."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer

from mobility._errors import FlowSolverError, MobilityError, as_options
from mobility.cli._app import app
from mobility.cli._render import err

# The command modules register their commands on the app; imported in the order --help lists.
from mobility.cli import (  # noqa: F401  isort: skip
    run, inputs, views, import_osm, route, sweep, bench, analysis, materiel,
)

#: Where to report an internal error (printed with it).
REPORT_TO = ("please report it on the baltic-mobility issue tracker with the command and its "
             "input files")
DEBUG_FLAG = "--debug"


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 2; Ctrl-C exits 130.

    An internal error (a bug, not a bad input) prints "internal error" and where to report it
    in one line and exits 1; ``--debug`` anywhere on the command line (or ``MOBILITY_DEBUG=1``)
    shows its traceback instead.
    """
    import os

    debug = DEBUG_FLAG in sys.argv[1:] or os.environ.get("MOBILITY_DEBUG", "") not in ("", "0")
    if DEBUG_FLAG in sys.argv[1:]:
        sys.argv.remove(DEBUG_FLAG)
    try:
        _main()
    except KeyboardInterrupt:  # one arriving outside the command (e.g. a second Ctrl-C)
        _interrupted()
    except Exception as error:
        if debug:
            raise
        where = _command_path()
        _say(f"internal error in {where}: {type(error).__name__}: "
             f"{' '.join(str(error).split())[:300]}; {REPORT_TO} (rerun with {DEBUG_FLAG} "
             "for the traceback)")
        sys.exit(1)


def _main() -> None:
    try:
        code = app(standalone_mode=False)
    except MobilityError as error:
        _say(as_options(error))
        sys.exit(2)
    except FlowSolverError as error:  # not the user's input: say so, and exit 1
        _say(f"{error} (a solver failure, not an input error; {REPORT_TO})")
        sys.exit(1)
    except KeyboardInterrupt:
        _interrupted()
    except OSError as error:  # an output or input path the checks before the work missed
        if error.filename is None:
            raise
        _say(f"{error.filename}: {error.strerror or error}")
        sys.exit(2)
    except typer.Exit as done:  # older typer re-raises it; newer returns its code (below)
        code = done.exit_code
    except _abort_types() as error:
        if _from_interrupt(error):  # typer < 0.13 turns Ctrl-C into Abort
            _interrupted()
        _say("aborted")
        sys.exit(1)
    except _click_error_types() as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as click does
            if _message(error).strip():  # typer's rich help is printed already
                error.show()  # type: ignore[attr-defined]
            sys.exit(2)
        _say(_usage_line(error))
        sys.exit(2)
    if isinstance(code, int) and not isinstance(code, bool):
        if code == 130:  # typer turns KeyboardInterrupt into Exit(130) and returns its code
            _interrupted()
        sys.exit(code)


# Top-level error handling. Typer >= 0.26 bundles its own copy of click (typer._click), so
# click.ClickException from the standalone click no longer matches what it raises; older typer
# raises the standalone click's classes. Both are found without importing typer's private
# modules: typer.BadParameter is the bundled or the standalone click's BadParameter.


def _classes_named(base: object, *names: str) -> list[type[Exception]]:
    return [cls for cls in getattr(base, "__mro__", ()) if cls.__name__ in names]


def _click_error_types() -> tuple[type[Exception], ...]:
    """ClickException of the click typer uses and of the standalone click, if installed."""
    found = _classes_named(typer.BadParameter, "ClickException")
    try:
        import click
    except ImportError:
        pass
    else:
        found.append(click.ClickException)
    return tuple(dict.fromkeys(found)) or (typer.BadParameter,)


def _abort_types() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [typer.Abort]
    try:
        import click
    except ImportError:
        pass
    else:
        found.append(click.Abort)
    return tuple(dict.fromkeys(found))


def _from_interrupt(error: BaseException) -> bool:
    return isinstance(error.__cause__ or error.__context__, KeyboardInterrupt)


def _say(line: str) -> None:
    """One line on stderr, user text printed literally (no rich markup), never wrapped."""
    from rich.text import Text

    err.print(Text.assemble(("error:", "bold red"), " ", line), highlight=False, soft_wrap=True)


def _command_path() -> str:
    """``mobility`` and the (sub)command named on the command line, e.g. ``mobility sweep``."""
    words = ["mobility"]
    try:
        command: Any = typer.main.get_command(app)
        for token in sys.argv[1:]:
            command = getattr(command, "commands", {}).get(token)
            if command is None:
                break
            words.append(token)
    except Exception:  # only used for a message
        pass
    return " ".join(words)


def _message(error: Exception) -> str:
    format_message = getattr(error, "format_message", None)
    return str(format_message()) if callable(format_message) else str(error)


def _usage_line(error: Exception) -> str:
    """Click's message (what and which parameter), the rejected value, where to read more."""
    message = _message(error)
    # Newer typer validates through pydantic, whose message leaves out the value given.
    errors = getattr(error.__cause__, "errors", None)
    if callable(errors):
        try:
            given = errors()[0]["input"]
        except Exception:
            given = None
        if given is not None:
            message = f"{message.rstrip('.')}, got {given!r}"
    context = getattr(error, "ctx", None)
    where = getattr(context, "command_path", None) or _command_path()
    return f"{' '.join(message.split()).rstrip('.')}; see '{where} --help'"


_INTERRUPTED = {
    "sweep": "finished runs are kept in the output folder and the summary was not written; "
             "run the same command again to resume",
}


def _interrupted() -> NoReturn:
    """Ctrl-C: say so in one line, with what was left undone, and exit 130 like a shell."""
    where = _command_path()
    left = _INTERRUPTED.get(where.removeprefix("mobility").strip(),
                            "it did not finish and any output it was writing may be missing")
    err.print(f"interrupted: {where} stopped; {left}", markup=False, highlight=False,
              soft_wrap=True)
    sys.exit(130)


if __name__ == "__main__":
    main()
