"""Breakdown values of the tiny plan with breakdowns (``tests.helpers.breakdown_plan``) for the
territory pages' tests (issue 14, item 6): at 2025-T3 the persons attended by ABSS and sex of
Vic (30 women, 20 men) and of the Consell Comarcal's ABSS (3 women, 92 men), and the
percentage by ABSS with its counts (Vic 50 of 100, the Consell 30 of 40: comarca 80 of 140);
at 2025-T2 Vic's 40 women only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from indicators.storage.records import ParsedValue
from indicators.storage.store import store
from tests.helpers.breakdown_plan import COUNT, PERCENT

QUARTER = "2025-T3"
BEFORE = "2025-T2"


def _value(
    code: str,
    key: str,
    value: float,
    period: str,
    row: int,
    counts: tuple[float, float] | None = None,
) -> ParsedValue:
    return ParsedValue(
        indicator=code,
        period=period,
        value=value,
        comment=None,
        sheet="Dades",
        row=row,
        column="E",
        member_key=key,
        numerator=counts[0] if counts else None,
        denominator=counts[1] if counts else None,
    )


def _put(engine: Engine, service: str, period: str, values: list[ParsedValue]) -> None:
    stored = store(
        engine,
        service=service,
        period=period,
        filename=f"{service}-{period}.xlsx",
        content=f"{service}{period}{len(values)}".encode(),
        user="tecnica",
        source="cli",
        values=values,
        warnings=[],
        uploaded_at=dt.datetime(2025, 10, 5, 9, tzinfo=dt.UTC),
    )
    assert stored.status == "ok"


def load_territory_sample(engine: Engine) -> None:
    """Store the sample (module docstring)."""
    _put(
        engine,
        "SBAS-VIC",
        QUARTER,
        [
            _value(COUNT, "abss=VIC;sex=D", 30, QUARTER, 2),
            _value(COUNT, "abss=VIC;sex=H", 20, QUARTER, 3),
        ],
    )
    _put(
        engine,
        "SBAS-COSS",
        QUARTER,
        [
            _value(COUNT, "abss=COSS;sex=D", 3, QUARTER, 2),
            _value(COUNT, "abss=COSS;sex=H", 92, QUARTER, 3),
        ],
    )
    _put(
        engine,
        "SBAS",
        QUARTER,
        [
            _value(PERCENT, "abss=VIC", 50, QUARTER, 2, (50, 100)),
            _value(PERCENT, "abss=COSS", 75, QUARTER, 3, (30, 40)),
        ],
    )
    _put(engine, "SBAS-VIC", BEFORE, [_value(COUNT, "abss=VIC;sex=D", 40, BEFORE, 2)])
