"""Demo data: every service's quarterly workbooks 2022-T1…2025-T4, loaded through the real import.

Deterministic: the same seed gives the same values and the same file bytes (zip timestamps and
document dates are fixed). The story it tells, derived from the catalog:

- numeric indicators move from their baseline to the yearly targets; most are on track, some
  lag (more and more as time passes), a few are far behind and some exceed their targets.
  Flows (``sum``) report the quarter's flow, about a quarter of the yearly figure with a mild
  seasonality; stocks and ratios (``last``) the level at the quarter's end; ``mean`` ones a
  level whose yearly mean is the year's figure. Values stay inside the indicator's bounds;
- milestones go through the stage scale from their start to their planned completion; most
  on time, a couple late, one postponed (Ajornat) for a while;
- technicians write short comments in Catalan, mostly where something is unusual;
- most services fill the template; a few send their own layouts: merged title rows with the
  header on row 4, Spanish headers and Catalan numbers as text (``1.234,5``, ``45 %``); one
  column per quarter (wide); a long format carrying the year's history; a ``;`` CSV in
  Windows-1252;
- a few re-uploads (a corrected file superseding an earlier one), a few late submissions and
  a few missing ones (one service never sends 2024-T3; 2025-T4 is only partly received).

``generate`` builds it all in memory, ``write_files`` stores the files (and a manifest) in a
folder, ``load`` imports them in upload order with ``import_file(source="demo")``, each with a
realistic upload date and the service's demo user (``demo_user``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from i18n import format_number
from indicators.demo.splits import (
    MemberFigure,
    cell_weights,
    comarca_figure,
    largest_remainder,
    ratio_factors,
    split_count,
    split_ratio,
)
from indicators.intake.template import FIRST_DATA_ROW, build_template, data_columns
from plan_model.breakdowns import (
    indicators_reported_by,
    member_key,
    reporting_service_codes,
    rows_reported_by,
)
from plan_model.models import Aggregation, Direction, Indicator, Plan
from plan_model.periods import Period, period_range
from settings import Settings, get_settings

DEFAULT_SEED = 2022
MANIFEST = "manifest.json"
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)

# layouts: the template, or what some services really send
TEMPLATE = "template"
TITLED = "titled"  # merged title rows, header on row 4, Spanish headers, numbers as text
WIDE = "wide"  # one column per quarter of the year so far
LONG = "long"  # a period column, the year's history
CSV = "csv"  # ';' separated, Windows-1252, decimal comma
# preferred services for the hand-made layouts (others are picked by the seed)
# (the wide layout cannot carry a ratio's counts: its service reports no ratio by member)
_PREFERRED_LAYOUTS = {"SBAS-VIC": TITLED, "ACTIVAT": WIDE, "SBAS-PLANA": LONG, "OPE": CSV}

_SEASON = (0.97, 1.03, 0.96, 1.04)  # quarter flows around a quarter of the year (sum 4)

_COMMENTS = {
    "lagging": [
        "Baixa d'una professional durant el trimestre.",
        "Manca de personal a l'estiu: s'ha prioritzat l'atenció urgent.",
        "Retard en la contractació prevista al pressupost.",
        "Canvi de coordinació de l'equip: dades revisades a la baixa.",
    ],
    "far_behind": [
        "El servei no disposa dels recursos previstos; caldrà revisar la meta.",
        "Canvi d'aplicatiu: les dades del trimestre són parcials.",
        "Pendent de l'addenda del Contracte Programa.",
    ],
    "exceeding": [
        "Augment de la demanda respecte del mateix trimestre de l'any anterior.",
        "S'hi han incorporat nous municipis.",
        "Inclou les persones derivades des del programa de soledat.",
    ],
    "on_track": [
        "Dada provisional, pendent de validar amb l'aplicatiu.",
        "Sense incidències remarcables.",
        "Dades extretes del registre de l'ABSS a final de trimestre.",
    ],
    "milestone": [
        "Aprovat pel Consell de Direcció.",
        "Pendent de la licitació del contracte.",
        "S'ha constituït el grup de treball.",
        "Document en revisió per les ABSS.",
    ],
    "postponed": [
        "Ajornat per manca de finançament.",
        "Ajornat fins a la resolució de la convocatòria.",
    ],
    "finished": ["Finalitzat i comunicat als equips."],
    "correction": ["Corregida la xifra enviada al primer lliurament."],
}


def demo_user(service: str) -> str:
    """The demo technician of a service (the accounts set-up creates these users)."""
    return f"tecnic.{service.lower()}"


@dataclass(frozen=True)
class DemoFile:
    service: str
    period: str  # the quarter the file is sent for
    filename: str
    content: bytes
    uploaded_at: dt.datetime
    user: str
    layout: str
    note: str = ""  # "late", "superseded", "correction"...

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def relpath(self) -> str:
        return f"{self.service}/{self.filename}"


@dataclass
class DemoData:
    seed: int
    files: list[DemoFile]  # in upload order
    # (indicator, period) → the true value / stage key; for an indicator with breakdowns, the
    # total its members make (sum, or ratio of the sums)
    values: dict[tuple[str, str], float | str]
    profiles: dict[str, str]  # indicator → on_track | lagging | far_behind | exceeding | late...
    layouts: dict[str, str]  # service → layout
    missing: list[tuple[str, str]]  # (service, period) never sent
    late: list[tuple[str, str]] = field(default_factory=list)
    reuploads: list[tuple[str, str]] = field(default_factory=list)
    # (indicator, period) → member key → the member's figure (indicators with breakdowns)
    members: dict[tuple[str, str], dict[str, MemberFigure]] = field(default_factory=dict)


@dataclass
class LoadReport:
    imported: int = 0
    duplicates: int = 0
    values: int = 0
    warnings: int = 0
    failures: list[tuple[str, list[str]]] = field(default_factory=list)  # file, error messages
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


# --------------------------------------------------------------------------------- values


def _decimals(indicator: Indicator) -> int:
    if indicator.integer:
        return 0
    unit = (indicator.unit or "").lower()
    if "%" in unit or "/" in unit or unit.startswith("dies"):
        return 1
    return 0


def _clip(indicator: Indicator, value: float) -> float:
    b = indicator.bounds
    low = b.min if b and b.min is not None else (0.0 if value >= 0 else value)
    high = b.max if b and b.max is not None else value
    return min(max(value, low), high)


def _numeric_series(
    indicator: Indicator, periods: list[Period], profile: str, rng: random.Random
) -> dict[Period, float]:
    targets = indicator.targets or {}
    if indicator.baseline is None and targets:  # a measure the plan creates: from its first target
        periods = [p for p in periods if p.year >= min(targets)]
    years = sorted({p.year for p in periods})
    base = indicator.baseline.value if indicator.baseline else targets.get(years[0], 0.0)
    first_index, span = periods[0].index, max(1, len(periods) - 1)
    factor = {
        "on_track": rng.uniform(0.97, 1.08),
        "lagging": rng.uniform(0.55, 0.75),
        "far_behind": rng.uniform(0.1, 0.35),
        "exceeding": rng.uniform(1.25, 1.5),
    }[profile]
    tolerance = indicator.tolerance
    aggregation = indicator.aggregation or Aggregation.LAST
    result: dict[Period, float] = {}
    decimals = _decimals(indicator)
    sign = -1 if rng.random() < 0.5 else 1  # which way a "maintain" indicator drifts
    for year in years:
        target = targets.get(year, base)
        prev = targets.get(year - 1, base)
        scale = max(abs(target - base), 0.03 * abs(target), 0.5)
        quarters = [p for p in periods if p.year == year]
        for p in quarters:
            elapsed = (p.index - first_index) / span
            # lagging indicators start fine and fall behind as the plan goes on
            f = 1 + (factor - 1) * elapsed if profile == "lagging" else factor
            if indicator.direction is Direction.MAINTAIN:
                tol = tolerance if tolerance is not None else 0.05 * abs(target)
                offset = {
                    "on_track": 0.0,
                    "exceeding": 0.3,
                    "lagging": 1.8 * elapsed,
                    "far_behind": 2.5,
                }[profile] * tol
                level = target + sign * offset + rng.gauss(0, 0.3 * tol)
                if aggregation is Aggregation.SUM:
                    level = level / 4 * _SEASON[p.quarter - 1]
                result[p] = level
                continue
            if aggregation is Aggregation.SUM:
                yearly = base + f * (target - base)
                result[p] = yearly / 4 * _SEASON[p.quarter - 1] + rng.gauss(0, 0.02 * scale)
            else:
                share = p.quarter / 4 if aggregation is Aggregation.LAST else (p.quarter + 1.5) / 4
                planned = prev + (target - prev) * share
                result[p] = base + f * (planned - base) + rng.gauss(0, 0.04 * scale)
    # integers where the unit counts things; flows keep the year's total when rounding
    for p, value in result.items():
        result[p] = round(_clip(indicator, value), decimals) if decimals else value
    if not decimals:
        for year in years:
            quarters = [p for p in periods if p.year == year]
            raw = [_clip(indicator, result[p]) for p in quarters]
            rounded = largest_remainder(raw, round(sum(raw)))
            for p, value in zip(quarters, rounded, strict=True):
                result[p] = float(value)
    return result


def _milestone_series(
    plan: Plan, indicator: Indicator, periods: list[Period], profile: str, rng: random.Random
) -> dict[Period, str]:
    progress = sorted((s for s in plan.stages if s.pct is not None), key=lambda s: s.pct or 0)
    if not progress:
        return {}
    postponed = plan.stage_by_key.get("ajornat")
    completion = indicator.planned_completion_period or periods[-1]
    start = Period.parse(indicator.start) if indicator.start else completion.prev(6)
    start = max(start, periods[0])
    if profile == "early":
        completion = max(start.next(), completion.prev())
    elif profile == "late":
        completion = completion.next(rng.randint(2, 4))
    pause_from = pause_to = None
    if profile == "postponed":
        middle = start.index + max(1, (completion.index - start.index) // 2)
        pause_from = Period.from_index(middle)
        length = rng.randint(2, 4)
        pause_to = pause_from.next(length - 1)
        completion = completion.next(length + 1)
    result: dict[Period, str] = {}
    duration = max(1, completion.index - start.index)
    for p in periods:
        if p < start:
            result[p] = progress[0].key
            continue
        if pause_from is not None and pause_to is not None and postponed is not None:
            if pause_from <= p <= pause_to:
                result[p] = postponed.key
                continue
            done = (
                p.index
                - start.index
                - (pause_to.index - pause_from.index + 1 if p > pause_to else 0)
            ) / duration
        else:
            done = (p.index - start.index) / duration
        pct = 100.0 if p >= completion else 10 + 90 * min(done, 0.95)
        if pct < 100 and p < completion:
            pct = min(pct, 99.0)
        stage = progress[0]
        for candidate in progress:
            if (candidate.pct or 0) <= pct:
                stage = candidate
        result[p] = stage.key
    return result


# --------------------------------------------------------------------------------- files


def _normalise_zip(content: bytes, when: dt.datetime) -> bytes:
    """Fixed zip timestamps and document dates: the same data gives the same bytes."""
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text
                )
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, data)
    return out.getvalue()


def _save(wb: Workbook, when: dt.datetime, creator: str) -> bytes:
    wb.properties.creator = creator
    buffer = io.BytesIO()
    wb.save(buffer)
    return _normalise_zip(buffer.getvalue(), when)


def _ca_text(indicator: Indicator, value: float, decimals: int | None = None) -> str:
    """A number as a technician types it in Catalan: ``1.234,5``, ``45 %``."""
    text = format_number(value, "ca", _decimals(indicator) if decimals is None else decimals)
    return f"{text} %" if (indicator.unit or "").strip() == "%" else text


def _cell_value(plan: Plan, indicator: Indicator, value: float | str, lang: str = "ca") -> Any:
    if isinstance(value, str):
        stage = plan.stage_by_key[value]
        return {"es": stage.name_es, "en": stage.name_en}.get(lang, stage.name)
    return value


RATIO_DECIMALS = 2  # a ratio member's value as written beside its counts


@dataclass(frozen=True)
class _FileRow:
    """One row of a demo file: an indicator (and a cell of its breakdown) in one quarter."""

    indicator: Indicator
    cell: dict[str, str]  # {} for the indicator's total
    period: Period
    value: float | str
    numerator: float | None = None
    denominator: float | None = None
    comment: str | None = None

    @property
    def key(self) -> str:
        return member_key(self.cell)


def _file_rows(
    plan: Plan,
    service: str,
    period: Period,
    values: dict[tuple[str, str], float | str],
    members: dict[tuple[str, str], dict[str, MemberFigure]],
    comments: dict[str, str] | None = None,
) -> list[_FileRow]:
    """The rows ``service`` sends for ``period`` (rows_reported_by: a total per indicator
    without breakdowns, a row per cell it reports), with the comment on an indicator's first."""
    rows: list[_FileRow] = []
    commented: set[str] = set()
    for reported in rows_reported_by(plan, service):
        code = reported.indicator.code
        comment = None
        if comments and code in comments and code not in commented:
            comment = comments[code]
            commented.add(code)
        if not reported.cell:
            value = values.get((code, str(period)))
            if value is not None:
                rows.append(_FileRow(reported.indicator, {}, period, value, comment=comment))
            continue
        figure = members.get((code, str(period)), {}).get(reported.key)
        if figure is not None:
            rows.append(
                _FileRow(
                    reported.indicator,
                    dict(reported.cell),
                    period,
                    figure.value,
                    figure.numerator,
                    figure.denominator,
                    comment,
                )
            )
    return rows


# how a hand-made file names the sex members (Spanish in the titled layout)
_SEX_WORDS = {
    "es": {"D": "Mujer", "H": "Hombre", "X": "Otros", "NC": "No consta"},
    "codes": {"D": "D", "H": "H", "X": "X", "NC": "NC"},
}
_DIMENSION_HEADERS = {"es": {"abss": "ABSS", "sex": "Sexo"}, "ca": {"abss": "ABSS", "sex": "Sexe"}}


def _dimension_columns(rows: list[_FileRow]) -> list[str]:
    """The dimensions a hand-made file writes: those whose rows name more than one member
    (a service reporting one ABSS leaves its ABSS out: it is implied)."""
    named: dict[str, set[str]] = {}
    for row in rows:
        for dimension, member in row.cell.items():
            named.setdefault(dimension, set()).add(member)
    return [d for d, found in named.items() if len(found) > 1]


def _member_text(plan: Plan, dimension: str, member: str | None, words: str) -> str | None:
    """A member as a hand-made file writes it: the sex in the file's words, else its name."""
    if member is None:
        return None
    if dimension == "sex" and words in _SEX_WORDS:
        return _SEX_WORDS[words].get(member, member)
    found = plan.dimension_by_code[dimension].member_by_code.get(member)
    return found.name if found is not None else member


def _has_counts(rows: list[_FileRow]) -> bool:
    return any(row.denominator is not None for row in rows)


def _text_value(plan: Plan, row: _FileRow, lang: str, csv_style: bool = False) -> Any:
    """A value written as text in Catalan (a stage by its name)."""
    if isinstance(row.value, str):
        return _cell_value(plan, row.indicator, row.value, lang)
    decimals = RATIO_DECIMALS if row.denominator is not None else None
    if csv_style:
        places = _decimals(row.indicator) if decimals is None else decimals
        return format_number(row.value, "ca", places).replace(".", "")
    return _ca_text(row.indicator, row.value, decimals)


def _member_cells(plan: Plan, row: _FileRow, dims: list[str], words: str) -> list[Any]:
    return [_member_text(plan, d, row.cell.get(d), words) for d in dims]


def _count_cells(row: _FileRow, with_counts: bool) -> list[Any]:
    return [row.numerator, row.denominator] if with_counts else []


def _titled_file(
    plan: Plan, service: str, period: Period, rows: list[_FileRow], when: dt.datetime, user: str
) -> bytes:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Portada"
    cover["A1"] = plan.service_by_code[service].name
    cover["A3"] = "Document de treball intern. Les dades són al full següent."
    ws = wb.create_sheet(f"Indicadors {period.quarter}T{period.year}")
    ws["A1"] = plan.service_by_code[service].name
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    ws["A2"] = f"Indicadores del Plan estratégico – {period.quarter}r trimestre {period.year}"
    ws.merge_cells("A2:E2")
    ws.append([])
    dims, counts = _dimension_columns(rows), _has_counts(rows)
    ws.append(
        [
            "Código",
            "Indicador",
            "Periodo",
            *[_DIMENSION_HEADERS["es"].get(d, d) for d in dims],
            *(["Numerador", "Denominador"] if counts else []),
            "Valor",
            "Observaciones",
        ]
    )
    for row in rows:
        ws.append(
            [
                row.indicator.code,
                row.indicator.name,
                f"{period.quarter}T {period.year}",
                *_member_cells(plan, row, dims, "es"),
                *_count_cells(row, counts),
                _text_value(plan, row, "es"),
                row.comment,
            ]
        )
    ws.append([])
    ws.append(["Font: registre propi de l'ABSS. Dades provisionals fins al tancament de l'any."])
    return _save(wb, when, user)


def _wide_file(
    plan: Plan,
    service: str,
    period: Period,
    by_quarter: dict[Period, list[_FileRow]],
    when: dt.datetime,
    user: str,
) -> bytes:
    """One column per quarter of the year so far (a ratio's counts cannot be written so: the
    demo gives this layout to a service without ratio members)."""
    quarters = sorted(by_quarter)
    current = by_quarter[period]
    dims = _dimension_columns(current)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"Seguiment {period.year}"
    ws.append(
        [
            "Codi",
            "Indicador",
            *[_DIMENSION_HEADERS["ca"].get(d, d) for d in dims],
            *[f"{q.quarter}T {q.year}" for q in quarters],
            "Observacions",
        ]
    )
    found = {(q, r.indicator.code, r.key): r for q in quarters for r in by_quarter[q]}
    for row in current:
        line: list[Any] = [row.indicator.code, row.indicator.name]
        line.extend(_member_cells(plan, row, dims, "ca"))
        for q in quarters:
            other = found.get((q, row.indicator.code, row.key))
            line.append(None if other is None else _cell_value(plan, row.indicator, other.value))
        line.append(row.comment)
        ws.append(line)
    return _save(wb, when, user)


def _long_file(
    plan: Plan,
    service: str,
    period: Period,
    by_quarter: dict[Period, list[_FileRow]],
    when: dt.datetime,
    user: str,
) -> bytes:
    """A period column and the year's history, members by name, a ratio's two counts."""
    everything = [row for q in sorted(by_quarter) for row in by_quarter[q]]
    dims, counts = _dimension_columns(everything), _has_counts(everything)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dades"
    ws.append(
        [
            "Codi indicador",
            "Trimestre",
            *[_DIMENSION_HEADERS["ca"].get(d, d) for d in dims],
            *(["Numerador", "Denominador"] if counts else []),
            "Valor",
            "Comentaris",
        ]
    )
    for row in everything:
        value = row.value
        if isinstance(value, float) and row.denominator is not None:
            value = round(value, RATIO_DECIMALS)
        ws.append(
            [
                row.indicator.code,
                str(row.period),
                *_member_cells(plan, row, dims, "ca"),
                *_count_cells(row, counts),
                _cell_value(plan, row.indicator, value),
                row.comment if row.period == period else None,
            ]
        )
    return _save(wb, when, user)


def _csv_file(plan: Plan, service: str, period: Period, rows: list[_FileRow]) -> bytes:
    dims, counts = _dimension_columns(rows), _has_counts(rows)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Codi",
            "Indicador",
            "Període",
            *[_DIMENSION_HEADERS["ca"].get(d, d) for d in dims],
            *(["Numerador", "Denominador"] if counts else []),
            "Valor",
            "Observacions",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.indicator.code,
                row.indicator.name,
                f"T{period.quarter} {period.year}",
                *_member_cells(plan, row, dims, "codes"),
                *["" if c is None else str(int(c)) for c in _count_cells(row, counts)],
                _text_value(plan, row, "ca", csv_style=True),
                row.comment or "",
            ]
        )
    return out.getvalue().encode("cp1252", errors="replace")


# --------------------------------------------------------------------------------- generate


def _upload_time(period: Period, days: int, rng: random.Random) -> dt.datetime:
    day = period.end + dt.timedelta(days=days)
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(8, 14),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=dt.UTC,
    )


def generate(
    plan: Plan,
    *,
    seed: int = DEFAULT_SEED,
    settings: Settings | None = None,
    services: Iterable[str] | None = None,
) -> DemoData:
    """Every demo file in upload order, with the values they carry (deterministic).

    The phases, each drawing from the same seeded generator in this order: the indicators'
    profiles, their values, the services' layouts, the gaps (missing, late and re-uploaded
    submissions); then each service's files, from a generator of its own.
    """
    settings = settings or get_settings()
    rng = random.Random(seed)
    periods = period_range(plan.first_period, plan.last_period)
    reporting = reporting_service_codes(plan)
    profiles = _profiles(plan, rng)
    values = _values(plan, periods, profiles, rng)
    members = _members(plan, periods, values, seed)
    layouts = _layouts(reporting, rng)
    gaps = _gaps(plan, reporting, layouts, periods, rng)
    story = _Story(
        plan,
        seed,
        settings.submission_deadline_days,
        periods,
        values,
        profiles,
        layouts,
        gaps,
        members,
    )
    chosen = set(services) if services is not None else None
    files = [
        demo_file
        for service in reporting
        if chosen is None or service in chosen
        for demo_file in _service_files(story, service)
    ]
    files.sort(key=lambda f: (f.uploaded_at, f.service))
    return DemoData(
        seed=seed,
        files=files,
        values=values,
        profiles=profiles,
        layouts=layouts,
        missing=sorted(gaps.missing),
        late=sorted(gaps.late),
        reuploads=sorted(gaps.reuploads),
        members=members,
    )


def _profiles(plan: Plan, rng: random.Random) -> dict[str, str]:
    """Each indicator's story: shuffled, then a fixed share of each profile."""
    profiles: dict[str, str] = {}
    order = [i for i in plan.indicators if not i.is_milestone]
    rng.shuffle(order)
    n = len(order)
    cuts = [
        ("far_behind", round(n * 0.1)),
        ("lagging", round(n * 0.2)),
        ("exceeding", round(n * 0.15)),
    ]
    position = 0
    for name, count in cuts:
        for indicator in order[position : position + count]:
            profiles[indicator.code] = name
        position += count
    for indicator in order[position:]:
        profiles[indicator.code] = "on_track"
    order = [i for i in plan.indicators if i.is_milestone]
    rng.shuffle(order)
    for k, indicator in enumerate(order):
        profiles[indicator.code] = (
            "late" if k < 2 else "postponed" if k == 2 else "early" if k == 3 else "on_track"
        )
    return profiles


def _values(
    plan: Plan, periods: list[Period], profiles: dict[str, str], rng: random.Random
) -> dict[tuple[str, str], float | str]:
    """The true value (a number or a stage key) of every indicator in every quarter."""
    values: dict[tuple[str, str], float | str] = {}
    for indicator in plan.indicators:
        series: dict[Period, Any]
        if indicator.is_milestone:
            series = _milestone_series(plan, indicator, periods, profiles[indicator.code], rng)
        else:
            series = _numeric_series(indicator, periods, profiles[indicator.code], rng)
        for p, value in series.items():
            values[(indicator.code, str(p))] = value
    return values


def _members(
    plan: Plan,
    periods: list[Period],
    values: dict[tuple[str, str], float | str],
    seed: int,
) -> dict[tuple[str, str], dict[str, MemberFigure]]:
    """Each breakdown member's figure, quarter by quarter (indicators.demo.splits); the
    indicator's value becomes the total its members make (a ratio's is the ratio of sums)."""
    members: dict[tuple[str, str], dict[str, MemberFigure]] = {}
    for indicator in plan.indicators:
        if not indicator.breakdowns or indicator.is_milestone:
            continue
        weights = cell_weights(plan, indicator, seed)
        factors = ratio_factors(plan, indicator, seed) if indicator.ratio else {}
        for p in periods:
            key = (indicator.code, str(p))
            total = values.get(key)
            if total is None or isinstance(total, str):
                continue
            if indicator.ratio is not None:
                figures = split_ratio(indicator, total, weights, factors)
            else:
                figures = split_count(indicator, total, weights, _decimals(indicator))
            members[key] = figures
            derived = comarca_figure(figures, indicator.ratio is not None)
            if derived is not None:
                values[key] = derived
    return members


def _layouts(reporting: list[str], rng: random.Random) -> dict[str, str]:
    """The template for most services; the hand-made layouts for a few."""
    layouts = {s: TEMPLATE for s in reporting}
    free = [s for s in reporting if s not in _PREFERRED_LAYOUTS]
    for service, layout in _PREFERRED_LAYOUTS.items():
        if service in layouts:
            layouts[service] = layout
        elif free:
            layouts[free.pop(rng.randrange(len(free)))] = layout
    return layouts


@dataclass(frozen=True)
class _Gaps:
    """The submissions that do not arrive on time: (service, period) pairs."""

    missing: set[tuple[str, str]]
    late: set[tuple[str, str]]
    reuploads: set[tuple[str, str]]  # a wrong file first, then the corrected one


# the services the demo always leaves pending in its last quarter, besides those drawn, so
# that the quarterly cycle can be walked from a known quarter not yet sent (the SIS's: the
# cycle's browser test, tests/e2e/test_cycle_e2e.py, sends it through the form)
LAST_QUARTER_PENDING = ("SIS",)


def _gaps(
    plan: Plan,
    reporting: list[str],
    layouts: dict[str, str],
    periods: list[Period],
    rng: random.Random,
) -> _Gaps:
    """Missing submissions (one service skips 2024-T3, the last quarter only partly in), late
    ones and re-uploads."""
    template_services = [s for s in reporting if layouts[s] == TEMPLATE]
    missing: set[tuple[str, str]] = set()
    if template_services:
        missing.add((rng.choice(template_services), "2024-T3"))
    pending_last = rng.sample(reporting, k=min(len(reporting), max(1, len(reporting) // 4)))
    for service in (s for s in LAST_QUARTER_PENDING if s in reporting and s not in pending_last):
        pending_last[-1:] = [service]  # in place of the last one drawn: as many pending
    missing.update((s, str(plan.last_period)) for s in pending_last)
    for _k in range(2):
        missing.add((rng.choice(template_services or reporting), str(rng.choice(periods[2:-2]))))
    candidates = [(s, str(p)) for s in reporting for p in periods if (s, str(p)) not in missing]
    late = set(rng.sample(candidates, k=min(len(candidates), max(3, len(candidates) // 12))))
    numeric_template = [
        s
        for s in template_services
        if any(not i.is_milestone for i in plan.indicators_of_service(s))
    ]
    reuploads: set[tuple[str, str]] = set()
    for _k in range(4):
        if numeric_template:
            pair = (rng.choice(numeric_template), str(rng.choice(periods[:-1])))
            if pair not in missing:
                reuploads.add(pair)
    return _Gaps(missing, late, reuploads)


@dataclass(frozen=True)
class _Story:
    """What the files of every service are made from."""

    plan: Plan
    seed: int
    deadline_days: int
    periods: list[Period]
    values: dict[tuple[str, str], float | str]
    profiles: dict[str, str]
    layouts: dict[str, str]
    gaps: _Gaps
    members: dict[tuple[str, str], dict[str, MemberFigure]]


@dataclass
class _Sending:
    """One service's submission of one quarter, as its files are being made."""

    service: str
    period: Period
    indicators: list[Indicator]
    when: dt.datetime
    comments: dict[str, str]
    previous: Period | None  # the last quarter the service sent before this one

    @property
    def user(self) -> str:
        return demo_user(self.service)


def _service_files(story: _Story, service: str) -> list[DemoFile]:
    """A service's files, quarter by quarter (its own generator: a subset of services gives
    the same files)."""
    indicators = indicators_reported_by(story.plan, service)
    srng = random.Random(f"{story.seed}:{service}")
    deadline_days, gaps = story.deadline_days, story.gaps
    files: list[DemoFile] = []
    previous: Period | None = None  # the last quarter the service sent
    for p in story.periods:
        key = str(p)
        if (service, key) in gaps.missing:
            continue
        days = (
            srng.randint(deadline_days + 5, deadline_days + 50)
            if (service, key) in gaps.late
            else srng.randint(3, deadline_days - 2)
        )
        when = _upload_time(p, days, srng)
        comments = _comments(story.plan, indicators, p, story.values, story.profiles, srng)
        sending = _Sending(service, p, indicators, when, comments, previous)
        if (service, key) in gaps.reuploads:
            files.extend(_reupload_files(story, sending, srng))
        else:
            note = "late" if (service, key) in gaps.late else ""
            files.append(_demo_file(story, sending, story.values, note))
        previous = p
    return files


def _reupload_files(story: _Story, sending: _Sending, srng: random.Random) -> list[DemoFile]:
    """A file with a typo, then (days later) the corrected one superseding it."""
    key = str(sending.period)
    wrong = dict(story.values)
    target = next(
        i
        for i in sending.indicators
        if not i.is_milestone and not i.breakdowns and (i.code, key) in story.values
    )
    true = story.values[(target.code, key)]
    assert isinstance(true, float)
    wrong[(target.code, key)] = _typo(target, true)
    first = _demo_file(story, sending, wrong, "superseded")
    sending.when = sending.when + dt.timedelta(days=srng.randint(2, 12), hours=srng.randint(1, 5))
    sending.comments = dict(sending.comments)
    sending.comments[target.code] = _COMMENTS["correction"][0]
    second = _demo_file(story, sending, story.values, "correction", suffix="_corregit")
    return [first, second]


def _demo_file(
    story: _Story,
    sending: _Sending,
    values: dict[tuple[str, str], float | str],
    note: str,
    suffix: str = "",
) -> DemoFile:
    layout = story.layouts[sending.service]
    name, content = _file(story, sending, values, layout, suffix)
    return DemoFile(
        sending.service,
        str(sending.period),
        name,
        content,
        sending.when,
        sending.user,
        layout,
        note,
    )


def _typo(indicator: Indicator, true: float) -> float:
    """A plausible slip of the keyboard that the import still accepts (inside the bounds)."""
    wrong = true * 10 if true < 100 else true / 10
    wrong = _clip(indicator, wrong)
    if wrong == true:
        wrong = _clip(indicator, true + 1)
    return round(wrong, _decimals(indicator))


def _comments(
    plan: Plan,
    indicators: list[Indicator],
    period: Period,
    values: dict[tuple[str, str], float | str],
    profiles: dict[str, str],
    rng: random.Random,
) -> dict[str, str]:
    result: dict[str, str] = {}
    for indicator in indicators:
        profile = profiles[indicator.code]
        value = values.get((indicator.code, str(period)))
        if indicator.is_milestone:
            before = values.get((indicator.code, str(period.prev())))
            if value == "ajornat":
                if before != "ajornat":
                    result[indicator.code] = rng.choice(_COMMENTS["postponed"])
            elif value != before and value == "finalitzat":
                result[indicator.code] = _COMMENTS["finished"][0]
            elif value != before and rng.random() < 0.5:
                result[indicator.code] = rng.choice(_COMMENTS["milestone"])
            continue
        chance = {"on_track": 0.05, "exceeding": 0.2, "lagging": 0.3, "far_behind": 0.4}[profile]
        if rng.random() < chance:
            result[indicator.code] = rng.choice(_COMMENTS[profile])
    return result


def _file(
    story: _Story,
    sending: _Sending,
    values: dict[tuple[str, str], float | str],
    layout: str,
    suffix: str,
) -> tuple[str, bytes]:
    """A sending's file in ``layout``: its name and bytes."""
    plan, service, period, user = story.plan, sending.service, sending.period, sending.user
    made = sending.when - dt.timedelta(hours=2)

    def rows_of(q: Period) -> list[_FileRow]:
        comments = sending.comments if q == period else None
        return _file_rows(plan, service, q, values, story.members, comments)

    if layout == TITLED:
        name = f"Indicadors {service} {period.quarter}T {period.year}{suffix}.xlsx"
        return name, _titled_file(plan, service, period, rows_of(period), made, user)
    if layout in (WIDE, LONG):
        by_quarter = {
            Period(period.year, q): rows_of(Period(period.year, q))
            for q in range(1, period.quarter + 1)
        }
        if layout == WIDE:
            name = f"seguiment_{service}_{period.year}_fins_{period.quarter}T{suffix}.xlsx"
            return name, _wide_file(plan, service, period, by_quarter, made, user)
        name = f"{service}_historic_{period}{suffix}.xlsx"
        return name, _long_file(plan, service, period, by_quarter, made, user)
    if layout == CSV:
        return f"{service}_{period}{suffix}.csv", _csv_file(plan, service, period, rows_of(period))
    content = _template_file(story, sending, rows_of(period))
    return f"{service}_{period}{suffix}.xlsx", _normalise_zip(content, made)


def _template_file(story: _Story, sending: _Sending, rows: list[_FileRow]) -> bytes:
    """The template, filled; "Últim valor" is what the service sent for its previous quarter,
    and a ratio member's counts are written in its Numerador and Denominador cells."""
    plan, period, previous = story.plan, sending.period, sending.previous
    last: dict[str, float | str | None] = {}
    for indicator in sending.indicators:
        before = story.values.get((indicator.code, str(previous))) if previous is not None else None
        if before is not None:
            last[indicator.code] = before
    filled: dict[str, tuple[float | str | None, str | None]] = {
        row.indicator.code: (row.value, row.comment) for row in rows if not row.cell
    }
    filled_members: dict[tuple[str, str], tuple[float | None, str | None]] = {
        (row.indicator.code, row.key): (_member_number(row), row.comment)
        for row in rows
        if row.cell
    }
    generated = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(7, 0), tzinfo=dt.UTC)
    content = build_template(
        plan,
        sending.service,
        period,
        last_values=last,
        filled=filled,
        filled_members=filled_members,
        generated_at=generated,
    )
    if any(row.denominator is not None for row in rows):
        content = _fill_counts(plan, sending.service, content, rows)
    return content


def _member_number(row: _FileRow) -> float | None:
    """A member row's value as the template holds it (a ratio's rounded beside its counts)."""
    if isinstance(row.value, str):
        return None
    return round(row.value, RATIO_DECIMALS) if row.denominator is not None else row.value


def _fill_counts(plan: Plan, service: str, content: bytes, rows: list[_FileRow]) -> bytes:
    """The template with each ratio member's numerator and denominator written in."""
    reported = rows_reported_by(plan, service)
    keys = [key for key, _m, _w in data_columns(plan, reported)]
    numerator_col, denominator_col = keys.index("numerator") + 1, keys.index("denominator") + 1
    counts = {(r.indicator.code, r.key): r for r in rows if r.denominator is not None}
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[1]  # the data sheet, after the instructions
    for offset, row in enumerate(reported):
        found = counts.get((row.indicator.code, row.key))
        if found is not None:
            ws.cell(row=FIRST_DATA_ROW + offset, column=numerator_col, value=found.numerator)
            ws.cell(row=FIRST_DATA_ROW + offset, column=denominator_col, value=found.denominator)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------- store, load


def write_files(data: DemoData, directory: str | Path) -> list[Path]:
    """Write the files under ``directory/<service>/`` and a ``manifest.json``.

    Files of an earlier demo (named in its manifest) are removed first; nothing else is.
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
            for entry in old.get("files", []):
                path = (root / entry["path"]).resolve()
                if root.resolve() in path.parents and path.is_file():
                    path.unlink()
        except (ValueError, KeyError, TypeError, OSError):
            pass
    written: list[Path] = []
    entries: list[dict[str, Any]] = []
    for demo_file in data.files:
        path = root / demo_file.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(demo_file.content)
        written.append(path)
        entries.append(
            {
                "path": demo_file.relpath,
                "service": demo_file.service,
                "period": demo_file.period,
                "uploaded_at": demo_file.uploaded_at.isoformat(),
                "user": demo_file.user,
                "layout": demo_file.layout,
                "note": demo_file.note,
                "sha256": demo_file.sha256,
            }
        )
    manifest = {
        "seed": data.seed,
        "files": entries,
        "missing": [list(pair) for pair in data.missing],
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return written


def load(
    engine: Any,
    plan: Plan,
    data: DemoData,
    *,
    settings: Settings | None = None,
    progress: Callable[[DemoFile, Any], None] | None = None,
) -> LoadReport:
    """Import every demo file, in upload order, through the real import (source "demo")."""
    from indicators.intake.importer import import_file

    report = LoadReport()
    started = time.perf_counter()
    for demo_file in data.files:
        result = import_file(
            engine,
            plan,
            filename=demo_file.filename,
            content=demo_file.content,
            user=demo_file.user,
            service=demo_file.service,
            period=demo_file.period,
            source="demo",
            settings=settings,
            uploaded_at=demo_file.uploaded_at,
        )
        if result.status == "ok":
            report.imported += 1
            report.values += len(result.values)
            report.warnings += len(result.warnings)
        elif result.status == "duplicate":
            report.duplicates += 1
        else:
            report.failures.append((demo_file.relpath, [e.message for e in result.errors]))
        if progress is not None:
            progress(demo_file, result)
    report.seconds = time.perf_counter() - started
    return report


def has_submissions(engine: Any) -> bool:
    from sqlalchemy import select

    from indicators.storage.schema import Submission

    with engine.connect() as conn:
        return conn.execute(select(Submission.id).limit(1)).first() is not None


def run(
    engine: Any,
    plan: Plan,
    *,
    seed: int = DEFAULT_SEED,
    directory: str | Path | None = None,
    settings: Settings | None = None,
    do_load: bool = True,
    services: Iterable[str] | None = None,
) -> tuple[DemoData, LoadReport | None]:
    """Generate (and write, when ``directory`` is given) the demo files, then load them."""
    settings = settings or get_settings()
    data = generate(plan, seed=seed, settings=settings, services=services)
    if directory is not None:
        write_files(data, directory)
    report = load(engine, plan, data, settings=settings) if do_load else None
    if report is not None:
        settle_history(engine)
    return data, report


DEMO_DIRECTOR = "director"  # the demo accounts' director (accounts.users.DEMO_ACCOUNTS)


def demo_head(service: str) -> str:
    """The demo head of a service, who validates its history."""
    return f"responsable.{service.lower()}"


def settle_history(engine: Any) -> int:
    """A realistic history: every quarter with submissions but the latest is validated by
    each service's head, accepted by the direction, locked and published (the public view,
    issue 19), through the real approval and publishing functions (audited like any other).
    Returns the number of quarters locked."""
    from sqlalchemy import select

    from accounts import approvals, publications
    from accounts.roles import DIRECTOR, HEAD, Actor
    from indicators.storage import locks
    from indicators.storage.schema import Submission, SubmissionStatus

    with engine.connect() as conn:
        current = conn.execute(
            select(Submission.service, Submission.period).where(
                Submission.status == SubmissionStatus.CURRENT
            )
        ).all()
    periods = sorted({str(period) for _service, period in current})
    director = Actor(DEMO_DIRECTOR, DIRECTOR)
    locked = 0
    for period in periods[:-1]:
        if locks.is_locked(engine, period):
            continue
        for service in sorted({str(s) for s, p in current if p == period}):
            head = Actor(demo_head(service), HEAD, services=(service,))
            approvals.validate(engine, service, period, by=head)
            approvals.approve(engine, service, period, by=director)
        locked += approvals.lock_period(engine, period, by=director)
        publications.publish_period(engine, period, by=director)
    return locked


def setup_demo_data(ctx: Any) -> int:
    """``seguiment setup --demo-if-empty``: load the demo data if no submission is stored."""
    from sqlalchemy.exc import SQLAlchemyError

    from i18n import _

    if not ctx.demo_if_empty:
        return 0
    if ctx.settings.is_production:
        ctx.echo(_("Production: no demo data is loaded."))
        return 0
    try:
        if has_submissions(ctx.engine):
            ctx.echo(_("The database already has submissions: no demo data loaded."))
            return 0
        started = time.perf_counter()
        _data, report = run(
            ctx.engine, ctx.plan, directory=ctx.settings.demo_dir, settings=ctx.settings
        )
    except SQLAlchemyError as exc:
        ctx.echo(
            _(
                "The database is not ready ({reason}): run `seguiment db upgrade` first.",
                reason=type(exc).__name__,
            )
        )
        return 1
    assert report is not None
    if not report.ok:
        for name, errors in report.failures:
            ctx.echo(f"{name}: {'; '.join(errors)}")
        ctx.echo(_("{count} demo files could not be imported.", count=len(report.failures)))
        return 1
    ctx.echo(
        _(
            "Empty database: demo data loaded ({files} submissions, {values} values) in "
            "{seconds} s; files in {dir}.",
            files=report.imported,
            values=report.values,
            seconds=format_number(time.perf_counter() - started, "ca", 1),
            dir=str(ctx.settings.demo_dir),
        )
    )
    return 0
