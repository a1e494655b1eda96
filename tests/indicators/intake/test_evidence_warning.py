"""The submission check warns when a milestone is reported "Finalitzat" or "Ajornat" without
evidence (issue 17): «Cal una evidència: acord, protocol o informe», at the value's cell; an
attachment in force for that value silences it (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine

from indicators.intake.evidence_intake import EVIDENCE_REQUIRED
from indicators.intake.importer import ImportResult, import_file
from indicators.storage import evidence
from indicators.storage.engine import transaction
from plan_model.evidence import EvidenceKey, missing_evidence, needs_evidence
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import xlsx_bytes


def _check(engine: Engine, plan: Plan, stage: str, *, dry_run: bool = True) -> ImportResult:
    rows: list[list[object]] = [
        ["Codi", "Període", "Valor"],
        ["P1.01-I1", "2025-T3", 20],
        ["P1.02-I1", "2025-T3", stage],  # a milestone of SAD
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


def _needed(result: ImportResult) -> list[tuple[str | None, int | None, str]]:
    return [(w.value, w.row, w.message) for w in result.warnings if w.code == EVIDENCE_REQUIRED]


def test_completed_or_postponed_without_evidence_is_warned(
    engine: Engine, small_plan: Plan
) -> None:
    result = _check(engine, small_plan, "Finalitzat")
    assert result.status == "ok"
    [(stage, row, message)] = _needed(result)
    assert (stage, row) == ("Finalitzat", 3)
    assert message.startswith("Cal una evidència: acord, protocol o informe (P1.02-I1, Finalitzat)")
    assert len(_needed(_check(engine, small_plan, "Ajornat"))) == 1
    assert _needed(_check(engine, small_plan, "En desenvolupament")) == []
    stored = _check(engine, small_plan, "Finalitzat", dry_run=False)  # a warning only informs
    assert stored.submission_id is not None and len(_needed(stored)) == 1


def test_an_attachment_in_force_silences_the_warning(engine: Engine, small_plan: Plan) -> None:
    with transaction(engine) as session:
        evidence.add_attachment(
            session,
            EvidenceKey("P1.02-I1", "2025-T3", "SAD"),
            evidence.NewAttachment(kind="link", title="Acord", url="https://exemple.cat/acord"),
            by="tecnica",
        )
    assert _needed(_check(engine, small_plan, "Finalitzat")) == []


def test_the_rule_has_one_home() -> None:
    key = EvidenceKey("P1.02-I1", "2025-T3", "SAD")
    other = EvidenceKey("P1.02-I1", "2025-T2", "SAD")
    assert needs_evidence("finalitzat") and needs_evidence(" Ajornat ")
    assert not needs_evidence("desestimat") and not needs_evidence(None)
    values = [(key, "finalitzat"), (other, "ajornat"), (key, "finalitzat")]
    assert missing_evidence(values, {other}) == [key]
