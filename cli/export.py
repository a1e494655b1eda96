"""``seguiment export`` and ``seguiment reimport``: every value with its provenance and status.

``seguiment export --format xlsx|csv [-o FILE] [--period 2025-T4] [--lang ca]`` writes one row
per value in force (indicator, service, quarter, value or stage, comment, status,
achievement, submission, file, sheet, row, who, when). ``-o -`` writes to stdout.

``seguiment reimport FILE [--user NAME]`` loads such an export into the configured database
through the normal import, one submission per service and quarter (an export re-imported into
an empty database reproduces the same values).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli._common import load_configured_plan, period_arg, settings
from i18n import LANGUAGES, _, gettext


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "export",
        help=_("Export every value with its provenance and status (xlsx or csv)."),
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=["xlsx", "csv"],
        default=None,
        help=_("xlsx or csv (default: from the file name, else xlsx)."),
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help=_("Where to write it (default: seguiment-valors.<format>; - for stdout)."),
    )
    parser.add_argument(
        "--period",
        metavar="YYYY-Tn",
        type=period_arg,
        default=None,
        help=_("Only this quarter's values."),
    )
    parser.add_argument(
        "--lang",
        default="ca",
        choices=sorted(LANGUAGES),
        help=_("Language of the headers and labels."),
    )
    parser.set_defaults(handler=_export)

    again = subparsers.add_parser(
        "reimport",
        help=_("Load an export back into the database (one submission per service and quarter)."),
    )
    again.add_argument("file", metavar="FILE", help=_("An export (.xlsx or .csv)."))
    again.add_argument(
        "--user", default="reimport", help=_("Who uploads it when the export does not say.")
    )
    again.add_argument(
        "--lang", default="ca", choices=sorted(LANGUAGES), help=_("Language of the messages.")
    )
    again.set_defaults(handler=_reimport)


def _export(args: argparse.Namespace) -> int:
    from indicators.reporting.export import export_values
    from indicators.storage.engine import make_engine

    output = args.output
    fmt = args.fmt
    if fmt is None:
        suffix = Path(output).suffix.lstrip(".").lower() if output and output != "-" else ""
        fmt = suffix if suffix in ("xlsx", "csv") else "xlsx"
    conf = settings()
    plan = load_configured_plan()
    engine = make_engine(conf.database_url)
    try:
        from cli.status import configured_thresholds

        export = export_values(
            engine,
            plan,
            fmt,
            period=args.period,
            lang=args.lang,
            thresholds=configured_thresholds(plan),
        )
    except Exception as exc:  # noqa: BLE001 - CLI boundary: no database, not migrated; say why
        print(
            gettext(
                "The export could not be made: {error}", args.lang, error=str(exc).splitlines()[0]
            ),
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    if output == "-":
        sys.stdout.buffer.write(export.content)
        sys.stdout.flush()
        return 0
    path = Path(output or export.filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(export.content)
    print(gettext("{rows} values written to {path}.", args.lang, rows=export.rows, path=str(path)))
    return 0


def _reimport(args: argparse.Namespace) -> int:
    from indicators.reporting.export import reimport
    from indicators.storage.engine import make_engine

    path = Path(args.file)
    if not path.is_file():
        print(
            gettext(
                "seguiment reimport: error: the file {path} does not exist.",
                args.lang,
                path=str(path),
            ),
            file=sys.stderr,
        )
        return 2
    conf = settings()
    plan = load_configured_plan()
    engine = make_engine(conf.database_url)
    try:
        results = reimport(
            engine,
            plan,
            path.name,
            path.read_bytes(),
            user=args.user,
            settings=conf,
            lang=args.lang,
            progress=lambda m: print(m, file=sys.stderr, flush=True),
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    rejected = [r for r in results if r.status == "rejected"]
    for r in rejected:
        for issue in r.errors[:5]:
            print(f"{r.service} {r.period}: {issue.message}", file=sys.stderr)
    values = sum(len(r.values) for r in results if r.status != "rejected")
    print(
        gettext(
            "{files} submissions, {values} values loaded; {rejected} rejected.",
            args.lang,
            files=len(results) - len(rejected),
            values=values,
            rejected=len(rejected),
        )
    )
    return 1 if rejected else 0
