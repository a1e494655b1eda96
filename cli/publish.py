"""``seguiment publish --period P [--unpublish]``: publish a locked quarter, or withdraw its
publication (issue 19).

Only a published quarter leaves the app (the public view, the open data). Like ``lock``, the
command acts as an *operator* with a director's rights, recorded in the audit log under
``--user NAME`` (default: the system user) with the ``--reason`` given. A quarter that is not
locked is refused, with the reason (exit 1); publishing a published quarter (or unpublishing
one that is not) changes nothing, says so and exits 0, so scripts can repeat it. A published
quarter cannot be reopened (``seguiment reopen``) until it is unpublished.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli._common import period_arg
from cli.periods import _as_operator, _engine, _recorded, _user_option
from i18n import _
from plan_model.periods import text_label

if TYPE_CHECKING:
    from accounts.roles import Actor


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    publish = subparsers.add_parser(
        "publish",
        help=_("Publish a locked quarter: its figures may leave the app (public view, open data)."),
    )
    publish.add_argument(
        "--period",
        required=True,
        metavar="YYYY-Tn",
        type=period_arg,
        help=_("quarter, e.g. 2025-T4"),
    )
    publish.add_argument(
        "--unpublish",
        action="store_true",
        help=_("withdraw the quarter's publication instead (it stays locked)"),
    )
    publish.add_argument(
        "--reason", metavar="TEXT", default=None, help=_("why (recorded in the audit log)")
    )
    _user_option(publish)
    publish.set_defaults(handler=_publish)


def _publish(args: argparse.Namespace) -> int:
    from accounts.publications import publish_period, unpublish_period

    period = str(args.period)

    def publish(operator: Actor) -> str:
        if publish_period(_engine(), period, by=operator, reason=args.reason) is None:
            return _(
                "The {period} was already published: nothing has changed.",
                period=text_label(period, "ca"),
            )
        done = _(
            "The {period} is published: its figures may be shown.", period=text_label(period, "ca")
        )
        return "\n".join([done, _recorded(operator)])

    def unpublish(operator: Actor) -> str:
        if unpublish_period(_engine(), period, by=operator, reason=args.reason) is None:
            return _(
                "The {period} was not published: nothing has changed.",
                period=text_label(period, "ca"),
            )
        done = _("The {period} is no longer published.", period=text_label(period, "ca"))
        return "\n".join([done, _recorded(operator)])

    return _as_operator(args, unpublish if args.unpublish else publish)
