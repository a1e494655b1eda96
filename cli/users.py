"""``seguiment users create|list|set-password|disable|enable``: accounts on the command line.

A production install starts with no accounts: the operator creates the first director here.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import Engine

from cli._common import load_configured_plan, print_json, settings
from i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("users", help=_("Manage user accounts."))
    sub = parser.add_subparsers(dest="users_command", metavar="ACTION")
    sub.required = True

    create = sub.add_parser("create", help=_("Create a user account."))
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument(
        "--role", required=True, choices=["director", "tecnic", "consulta", "responsable"]
    )
    create.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="CODE",
        help=_("a service the technician submits for (repeatable)"),
    )
    create.add_argument(
        "--email",
        help=_("e-mail address (a director receives the quarter's digest there: seguiment remind)"),
    )
    create.set_defaults(handler=_create)

    listing = sub.add_parser("list", help=_("List the user accounts."))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    password = sub.add_parser("set-password", help=_("Set a user's password."))
    password.add_argument("--username", required=True)
    password.add_argument("--password", required=True)
    password.set_defaults(handler=_set_password)

    disable = sub.add_parser("disable", help=_("Disable a user account."))
    disable.add_argument("--username", required=True)
    disable.set_defaults(handler=_disable)

    enable = sub.add_parser("enable", help=_("Enable a disabled user account."))
    enable.add_argument("--username", required=True)
    enable.set_defaults(handler=_enable)


def _engine() -> Engine:
    from indicators.storage.engine import get_engine

    return get_engine(settings().database_url)


def _refused(exc: Exception) -> int:
    from accounts.errors import AccountError

    if isinstance(exc, AccountError):
        print(exc.message(), file=sys.stderr)
    else:  # pragma: no cover - unexpected
        print(str(exc), file=sys.stderr)
    return 1


def _create(args: argparse.Namespace) -> int:
    from accounts.errors import AccountError
    from accounts.roles import takes_services
    from accounts.users import create_user

    plan = load_configured_plan()
    if not takes_services(args.role) and args.service:
        print(
            _("Only technicians and service heads are assigned services (--service)."),
            file=sys.stderr,
        )
        return 2
    try:
        user = create_user(
            _engine(),
            args.username,
            args.password,
            args.role,
            args.service,
            known_services=plan.service_by_code.keys(),
            by="cli",
            email=args.email,
        )
    except AccountError as exc:
        return _refused(exc)
    print(_("User {username} created ({role}).", username=user.username, role=user.role))
    return 0


def _list(args: argparse.Namespace) -> int:
    from accounts.users import list_users

    users = list_users(_engine())
    if args.json:
        print_json([u.to_json() for u in users])
        return 0
    if not users:
        print(
            _(
                "No user accounts. Create a director with: seguiment users create "
                "--username NAME --password PASSWORD --role director"
            )
        )
        return 0
    for u in users:
        flags = []
        if not u.active:
            flags.append(_("disabled"))
        if u.is_demo:
            flags.append(_("demo"))
        services = ", ".join(u.services) or "-"
        extra = f" [{', '.join(flags)}]" if flags else ""
        print(f"{u.username}\t{u.role}\t{services}{extra}")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    from accounts.errors import AccountError
    from accounts.users import set_password

    try:
        set_password(_engine(), args.username, args.password, by="cli")
    except AccountError as exc:
        return _refused(exc)
    print(_("Password of {username} changed.", username=args.username))
    return 0


def _disable(args: argparse.Namespace) -> int:
    from accounts.errors import AccountError
    from accounts.users import disable_user

    try:
        disable_user(_engine(), args.username, by="cli")
    except AccountError as exc:
        return _refused(exc)
    print(_("User {username} disabled.", username=args.username))
    return 0


def _enable(args: argparse.Namespace) -> int:
    from accounts.errors import AccountError
    from accounts.users import enable_user

    try:
        enable_user(_engine(), args.username, by="cli")
    except AccountError as exc:
        return _refused(exc)
    print(_("User {username} enabled.", username=args.username))
    return 0
