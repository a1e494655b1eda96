"""Values in force per key, on SQLite and PostgreSQL: a blank cell changes nothing, an explicit
clear does, the changes of a file before it is stored, and a locked quarter never moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Engine, func, select

from indicators.intake.importer import ImportResult, import_file
from indicators.reporting import dashboard_data
from indicators.reporting.export import export_values, reimport
from indicators.storage.engine import transaction
from indicators.storage.locks import set_lock
from indicators.storage.queries import values_frame
from indicators.storage.schema import Submission, Value
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import xls_bytes, xlsx_bytes

T0 = dt.datetime(2025, 10, 5, 9, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=1)
T2 = T0 + dt.timedelta(days=2)
T3 = T0 + dt.timedelta(days=3)


def load(
    engine: Engine,
    plan: Plan,
    rows: Sequence[Sequence[object]],
    *,
    at: dt.datetime,
    period: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    return import_file(
        engine,
        plan,
        filename="sad.xlsx",
        content=xlsx_bytes([["Codi", "Període", "Valor", "Comentari"], *rows]),
        user="tecnica",
        today=TODAY,
        settings=Settings(),
        uploaded_at=at,
        period=period,
        dry_run=dry_run,
    )


def in_force(engine: Engine) -> dict[tuple[str, str], float | str]:
    """The value in force of each (indicator, quarter): a milestone's stage key, else its number."""
    values: dict[tuple[str, str], float | str] = {}
    for row in values_frame(engine).to_dict("records"):
        stage = row["stage"]
        values[(str(row["indicator"]), str(row["period"]))] = (
            stage if isinstance(stage, str) else float(row["value"])
        )
    return values


FIRST: list[list[object]] = [
    ["P1.01-I1", "2025-T3", 120, "primer"],
    ["P1.01-I2", "2025-T3", 40, None],
    ["P1.02-I1", "2025-T3", "Iniciat", None],
]


def test_a_blank_row_keeps_the_earlier_value_with_its_provenance(
    engine: Engine, small_plan: Plan
) -> None:
    first = load(engine, small_plan, FIRST, at=T0)
    assert first.status == "ok", first.errors
    again = load(engine, small_plan, [["P1.01-I1", "2025-T3", 130, None], ["P1.01-I2"]], at=T1)
    assert again.status == "ok", again.errors
    assert again.superseded_id == first.submission_id
    values = in_force(engine)
    assert values[("P1.01-I1", "2025-T3")] == 130
    assert values[("P1.01-I2", "2025-T3")] == 40  # blank: kept
    assert values[("P1.02-I1", "2025-T3")] == "iniciat"  # absent: kept
    # the dashboard's read model and the provenance table say where each comes from
    lean = dashboard_data.current_values(engine)
    by_key = {
        (row["indicator"], row["period"]): int(row["submission_id"])
        for row in lean.to_dict("records")
    }
    assert by_key[("P1.01-I2", "2025-T3")] == first.submission_id
    assert by_key[("P1.01-I1", "2025-T3")] == again.submission_id
    prov = dashboard_data.current_values(engine, ["P1.01-I2"], provenance=True)
    assert list(prov["filename"]) == ["sad.xlsx"]
    assert list(prov["submission_id"]) == [first.submission_id]
    assert set(dashboard_data.newest_frame(dashboard_data.value_rows(engine))["indicator"]) == {
        "P1.01-I1",
        "P1.01-I2",
        "P1.02-I1",
    }
    # as it stood before the re-delivery: the first file's values
    before = values_frame(engine, as_of=T0 + dt.timedelta(hours=1))
    assert dict(zip(before["indicator"], before["value"], strict=True))["P1.01-I1"] == 120
    # nothing destroyed: both submissions and every value row stay stored
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 2
        assert conn.execute(select(func.count()).select_from(Value)).scalar_one() == 4


def test_an_explicit_marker_clears_a_value(engine: Engine, small_plan: Plan) -> None:
    load(engine, small_plan, FIRST, at=T0)
    rows = [["P1.01-I1", "2025-T3", "Esborrar", None], ["P1.02-I1", "2025-T3", "CLEAR", None]]
    result = load(engine, small_plan, rows, at=T1, dry_run=True)
    assert result.ok, result.errors
    assert [v.cleared for v in result.values] == [True, True]
    assert {w.code for w in result.warnings} == {"value_cleared"}
    kinds = {(c.indicator, c.kind) for c in result.changes}
    assert kinds == {("P1.01-I1", "cleared"), ("P1.02-I1", "cleared"), ("P1.01-I2", "kept")}
    assert in_force(engine)[("P1.01-I1", "2025-T3")] == 120  # a dry run stores nothing
    stored = load(engine, small_plan, rows, at=T1)
    assert stored.status == "ok", stored.errors
    assert in_force(engine) == {("P1.01-I2", "2025-T3"): 40}
    assert dashboard_data.current_values(engine, ["P1.01-I1"], provenance=True).empty
    # a later file gives it again
    load(engine, small_plan, [["P1.01-I1", "2025-T3", "bórrar", None]], at=T2)
    load(engine, small_plan, [["P1.01-I1", "2025-T3", 7, None]], at=T3)
    assert in_force(engine)[("P1.01-I1", "2025-T3")] == 7


def test_the_changes_list_before_confirming(engine: Engine, small_plan: Plan) -> None:
    first = load(engine, small_plan, FIRST, at=T0)
    rows = [["P1.01-I1", "2025-T3", 130, None], ["P1.01-I2", "2025-T3", 40, None]]
    check = load(engine, small_plan, [*rows, ["P1.02-I2", "2025-T3", 5, None]], at=T1, dry_run=True)
    assert check.ok, check.errors
    assert check.replaces_id == first.submission_id
    changes = {c.indicator: c for c in check.changes}
    assert (changes["P1.01-I1"].kind, changes["P1.01-I1"].before, changes["P1.01-I1"].after) == (
        "changed",
        120,
        130,
    )
    assert changes["P1.01-I1"].before_submission == first.submission_id
    assert changes["P1.01-I2"].kind == "same"
    assert changes["P1.02-I2"].kind == "new"
    assert (changes["P1.02-I1"].kind, changes["P1.02-I1"].after) == ("kept", "iniciat")
    assert check.to_json()["changes"][0]["indicator"] == "P1.01-I1"
    assert check.to_json()["replaces_id"] == first.submission_id
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 1


def _lock(engine: Engine, period: str) -> None:
    with transaction(engine) as session:
        assert set_lock(session, period, locked=True, by="directora")


def test_a_locked_quarter_never_moves(engine: Engine, small_plan: Plan) -> None:
    load(engine, small_plan, [["P1.01-I1", "2025-T2", 50, None]], at=T0, period="2025-T2")
    # the T3 file carries a correction of T2
    t3 = [["P1.01-I1", "2025-T3", 60, None], ["P1.01-I1", "2025-T2", 55, "correcció"]]
    assert load(engine, small_plan, t3, at=T1, period="2025-T3").status == "ok"
    assert in_force(engine)[("P1.01-I1", "2025-T2")] == 55
    _lock(engine, "2025-T2")
    # a re-upload of T3 without the correction leaves T2's figure where it was
    again = load(engine, small_plan, [["P1.01-I1", "2025-T3", 61, None]], at=T2, period="2025-T3")
    assert again.status == "ok", again.errors
    assert in_force(engine)[("P1.01-I1", "2025-T2")] == 55
    # a row for T2 in a later file is refused, with the reason
    for value in (56, "esborrar"):
        refused = load(
            engine,
            small_plan,
            [["P1.01-I1", "2025-T3", 62, None], ["P1.01-I1", "2025-T2", value, None]],
            at=T3,
            period="2025-T3",
        )
        assert refused.status == "rejected"
        assert [e.code for e in refused.errors] == ["locked_period"]
        assert "2n trimestre de 2025" in refused.errors[0].message
        assert "tancat" in refused.errors[0].message
    # nor does a reimport of an export move it
    export = export_values(engine, small_plan, "csv")
    results = reimport(engine, small_plan, export.filename, export.content, user="admin")
    assert {r.period: r.status for r in results}["2025-T2"] == "rejected"
    assert in_force(engine)[("P1.01-I1", "2025-T2")] == 55
    assert in_force(engine)[("P1.01-I1", "2025-T3")] == 61


def test_the_chosen_quarter_must_be_the_files(engine: Engine, small_plan: Plan) -> None:
    rows = [["P1.01-I1", "2025-T3", 60, None], ["P1.01-I2", "2025-T3", 40, None]]
    result = load(engine, small_plan, rows, at=T0, period="2025-T4")
    assert result.status == "rejected"
    assert [e.code for e in result.errors] == ["period_mismatch"]
    assert "3r trimestre de 2025" in result.errors[0].message
    assert "4t trimestre de 2025" in result.errors[0].message
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 0
    # a correction of an earlier quarter beside the chosen one's rows stays allowed
    mixed = [["P1.01-I1", "2025-T4", 60, None], ["P1.01-I2", "2025-T3", 40, None]]
    assert load(engine, small_plan, mixed, at=T0, period="2025-T4").status == "ok"


def test_a_nul_byte_in_a_cell_is_stripped_with_a_warning_on_both_backends(
    engine: Engine, small_plan: Plan
) -> None:
    content = xls_bytes(
        [["Codi", "Període", "Valor", "Comentari"], ["P1.01-I1", "2025-T3", 12, "a\x00b"]]
    )
    result = import_file(
        engine,
        small_plan,
        filename="sad.xls",
        content=content,
        user="tecnica",
        service="SAD",
        today=TODAY,
        settings=Settings(),
        uploaded_at=T0,
    )
    assert result.status == "ok", result.errors
    assert "nul_removed" in {w.code for w in result.warnings}
    frame = dashboard_data.current_values(engine, ["P1.01-I1"], provenance=True)
    assert list(frame["comment"]) == ["ab"]
