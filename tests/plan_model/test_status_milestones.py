"""Issue 15, finding 5: milestones overdue, carried forward, and decided by a director.

Each test shows the old answer and the new one on the worked example of docs/metodologia.md.
"""

from __future__ import annotations

import datetime as dt

from plan_model.decisions import MilestoneDecision
from plan_model.periods import Period
from plan_model.status import Status, compute_status, status_history, status_to_json
from plan_model.status_types import indicator_status_label
from tests.helpers.status_factory import frame, make_plan, milestone, numeric

M = "P1.01-I2"
PLAN = make_plan([numeric("P1.01-I1"), milestone(M, due="2023-T4")])


def decided(stage: str, effective: str) -> list[MilestoneDecision]:
    """The management's decision on ``M`` from ``effective``."""
    return [
        MilestoneDecision(
            M, stage, effective, dt.date(2024, 3, 1), "Sense pressupost", "Junta", "direccio"
        )
    ]


def test_overdue_and_unfinished_is_red_whatever_the_stage() -> None:
    rows = frame([(M, "2023-T4", "avancat"), (M, "2024-T4", "avancat")])
    on_time = compute_status(PLAN, rows, "2023-T4").indicator(M)
    assert on_time.status is Status.AMBER and not on_time.overdue  # 80 % when due
    late = compute_status(PLAN, rows, "2024-T4").indicator(M)
    # old: 80 % against 100 % was still amber a year later
    assert late.achievement == 0.8
    assert late.overdue and late.late and late.status is Status.RED
    assert indicator_status_label(late, "ca") == "Fora del termini previst"
    assert status_to_json(compute_status(PLAN, rows, "2024-T4"))["levers"][0]["axes"][0][
        "objectives"
    ][0]["indicators"][1]["overdue"]


def test_finished_and_dropped_carry_forward_until_changed() -> None:
    rows = frame([(M, "2023-T2", "finalitzat")])
    history = status_history(PLAN, rows, [Period(2023, 3), Period(2024, 1)])
    ms = history[history["key"] == M]
    # old: the next quarter without a report was grey
    assert list(ms["status"]) == ["green", "green"]
    r = compute_status(PLAN, rows, "2023-T3").indicator(M)
    assert r.value == 100.0 and r.effective_stage == "finalitzat" and r.stage is None
    dropped = frame([(M, "2023-T1", "desestimat"), ("P1.01-I1", "2023-T3", 150)])
    later = compute_status(PLAN, dropped, "2023-T3", decisions=decided("desestimat", "2023-T1"))
    assert later.indicator(M).excluded and later.objective("P1.01").coverage == 1.0
    changed = frame([(M, "2023-T2", "finalitzat"), (M, "2023-T4", "avancat")])
    assert compute_status(PLAN, changed, "2023-T4").indicator(M).value == 80.0


def test_postponed_without_a_decision_is_a_proposal() -> None:
    rows = frame(
        [(M, "2023-T1", "iniciat"), (M, "2023-T2", "ajornat"), ("P1.01-I1", "2023-T2", 130)]
    )
    r = compute_status(PLAN, rows, "2023-T2").indicator(M)
    # old: "Ajornat" counted as a failure (0 %, red); now it is the previous stage, proposed
    assert r.proposal and r.stage == "ajornat" and r.effective_stage == "iniciat"
    assert r.value == 25.0 and not r.postponed
    doc = status_to_json(compute_status(PLAN, rows, "2023-T2"))
    ind = doc["levers"][0]["axes"][0]["objectives"][0]["indicators"][1]
    assert ind["proposal"] is True and ind["effective_stage"] == "iniciat"
    with_decision = compute_status(PLAN, rows, "2023-T2", decisions=decided("ajornat", "2023-T2"))
    d = with_decision.indicator(M)
    assert d.postponed and not d.proposal and d.status is Status.GREY and not d.due
    assert indicator_status_label(d, "ca") == "Ajornat per decisió"
    assert with_decision.objective("P1.01").coverage == 1.0  # out of the averages


def test_a_technicians_dropped_does_not_drop_the_milestone() -> None:
    rows = frame([(M, "2023-T1", "iniciat"), (M, "2023-T2", "desestimat")])
    r = compute_status(PLAN, rows, "2023-T2").indicator(M)
    # old: excluded from every average on a technician's word
    assert not r.excluded and r.proposal and r.status is not Status.GREY
    decision = decided("desestimat", "2023-T2")
    assert compute_status(PLAN, rows, "2023-T2", decisions=decision).indicator(M).excluded


def test_a_decision_takes_effect_in_its_quarter_without_a_report() -> None:
    rows = frame([(M, "2023-T1", "iniciat")])
    r = compute_status(PLAN, rows, "2023-T2", decisions=decided("desestimat", "2023-T2"))
    assert r.indicator(M).excluded and r.indicator(M).effective_stage == "desestimat"
    # a decision for another milestone, or one not yet in force, changes nothing
    other = compute_status(PLAN, rows, "2023-T1", decisions=decided("desestimat", "2023-T2"))
    assert not other.indicator(M).excluded
