"""Milestone decisions in the domain: which decision is in force at a quarter, and when a
reported Ajornat/Desestimat is still a proposal to the direction (issue 15, finding 5)."""

from __future__ import annotations

import datetime as dt

from plan_model.decisions import (
    MilestoneDecision,
    Proposal,
    decision_in_force,
    is_decided,
    normalise_stage,
    pending_proposal,
)

CODE = "P1.02-I1"


def _decision(stage: str, effective: str, day: int = 1, code: str = CODE) -> MilestoneDecision:
    return MilestoneDecision(
        code, stage, effective, dt.date(2025, 7, day), "motiu", "Comissió de direcció", "boss"
    )


def test_the_stage_keys_of_the_catalog() -> None:
    assert normalise_stage(" Ajornat ") == "ajornat"
    assert normalise_stage("Desestimado") == "desestimat"
    assert normalise_stage("Dropped") == "desestimat"
    assert normalise_stage("finalitzat") is None


def test_the_latest_effective_decision_not_after_the_quarter_is_in_force() -> None:
    postponed = _decision("ajornat", "2025-T2")
    dropped = _decision("desestimat", "2025-T4")
    other = _decision("desestimat", "2025-T1", code="P2.01-I1")
    decisions = [dropped, postponed, other]
    assert decision_in_force(decisions, CODE, "2025-T1") is None
    assert decision_in_force(decisions, CODE, "2025-T3") == postponed
    assert decision_in_force(decisions, CODE, "2026-T1") == dropped
    later = _decision("desestimat", "2025-T2", day=20)  # same quarter, decided later: wins
    assert decision_in_force([postponed, later], CODE, "2025-T2") == later


def test_a_reported_ajornat_without_a_decision_is_a_proposal() -> None:
    # worked example: the technician reports Ajornat in 2025-T2 and 2025-T3
    reported = [("2025-T1", "iniciat"), ("2025-T2", "ajornat"), ("2025-T3", "ajornat")]
    assert pending_proposal([], CODE, reported, "2025-T3") == Proposal(
        CODE, "ajornat", "2025-T2", "2025-T3"
    )
    assert pending_proposal([], CODE, reported, "2025-T1") is None  # not yet reported then
    assert not is_decided([], CODE, "Ajornat", "2025-T3")
    # the direction records it from 2025-T2: no longer a proposal
    decided = [_decision("ajornat", "2025-T2")]
    assert pending_proposal(decided, CODE, reported, "2025-T3") is None
    assert is_decided(decided, CODE, "ajornat", "2025-T3")
    # a decision of the other stage does not back it
    assert pending_proposal([_decision("desestimat", "2025-T2")], CODE, reported, "2025-T3")


def test_other_stages_need_no_decision() -> None:
    assert is_decided([], CODE, "en_desenvolupament", "2025-T3")
    reported = [("2025-T2", "ajornat"), ("2025-T3", "avancat")]
    assert pending_proposal([], CODE, reported, "2025-T3") is None
    assert pending_proposal([], CODE, [("bad", "ajornat"), ("2025-T1", None)], "2025-T3") is None
