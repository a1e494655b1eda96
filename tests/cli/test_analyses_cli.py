"""``seguiment analysis list --period P [--json]``: the quarter's analyses in force and the
objectives off track without one (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from accounts.analyses import write_analysis
from accounts.roles import Actor
from cli import main
from indicators.reporting import dashboard_data
from plan_model.analyses import needs_analysis
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import get_settings
from tests.helpers.dash_sample import load_sample

LAST = Period(2023, 2)


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch, plan: Plan) -> Iterator[Engine]:
    from indicators.storage.engine import get_engine

    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    engine = get_engine(db_url)
    load_sample(engine, plan, period_range(Period(2023, 1), LAST))
    yield engine
    get_settings.cache_clear()
    engine.dispose()


def test_list_shows_the_analyses_and_those_missing(
    cli_db: Engine, plan: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    data = dashboard_data.load(cli_db, plan, deadline_days=30)
    behind = [o.code for o in data.status(LAST).objectives if needs_analysis(o)]
    assert len(behind) >= 2
    write_analysis(
        cli_db,
        plan,
        behind[0],
        str(LAST),
        what_happened="Baixes a l'equip",
        next_steps="Reforç",
        by=Actor.operator("admin"),
    )
    assert main(["analysis", "list", "--period", "2023-T2"]) == 0
    out = capsys.readouterr().out
    assert f"{behind[0]} (2n trimestre de 2023), d'admin: Baixes a l'equip" in out
    assert f"En desviació sense valoració: {behind[1]}" in out
    assert main(["analysis", "list", "--period", "2T 2023", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["period"] == "2023-T2"
    assert [a["objective"] for a in report["analyses"]] == [behind[0]]
    assert report["missing"] == behind[1:]
    assert main(["analysis", "list", "--period", "2023-T1"]) == 0
    assert "No s'ha escrit cap valoració" in capsys.readouterr().out
