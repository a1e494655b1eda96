"""Check what was found in a file against the plan, collecting EVERY problem.

Set-based: the plan's codes, services and stages are looked up in dictionaries built once; the
stored data needed (locked periods, previous quarter's values) is fetched in one query each by
the caller and passed in. Each error names sheet, row and column, in the requested language.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from i18n import format_number, gettext
from indicators.intake.cells import (
    StageMatcher,
    is_clear_marker,
    is_error_cell,
    is_percent_cell,
    parse_number,
    percent_of,
)
from indicators.intake.issues import Issue, IssueList, IssueMaker
from indicators.intake.members import (
    MemberMatcher,
    allowed_dimensions,
    member_label,
    others_reporting,
    reporter_fill,
    with_implied,
)
from indicators.intake.parse import Found, Meta, Record, normalise_code, period_in_text
from indicators.storage.records import ParsedValue
from plan_model.breakdowns import (
    MemberValue,
    leading_dimension,
    member_key,
    members_named,
    total_for,
)
from plan_model.dimensions import breakdown_cells, reporting_services
from plan_model.models import Indicator, Plan
from plan_model.periods import Period
from plan_model.reporting_window import ReportingWindow

__all__ = [
    "Checked",
    "ParsedValue",
    "check",
    "check_stored",
    "determine_period",
    "determine_service",
]


@dataclass
class Checked:
    """What validation found: the file's service and quarter, its values, its problems."""

    service: str | None
    period: str | None
    values: list[ParsedValue] = field(default_factory=list)
    errors: IssueList = field(default_factory=IssueList)  # the first 200, and the total
    warnings: IssueList = field(default_factory=IssueList)
    value_rows: dict[tuple[str, str], tuple[str, int, str | None]] = field(default_factory=dict)


def _service_from_filename(filename: str, plan: Plan) -> str | None:
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].upper()
    for code in sorted(plan.service_by_code, key=len, reverse=True):
        if re.search(rf"(?<![A-Z0-9]){re.escape(code)}(?![A-Z0-9])", stem):
            return code
    return None


def determine_service(
    plan: Plan, found: Found | None, meta: Meta, explicit: str | None, filename: str
) -> str | None:
    """The file's service: given, in the template's metadata, in a service column, in the
    file name, or the one owner of every indicator found (None when none says)."""
    if explicit:
        return normalise_code(explicit)
    if meta.service:
        return normalise_code(meta.service)
    if found is not None:
        in_column = {r.service for r in found.records if r.service}
        if len(in_column) == 1:
            return in_column.pop()
    from_name = _service_from_filename(filename, plan)
    if from_name:
        return from_name
    if found is not None:
        owners = {
            plan.indicator_by_code[r.code].responsible_service
            for r in found.records
            if r.code in plan.indicator_by_code
        }
        if len(owners) == 1:
            return owners.pop()
    return None


def determine_period(
    found: Found | None, meta: Meta, explicit: str | None, filename: str
) -> Period | None:
    """The file's quarter: given, in the metadata, the latest of a period column, in a title
    row, or in the file name (None when none says)."""
    for text in (explicit, meta.period):
        if text:
            period = Period.try_parse(text)
            if period is not None:
                return period
    if found is not None:
        periods = [r.period for r in found.records if r.period is not None]
        if periods:
            return max(periods)
        if found.title_period is not None:
            return found.title_period
    return period_in_text(filename.rsplit("/", 1)[-1])


def check(
    plan: Plan,
    found: Found | None,
    meta: Meta,
    *,
    filename: str,
    service: str | None,
    period: str | None,
    today: dt.date,
    allowed_services: set[str] | None,
    lang: str,
) -> Checked:
    """Everything that can be checked without the database: the file rules, then each row's."""
    issue = IssueMaker(lang)
    service_code = determine_service(plan, found, meta, service, filename)
    file_period = determine_period(found, meta, period, filename)
    result = Checked(service=service_code, period=str(file_period) if file_period else None)
    facts = _FileFacts(plan, service_code, period, file_period, allowed_services, issue)
    for file_rule in FILE_RULES:
        result.errors.extend(file_rule(facts))
    if found is None:
        result.errors.append(issue("no_header"))
        return result
    sheet = _SheetRun(
        plan=plan,
        found=found,
        service=service_code if service_code in plan.service_by_code else None,
        file_period=file_period,
        window=ReportingWindow.of(plan, today),
        matcher=StageMatcher(plan.stages),
        issue=issue,
        errors=result.errors,
        warnings=result.warnings,
    )
    for record in found.records:
        _check_record(sheet, record, result)
    _check_sheet(sheet, result)
    mismatch = _quarter_mismatch(found, meta, period, file_period, issue)
    if mismatch is not None:
        result.errors.append(mismatch)
    return result


def _quarter_mismatch(
    found: Found, meta: Meta, chosen: str | None, file_period: Period | None, issue: IssueMaker
) -> Issue | None:
    """The quarter chosen and the file's own quarter must agree: a file whose rows are all
    for 2025-T3 is not stored as 2025-T4. Rows of earlier quarters beside rows of the chosen
    one are corrections (allowed)."""
    if not chosen or file_period is None:
        return None
    periods = {r.period for r in found.records if r.period is not None}
    own = max(periods) if periods else Period.try_parse(meta.period or "")
    if own is None or own == file_period or file_period in periods:
        return None
    return issue("period_mismatch", value=str(own), file_period=str(own), chosen=str(file_period))


# --- rules about the file as a whole ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FileFacts:
    """What the file rules look at."""

    plan: Plan
    service: str | None  # as determined from the file, its name or the caller
    period_argument: str | None  # the quarter the caller gave, as written
    file_period: Period | None
    allowed_services: set[str] | None
    issue: IssueMaker


FileRule = Callable[[_FileFacts], Iterator[Issue]]


def _period_argument_is_a_quarter(facts: _FileFacts) -> Iterator[Issue]:
    """The quarter given by the caller must be one."""
    if facts.period_argument and Period.try_parse(facts.period_argument) is None:
        yield facts.issue("bad_period", value=facts.period_argument)


def _service_is_known_and_allowed(facts: _FileFacts) -> Iterator[Issue]:
    """The file names a service of the plan that the user may submit for."""
    code, services = facts.service, facts.plan.service_by_code
    if code is None:
        yield facts.issue("no_service")
    elif code not in services:
        yield facts.issue(
            "unknown_service",
            value=code,
            service=code,
            hint=_hint(code, list(services), facts.issue.lang),
        )
    elif facts.allowed_services is not None and code not in facts.allowed_services:
        yield facts.issue("service_not_allowed", value=code, service=code)


def _file_names_a_quarter(facts: _FileFacts) -> Iterator[Issue]:
    """The file says, somewhere, which quarter it is for."""
    if facts.file_period is None:
        yield facts.issue("no_period")


FILE_RULES: tuple[FileRule, ...] = (
    _period_argument_is_a_quarter,
    _service_is_known_and_allowed,
    _file_names_a_quarter,
)


# --- rules about each row of the data sheet --------------------------------------------------


@dataclass(slots=True)
class _SheetRun:
    """What the row rules share while going through the data sheet."""

    plan: Plan
    found: Found
    service: str | None  # the file's service when it is one of the plan
    file_period: Period | None
    window: ReportingWindow
    matcher: StageMatcher
    issue: IssueMaker
    errors: list[Issue]  # the result's: the rules add to them
    warnings: list[Issue]
    seen: dict[tuple[str, str, str], int] = field(default_factory=dict)  # code, period, members
    open_periods: set[Period] = field(default_factory=set)  # already found reportable
    period_texts: dict[Period, str] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(init=False)
    codes: list[str] = field(init=False)  # for the "did you mean" hints
    stage_names: str = field(init=False)
    members: MemberMatcher = field(init=False)
    reporters: dict[str, list[str]] = field(default_factory=dict)  # code → reporting services

    def __post_init__(self) -> None:
        self.indicators = self.plan.indicator_by_code
        self.codes = list(self.indicators)
        self.stage_names = ", ".join(s.name for s in self.plan.stages)
        self.members = MemberMatcher(self.plan)

    def reporting(self, indicator: Indicator) -> list[str]:
        """The services that report some member of ``indicator`` (its responsible without
        breakdowns)."""
        found = self.reporters.get(indicator.code)
        if found is None:
            found = self.reporters[indicator.code] = reporting_services(self.plan, indicator)
        return found

    def reject(self, row: _Row, issue: Issue) -> None:
        """An error in ``row``: its value is not kept."""
        row.ok = False
        self.errors.append(issue)

    def warn(self, issue: Issue) -> None:
        self.warnings.append(issue)

    def at(self, issue_code: str, record: Record, column: str | None, **params: object) -> Issue:
        """The issue ``issue_code`` at ``record``'s row and ``column`` of the data sheet."""
        return self.issue(
            issue_code, sheet=self.found.sheet, row=record.row, column=column, **params
        )

    def period_text(self, period: Period) -> str:
        text = self.period_texts.get(period)
        if text is None:
            text = self.period_texts[period] = str(period)
        return text


@dataclass(slots=True)
class _Row:
    """One record being checked, and what the rules found out about it."""

    record: Record
    indicator: Indicator | None
    period: Period | None = None
    period_text: str = ""
    parsed: float | str | None = None
    ok: bool = True  # no rule has found an error in it
    cleared: bool = False  # the cell asks to clear the value in force
    member_key: str = ""  # the breakdown members it is for (plan_model.breakdowns)
    members_known: bool = True  # False: its members were refused (no duplicate check then)
    cell: dict[str, str] = field(default_factory=dict)
    numerator: float | None = None  # a ratio's counts, when given
    denominator: float | None = None


RowRule = Callable[[_SheetRun, _Row], None]


def _indicator_is_the_services(run: _SheetRun, row: _Row) -> None:
    """The code is an indicator of the plan, owned by the file's service."""
    record, indicator = row.record, row.indicator
    if indicator is None:
        run.reject(
            row,
            run.at(
                "unknown_indicator",
                record,
                record.code_column,
                value=record.code,
                code=record.code,
                hint=_hint(record.code, run.codes, run.issue.lang),
            ),
        )
    elif run.service and not _reports(run, indicator, run.service):
        run.reject(
            row,
            run.at(
                "wrong_service",
                record,
                record.code_column,
                value=record.code,
                code=record.code,
                owner=indicator.responsible_service,
                service=run.service,
            ),
        )


def _reports(run: _SheetRun, indicator: Indicator, service: str) -> bool:
    """Whether ``service`` reports something of ``indicator``: its responsible service
    without breakdowns, else one of its reporters (plan_model.dimensions)."""
    if not indicator.breakdowns:
        return indicator.responsible_service == service
    return service in run.reporting(indicator)


def _row_service_is_the_files(run: _SheetRun, row: _Row) -> None:
    """A service column, when there is one, agrees with the file's service."""
    record = row.record
    if record.service and run.service and record.service != run.service:
        run.reject(
            row,
            run.at(
                "service_mismatch",
                record,
                record.service_column,
                value=record.service,
                row_service=record.service,
                service=run.service,
            ),
        )


def _row_period_is_a_quarter(run: _SheetRun, row: _Row) -> None:
    """The row's quarter: its period cell, or the file's when the cell is empty."""
    record = row.record
    row.period = record.period
    if record.period is not None:
        return
    if record.period_column is not None and record.period_cell not in (None, ""):
        run.reject(
            row,
            run.at(
                "bad_period",
                record,
                record.period_column,
                value=record.period_cell,
            ),
        )
    else:
        row.period = run.file_period


def _period_is_reportable(run: _SheetRun, row: _Row) -> None:
    """The quarter has started and is one of the plan (the upload-period rule)."""
    period, record = row.period, row.record
    if period is None or period in run.open_periods:
        return
    refusal = run.window.refusal(period)
    if refusal is None:
        run.open_periods.add(period)
        return
    window = run.window
    run.reject(
        row,
        run.at(
            refusal,
            record,
            record.period_column or _wide_column(run.found, record),
            value=str(period),
            period=str(period),
            current=str(window.current),
            first=str(window.first),
            last=str(window.last),
        ),
    )


def _not_a_duplicate(run: _SheetRun, row: _Row) -> None:
    """One value per indicator and quarter in the file."""
    record, period = row.record, row.period
    if period is not None:
        row.period_text = run.period_texts.get(period) or run.period_text(period)
    key = (record.code, row.period_text, row.member_key)
    if not row.members_known:
        return  # which members it is for is unknown: an error already
    if key not in run.seen:
        run.seen[key] = record.row
        return
    run.reject(
        row,
        run.at(
            "duplicate_member_row" if row.member_key else "duplicate_row",
            record,
            record.code_column,
            value=record.code,
            code=record.code,
            period=row.period_text,
            first_row=run.seen[key],
            members=member_label(run.plan, row.cell),
        ),
    )


def _value_is_not_an_error(run: _SheetRun, row: _Row) -> None:
    """A cell showing a spreadsheet error (``#DIV/0!``, ``#N/A``...) holds no figure: an
    error of the row, not an empty cell (a blank would keep the earlier value unsaid)."""
    record = row.record
    if is_error_cell(record.value):
        run.reject(row, run.at("error_cell", record, record.value_column, value=record.value))


def _clear_marker(run: _SheetRun, row: _Row) -> None:
    """``esborrar`` / ``borrar`` / ``clear`` in the value cell clears the value in force."""
    record = row.record
    if row.ok and is_clear_marker(record.value):
        row.cleared = True
        run.warn(
            run.at(
                "value_cleared",
                record,
                record.value_column,
                value=record.value,
                code=record.code,
                period=row.period_text,
            )
        )


def _stage_is_on_the_scale(run: _SheetRun, row: _Row) -> None:
    """A milestone's value is a stage of the scale (or its percentage)."""
    if row.indicator is None or not row.indicator.is_milestone or not row.ok or row.cleared:
        return
    record = row.record
    row.parsed = run.matcher.match(record.value)
    if row.parsed is None:
        run.reject(
            row,
            run.at(
                "unknown_stage",
                record,
                record.value_column,
                value=record.value,
                stages=run.stage_names,
            ),
        )


def _number_is_plausible(run: _SheetRun, row: _Row) -> None:
    """A numeric indicator's value is a number inside its bounds (a likely slip warned of)."""
    indicator, record = row.indicator, row.record
    if indicator is None or indicator.is_milestone or not row.ok or row.cleared:
        return
    if row.denominator is not None:
        return  # a ratio given by its counts (_ratio_counts)
    number = parse_number(record.value)
    if number is None:
        run.reject(row, run.at("not_a_number", record, record.value_column, value=record.value))
        return
    if is_percent_cell(record.value):
        number = _percent_cell(run, row, indicator, number)
        if number is None:
            return
    row.parsed = number
    bounds, lang = indicator.bounds, run.issue.lang
    if indicator.integer and not float(number).is_integer():
        shown = format_number(number, lang, decimals=6)
        run.reject(
            row,
            run.at(
                "not_a_whole_number",
                record,
                record.value_column,
                value=shown,
                code=record.code,
                unit=indicator.unit or "",
            ),
        )
    elif bounds is not None and not bounds.contains(number):
        run.reject(
            row,
            run.at(
                "out_of_bounds",
                record,
                record.value_column,
                value=record.value,
                code=record.code,
                limits=_limits(bounds.min, bounds.max, lang),
            ),
        )
    elif _is_percentage(indicator) and 0 < number < 1 and type(record.value) is float:
        # a fraction typed in a cell without the percentage format: 0.45 for "45 %"?
        run.warn(
            run.at(
                "percent_as_fraction",
                record,
                record.value_column,
                value=record.value,
                code=record.code,
                fraction=format_number(number, lang, 6),
                percent=format_number(number * 100, lang, 2),
            )
        )


def _is_percentage(indicator: Indicator) -> bool:
    """Whether the indicator is measured as a percentage (its unit is ``%``)."""
    return (indicator.unit or "").strip() == "%"


def _percent_cell(run: _SheetRun, row: _Row, indicator: Indicator, number: float) -> float | None:
    """A number in a %-formatted cell (0.815 shown as 81,5 %): the percentage it shows, said
    in a warning, for a percentage indicator; an error of the row for any other unit (the
    fraction is never stored)."""
    record, lang = row.record, run.issue.lang
    percent = percent_of(number)
    shown = {"fraction": format_number(number, lang, 6), "percent": format_number(percent, lang, 4)}
    if _is_percentage(indicator):
        run.warn(run.at("percent_cell", record, record.value_column, value=record.value, **shown))
        return percent
    run.reject(
        row,
        run.at(
            "percent_cell_unit",
            record,
            record.value_column,
            value=record.value,
            code=record.code,
            unit=indicator.unit or "",
            **shown,
        ),
    )
    return None


def _members_are_the_services(run: _SheetRun, row: _Row) -> None:
    """The row's members: known members of the indicator's breakdowns (a municipality with
    its ABSS), ones the file's service reports; a blank dimension is the total over it (or
    the one member the service reports of it). A total of an indicator with breakdowns in a
    file without dimension columns is kept, with a warning that the breakdown is missing."""
    indicator, record = row.indicator, row.record
    if indicator is None or not row.ok or (not record.members and not indicator.breakdowns):
        return  # the total of an indicator without breakdowns: as ever (the usual case)
    row.members_known = False
    cell = _known_members(run, row, indicator)
    if cell is None:
        return
    cell, clash = with_implied(run.plan, cell)
    if clash is not None:
        given = record.members.get(clash)
        run.reject(
            row,
            run.at(
                "member_mismatch",
                record,
                given[1] if given else None,
                value=given[0] if given else None,
                code=record.code,
                members=member_label(run.plan, cell),
            ),
        )
        return
    if run.service and indicator.breakdowns:
        cell = reporter_fill(run.plan, indicator, run.service, cell)
        others = others_reporting(run.plan, indicator, run.service, cell)
        if others:
            _not_the_services_members(run, row, cell, others)
            return
    row.cell = cell
    row.member_key = member_key(cell)
    row.members_known = True
    if indicator.breakdowns and not row.member_key and not run.found.dimension_columns:
        run.warn(
            run.at(
                "breakdown_missing",
                record,
                record.code_column,
                value=record.code,
                code=record.code,
                dimensions=_dimension_names(run.plan, indicator),
            )
        )


def _known_members(run: _SheetRun, row: _Row, indicator: Indicator) -> dict[str, str] | None:
    """Each member cell of the row as the plan's code; None (the row rejected) when one is
    unknown or of a dimension the indicator is not broken down by."""
    record = row.record
    allowed = allowed_dimensions(run.plan, indicator) if record.members else set()
    cell: dict[str, str] = {}
    for dimension, (raw, letter) in record.members.items():
        if dimension not in allowed:
            run.reject(
                row,
                run.at(
                    "not_broken_down",
                    record,
                    letter,
                    value=raw,
                    code=record.code,
                    dimension=_dimension_name(run.plan, dimension),
                ),
            )
            return None
        code = run.members.match(dimension, raw)
        if code is None:
            suggestion = run.members.suggestion(dimension, raw)
            hint = (
                " " + gettext("Did you mean «{suggestion}»?", run.issue.lang, suggestion=suggestion)
                if suggestion
                else ""
            )
            run.reject(
                row,
                run.at(
                    "unknown_member",
                    record,
                    letter,
                    value=raw,
                    dimension=_dimension_name(run.plan, dimension),
                    members=run.members.examples(dimension),
                    hint=hint,
                ),
            )
            return None
        cell[dimension] = code
    return cell


def _not_the_services_members(
    run: _SheetRun, row: _Row, cell: Mapping[str, str], others: list[str]
) -> None:
    """The row covers members another service reports: an error of the row."""
    record = row.record
    column = next(iter(record.members.values()))[1] if record.members else record.code_column
    run.reject(
        row,
        run.at(
            "member_not_reported",
            record,
            column,
            value=record.code,
            code=record.code,
            service=run.service or "",
            members=member_label(run.plan, cell) or gettext("the total", run.issue.lang),
            owners=", ".join(others),
        ),
    )


def _dimension_name(plan: Plan, dimension: str) -> str:
    found = plan.dimension_by_code.get(dimension)
    return found.name if found is not None else dimension


def _dimension_names(plan: Plan, indicator: Indicator) -> str:
    return ", ".join(_dimension_name(plan, d) for d in indicator.breakdowns)


def _ratio_counts(run: _SheetRun, row: _Row) -> None:
    """A ratio's member (or a total given by its counts) carries its numerator and
    denominator: the value is their ratio, in the indicator's scale (x 100 for a %)."""
    indicator, record = row.indicator, row.record
    if indicator is None or indicator.ratio is None or not row.ok or row.cleared:
        return
    given = record.numerator is not None or record.denominator is not None
    if not row.member_key and not given:
        return  # a total as reported, as ever
    numerator, denominator = parse_number(record.numerator), parse_number(record.denominator)
    if numerator is None or denominator is None or numerator < 0 or denominator <= 0:
        bad = record.denominator if numerator is not None else record.numerator
        column = record.denominator_column if numerator is not None else record.numerator_column
        run.reject(
            row,
            run.at(
                "ratio_counts",
                record,
                column or record.value_column,
                value=bad,
                code=record.code,
                numerator=indicator.ratio.numerator,
                denominator=indicator.ratio.denominator,
            ),
        )
        return
    scale = 100.0 if _is_percentage(indicator) else 1.0
    row.parsed = numerator / denominator * scale
    row.numerator, row.denominator = numerator, denominator
    written = parse_number(record.value)
    if written is not None and abs(written - row.parsed) > RATIO_ROUNDING:
        run.warn(
            run.at(
                "ratio_value",
                record,
                record.value_column,
                value=record.value,
                code=record.code,
                computed=format_number(row.parsed, run.issue.lang, 2),
            )
        )


RATIO_ROUNDING = 0.05  # a ratio written with one decimal, against its counts' own
COUNT_ROUNDING = 0.5  # a count's total against the sum of its members


def _totals_agree(run: _SheetRun, result: Checked) -> None:
    """A total the file reports with every member of its leading breakdown in the file
    agrees with the total of those members (within rounding): a warning otherwise."""
    if not any(value.member_key for value in result.values):
        return  # no members: nothing to compare
    groups: dict[tuple[str, str], list[ParsedValue]] = {}
    for value in result.values:
        if isinstance(value.value, float):
            groups.setdefault((value.indicator, value.period), []).append(value)
    for (code, _period), values in groups.items():
        indicator = run.indicators.get(code)
        total = next((v for v in values if not v.member_key), None)
        members = [_member_value(v) for v in values if v.member_key]
        if indicator is None or total is None or not members:
            continue
        if not _complete(run.plan, indicator, members):
            continue
        derived = total_for(indicator, members).value
        assert isinstance(total.value, float)
        tolerance = RATIO_ROUNDING if indicator.ratio is not None else COUNT_ROUNDING
        if derived is not None and abs(derived - total.value) > tolerance:
            lang = run.issue.lang
            result.warnings.append(
                run.issue(
                    "total_mismatch",
                    sheet=total.sheet,
                    row=total.row,
                    column=total.column,
                    value=total.value,
                    code=code,
                    period=total.period,
                    total=format_number(total.value, lang, 2),
                    derived=format_number(derived, lang, 2),
                )
            )


def _member_value(value: ParsedValue) -> MemberValue:
    assert isinstance(value.value, float)
    return MemberValue(value.member_key, value.value, value.numerator, value.denominator)


def _complete(plan: Plan, indicator: Indicator, members: list[MemberValue]) -> bool:
    """Whether the members name every member of their leading dimension the breakdown has."""
    dimension = leading_dimension(members)
    if dimension is None:
        return False
    cells = (with_implied(plan, c)[0] for c in breakdown_cells(plan, indicator))
    expected = {c.get(dimension) for c in cells} - {None}
    return bool(expected) and expected <= set(members_named(members, dimension))


ROW_RULES: tuple[RowRule, ...] = (
    _indicator_is_the_services,
    _row_service_is_the_files,
    _members_are_the_services,
    _row_period_is_a_quarter,
    _period_is_reportable,
    _not_a_duplicate,
    _value_is_not_an_error,
    _clear_marker,
    _stage_is_on_the_scale,
    _ratio_counts,
    _number_is_plausible,
)


def _check_record(run: _SheetRun, record: Record, result: Checked) -> None:
    """Run every row rule on ``record``; keep its value when none found an error."""
    row = _Row(record, run.indicators.get(record.code))
    for rule in ROW_RULES:
        rule(run, row)
    if row.ok and row.period is not None:
        result.values.append(
            ParsedValue(
                indicator=record.code,
                period=row.period_text,
                value=None if row.cleared else row.parsed,
                comment=record.comment,
                sheet=run.found.sheet,
                row=record.row,
                column=record.value_column,
                cleared=row.cleared,
                member_key=row.member_key,
                numerator=row.numerator,
                denominator=row.denominator,
            )
        )


def _check_sheet(run: _SheetRun, result: Checked) -> None:
    """Rows without a value are skipped with a warning; a sheet without values is an error."""
    found = run.found
    for row, code, column in found.empty_rows:
        result.warnings.append(
            run.issue(
                "empty_value",
                sheet=found.sheet,
                row=row,
                column=column,
                value=code,
                code=code,
            )
        )
    _totals_agree(run, result)
    if not found.records and not result.errors:
        result.errors.append(
            run.issue(
                "no_values",
                sheet=found.sheet,
                value=None,
                row=found.header_row,
            )
        )


def _wide_column(found: Found, record: object) -> str | None:
    if found.layout == "wide":
        return getattr(record, "value_column", None)
    return None


def _hint(code: str, options: list[str], lang: str) -> str:
    from i18n import gettext

    close = difflib.get_close_matches(code, options, n=1, cutoff=0.6)
    if not close:
        return ""
    return " " + gettext("Did you mean «{suggestion}»?", lang, suggestion=close[0])


def _limits(low: float | None, high: float | None, lang: str) -> str:
    from i18n import gettext

    if low is not None and high is not None:
        return gettext(
            "from {low} to {high}",
            lang,
            low=format_number(low, lang, 2),
            high=format_number(high, lang, 2),
        )
    if low is not None:
        return gettext("at least {low}", lang, low=format_number(low, lang, 2))
    return gettext("at most {high}", lang, high=format_number(high, lang, 2))


def check_stored(
    checked: Checked,
    plan: Plan,
    *,
    locked: set[str],
    previous: Mapping[tuple[str, str], float],
    jump_ratio: float,
    lang: str,
) -> None:
    """Checks against stored data: locked quarters (errors) and suspicious jumps (warnings).

    ``previous`` maps (indicator, period) to the stored value; values of the previous quarter
    in the same file take precedence.
    """
    issue = IssueMaker(lang)
    checked.errors.extend(_locked_quarters(checked, locked, issue))
    checked.warnings.extend(_suspicious_jumps(checked, previous, jump_ratio, issue))


def _locked_quarters(checked: Checked, locked: set[str], issue: IssueMaker) -> Iterator[Issue]:
    """No value for a quarter the management has closed."""
    periods = {v.period for v in checked.values}
    if checked.period:
        periods.add(checked.period)
    for period in sorted(periods & locked):
        yield issue("locked_period", value=period, period=period)


def _suspicious_jumps(
    checked: Checked,
    previous: Mapping[tuple[str, str], float],
    jump_ratio: float,
    issue: IssueMaker,
) -> Iterator[Issue]:
    """A value far from the previous quarter's (in the file, else stored) is worth a look."""
    lang = issue.lang
    totals = [v for v in checked.values if not v.member_key]  # members: their own sizes
    in_file = {(v.indicator, v.period): v.value for v in totals if isinstance(v.value, float)}
    prev_of: dict[str, str] = {}
    for value in totals:
        if not isinstance(value.value, float):
            continue
        prev_period = prev_of.get(value.period)
        if prev_period is None:
            prev_period = prev_of[value.period] = str(Period.parse(value.period).prev())
        before = in_file.get((value.indicator, prev_period))
        if before is None:
            before = previous.get((value.indicator, prev_period))
        if before is None or before == 0:
            continue
        change = abs(value.value - before) / abs(before)
        if change > jump_ratio:
            yield issue(
                "suspicious_jump",
                sheet=value.sheet,
                row=value.row,
                column=value.column,
                value=value.value,
                code=value.indicator,
                before=format_number(before, lang, 2),
                prev=prev_period,
                now=format_number(value.value, lang, 2),
                change=_percent(change, lang),
            )


def _percent(ratio: float, lang: str) -> str:
    from i18n import format_percent

    return format_percent(ratio, lang)
