"""``seguiment setup [--demo-if-empty]``: first-run preparation (``make run`` calls it).

The work is a list of steps in :mod:`cli._setup_steps` (``STEPS``) that each area can
extend with one line; this command only parses the flags and runs them in order.
"""

from __future__ import annotations

import argparse

from cli._common import settings
from i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "setup",
        help=_("Prepare a first run (after `seguiment db upgrade`)."),
    )
    parser.add_argument(
        "--demo-if-empty",
        action="store_true",
        help=_("load the demo data when the database has no submissions"),
    )
    parser.set_defaults(handler=_setup)


def _setup(args: argparse.Namespace) -> int:
    from cli._setup_steps import SetupContext, run_steps

    ctx = SetupContext(settings=settings(), demo_if_empty=args.demo_if_empty)
    return run_steps(ctx)
