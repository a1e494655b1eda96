"""``seguiment report``: the board pack (PDF or editable PPTX) for a quarter.

``seguiment report --period 2025-T4 [--since 2025-T3] [--lang ca] --format pdf|pptx -o FILE``

The same content as the presentation (``/sessio``) plus an appendix with every objective's
status, achievement and the technicians' comments. Progress goes to stderr. Exit 0 written,
1 failed (no data base, no browser for the charts), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cli._common import load_configured_plan, period_arg, plan_for_quarter, settings
from i18n import LANGUAGES, _, gettext
from plan_model.periods import text_label


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "report",
        help=_("Write the board pack (PDF or PPTX) for a quarter."),
        description=_(
            "The board pack: the presentation's slides and an appendix with every "
            "objective's status, achievement and comments."
        ),
    )
    parser.add_argument(
        "--period",
        metavar="YYYY-Tn",
        type=period_arg,
        default=None,
        help=_("The quarter (default: the latest with data)."),
    )
    parser.add_argument(
        "--since",
        metavar="YYYY-Tn",
        type=period_arg,
        default=None,
        help=_("Compare with this quarter (default: the previous one)."),
    )
    parser.add_argument(
        "--lang", default="ca", choices=sorted(LANGUAGES), help=_("Language of the pack.")
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=["pdf", "pptx"],
        default=None,
        help=_("pdf or pptx (default: from the file name)."),
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", required=True, help=_("Where to write the pack.")
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from indicators.reporting import dashboard_data
    from indicators.reporting.pack import ChartRenderError, build_pack
    from indicators.storage.engine import make_engine

    lang = args.lang
    output = Path(args.output)
    fmt = args.fmt or output.suffix.lstrip(".").lower()
    if fmt not in ("pdf", "pptx"):
        print(
            gettext("seguiment report: error: say --format pdf or --format pptx.", lang),
            file=sys.stderr,
        )
        return 2
    conf = settings()
    approved = load_configured_plan()
    plan = plan_for_quarter(approved)  # the plan now, with its extensions (issue 18)
    engine = make_engine(conf.database_url)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.1f} s] {message}", file=sys.stderr, flush=True)

    from cli.status import configured_thresholds

    thresholds = configured_thresholds(plan)
    try:
        data = dashboard_data.load(
            engine, plan, deadline_days=conf.submission_deadline_days, thresholds=thresholds
        )
        period = data.resolve_period(args.period)
        governing = plan_for_quarter(approved, period)  # the version in force then
        if governing.version != plan.version:
            plan = governing
            data = dashboard_data.load(
                engine, plan, deadline_days=conf.submission_deadline_days, thresholds=thresholds
            )
        pack = build_pack(
            engine,
            plan,
            period,
            fmt,
            since=args.since,
            lang=lang,
            deadline_days=conf.submission_deadline_days,
            browser=conf.chromium_path,
            thresholds=thresholds,
            progress=progress,
            accepted_only=conf.board_accepted_only,
        )
    except ChartRenderError as exc:
        print(
            gettext("The board pack could not be made: {error}", lang, error=str(exc)),
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # noqa: BLE001 - CLI boundary: database not there or not migrated
        print(
            gettext(
                "The board pack could not be made: {error}", lang, error=str(exc).splitlines()[0]
            ),
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pack.content)
    print(
        gettext(
            "Board pack for {period} written to {path} ({size} KB).",
            lang,
            period=text_label(str(period), "ca"),
            path=str(output),
            size=len(pack.content) // 1024,
        )
    )
    return 0
