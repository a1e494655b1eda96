"""``seguiment db upgrade|downgrade``: the database schema (Alembic)."""

from __future__ import annotations

import argparse

from cli._common import settings
from i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("db", help=_("Database schema (migrations)."))
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    sub.required = True
    up = sub.add_parser("upgrade", help=_("Migrate the database to the latest schema."))
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=_upgrade)
    down = sub.add_parser("downgrade", help=_("Migrate the database back to a revision."))
    down.add_argument("revision")
    down.set_defaults(handler=_downgrade)


def _upgrade(args: argparse.Namespace) -> int:
    from indicators.storage.migrate import upgrade

    upgrade(settings().database_url, args.revision)
    print(_("Database at the latest schema."))
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    from indicators.storage.migrate import downgrade

    downgrade(settings().database_url, args.revision)
    print(_("Database migrated back to {revision}.", revision=args.revision))
    return 0
