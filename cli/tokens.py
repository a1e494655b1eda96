"""``seguiment tokens create|list|revoke``: personal API tokens on the command line (issue 19).

The command acts as an *operator* (a director's rights), recorded in the audit log under the
system user's name. ``create`` prints the token once (only its hash is kept: it cannot be
shown again); ``list`` never prints a secret; ``revoke`` stops a token at once (revoking a
revoked one changes nothing, says so and exits 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from cli._common import print_json, settings
from i18n import _

if TYPE_CHECKING:
    from accounts.roles import Actor
    from indicators.storage.tokens import TokenInfo


def _days(text: str) -> int:
    from accounts.tokens import MAX_DAYS

    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(
            _("«{value}» is not a number of days from 1 to {limit}.", value=text, limit=MAX_DAYS)
        )
    return days


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("tokens", help=_("Manage personal API tokens."))
    sub = parser.add_subparsers(dest="tokens_command", metavar="ACTION")
    sub.required = True

    create = sub.add_parser("create", help=_("Make an API token for an account (shown once)."))
    create.add_argument("--user", required=True, metavar="NAME", help=_("the token's account"))
    create.add_argument("--name", required=True, help=_("what the token is for"))
    create.add_argument("--scope", required=True, choices=["read", "submit"])
    create.add_argument(
        "--days", required=True, type=_days, metavar="D", help=_("days until it expires (1-365)")
    )
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=_create)

    listing = sub.add_parser("list", help=_("List the API tokens (never their secrets)."))
    listing.add_argument("--user", metavar="NAME", help=_("only this account's tokens"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    revoke = sub.add_parser("revoke", help=_("Revoke an API token: it stops working at once."))
    revoke.add_argument("id", type=int, metavar="ID")
    revoke.set_defaults(handler=_revoke)


def _engine() -> Engine:
    from indicators.storage.engine import get_engine

    return get_engine(settings().database_url)


def _operator() -> Actor:
    from accounts.roles import Actor

    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the user database
        name = "cli"
    return Actor.operator(name or "cli")


def _refused(exc: Exception) -> int:
    from accounts.errors import AccountError

    message = exc.message() if isinstance(exc, AccountError) else str(exc)
    print(message, file=sys.stderr)
    return 1


def _create(args: argparse.Namespace) -> int:
    from accounts import tokens
    from accounts.errors import AccountError

    operator = _operator()
    try:
        new = tokens.create_token(
            _engine(),
            user=args.user,
            name=args.name,
            scope=args.scope,
            days=args.days,
            by=operator,
        )
    except AccountError as exc:
        return _refused(exc)
    if args.json:
        print_json({**new.info.to_json(), "token": new.token})
        return 0
    print(new.token)
    print(
        _(
            "Token {id} of {user} ({scope}), valid until {date}. Copy it now: it will not be "
            "shown again.",
            id=new.info.id,
            user=new.info.username,
            scope=new.info.scope,
            date=new.info.expires_at.date().isoformat(),
        ),
        file=sys.stderr,
    )
    return 0


def _state(info: TokenInfo) -> str:
    if info.revoked_at is not None:
        return _("revoked")
    return _("expired") if info.expired(dt.datetime.now(dt.UTC)) else _("valid")


def _list(args: argparse.Namespace) -> int:
    from accounts import tokens
    from accounts.errors import AccountError

    operator = _operator()
    try:
        found = tokens.visible_tokens(_engine(), viewer=operator, user=args.user)
    except AccountError as exc:
        return _refused(exc)
    if args.json:
        print_json([{**t.to_json(), "state": _state(t)} for t in found])
        return 0
    if not found:
        print(_("No API tokens."))
        return 0
    for t in found:
        used = t.last_used_at.date().isoformat() if t.last_used_at else "–"
        print(
            f"{t.id:>4}  {t.username:<16} sdp_{t.prefix}_…  {t.scope:<6}  "
            f"{t.expires_at.date().isoformat()}  {used:<10}  {_state(t):<8}  {t.name}"
        )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from accounts import tokens
    from accounts.errors import AccountError

    operator = _operator()
    try:
        revoked = tokens.revoke_token(_engine(), args.id, by=operator)
    except AccountError as exc:
        return _refused(exc)
    if revoked is None:
        print(_("The token {id} was already revoked: nothing has changed.", id=args.id))
    else:
        print(_("The token {id} is revoked: it no longer works.", id=args.id))
    return 0
