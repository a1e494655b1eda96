"""``seguiment analysis list``: the objectives' analyses of a quarter (valoracions, issue 17).

``list --period P`` prints the analyses in force for quarter P (what happened, what will be
done and by when, who wrote it) and the objectives that need one (an indicator red or amber)
and lack it; ``--json`` gives the same as JSON. Writing an analysis is done on the objective's
page, by a director or the objective's responsible service.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli._common import load_configured_plan, period_arg, print_json, settings
from i18n import _, format_date
from plan_model.periods import text_label

if TYPE_CHECKING:
    from indicators.reporting.analyses import LevelAnalyses
    from indicators.storage.analyses import AnalysisInfo


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    analysis = subparsers.add_parser(
        "analysis", help=_("List the objectives' analyses of a quarter (valoracions).")
    )
    sub = analysis.add_subparsers(dest="analysis_command", metavar="COMMAND")
    sub.required = True
    listing = sub.add_parser(
        "list", help=_("The analyses of a quarter and the objectives off track without one.")
    )
    listing.add_argument(
        "--period", required=True, metavar="YYYY-Tn", type=period_arg, help=_("e.g. 2025-T3")
    )
    listing.add_argument("--json", action="store_true", help=_("machine-readable output"))
    listing.set_defaults(handler=_list)


def _found(period: str) -> LevelAnalyses:
    from indicators.reporting import dashboard_data
    from indicators.reporting.analyses import level_analyses
    from indicators.storage.engine import get_engine
    from plan_model.periods import Period

    config = settings()
    plan = load_configured_plan()
    engine = get_engine(config.database_url)
    data = dashboard_data.load(
        engine,
        plan,
        thresholds=dashboard_data.settings_thresholds(config, plan),
        deadline_days=config.submission_deadline_days,
    )
    return level_analyses(engine, data.status(Period.parse(period)).objectives, period)


def _line(info: AnalysisInfo) -> str:
    line = _(
        "{objective} ({period}), by {author}: {what}",
        objective=info.objective,
        period=text_label(info.period, "ca"),
        author=info.author,
        what=info.what_happened,
    )
    if info.next_steps:
        line += "\n    " + _("What will be done") + ": " + info.next_steps
    if info.due_by:
        line += f" ({format_date(info.due_by)})"
    return line


def _list(args: argparse.Namespace) -> int:
    found = _found(args.period)
    if args.json:
        data: dict[str, Any] = {
            "period": found.period,
            "analyses": [a.to_json() for a in found.analyses],
            "missing": found.missing,
        }
        print_json(data)
        return 0
    if not found.analyses:
        print(_("No analysis has been written for this quarter."))
    for info in found.analyses:
        print(_line(info))
    if found.missing:
        print(_("Off track without an analysis:") + " " + ", ".join(found.missing))
    return 0
