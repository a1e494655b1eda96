"""``seguiment import FILE``: validate a quarterly spreadsheet and store it.

Exit codes: 0 imported (or valid, with ``--dry-run``; also the same file again: a no-op),
1 rejected (also an unreadable file), 2 usage error (argparse's own, a missing FILE, a
malformed ``--period``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cli._common import load_configured_plan, period_arg, print_json, settings
from i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "import",
        help=_("Import a quarterly spreadsheet (validated, stored in one transaction)."),
        description=_(
            "Validate a service's quarterly spreadsheet (.xlsx, .xlsm, .xls, .ods, .csv) and "
            "store its values. A re-upload for the same service and quarter supersedes the "
            "earlier one, which stays in the history."
        ),
    )
    parser.add_argument("file", metavar="FILE", help=_("The spreadsheet to import."))
    parser.add_argument(
        "--service", metavar="CODE", help=_("The service (when the file does not say it).")
    )
    parser.add_argument(
        "--period",
        metavar="YYYY-Tn",
        type=period_arg,
        help=_("The quarter, e.g. 2025-T3 (when the file does not say it)."),
    )
    parser.add_argument(
        "--user", metavar="NAME", default=None, help=_("Who uploads it (default: $USER).")
    )
    parser.add_argument("--dry-run", action="store_true", help=_("Only validate: store nothing."))
    parser.add_argument("--json", action="store_true", help=_("Print the result as JSON."))
    parser.add_argument(
        "--lang", default="ca", choices=["ca", "es", "en"], help=_("Language of the messages.")
    )
    parser.set_defaults(handler=_handle, parser=parser)


def _handle(args: argparse.Namespace) -> int:
    from i18n import gettext

    lang = args.lang
    path = Path(args.file)
    if not path.is_file():
        parser: argparse.ArgumentParser = args.parser
        parser.print_usage(sys.stderr)
        print(
            gettext(
                "seguiment import: error: the file {path} does not exist.", lang, path=str(path)
            ),
            file=sys.stderr,
        )
        return 2
    conf = settings()
    size = path.stat().st_size
    from indicators.intake.importer import import_file
    from indicators.storage.engine import make_engine

    plan = load_configured_plan()
    engine = make_engine(conf.database_url)
    try:
        if not _migrated(engine):
            print(
                gettext("The database is not ready: run «seguiment db upgrade» first.", lang),
                file=sys.stderr,
            )
            return 1
        if size > conf.max_upload_bytes:
            content = b"x" * (conf.max_upload_bytes + 1)  # refused by the size check, unread
        else:
            content = path.read_bytes()
        result = import_file(
            engine,
            plan,
            filename=path.name,
            content=content,
            user=args.user or os.environ.get("USER") or "cli",
            service=args.service,
            period=args.period,
            dry_run=args.dry_run,
            source="cli",
            lang=lang,
            settings=conf,
        )
    finally:
        engine.dispose()
    if args.json:
        print_json(result.to_json())
    else:
        _report(result, lang)
    return 1 if result.status == "rejected" else 0


def _migrated(engine: object) -> bool:
    """The database exists and is at the latest schema (Alembic head)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import Engine

    from indicators.storage.migrate import alembic_config

    assert isinstance(engine, Engine)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception:  # noqa: BLE001 - any driver error means unreachable: not ready
        return False
    url = engine.url.render_as_string(hide_password=False)
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    return bool(current) and current == heads


def _report(result: object, lang: str) -> None:
    from i18n import gettext
    from indicators.intake.importer import ImportResult

    assert isinstance(result, ImportResult)
    out = sys.stdout
    print(result.message, file=out)
    for error in result.errors:
        print("  ✖ " + error.describe(lang), file=out)
    if result.error_count > len(result.errors):
        print(
            gettext(
                "(the first {shown} of {total} errors)",
                lang,
                shown=len(result.errors),
                total=result.error_count,
            ),
            file=out,
        )
    if result.warnings:
        print(gettext("Warnings:", lang), file=out)
        for warning in result.warnings:
            print("  ! " + warning.describe(lang), file=out)
