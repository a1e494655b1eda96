"""Known data for the final evaluation's tests, on the tiny plan of ``tests/fixtures/plans/valid``
(2 levers, 3 axes, 3 objectives; services SBAS and DIRECCIO).

- P1.01-I1 (% , ``last``, targets 50…80): SBAS reports the target of each year pro-rated, ending
  at 80 in 2025-T3 (the last quarter with data): green, target exceeded;
- P1.02-I1 (milestone, planned 2023-T2): DIRECCIO reports «Finalitzat» in 2023-T2: finished;
- P2.01-I1 («maintain» 3000 per year, tolerance 100, ``sum``): SBAS reports 500 a quarter, so
  1500 by 2025-T3 against 2250 expected: red.

SBAS delivers 2022-T1…2025-T3 (15 quarters), all within the deadline except 2024-T1 (late),
and never 2025-T4; DIRECCIO delivers only 2023-T2. With :data:`TODAY` every quarter is due:
SBAS 14 on time, 1 late, 1 missing; DIRECCIO 1 on time, 15 missing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from accounts import users
from indicators.intake.importer import import_file
from indicators.storage.analyses import add_analysis
from indicators.storage.engine import transaction
from indicators.storage.schema import EvidenceAttachment
from plan_model.loader import load_plan
from plan_model.models import Plan
from plan_model.periods import Period, period_range

PLAN_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "valid" / "plan.yaml"
TODAY = dt.date(2026, 3, 1)
FINAL = Period(2025, 3)
LATE_QUARTER = Period(2024, 1)
HOSTILE_TEXT = '=HYPERLINK("http://x") | «què» **ha** passat\n<script>'


def tiny_plan() -> Plan:
    """The tiny valid plan (id ``prova``)."""
    return load_plan(PLAN_FILE)


def _p1_value(period: Period) -> float:
    targets = {2021: 40.0, 2022: 50.0, 2023: 60.0, 2024: 70.0, 2025: 80.0}
    previous, target = targets[period.year - 1], targets[period.year]
    if period == FINAL:
        return 80.0
    return previous + (target - previous) * period.quarter / 4


def _import(engine: Engine, plan: Plan, service: str, period: Period, lines: list[str]) -> None:
    days = 60 if period == LATE_QUARTER else 10
    uploaded = dt.datetime.combine(period.end + dt.timedelta(days=days), dt.time(9), tzinfo=dt.UTC)
    content = ("Codi;Període;Valor;Comentari\n" + "\n".join(lines) + "\n").encode("utf-8")
    result = import_file(
        engine,
        plan,
        filename=f"{service}-{period}.csv",
        content=content,
        user=f"tec-{service.lower()}",
        service=service,
        period=str(period),
        uploaded_at=uploaded,
        today=TODAY,
        source="cli",
    )
    assert result.status == "ok", (service, str(period), result.errors[:3])


def load_known_data(engine: Engine, plan: Plan) -> None:
    """Import the known values (see the module's docstring)."""
    for period in period_range(plan.first_period, FINAL):
        value = f"{_p1_value(period):.1f}".replace(".", ",")
        _import(
            engine,
            plan,
            "SBAS",
            period,
            [f"P1.01-I1;{period};{value};", f"P2.01-I1;{period};500;"],
        )
    _import(engine, plan, "DIRECCIO", Period(2023, 2), ["P1.02-I1;2023-T2;Finalitzat;"])


def add_analysis_and_evidence(engine: Engine, plan: Plan) -> None:
    """An analysis of P2.01 by a director (twice: the later one counts) and two attachments
    of P1.02-I1's value (a file and a link), with hostile text."""
    users.create_user(engine, "dir.ana", "longenough", "director", email="ana@example.org")
    with transaction(engine) as session:
        for period, text in (("2025-T2", "Primera versió"), ("2025-T3", HOSTILE_TEXT)):
            add_analysis(
                session,
                objective="P2.01",
                period=period,
                what_happened=text,
                next_steps="Reforçar l'equip",
                author="dir.ana",
                due_by=dt.date(2026, 6, 30),
                plan_id=plan.info.id,
            )
        session.add_all(
            [
                EvidenceAttachment(
                    plan_id=plan.info.id,
                    indicator="P1.02-I1",
                    period="2023-T2",
                    service="DIRECCIO",
                    kind="file",
                    title="Acord de la Junta",
                    filename="acord-junta.pdf",
                    content_type="application/pdf",
                    size_bytes=4,
                    sha256="0" * 64,
                    content=b"%PDF",
                    added_by="dir.ana",
                ),
                EvidenceAttachment(
                    plan_id=plan.info.id,
                    indicator="P1.02-I1",
                    period="2023-T2",
                    service="DIRECCIO",
                    kind="link",
                    title="Protocol publicat",
                    url="https://example.org/protocol",
                    added_by="dir.ana",
                ),
            ]
        )
