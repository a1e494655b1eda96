"""The ``seguiment`` command line.

Each module of this package that defines ``register(subparsers)`` adds its own subcommands
(``plan``, ``db``, ``import``, ``template``, ``demo``, ``status``, ``bench``, ``users``,
``report``, ``export``, ``serve``...). A handler returns the process exit code:
0 success, 1 rejected/failed, 2 usage error (argparse's own).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from i18n import _
from plan_model.loader import PlanValidationError


def _argparse_in_the_catalogs() -> None:
    """argparse's own words (usage, headings, errors) through the message catalogs.

    argparse looks its module-level ``_`` and ``ngettext`` up at each call, so binding them
    to ours makes ``--help`` and usage errors Catalan like the rest of the command line.
    """
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = lambda singular, plural, n: _(singular if n == 1 else plural)  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    _argparse_in_the_catalogs()
    parser = argparse.ArgumentParser(
        prog="seguiment",
        description=_("Seguiment del Pla: follow-up of the COSS strategic plan 2022-2025."),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
    except KeyboardInterrupt:
        return 130
    except PlanValidationError as exc:
        # any command whose plan does not validate: every problem, never a traceback
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
