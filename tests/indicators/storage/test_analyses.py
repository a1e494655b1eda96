"""Objective analyses (valoracions) as stored: written, superseded but kept, read back in force,
bounded and without NUL, refused for a locked quarter, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from indicators.storage import analyses, locks
from indicators.storage.analyses import AnalysisRefused
from indicators.storage.engine import transaction
from indicators.storage.schema import DEFAULT_PLAN_ID, ObjectiveAnalysis


def _write(
    engine: Engine,
    objective: str = "P3.07",
    period: str = "2025-T3",
    happened: str = "Manca de personal a l'estiu",
    **kwargs: object,
) -> analyses.AnalysisInfo:
    with transaction(engine) as session:
        return analyses.add_analysis(
            session,
            objective=objective,
            period=period,
            what_happened=happened,
            next_steps=str(kwargs.pop("next_steps", "Reforç de l'equip")),
            author="tec",
            **kwargs,  # type: ignore[arg-type]
        )


def test_an_analysis_is_stored_and_read_back_in_force(engine: Engine) -> None:
    assert analyses.analyses_in_force(engine) == []
    info = _write(engine, due_by=dt.date(2025, 12, 31), public=True)
    assert info.plan_id == DEFAULT_PLAN_ID
    assert info.created_at.tzinfo is not None
    assert (info.objective, info.period, info.due_by, info.public) == (
        "P3.07",
        "2025-T3",
        dt.date(2025, 12, 31),
        True,
    )
    assert analyses.analyses_in_force(engine, "2025-T3") == [info]
    with Session(engine) as session:  # the readers take a session too
        assert analyses.analysis_in_force(session, "P3.07", "2025-T3") == info
    assert analyses.analyses_in_force(engine, "2025-T2") == []
    assert info.to_json()["due_by"] == "2025-12-31"


def test_public_defaults_to_false_and_filters_the_open_data(engine: Engine) -> None:
    private = _write(engine, "P1.01")
    public = _write(engine, "P1.02", public=True)
    assert private.public is False
    assert [a.objective for a in analyses.analyses_in_force(engine)] == ["P1.01", "P1.02"]
    assert analyses.analyses_in_force(engine, public_only=True) == [public]
    assert analyses.analyses_in_force(engine, objectives=["P1.01"]) == [private]


def test_a_rewrite_supersedes_but_never_destroys(engine: Engine) -> None:
    first = _write(engine, happened="Primera versió")
    second = _write(engine, happened="Segona versió")
    other_quarter = _write(engine, period="2025-T2", happened="Un altre trimestre")
    assert analyses.analysis_in_force(engine, "P3.07", "2025-T3") == second
    assert analyses.analysis_history(engine, "P3.07", "2025-T3") == [second, first]
    assert analyses.analyses_in_force(engine) == [other_quarter, second]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ObjectiveAnalysis)) == 3


def test_texts_lose_nul_and_are_bounded_the_same_on_both_backends(engine: Engine) -> None:
    info = _write(engine, happened="  Va\x00 bé\x00 ", next_steps="x" * analyses.TEXT_LIMIT)
    stored = analyses.analysis_in_force(engine, "P3.07", "2025-T3")
    assert stored is not None
    assert stored.what_happened == "Va bé" == info.what_happened
    assert len(stored.next_steps) == analyses.TEXT_LIMIT
    with pytest.raises(AnalysisRefused) as refused:
        _write(engine, happened="y" * (analyses.TEXT_LIMIT + 1))
    assert refused.value.code == analyses.REFUSED_TOO_LONG
    assert refused.value.params["field"] == "what_happened"
    with pytest.raises(AnalysisRefused) as empty:
        _write(engine, happened=" \x00 ")
    assert empty.value.code == analyses.REFUSED_EMPTY
    with pytest.raises(AnalysisRefused) as bad:
        _write(engine, period="2025-T5")
    assert bad.value.code == analyses.REFUSED_PERIOD
    assert len(analyses.analysis_history(engine, "P3.07", "2025-T3")) == 1


def test_a_locked_quarter_takes_no_analysis(engine: Engine) -> None:
    _write(engine)
    with transaction(engine) as session:
        locks.set_lock(session, "2025-T3", locked=True, by="boss")
    with pytest.raises(AnalysisRefused) as refused:
        _write(engine, happened="Canvi després del tancament")
    assert refused.value.code == analyses.REFUSED_LOCKED
    stored = analyses.analysis_in_force(engine, "P3.07", "2025-T3")
    assert stored is not None and stored.what_happened == "Manca de personal a l'estiu"
    _write(engine, period="2025-T4")  # an open quarter still takes one
    with transaction(engine) as session:
        locks.set_lock(session, "2025-T3", locked=False, by="boss")
    assert _write(engine, happened="Reobert").what_happened == "Reobert"
