"""Storage of imports, on SQLite and PostgreSQL: one transaction, history kept, no-op duplicates,
as-of queries, and concurrent imports of the same service and quarter."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import pickle
from collections.abc import Iterable

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

import indicators.storage.store as store_module
from indicators.intake.importer import ImportResult, import_file
from indicators.storage.engine import make_engine, transaction
from indicators.storage.locks import refused_periods
from indicators.storage.queries import (
    data_generation,
    submission_content,
    submissions_frame,
    value_history,
    values_frame,
)
from indicators.storage.schema import AuditEvent, PeriodLock, Submission, Value
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import xlsx_bytes

T0 = dt.datetime(2025, 10, 5, 9, 0, tzinfo=dt.UTC)


def sheet(
    hours: object, pct: object = 40, stage: object = "Iniciat", period: str = "2025-T3"
) -> bytes:
    return xlsx_bytes(
        [
            ["Codi", "Període", "Valor", "Comentari"],
            ["P1.01-I1", period, hours, f"hores {hours}"],
            ["P1.01-I2", period, pct, None],
            ["P1.02-I1", period, stage, None],
        ]
    )


def load(
    engine: Engine,
    plan: Plan,
    content: bytes,
    *,
    at: dt.datetime | None = None,
    dry_run: bool = False,
) -> ImportResult:
    return import_file(
        engine,
        plan,
        filename="sad.xlsx",
        content=content,
        user="tecnica",
        today=TODAY,
        settings=Settings(),
        uploaded_at=at,
        dry_run=dry_run,
    )


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        rows = (
            conn.execute(select(func.count()).select_from(Submission)).scalar_one(),
            conn.execute(select(func.count()).select_from(Value)).scalar_one(),
            conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
        )
    return (*rows, data_generation(engine))


def test_import_stores_submission_values_audit_and_generation(
    engine: Engine, small_plan: Plan
) -> None:
    content = sheet("1.234,5")
    result = load(engine, small_plan, content, at=T0)
    assert result.status == "ok", result.errors
    assert result.submission_id is not None
    assert counts(engine) == (1, 3, 1, 1)
    frame = values_frame(engine)
    assert list(frame.columns) == [
        "indicator",
        "service",
        "period",
        "year",
        "quarter",
        "value",
        "stage",
        "comment",
        "submission_id",
        "sheet",
        "row",
        "filename",
        "uploaded_by",
        "uploaded_at",
    ]
    row = frame.set_index("indicator").loc["P1.01-I1"]
    assert row["value"] == 1234.5 and row["year"] == 2025 and row["quarter"] == 3
    assert (row["sheet"], row["row"], row["filename"]) == ("Dades", 2, "sad.xlsx")
    assert row["uploaded_at"] == pd.Timestamp(T0)
    milestone = frame.set_index("indicator").loc["P1.02-I1"]
    assert milestone["stage"] == "iniciat" and pd.isna(milestone["value"])
    assert submission_content(engine, result.submission_id) == ("sad.xlsx", content)
    with transaction(engine) as session:
        event = session.execute(select(AuditEvent)).scalars().one()
    assert (event.action, event.username, event.target) == ("import", "tecnica", "SAD 2025-T3")
    assert event.details is not None and event.details["submission_id"] == result.submission_id


def test_a_rejected_import_stores_nothing(engine: Engine, small_plan: Plan) -> None:
    load(engine, small_plan, sheet(10), at=T0)
    before = counts(engine)
    bad = xlsx_bytes(
        [
            ["Codi", "Període", "Valor"],
            ["P1.01-I1", "2025-T3", 20],
            ["P1.01-I2", "2025-T3", "molts"],
        ]
    )
    result = load(engine, small_plan, bad)
    assert result.status == "rejected"
    assert counts(engine) == before
    assert values_frame(engine).set_index("indicator").loc["P1.01-I1", "value"] == 10


def test_a_failure_while_storing_rolls_everything_back(
    engine: Engine, small_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(engine, small_plan, sheet(10), at=T0)
    before = counts(engine)

    def broken(_conn: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "bump_generation", broken)
    with pytest.raises(RuntimeError):
        load(engine, small_plan, sheet(99), at=T0 + dt.timedelta(hours=1))
    assert counts(engine) == before
    subs = submissions_frame(engine)
    assert subs["status"].tolist() == ["current"] and subs["id"].tolist() == [first.submission_id]


def test_dry_run_stores_nothing(engine: Engine, small_plan: Plan) -> None:
    result = load(engine, small_plan, sheet(10), dry_run=True)
    assert result.status == "ok" and result.submission_id is None
    assert "no s'ha desat res" in result.message
    assert counts(engine) == (0, 0, 0, 0)


def test_reupload_supersedes_and_keeps_history(engine: Engine, small_plan: Plan) -> None:
    original = sheet(10)
    first = load(engine, small_plan, original, at=T0)
    second = load(engine, small_plan, sheet(12, stage="Avançat"), at=T0 + dt.timedelta(days=2))
    assert second.status == "ok" and second.superseded_id == first.submission_id
    assert first.submission_id is not None and second.submission_id is not None
    assert "substitueixen el lliurament número" in second.message.lower()
    subs = submissions_frame(engine).set_index("id")
    assert subs.loc[first.submission_id, "status"] == "superseded"
    assert subs.loc[first.submission_id, "superseded_by_id"] == second.submission_id
    assert subs.loc[second.submission_id, "status"] == "current"
    assert subs.loc[second.submission_id, "supersedes_id"] == first.submission_id
    current = values_frame(engine).set_index("indicator")
    assert current.loc["P1.01-I1", "value"] == 12
    assert current.loc["P1.02-I1", "stage"] == "avancat"
    assert set(current["submission_id"]) == {second.submission_id}
    history = value_history(engine, "P1.01-I1", "2025-T3")
    assert history["value"].tolist() == [10, 12]
    assert history["status"].tolist() == ["superseded", "current"]
    assert history["comment"].tolist() == ["hores 10", "hores 12"]
    assert submission_content(engine, first.submission_id)[1] == original  # original kept
    assert data_generation(engine) == 2


def test_the_same_file_twice_is_a_no_op(engine: Engine, small_plan: Plan) -> None:
    content = sheet(10)
    first = load(engine, small_plan, content, at=T0)
    before = counts(engine)
    again = load(engine, small_plan, content)
    assert again.status == "duplicate"
    assert again.submission_id == first.submission_id
    assert "ja és el lliurament vigent" in again.message
    assert counts(engine) == before


def test_same_bytes_after_a_different_file_is_a_new_version(
    engine: Engine, small_plan: Plan
) -> None:
    ten = sheet(10)
    load(engine, small_plan, ten, at=T0)
    load(engine, small_plan, sheet(11), at=T0 + dt.timedelta(hours=1))
    back = load(engine, small_plan, ten, at=T0 + dt.timedelta(hours=2))
    assert back.status == "ok"
    assert submissions_frame(engine)["status"].tolist() == ["superseded", "superseded", "current"]


def test_as_of_sees_only_what_was_uploaded_by_then(engine: Engine, small_plan: Plan) -> None:
    t1, t2 = T0, T0 + dt.timedelta(days=30)
    load(engine, small_plan, sheet(10), at=t1)
    load(engine, small_plan, sheet(12), at=t2)
    assert values_frame(engine, as_of=t1 - dt.timedelta(seconds=1)).empty
    then = values_frame(engine, as_of=t1 + dt.timedelta(days=1))
    assert then.set_index("indicator").loc["P1.01-I1", "value"] == 10
    now = values_frame(engine, as_of=t2)
    assert now.set_index("indicator").loc["P1.01-I1", "value"] == 12
    subs_then = submissions_frame(engine, as_of=t1 + dt.timedelta(days=1))
    assert subs_then["status"].tolist() == ["current"]
    assert subs_then["superseded_by_id"].isna().all()
    naive = values_frame(engine, as_of=(t1 + dt.timedelta(days=1)).replace(tzinfo=None))
    assert naive.set_index("indicator").loc["P1.01-I1", "value"] == 10


def test_history_in_a_long_file_and_newest_value_wins(engine: Engine, small_plan: Plan) -> None:
    history = xlsx_bytes(
        [
            ["Codi", "Període", "Valor"],
            ["P1.01-I1", "2025-T2", 8],
            ["P1.01-I1", "2025-T3", 10],
        ]
    )
    load(engine, small_plan, history, at=T0)
    load(engine, small_plan, sheet(11, period="2025-T2"), at=T0 + dt.timedelta(days=1))
    frame = values_frame(engine)
    got = {(r.indicator, r.period): r.value for r in frame.itertuples()}
    assert got[("P1.01-I1", "2025-T2")] == 11  # newest submission wins
    assert got[("P1.01-I1", "2025-T3")] == 10
    early = values_frame(engine, as_of=T0 + dt.timedelta(hours=1))
    assert {(r.indicator, r.period): r.value for r in early.itertuples()} == {
        ("P1.01-I1", "2025-T2"): 8,
        ("P1.01-I1", "2025-T3"): 10,
    }


def test_suspicious_jump_is_a_warning(engine: Engine, small_plan: Plan) -> None:
    load(engine, small_plan, sheet(100, period="2025-T2"), at=T0)
    result = load(engine, small_plan, sheet(300, pct=41, period="2025-T3"))
    assert result.status == "ok"
    assert [
        (w.code, w.row, w.column) for w in result.warnings if w.code != "analysis_required"
    ] == [("suspicious_jump", 2, "C")]
    assert "passa de 100 el 2n trimestre de 2025 a 300" in result.warnings[0].message
    with engine.connect() as conn:
        stored = conn.execute(
            select(Submission.warnings).where(Submission.id == result.submission_id)
        ).scalar_one()
    assert stored is not None and stored[0]["code"] == "suspicious_jump"


def test_locked_period_is_rejected(engine: Engine, small_plan: Plan) -> None:
    with transaction(engine) as session:
        session.add(PeriodLock(period="2025-T3", locked=True, changed_by="directora"))
    result = load(engine, small_plan, sheet(10))
    assert [e.code for e in result.errors] == ["locked_period"]
    assert "tancat per la direcció" in result.errors[0].message
    assert counts(engine) == (0, 0, 0, 0)
    with transaction(engine) as session:
        session.get(PeriodLock, "2025-T3").locked = False  # type: ignore[union-attr]
    assert load(engine, small_plan, sheet(10)).status == "ok"


def _concurrent_import(args: tuple[str, bytes, int]) -> str:
    url, plan_bytes, marker = args
    plan = pickle.loads(plan_bytes)
    engine = make_engine(url)
    try:
        result = import_file(
            engine,
            plan,
            filename=f"sad-{marker}.xlsx",
            content=sheet(marker, pct=marker),
            user=f"worker{marker}",
            today=TODAY,
            settings=Settings(),
        )
        return result.status
    finally:
        engine.dispose()


def test_concurrent_imports_of_the_same_quarter(db_url: str, small_plan: Plan) -> None:
    markers = [11, 22, 33, 44]
    ctx = multiprocessing.get_context("fork")
    plan_bytes = pickle.dumps(small_plan)
    with ctx.Pool(4) as pool:
        statuses = pool.map(_concurrent_import, [(db_url, plan_bytes, m) for m in markers])
    assert statuses == ["ok"] * 4
    engine = make_engine(db_url)
    try:
        subs = submissions_frame(engine)
        assert len(subs) == 4
        assert (subs["status"] == "current").sum() == 1
        current_id = int(subs.loc[subs["status"] == "current", "id"].iloc[0])
        # the supersession chain is complete: every earlier one is superseded by the next
        chain = subs.set_index("id")
        superseded = chain[chain["status"] == "superseded"]
        assert superseded["superseded_by_id"].notna().all()
        assert sorted(chain["supersedes_id"].dropna().astype(int)) == sorted(superseded.index)
        frame = values_frame(engine)
        assert set(frame["submission_id"]) == {current_id}
        numbers = frame.dropna(subset=["value"])
        assert numbers["value"].nunique() == 1  # no value mixed from two files
        assert len(frame) == 3
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Value)).scalar_one() == 12
        assert data_generation(engine) == 4
    finally:
        engine.dispose()


def test_quarter_locked_during_validation_is_still_refused(
    engine: Engine, small_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A director locks the quarter after the file was validated but before it is stored:
    the store re-checks inside its transaction, so nothing is stored."""
    import indicators.intake.importer as importer_module

    calls = {"n": 0}

    def lock_after_validation(eng: Engine, periods: Iterable[str]) -> set[str]:
        calls["n"] += 1
        if calls["n"] == 1:  # the validation's look-up: not locked yet ...
            with transaction(engine) as session:  # ... and the director locks it right then
                session.add(PeriodLock(period="2025-T3", locked=True, changed_by="directora"))
            return set()
        return refused_periods(eng, periods)

    monkeypatch.setattr(importer_module, "refused_periods", lock_after_validation)
    result = load(engine, small_plan, sheet(10))
    assert result.status == "rejected"
    assert [e.code for e in result.errors] == ["locked_period"]
    assert counts(engine) == (0, 0, 0, 0)
