"""``seguiment lock|reopen|validate|approve``: close and reopen quarters, the two steps of
the approval (the head validates, the direction accepts).

The command line acts as an *operator* with a director's rights (whoever runs it on the
server already holds the database): every change is recorded in the audit log under
``--user NAME`` (default: the system user), marked as done by an operator, with the reason
given. A quarter locks when every delivered submission is accepted; otherwise only with
``--reason`` (the override, recorded with the services not accepted). Locking a quarter that is already locked (or reopening an open one) changes nothing,
says so and exits 0, so scripts can repeat it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from cli._common import load_configured_plan, period_arg, settings
from i18n import _
from plan_model.periods import text_label

if TYPE_CHECKING:
    from accounts.roles import Actor


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    lock = subparsers.add_parser(
        "lock", help=_("Lock a quarter: new uploads are refused until it is reopened.")
    )
    _period_and_reason(lock)
    lock.set_defaults(handler=_lock)

    reopen = subparsers.add_parser("reopen", help=_("Reopen a locked quarter for uploads."))
    _period_and_reason(reopen)
    reopen.set_defaults(handler=_reopen)

    validate = subparsers.add_parser(
        "validate",
        help=_("Validate a service's current submission for a quarter (its head's step)."),
    )
    _service_and_period(validate)
    validate.set_defaults(handler=_validate)

    approve = subparsers.add_parser(
        "approve", help=_("Approve a service's current submission for a quarter.")
    )
    _service_and_period(approve)
    approve.set_defaults(handler=_approve)


def _service_and_period(approve: argparse.ArgumentParser) -> None:
    approve.add_argument(
        "--service", required=True, metavar="CODE", help=_("service code, e.g. SBAS-VIC")
    )
    approve.add_argument(
        "--period",
        required=True,
        metavar="YYYY-Tn",
        type=period_arg,
        help=_("quarter, e.g. 2025-T4"),
    )
    _user_option(approve)


def _period_and_reason(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        required=True,
        metavar="YYYY-Tn",
        type=period_arg,
        help=_("quarter, e.g. 2025-T4"),
    )
    parser.add_argument(
        "--reason",
        metavar="TEXT",
        default=None,
        help=_("why (recorded in the audit log); to lock with submissions not accepted, required"),
    )
    _user_option(parser)


def _user_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=None,
        help=_("the operator's name in the audit log (default: the system user)"),
    )


def _engine() -> Engine:
    from indicators.storage.engine import get_engine

    return get_engine(settings().database_url)


def _operator_name(args: argparse.Namespace) -> str | None:
    if args.user is not None:
        return str(args.user)
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor in the user database
        return None


def _as_operator(args: argparse.Namespace, action: Callable[[Actor], str]) -> int:
    """Run ``action`` as the operator named by ``--user``; print its outcome or refusal."""
    from accounts.errors import AccountError
    from accounts.roles import Actor

    name = _operator_name(args)
    if name is None:
        print(
            _("Cannot tell who runs the command: give the operator's name with --user NAME."),
            file=sys.stderr,
        )
        return 2
    try:
        message = action(Actor.operator(name))
    except AccountError as exc:
        print(exc.message(), file=sys.stderr)
        return 1
    print(message)
    return 0


def _recorded(operator: Actor) -> str:
    return _(
        "Recorded in the audit log under {user}, an operator with a director's rights.",
        user=operator.name,
    )


def _lock(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from accounts.approvals import lock_period, unaccepted_services

    def action(operator: Actor) -> str:
        engine = _engine()
        with Session(engine) as session:
            pending = unaccepted_services(session, args.period)
        if not lock_period(engine, args.period, by=operator, reason=args.reason):
            return _(
                "The {period} was already locked: nothing has changed.",
                period=text_label(args.period, "ca"),
            )
        lines = [
            _(
                "The {period} is locked: new uploads are refused.",
                period=text_label(args.period, "ca"),
            )
        ]
        if pending:
            lines.append(
                _("Locked although not accepted: {services}.", services=", ".join(pending))
            )
        return "\n".join([*lines, _recorded(operator)])

    return _as_operator(args, action)


def _reopen(args: argparse.Namespace) -> int:
    from accounts.approvals import reopen_period

    def action(operator: Actor) -> str:
        if not reopen_period(_engine(), args.period, by=operator, reason=args.reason):
            return _(
                "The {period} was not locked: nothing has changed.",
                period=text_label(args.period, "ca"),
            )
        return "\n".join(
            [
                _("The {period} is open again for uploads.", period=text_label(args.period, "ca")),
                _recorded(operator),
            ]
        )

    return _as_operator(args, action)


def _approve(args: argparse.Namespace) -> int:
    from accounts.approvals import approve

    return _review_step(args, approve, "Submission number {id} of {service} for {period} approved.")


def _validate(args: argparse.Namespace) -> int:
    from accounts.approvals import validate

    return _review_step(
        args, validate, "Submission number {id} of {service} for {period} validated."
    )


def _review_step(args: argparse.Namespace, step: Callable[..., Any], done: str) -> int:
    """One review step (the head's validation, the direction's acceptance) of a service's
    quarter, as an operator; ``done`` is the message id of its success."""
    from accounts.errors import AccountError

    service = str(args.service).strip().upper()

    def action(operator: Actor) -> str:
        if service not in load_configured_plan().service_by_code:
            raise AccountError("Unknown service code(s): {codes}.", codes=service)
        record = step(_engine(), service, args.period, by=operator)
        message = _(done, id=record.submission_id, service=service, period=args.period)
        return "\n".join([message, _recorded(operator)])

    return _as_operator(args, action)
