"""``seguiment status --json`` and ``seguiment export`` with breakdown members (issue 14):
per indicator ``breakdowns`` (every other key kept), one export column per dimension, and an
export that loads back to the same members."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from cli import main
from indicators.intake.importer import import_file
from indicators.reporting.export import export_values, reimport
from indicators.storage.engine import get_engine, make_engine
from indicators.storage.migrate import upgrade
from indicators.storage.queries import member_values_frame
from plan_model.models import Plan
from settings import Settings, get_settings
from tests.helpers.breakdown_plan import COUNT, HOMELESS, PERCENT, PLAN_FILE, breakdown_plan
from tests.helpers.sheet_builders import xlsx_bytes

TODAY = dt.date(2025, 11, 20)
AT = dt.datetime(2025, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def send(engine: Engine, plan: Plan, service: str, rows: list[list[object]], hours: int) -> None:
    result = import_file(
        engine,
        plan,
        filename=f"{service}.xlsx",
        content=xlsx_bytes(rows),
        user="tecnica",
        service=service,
        period="2025-T3",
        today=TODAY,
        settings=Settings(),
        uploaded_at=AT + dt.timedelta(hours=hours),
    )
    assert result.ok, result.errors


def load(engine: Engine) -> Plan:
    plan = breakdown_plan()
    send(
        engine,
        plan,
        "SBAS-VIC",
        [["Codi", "Sexe", "Valor"], [COUNT, "Dona", 30], [COUNT, "Home", 20]],
        0,
    )
    send(engine, plan, "SBAS-COSS", [["Codi", "Sexe", "Valor"], [COUNT, "Dona", 7]], 1)
    send(
        engine,
        plan,
        "SBAS",
        [
            ["Codi", "ABSS", "Municipi", "Numerador", "Denominador", "Valor"],
            [PERCENT, "COSS", None, 1, 2, None],
            [PERCENT, "VIC", None, 90, 100, None],
            [HOMELESS, None, "08298", None, None, 4],
            [HOMELESS, None, None, None, None, 9],
        ],
        2,
    )
    return plan


def indicators_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        ind["code"]: ind
        for lever in document["levers"]
        for axis in lever["axes"]
        for objective in axis["objectives"]
        for ind in objective["indicators"]
    }


def test_status_json_gives_the_breakdowns(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(cli_db)
    load(engine)
    engine.dispose()
    code = main(["status", "--period", "2025-T3", "--json", "--plan", str(PLAN_FILE / "plan.yaml")])
    assert code == 0
    found = indicators_of(json.loads(capsys.readouterr().out))
    count = found[COUNT]
    # every key of before is kept, and the total is the members' sum
    assert {"code", "value", "status", "trend", "forecast"} <= set(count)
    assert count["quarter_value"] == 57.0
    assert count["breakdowns"] == {
        "abss": [
            {
                "member": "COSS",
                "name": "ABSS Consell Comarcal d'Osona",
                "value": 7.0,
                "previous": None,
                "trend": None,
            },
            {"member": "VIC", "name": "ABSS Vic", "value": 50.0, "previous": None, "trend": None},
        ],
        "sex": [
            {"member": "D", "name": "Dona", "value": 37.0, "previous": None, "trend": None},
            {"member": "H", "name": "Home", "value": 20.0, "previous": None, "trend": None},
        ],
    }
    assert count["breakdown_coverage"] == {"dimension": "abss", "covered": 2, "of": 2}
    percent = found[PERCENT]
    assert percent["quarter_value"] == pytest.approx(9100 / 102)
    assert [m["value"] for m in percent["breakdowns"]["abss"]] == [50.0, 90.0]
    # a reported total stands; its members are listed
    homeless = found[HOMELESS]
    assert homeless["quarter_value"] == 9.0
    assert homeless["breakdowns"] == {
        "municipality": [
            {"member": "08298", "name": "Vic", "value": 4.0, "previous": None, "trend": None}
        ]
    }
    assert homeless["breakdown_coverage"] == {"dimension": "municipality", "covered": 1, "of": 3}
    assert found["P1.02-I1"]["breakdowns"] == {}
    assert found["P1.02-I1"]["breakdown_coverage"] is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_has_a_column_per_dimension_and_loads_back(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    plan = load(engine)
    export = export_values(engine, plan, fmt)
    if fmt == "xlsx":
        ws = load_workbook(io.BytesIO(export.content)).worksheets[0]
        header = [str(c.value) for c in ws[1]]
    else:
        header = export.content.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[-5:] == ["ABSS", "Municipi", "Sexe", "Numerador", "Denominador"]
    assert export.rows == 7  # 3 count members, 2 ratio members, 1 member and 1 total
    url = f"sqlite:///{tmp_path / 'again.db'}"
    upgrade(url)
    again = make_engine(url)
    try:
        results = reimport(again, plan, export.filename, export.content, user="admin")
        assert all(r.ok for r in results), [r.errors for r in results]
        columns = [
            "indicator",
            "service",
            "period",
            "member_key",
            "value",
            "numerator",
            "denominator",
        ]
        before = member_values_frame(engine)[columns].fillna(-1.0).to_dict("records")
        after = member_values_frame(again)[columns].fillna(-1.0).to_dict("records")
        assert len(before) == 6 and after == before
    finally:
        again.dispose()
