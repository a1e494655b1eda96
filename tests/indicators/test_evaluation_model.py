"""The final evaluation's model on a tiny plan with known values (``tests.helpers.evaluation_data``):
final statuses at the last quarter with data, the path over the whole period, the targets
(original and «cap esmena»), milestones, completeness counts, the analyses (author's role, no
e-mail), the evidence, and provisional vs definitive (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import Engine

from accounts import plan_states
from accounts.roles import Actor
from indicators.reporting import dashboard_data
from indicators.reporting.evaluation import build_view, gather_sources, load_evaluation
from indicators.reporting.evaluation.model import (
    FINISHED,
    Amendment,
    Evaluation,
    build_evaluation,
)
from plan_model.models import Plan
from plan_model.status_types import Status
from tests.helpers.evaluation_data import (
    HOSTILE_TEXT,
    TODAY,
    add_analysis_and_evidence,
    load_known_data,
    tiny_plan,
)


@pytest.fixture
def small() -> Plan:
    return tiny_plan()


@pytest.fixture
def evaluation(engine: Engine, small: Plan) -> Evaluation:
    load_known_data(engine, small)
    add_analysis_and_evidence(engine, small)
    dashboard_data.clear_caches()
    return load_evaluation(engine, small, deadline_days=30, today=TODAY)


def test_final_statuses_at_the_last_quarter_with_data(evaluation: Evaluation) -> None:
    assert evaluation.final_period == "2025-T3"
    assert (evaluation.first_period, evaluation.last_period) == ("2022-T1", "2025-T4")
    by_code = {o.result.code: o for o in evaluation.objectives}
    assert list(by_code) == ["P1.01", "P1.02", "P2.01"]
    p101 = by_code["P1.01"].indicators[0].result
    assert p101.period == "2025-T3" and p101.value == pytest.approx(80.0)
    assert p101.expected == pytest.approx(77.5)  # 70 + (80 - 70) * 3 / 4
    assert p101.status is Status.GREEN and p101.method == "target_share"
    assert p101.green_threshold == pytest.approx(0.9)
    p201 = by_code["P2.01"].indicators[0].result
    assert p201.value == pytest.approx(1500.0)  # 3 quarters of 500, year to date
    assert p201.status is Status.RED
    assert evaluation.summary.counts == {"green": 2, "amber": 0, "red": 1, "grey": 0}
    assert [o.code for o in evaluation.summary.most_late] == ["P2.01"]
    assert [lever.result.status for lever in evaluation.levers] == [Status.GREEN, Status.RED]


def test_the_path_covers_every_quarter_up_to_the_final_one(evaluation: Evaluation) -> None:
    path = evaluation.objectives[0].path
    assert path[0][0] == "2022-T1" and path[-1][0] == "2025-T3"
    assert len(path) == 15 and all(v is not None for _p, v in path)
    assert path[-1][1] == pytest.approx(evaluation.objectives[0].result.achievement)
    assert len(evaluation.path) == 15
    milestone_path = dict(evaluation.objectives[1].path)
    assert milestone_path["2023-T2"] == pytest.approx(1.0)


def test_targets_original_and_no_amendment(evaluation: Evaluation) -> None:
    p101 = evaluation.objectives[0].indicators[0]
    assert p101.original_target == pytest.approx(80.0)
    assert p101.amendment is None and p101.target_in_force == pytest.approx(80.0)
    view = build_view(evaluation, "ca")
    rows = view.sections[0].indicators.as_table("ca").rows
    assert rows[0][4].text == "80" and rows[0][5].text == "cap esmena"
    assert "% de la meta (verd ≥ 90\u00a0%, groc ≥ 70\u00a0%)" in rows[0][1].text


def test_an_amendment_slots_in(engine: Engine, small: Plan) -> None:
    load_known_data(engine, small)
    data = dashboard_data.load(engine, small, deadline_days=30)
    sources = dataclasses.replace(
        gather_sources(engine, small),
        amendments={"P1.01-I1": Amendment(85.0, "2025-T1", "revisió")},
    )
    ev = build_evaluation(data, sources, today=TODAY)
    p101 = ev.objectives[0].indicators[0]
    assert p101.original_target == pytest.approx(80.0)
    assert p101.target_in_force == pytest.approx(85.0)
    row = build_view(ev, "ca").sections[0].indicators.as_table("ca").rows[0]
    assert row[5].text == "85 a partir del 1r trimestre de 2025"


def test_milestones_and_their_outcome(evaluation: Evaluation) -> None:
    [milestone] = evaluation.milestones
    assert milestone.result.code == "P1.02-I1" and milestone.outcome == FINISHED
    assert milestone.planned == "2023-T2" and milestone.decisions == ()
    assert evaluation.stage_name(milestone.result.effective_stage, "ca") == "Finalitzat"
    assert evaluation.stage_name(milestone.result.effective_stage, "en") == "Completed"


def test_completeness_counts_per_service(evaluation: Evaluation) -> None:
    by_service = {s.service: s for s in evaluation.completeness}
    sbas, direccio = by_service["SBAS"], by_service["DIRECCIO"]
    assert (sbas.on_time, sbas.late, sbas.missing, sbas.not_due) == (14, 1, 1, 0)
    assert (direccio.on_time, direccio.late, direccio.missing) == (1, 0, 15)
    s = evaluation.summary
    assert (s.on_time, s.late, s.missing, s.expected) == (15, 1, 16, 32)


def test_the_latest_analysis_with_the_authors_role_and_no_email(evaluation: Evaluation) -> None:
    analysis = evaluation.objectives[2].analysis
    assert analysis is not None and analysis.period == "2025-T3"
    assert analysis.what_happened == HOSTILE_TEXT  # as written: the writers escape it
    assert analysis.author_role == "director"
    assert analysis.written_on <= dt.datetime.now(dt.UTC).date()
    assert evaluation.objectives[0].analysis is None
    table = build_view(evaluation, "ca").analyses.as_table("ca")
    text = " ".join(c.text for row in table.rows for c in row)
    assert "Director/a" in text and "ana@example.org" not in text and "dir.ana" not in text


def test_evidence_is_listed_by_objective(evaluation: Evaluation) -> None:
    evidence = evaluation.objectives[1].evidence
    assert [(e.kind, e.filename, e.url) for e in evidence] == [
        ("file", "acord-junta.pdf", None),
        ("link", None, "https://example.org/protocol"),
    ]
    assert evaluation.objectives[0].evidence == ()


def test_provisional_until_the_plan_is_closed(engine: Engine, small: Plan) -> None:
    load_known_data(engine, small)
    before = load_evaluation(engine, small, today=TODAY)
    assert before.provisional and before.mark == "provisional"
    assert build_view(before, "ca").mark == "Provisional"
    plan_states.close_plan(engine, small, by=Actor.operator("dir.tancament"), reason="Fi del pla")
    after = load_evaluation(engine, small, today=TODAY)
    assert not after.provisional and after.mark == "definitive"
    assert after.state.closed_by == "dir.tancament"
    view = build_view(after, "ca")
    assert view.mark == "Definitiva" and "dir.tancament" in view.mark_line
    assert view.footer.startswith("DEFINITIVA · Avaluació final del pla")


def test_an_empty_plan_evaluates_to_grey(engine: Engine, small: Plan) -> None:
    ev = load_evaluation(engine, small, today=TODAY)
    assert ev.final_period == "2022-T1"
    assert ev.summary.counts["grey"] == 3 and ev.summary.most_late == ()
    assert ev.milestones[0].result.status is Status.GREY
    assert {s.missing for s in ev.completeness} == {16}
