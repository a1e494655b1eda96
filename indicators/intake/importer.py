"""Import one quarterly spreadsheet: check it, read it, validate it, store it.

``import_file`` is the one entry point for the command line, the web upload and the demo data.
It never raises for bad input: a hostile or unreadable file, or any unexpected parser failure,
becomes a Catalan (or Spanish, English) error in the result.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from i18n import gettext
from indicators.intake.issues import Issue, IssueMaker
from indicators.intake.parse import find_data, read_meta
from indicators.intake.reader import read_sheets
from indicators.intake.safety import UnsafeFile, check_file
from indicators.intake.validate import ParsedValue, check, check_stored
from indicators.storage.store import DUPLICATE, LOCKED, locked_periods, store, stored_values
from plan_model.models import Plan
from plan_model.periods import Period
from settings import Settings, get_settings

__all__ = ["ImportResult", "Issue", "ParsedValue", "import_file"]

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    status: str  # "ok" | "rejected" | "duplicate" (same bytes already current: no-op)
    service: str | None
    period: str | None
    values: list[ParsedValue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    submission_id: int | None = None
    superseded_id: int | None = None
    message: str = ""
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "service": self.service,
            "period": self.period,
            "values": [v.to_json() for v in self.values],
            "errors": [e.to_json() for e in self.errors],
            "warnings": [w.to_json() for w in self.warnings],
            "submission_id": self.submission_id,
            "superseded_id": self.superseded_id,
            "dry_run": self.dry_run,
            "message": self.message,
        }


def import_file(
    engine: Engine,
    plan: Plan,
    *,
    filename: str,
    content: bytes,
    user: str,
    service: str | None = None,
    period: str | None = None,
    dry_run: bool = False,
    source: str = "cli",
    lang: str = "ca",
    settings: Settings | None = None,
    uploaded_at: dt.datetime | None = None,
    allowed_services: set[str] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Validate ``content`` and, unless ``dry_run`` or rejected, store it in one transaction."""
    settings = settings or get_settings()
    issue = IssueMaker(lang)
    if today is None:
        today = (uploaded_at or dt.datetime.now(dt.UTC)).date()
    try:
        fmt = check_file(filename, content, settings)
        sheets = read_sheets(filename, content, fmt, settings)
        meta = read_meta(sheets)
        found = find_data(sheets)
        checked = check(
            plan, found, meta, filename=filename, service=service, period=period,
            today=today, allowed_services=allowed_services, lang=lang,
        )
    except UnsafeFile as exc:
        error = issue.plain(exc.code, exc.msgid, exc.params)
        return _rejected(None, None, [error], [], lang, explicit=(service, period))
    except Exception:  # a broken file must never show a traceback
        log.exception("unreadable file %s", filename)
        error = issue(
            "unreadable",
            "The file cannot be read: it is damaged or is not a spreadsheet. Open it with "
            "Excel or LibreOffice, save it as .xlsx and send it again.",
        )
        return _rejected(None, None, [error], [], lang, explicit=(service, period))

    if not checked.errors and checked.service and checked.period:
        periods = {v.period for v in checked.values} | {checked.period}
        previous_periods = {str(Period.parse(p).prev()) for p in periods}
        locked = locked_periods(engine, periods)
        previous = stored_values(
            engine, checked.service, [v.indicator for v in checked.values],
            sorted(previous_periods),
        )
        check_stored(
            checked, plan, locked=locked, previous=previous,
            jump_ratio=settings.jump_warning_ratio, lang=lang,
        )
    if checked.errors:
        return _rejected(
            checked.service, checked.period, checked.errors, checked.warnings, lang,
            values=checked.values,
        )
    assert checked.service is not None and checked.period is not None
    result = ImportResult(
        status="ok", service=checked.service, period=checked.period,
        values=checked.values, warnings=checked.warnings, dry_run=dry_run,
    )
    count = len(checked.values)
    if dry_run:
        result.message = gettext(
            "The file is valid: {count} values for {service}, {period} (nothing stored: "
            "dry run).", lang, count=count, service=checked.service, period=checked.period,
        )
        return result
    stored = store(
        engine, service=checked.service, period=checked.period, filename=filename,
        content=content, user=user, source=source, values=checked.values,
        warnings=[w.to_json() for w in checked.warnings], uploaded_at=uploaded_at,
    )
    if stored.status == LOCKED:
        # locked between validation and storing: re-run the stored-data checks for the message
        check_stored(
            checked, plan, locked=locked_periods(engine, {v.period for v in checked.values}
                                                 | {checked.period}),
            previous={}, jump_ratio=settings.jump_warning_ratio, lang=lang,
        )
        return _rejected(
            checked.service, checked.period, checked.errors, checked.warnings, lang,
            values=checked.values,
        )
    result.submission_id = stored.submission_id
    if stored.status == DUPLICATE:
        result.status = "duplicate"
        result.message = gettext(
            "This same file is already the current submission for {service}, {period} "
            "(number {id}): nothing has changed.", lang,
            service=checked.service, period=checked.period, id=stored.submission_id,
        )
        return result
    result.superseded_id = stored.superseded_id
    if stored.superseded_id is not None:
        result.message = gettext(
            "Imported {count} values for {service}, {period}. They replace submission number "
            "{old}, which stays in the history.", lang, count=count,
            service=checked.service, period=checked.period, old=stored.superseded_id,
        )
    else:
        result.message = gettext(
            "Imported {count} values for {service}, {period}.", lang,
            count=count, service=checked.service, period=checked.period,
        )
    return result


def _rejected(
    service: str | None,
    period: str | None,
    errors: list[Issue],
    warnings: list[Issue],
    lang: str,
    *,
    values: list[ParsedValue] | None = None,
    explicit: tuple[str | None, str | None] = (None, None),
) -> ImportResult:
    if service is None and explicit[0]:
        service = explicit[0].strip().upper()
    if period is None and explicit[1]:
        parsed = Period.try_parse(explicit[1])
        period = str(parsed) if parsed else None
    return ImportResult(
        status="rejected", service=service, period=period, values=values or [],
        errors=errors, warnings=warnings,
        message=gettext(
            "The file has been rejected: {count} errors. Nothing has been stored.", lang,
            count=len(errors),
        ) if len(errors) != 1 else gettext(
            "The file has been rejected: 1 error. Nothing has been stored.", lang
        ),
    )
