"""Check what was found in a file against the plan, collecting EVERY problem.

Set-based: the plan's codes, services and stages are looked up in dictionaries built once; the
stored data needed (locked periods, previous quarter's values) is fetched in one query each by
the caller and passed in. Each error names sheet, row and column, in the requested language.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from i18n import format_number
from indicators.intake.cells import StageMatcher, parse_number
from indicators.intake.issues import Issue, IssueMaker
from indicators.intake.parse import Found, Meta, normalise_code, period_in_text
from plan_model.models import Indicator, Plan
from plan_model.periods import Period


@dataclass(frozen=True)
class ParsedValue:
    """One accepted value; JSON: ``{"indicator","period","value","comment","sheet","row"}``."""

    indicator: str
    period: str
    value: float | str | None  # a number, or a milestone stage key
    comment: str | None
    sheet: str
    row: int
    column: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "indicator": self.indicator,
            "period": self.period,
            "value": self.value,
            "comment": self.comment,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
        }


@dataclass
class Checked:
    service: str | None
    period: str | None
    values: list[ParsedValue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
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
    """Everything that can be checked without the database."""
    issue = IssueMaker(lang)
    service_code = determine_service(plan, found, meta, service, filename)
    file_period = determine_period(found, meta, period, filename)
    result = Checked(
        service=service_code, period=str(file_period) if file_period else None
    )
    errors, warnings = result.errors, result.warnings

    if period and Period.try_parse(period) is None:
        errors.append(issue("bad_period", "«{value}» is not a quarter (write it as 2025-T3).",
                            value=period))
    if service_code is None:
        errors.append(issue(
            "no_service",
            "The file does not say which service it is for: use the template, or give the "
            "service (--service).",
        ))
    elif service_code not in plan.service_by_code:
        errors.append(issue(
            "unknown_service", "The service «{service}» is not in the plan.{hint}",
            value=service_code, service=service_code,
            hint=_hint(service_code, list(plan.service_by_code), lang),
        ))
        service_code = None
    elif allowed_services is not None and service_code not in allowed_services:
        errors.append(issue(
            "service_not_allowed", "You cannot submit data for the service «{service}».",
            value=service_code, service=service_code,
        ))
    if file_period is None:
        errors.append(issue(
            "no_period",
            "The file does not say which quarter it is for: add a period column, use the "
            "template, or give the quarter (--period 2025-T3).",
        ))
    if found is None:
        errors.append(issue(
            "no_header",
            "No sheet has a header row with an indicator code column (Codi) and a value column "
            "(Valor) or one column per quarter (2025-T1...).",
        ))
        return result
    sheet = found.sheet
    first, last = plan.first_period, plan.last_period
    current = Period.containing(today)
    matcher = StageMatcher(plan.stages)
    codes = list(plan.indicator_by_code)
    stage_names = ", ".join(s.name for s in plan.stages)
    seen: dict[tuple[str, str], int] = {}
    checked_periods: dict[Period, bool] = {}
    period_texts: dict[Period, str] = {}

    for record in found.records:
        ok = True
        indicator: Indicator | None = plan.indicator_by_code.get(record.code)
        if indicator is None:
            ok = False
            errors.append(issue(
                "unknown_indicator", "The indicator «{code}» does not exist.{hint}",
                sheet=sheet, row=record.row, column=record.code_column, value=record.code,
                code=record.code, hint=_hint(record.code, codes, lang),
            ))
        elif service_code and indicator.responsible_service != service_code:
            ok = False
            errors.append(issue(
                "wrong_service",
                "The indicator «{code}» belongs to the service {owner}, not to {service}.",
                sheet=sheet, row=record.row, column=record.code_column, value=record.code,
                code=record.code, owner=indicator.responsible_service, service=service_code,
            ))
        if record.service and service_code and record.service != service_code:
            ok = False
            errors.append(issue(
                "service_mismatch",
                "This row is for the service «{row_service}», but the file is for {service}.",
                sheet=sheet, row=record.row, column=record.service_column,
                value=record.service, row_service=record.service, service=service_code,
            ))
        # the period
        value_period = record.period
        if value_period is None:
            if record.period_column is not None and record.period_cell not in (None, ""):
                ok = False
                errors.append(issue(
                    "bad_period", "«{value}» is not a quarter (write it as 2025-T3).",
                    sheet=sheet, row=record.row, column=record.period_column,
                    value=record.period_cell,
                ))
            else:
                value_period = file_period
        if value_period is not None:
            valid = checked_periods.get(value_period)
            if valid is None or not valid:
                valid = True
                if value_period > current:
                    valid = False
                    errors.append(issue(
                        "future_period",
                        "The quarter {period} has not started yet (we are in {current}).",
                        sheet=sheet, row=record.row,
                        column=record.period_column or _wide_column(found, record),
                        value=str(value_period), period=str(value_period),
                        current=str(current),
                    ))
                elif not first <= value_period <= last:
                    valid = False
                    errors.append(issue(
                        "period_outside_plan",
                        "The quarter {period} is outside the plan ({first} to {last}).",
                        sheet=sheet, row=record.row,
                        column=record.period_column or _wide_column(found, record),
                        value=str(value_period), period=str(value_period),
                        first=str(first), last=str(last),
                    ))
                checked_periods[value_period] = valid
            ok = ok and valid
        # duplicates
        if value_period is None:
            period_text = ""
        else:
            period_text = period_texts.get(value_period) or period_texts.setdefault(
                value_period, str(value_period)
            )
        key = (record.code, period_text)
        if key in seen:
            ok = False
            errors.append(issue(
                "duplicate_row",
                "The indicator «{code}» appears twice for {period} (also in row {first_row}).",
                sheet=sheet, row=record.row, column=record.code_column, value=record.code,
                code=record.code, period=period_text, first_row=seen[key],
            ))
        else:
            seen[key] = record.row
        # the value
        parsed: float | str | None = None
        if indicator is not None:
            if indicator.is_milestone:
                parsed = matcher.match(record.value)
                if parsed is None:
                    ok = False
                    errors.append(issue(
                        "unknown_stage",
                        "«{value}» is not a stage of the scale ({stages}), nor its percentage.",
                        sheet=sheet, row=record.row, column=record.value_column,
                        value=record.value, stages=stage_names,
                    ))
            else:
                number = parse_number(record.value)
                if number is None:
                    ok = False
                    errors.append(issue(
                        "not_a_number", "«{value}» is not a number.",
                        sheet=sheet, row=record.row, column=record.value_column,
                        value=record.value,
                    ))
                else:
                    parsed = number
                    bounds = indicator.bounds
                    if bounds is not None and not bounds.contains(number):
                        ok = False
                        errors.append(issue(
                            "out_of_bounds",
                            "The value {value} of «{code}» is outside its limits ({limits}).",
                            sheet=sheet, row=record.row, column=record.value_column,
                            value=record.value, code=record.code,
                            limits=_limits(bounds.min, bounds.max, lang),
                        ))
                    elif (
                        indicator.unit == "%" and 0 < number < 1
                        and isinstance(record.value, float)
                    ):
                        # a cell formatted as a percentage holds 0.45 for "45 %"
                        warnings.append(issue(
                            "percent_as_fraction",
                            "«{code}» is a percentage and the cell holds {value}: if it means "
                            "{percent} %, write {percent}.",
                            sheet=sheet, row=record.row, column=record.value_column,
                            value=record.value, code=record.code,
                            percent=format_number(number * 100, lang, 2),
                        ))
        if ok and value_period is not None:
            result.values.append(ParsedValue(
                indicator=record.code, period=period_text, value=parsed,
                comment=record.comment, sheet=sheet, row=record.row,
                column=record.value_column,
            ))
    for row, code, column in found.empty_rows:
        warnings.append(issue(
            "empty_value", "The row of «{code}» has no value: skipped.",
            sheet=sheet, row=row, column=column, value=code, code=code,
        ))
    if not found.records and not errors:
        errors.append(issue(
            "no_values", "The sheet «{sheet}» has no values.", sheet=sheet, value=None,
            row=found.header_row,
        ))
    return result


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
        return gettext("from {low} to {high}", lang, low=format_number(low, lang, 2),
                       high=format_number(high, lang, 2))
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
    periods = {v.period for v in checked.values}
    if checked.period:
        periods.add(checked.period)
    for period in sorted(periods & locked):
        checked.errors.append(issue(
            "locked_period",
            "The quarter {period} is closed by the management: it does not accept new data "
            "until it is reopened.", value=period, period=period,
        ))
    in_file = {
        (v.indicator, v.period): v.value for v in checked.values if isinstance(v.value, float)
    }
    prev_of: dict[str, str] = {}
    for value in checked.values:
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
            checked.warnings.append(issue(
                "suspicious_jump",
                "«{code}» goes from {before} in {prev} to {now}: a change of {change}. "
                "Please check it.",
                sheet=value.sheet, row=value.row, column=value.column, value=value.value,
                code=value.indicator, before=format_number(before, lang, 2), prev=prev_period,
                now=format_number(value.value, lang, 2),
                change=_percent(change, lang),
            ))


def _percent(ratio: float, lang: str) -> str:
    from i18n import format_percent

    return format_percent(ratio, lang)
