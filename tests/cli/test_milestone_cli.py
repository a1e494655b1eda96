"""``seguiment milestone decide|revoke|list``: the operator records the direction's decisions
(audited under ``--user``), a locked quarter is refused, ``list --json`` shows them all; on
SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from accounts import audit
from cli import main
from indicators.intake.validate import ParsedValue
from indicators.storage import decisions, locks
from indicators.storage.engine import get_engine, transaction
from indicators.storage.store import store
from plan_model.models import Plan
from settings import get_settings

DECIDE = [
    "milestone",
    "decide",
    "--indicator",
    "p1.02-i1",
    "--stage",
    "Ajornat",
    "--effective",
    "3T 2025",
    "--reason",
    "Manca de finançament",
    "--body",
    "Comissió de direcció",
    "--date",
    "2025-07-10",
]


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(getpass, "getuser", lambda: "sysop")
    get_settings.cache_clear()
    yield get_engine(db_url)
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def test_decide_list_and_revoke(cli_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*DECIDE, "--user", "maria"]) == 0
    out = capsys.readouterr().out
    assert "P1.02-I1 Ajornat des del 3r trimestre de 2025" in out and "maria" in out
    [decision] = decisions.active_decisions(cli_db)
    assert (decision.indicator, decision.stage, decision.effective) == (
        "P1.02-I1",
        "ajornat",
        "2025-T3",
    )
    assert decision.decided_on.isoformat() == "2025-07-10" and decision.by == "maria"
    events = audit.audit_frame(cli_db, action="milestone_decide")
    assert events.iloc[0]["details"]["operator"] is True

    assert main(["milestone", "list"]) == 0
    assert "Comissió de direcció" in capsys.readouterr().out
    assert main(["milestone", "revoke", "--indicator", "P1.02-I1", "--effective", "2025-T3"]) == 0
    assert "torna a ser una proposta" in capsys.readouterr().out
    assert decisions.active_decisions(cli_db) == []

    assert main(["milestone", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["indicator"] == "P1.02-I1" and row["revoked"] is True
    assert row["revoked_by"] == "sysop" and row["plan_id"] == "coss-2022-2025"
    assert row["decided_on"] == "2025-07-10" and row["body"] == "Comissió de direcció"


def test_refusals_exit_1_with_the_reason(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_milestone = [*DECIDE]
    not_a_milestone[3] = "P1.01-I1"  # a numeric indicator
    assert main(not_a_milestone) == 1
    assert "no és una fita" in capsys.readouterr().err
    with transaction(cli_db) as session:
        locks.set_lock(session, "2025-T3", locked=True, by="maria")
    assert main(DECIDE) == 1
    assert "tancat" in capsys.readouterr().err
    assert main(["milestone", "revoke", "--id", "42"]) == 1
    assert main(["milestone", "revoke"]) == 1
    assert decisions.decision_records(cli_db) == []


def test_a_wrong_stage_or_quarter_is_a_usage_error(cli_db: Engine) -> None:
    for wrong in (["--stage", "finalitzat"], ["--effective", "juliol"]):
        args = [*DECIDE, *wrong]
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 2


def test_list_without_decisions(cli_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["milestone", "list"]) == 0
    assert "Cap decisió" in capsys.readouterr().out
    assert main(["milestone", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def _indicator(doc: object, code: str) -> dict[str, object] | None:
    """The indicator ``code`` anywhere in ``seguiment status --json``'s document."""
    if isinstance(doc, dict):
        if doc.get("code") == code and "proposal" in doc:
            return doc
        children: list[object] = list(doc.values())
    elif isinstance(doc, list):
        children = list(doc)
    else:
        return None
    for child in children:
        found = _indicator(child, code)
        if found is not None:
            return found
    return None


def _status_of_milestone(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["status", "--period", "2025-T3", "--json"]) == 0
    found = _indicator(json.loads(capsys.readouterr().out), "P1.02-I1")
    assert found is not None
    return found


def test_status_takes_the_decisions(
    cli_db: Engine, plan: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    service = plan.indicator_by_code["P1.02-I1"].responsible_service
    store(
        cli_db,
        service=service,
        period="2025-T3",
        filename="t3.xlsx",
        content=b"t3",
        user="tecnic",
        source="cli",
        values=[ParsedValue("P1.02-I1", "2025-T3", "ajornat", None, "Dades", 2, "E")],
        warnings=[],
    )
    before = _status_of_milestone(capsys)
    assert before["proposal"] is True  # reported by a technician: only a proposal
    assert main(DECIDE) == 0
    capsys.readouterr()
    after = _status_of_milestone(capsys)
    assert after["proposal"] is False and after["postponed"] is True  # decided: in effect
