"""The submission check warns when the file puts an objective off track without its quarter's
analysis (valoració, issue 17), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine

from indicators.intake.analysis_check import ANALYSIS_REQUIRED
from indicators.intake.importer import ImportResult, import_file
from indicators.storage import analyses
from indicators.storage.engine import transaction
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import xlsx_bytes


def _check(engine: Engine, plan: Plan, stage: str, *, dry_run: bool = True) -> ImportResult:
    rows: list[list[object]] = [
        ["Codi", "Període", "Valor"],
        ["P1.01-I1", "2025-T3", 20],  # on track
        ["P1.02-I1", "2025-T3", stage],  # planned for 2025-T2
    ]
    return import_file(
        engine,
        plan,
        filename="sad.xlsx",
        content=xlsx_bytes(rows),
        user="tecnica",
        service="SAD",
        today=TODAY,
        settings=Settings(),
        dry_run=dry_run,
    )


def _required(result: ImportResult) -> list[tuple[str | None, str]]:
    return [(w.value, w.message) for w in result.warnings if w.code == ANALYSIS_REQUIRED]


def test_an_objective_put_off_track_needs_its_analysis(engine: Engine, small_plan: Plan) -> None:
    result = _check(engine, small_plan, "Iniciat")
    assert result.status == "ok"
    assert _required(result) == [
        ("P1.02-I1", "L'objectiu P1.02 és en desviació: cal la valoració del trimestre.")
    ]
    stored = _check(engine, small_plan, "Iniciat", dry_run=False)  # a warning only informs
    assert stored.submission_id is not None and len(_required(stored)) == 1


def test_no_warning_when_on_track_or_already_explained(engine: Engine, small_plan: Plan) -> None:
    assert _required(_check(engine, small_plan, "Finalitzat")) == []
    with transaction(engine) as session:
        analyses.add_analysis(
            session,
            objective="P1.02",
            period="2025-T3",
            what_happened="El protocol s'ha endarrerit",
            next_steps="Aprovar-lo al desembre",
            author="tecnica",
        )
    assert _required(_check(engine, small_plan, "Iniciat")) == []
