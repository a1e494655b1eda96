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
from indicators.intake.analysis_check import analysis_warnings
from indicators.intake.changes import Change, compute_changes
from indicators.intake.evidence_intake import evidence_warnings
from indicators.intake.issues import Issue, IssueList, IssueMaker
from indicators.intake.parse import find_data, read_meta
from indicators.intake.reader import Sheet, read_sheets
from indicators.intake.safety import UnsafeFile, check_file
from indicators.intake.validate import Checked, check, check_stored
from indicators.storage.locks import refused_periods
from indicators.storage.plan_versions import plan_for_quarter
from indicators.storage.records import ParsedValue
from indicators.storage.store import DUPLICATE, LOCKED, Stored, store, stored_values
from plan_model.models import Plan
from plan_model.periods import Period, text_label
from settings import Settings, get_settings

__all__ = ["ImportResult", "Issue", "ParsedValue", "import_file"]

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import did, for the command line, the upload page and the demo loader."""

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
    changes: list[Change] = field(default_factory=list)  # what storing changes (the check)
    replaces_id: int | None = None  # the current submission the file replaces

    @property
    def error_count(self) -> int:
        """Every error found (``errors`` keeps the first 200)."""
        return _total(self.errors)

    @property
    def warning_count(self) -> int:
        """Every warning found (``warnings`` keeps the first 200)."""
        return _total(self.warnings)

    @property
    def ok(self) -> bool:
        """Accepted (stored, dry run or the same file again)."""
        return self.status != "rejected"

    def to_json(self) -> dict[str, Any]:
        """The result as the JSON of ``seguiment import --json``."""
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
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "changes": [c.to_json() for c in self.changes],
            "replaces_id": self.replaces_id,
        }


def _total(issues: list[Issue]) -> int:
    return issues.total if isinstance(issues, IssueList) else len(issues)


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
    sheets: list[Sheet] | None = None,
) -> ImportResult:
    """Validate ``content`` and, unless ``dry_run`` or rejected, store it in one transaction.

    The phases: read and check the file (:func:`_read_and_check`), check it against the stored
    data (:func:`_check_against_stored`), then store it (:func:`_store`). ``sheets``: cells
    already read (the browser form, :mod:`indicators.intake.form`, with ``content`` their
    file): only the file checks and the reader are skipped, every other phase is the same.
    """
    settings = settings or get_settings()
    if today is None:
        today = (uploaded_at or dt.datetime.now(dt.UTC)).date()
    read = _read_and_check(
        engine,
        plan,
        filename,
        content,
        settings,
        lang,
        service=service,
        period=period,
        today=today,
        allowed_services=allowed_services,
        sheets=sheets,
    )
    if isinstance(read, ImportResult):
        return read
    plan, checked = read
    if not checked.errors and checked.service and checked.period:
        _check_against_stored(engine, plan, checked, settings, lang)
    if checked.errors:
        return _rejected_checked(checked, lang)
    assert checked.service is not None and checked.period is not None
    changes = compute_changes(engine, checked.service, checked.period, checked.values)
    for warning in analysis_warnings(engine, plan, checked, settings, lang):  # issue 17
        checked.warnings.append(warning)
    for warning in evidence_warnings(engine, plan, checked, lang):  # issue 17: evidence
        checked.warnings.append(warning)
    if dry_run:
        result = _dry_run(checked, lang)
    else:
        upload = _Upload(filename, content, user, source, uploaded_at)
        result = _store(engine, plan, checked, upload, settings, lang)
    if result.ok:
        result.changes, result.replaces_id = changes.changes, changes.replaces
    return result


@dataclass(frozen=True, slots=True)
class _Upload:
    """The file as received, and who sent it from where."""

    filename: str
    content: bytes
    user: str
    source: str
    uploaded_at: dt.datetime | None


def _read_and_check(
    engine: Engine,
    plan: Plan,
    filename: str,
    content: bytes,
    settings: Settings,
    lang: str,
    *,
    service: str | None,
    period: str | None,
    today: dt.date,
    allowed_services: set[str] | None,
    sheets: list[Sheet] | None = None,
) -> tuple[Plan, Checked] | ImportResult:
    """Check the file is safe, read it, find the data and validate it against the plan as it
    stands now (an extension's quarters too: :func:`plan_for_quarter`), which it returns.

    A hostile or unreadable file is a rejected :class:`ImportResult`, never an exception; the
    database is read only for a file that was read.
    """
    issue = IssueMaker(lang)
    try:
        if sheets is None:  # (the browser form gives its cells as read)
            fmt = check_file(filename, content, settings)
            sheets = read_sheets(filename, content, fmt, settings)
    except UnsafeFile as exc:
        return _refused_file(issue.plain(exc.code, exc.msgid, exc.params), service, period, lang)
    except Exception:  # a broken file must never show a traceback
        log.exception("unreadable file %s", filename)
        return _refused_file(issue("unreadable"), service, period, lang)
    plan = plan_for_quarter(engine, plan)  # issue 18
    try:
        meta = read_meta(sheets)
        found = find_data(sheets)
        checked = check(
            plan,
            found,
            meta,
            filename=filename,
            service=service,
            period=period,
            today=today,
            allowed_services=allowed_services,
            lang=lang,
        )
        if any(sheet.nul_removed for sheet in sheets):
            checked.warnings.append(issue("nul_removed", value=None))
        return plan, checked
    except UnsafeFile as exc:
        error = issue.plain(exc.code, exc.msgid, exc.params)
    except Exception:  # a broken file must never show a traceback
        log.exception("unreadable file %s", filename)
        error = issue("unreadable")
    return _refused_file(error, service, period, lang)


def _refused_file(error: Issue, service: str | None, period: str | None, lang: str) -> ImportResult:
    """The answer to a file that cannot be taken: its one error, nothing stored."""
    return _rejected(None, None, [error], [], lang, explicit=(service, period))


def _periods_of(checked: Checked, period: str) -> set[str]:
    """The quarters the file's values are for, and the file's own."""
    return {v.period for v in checked.values} | {period}


def _check_against_stored(
    engine: Engine, plan: Plan, checked: Checked, settings: Settings, lang: str
) -> None:
    """Locked quarters and jumps from the previous quarter's stored values."""
    assert checked.service is not None and checked.period is not None
    periods = _periods_of(checked, checked.period)
    previous_periods = {str(Period.parse(p).prev()) for p in periods}
    locked = refused_periods(engine, periods)
    previous = stored_values(
        engine,
        checked.service,
        [v.indicator for v in checked.values],
        sorted(previous_periods),
    )
    check_stored(
        checked,
        plan,
        locked=locked,
        previous=previous,
        jump_ratio=settings.jump_warning_ratio,
        lang=lang,
    )


def _accepted(checked: Checked, *, dry_run: bool = False) -> ImportResult:
    assert checked.service is not None and checked.period is not None
    return ImportResult(
        status="ok",
        service=checked.service,
        period=checked.period,
        values=checked.values,
        warnings=checked.warnings,
        dry_run=dry_run,
    )


def _dry_run(checked: Checked, lang: str) -> ImportResult:
    """A valid file, not stored."""
    result = _accepted(checked, dry_run=True)
    result.message = gettext(
        "The file is valid: {count} values for {service}, {period} (nothing stored: dry run).",
        lang,
        count=len(checked.values),
        service=checked.service,
        period=text_label(checked.period, lang),
    )
    return result


def _store(
    engine: Engine, plan: Plan, checked: Checked, upload: _Upload, settings: Settings, lang: str
) -> ImportResult:
    """Store a valid file in one transaction and say what happened."""
    assert checked.service is not None and checked.period is not None
    stored = store(
        engine,
        service=checked.service,
        period=checked.period,
        filename=upload.filename,
        content=upload.content,
        user=upload.user,
        source=upload.source,
        values=checked.values,
        warnings=[w.to_json() for w in checked.warnings],
        uploaded_at=upload.uploaded_at,
    )
    if stored.status == LOCKED:
        # locked between validation and storing: re-run the stored-data checks for the message
        check_stored(
            checked,
            plan,
            locked=refused_periods(engine, _periods_of(checked, checked.period)),
            previous={},
            jump_ratio=settings.jump_warning_ratio,
            lang=lang,
        )
        return _rejected_checked(checked, lang)
    return _stored_result(checked, stored, lang)


def _stored_result(checked: Checked, stored: Stored, lang: str) -> ImportResult:
    result = _accepted(checked)
    result.submission_id = stored.submission_id
    names = {"service": checked.service, "period": text_label(checked.period, lang)}
    if stored.status == DUPLICATE:
        result.status = "duplicate"
        result.message = gettext(
            "This same file is already the current submission for {service}, {period} "
            "(number {id}): nothing has changed.",
            lang,
            id=stored.submission_id,
            **names,
        )
        return result
    result.superseded_id = stored.superseded_id
    count = len(checked.values)
    if stored.superseded_id is not None:
        result.message = gettext(
            "Imported {count} values for {service}, {period}. They replace submission number "
            "{old}, which stays in the history.",
            lang,
            count=count,
            old=stored.superseded_id,
            **names,
        )
    else:
        result.message = gettext(
            "Imported {count} values for {service}, {period}.",
            lang,
            count=count,
            **names,
        )
    return result


def _rejected_checked(checked: Checked, lang: str) -> ImportResult:
    return _rejected(
        checked.service,
        checked.period,
        checked.errors,
        checked.warnings,
        lang,
        values=checked.values,
    )


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
        status="rejected",
        service=service,
        period=period,
        values=values or [],
        errors=errors,
        warnings=warnings,
        message=gettext(
            "The file has been rejected: {count} errors. Nothing has been stored.",
            lang,
            count=_total(errors),
        )
        if _total(errors) != 1
        else gettext("The file has been rejected: 1 error. Nothing has been stored.", lang),
    )
