"""``seguiment evaluation``: the final evaluation of a plan («Avaluació final del pla»).

``seguiment evaluation [--plan ID] --format pdf|pptx|xlsx|md -o FILE [--lang ca|es|en]``

Per lever, axis and objective the final status at the plan's last quarter with data, the path
over the whole period, what was achieved against the targets, the analyses, the evidence, the
milestones with the directors' decisions, the completeness of reporting and a one-page summary
for the board; marked «provisional» on every page while the plan is not closed (``seguiment
plan close``). Progress goes to stderr. Exit 0 written, 1 failed (no database, an unwritable
path, no browser for the charts), 2 usage error (an unknown plan or format).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from cli._common import settings
from cli.plan import plan_from_arg, plan_option
from i18n import LANGUAGES, _, gettext

FORMATS = ("pdf", "pptx", "xlsx", "md")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "evaluation",
        help=_("Write the final evaluation of a plan (PDF, PPTX, XLSX or Markdown)."),
        description=_(
            "The final evaluation of the plan: final statuses, the path over the whole "
            "period, targets, analyses, evidence, milestones and completeness of reporting; "
            "provisional while the plan is not closed."
        ),
    )
    plan_option(parser)
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=FORMATS,
        default=None,
        help=_("pdf, pptx, xlsx or md (default: from the file name)."),
    )
    parser.add_argument(
        "--lang", default="ca", choices=sorted(LANGUAGES), help=_("Language of the evaluation.")
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", required=True, help=_("Where to write the evaluation.")
    )
    parser.set_defaults(handler=_handle)


def _unwritable(output: Path, lang: str) -> str | None:
    """Why ``output`` cannot be written (None when it can): checked before the work."""
    parent = output.parent
    if output.is_dir():
        return gettext("{path} is a folder, not a file.", lang, path=str(output))
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return exc.strerror or str(exc)
    if not os.access(parent, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        return gettext("permission denied", lang)
    return None


def _error(lang: str, msgid: str, **params: object) -> None:
    print(gettext(msgid, lang, **params), file=sys.stderr)


def _handle(args: argparse.Namespace) -> int:
    lang = args.lang
    output = Path(args.output)
    fmt = args.fmt or output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        _error(lang, "seguiment evaluation: error: say --format pdf, pptx, xlsx or md.")
        return 2
    plan = plan_from_arg(args.plan)
    if plan is None:
        return 2
    why = _unwritable(output, lang)
    if why is not None:
        _error(
            lang, "The evaluation cannot be written to {path}: {error}", path=str(output), error=why
        )
        return 1
    content = _build(plan, fmt, lang)
    if content is None:
        return 1
    try:
        output.write_bytes(content)
    except OSError as exc:
        _error(
            lang,
            "The evaluation cannot be written to {path}: {error}",
            path=str(output),
            error=exc.strerror or str(exc),
        )
        return 1
    print(
        gettext(
            "Final evaluation of {plan} written to {path} ({size} KB).",
            lang,
            plan=plan.info.id,
            path=str(output),
            size=max(1, len(content) // 1024),
        )
    )
    return 0


def _build(plan: object, fmt: str, lang: str) -> bytes | None:
    from cli.status import configured_thresholds
    from indicators.reporting.evaluation import load_evaluation, write_evaluation
    from indicators.reporting.pack import ChartRenderError
    from indicators.storage.engine import make_engine
    from plan_model.models import Plan

    assert isinstance(plan, Plan)
    conf = settings()
    engine = make_engine(conf.database_url)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        evaluation = load_evaluation(
            engine,
            plan,
            deadline_days=conf.submission_deadline_days,
            thresholds=configured_thresholds(plan),
        )
        return write_evaluation(
            evaluation, fmt, lang, browser=conf.chromium_path, progress=progress
        ).content
    except ChartRenderError as exc:
        _error(lang, "The evaluation could not be made: {error}", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - CLI boundary: database not there or not migrated
        _error(lang, "The evaluation could not be made: {error}", error=str(exc).splitlines()[0])
    finally:
        engine.dispose()
    return None
