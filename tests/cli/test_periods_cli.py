"""``seguiment lock|reopen|approve``: the operator acts with a director's rights, recorded
under ``--user`` (default: the system user); on SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from accounts import approvals, audit, users
from cli import main
from indicators.storage import locks
from indicators.storage.engine import get_engine
from plan_model.models import Plan
from settings import get_settings

PERIOD = "2025-T3"


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(getpass, "getuser", lambda: "sysop")
    get_settings.cache_clear()
    yield get_engine(db_url)
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def _events(engine: Engine, action: str) -> list[tuple[str, str, dict[str, object]]]:
    frame = audit.audit_frame(engine, action=action)
    return list(zip(frame["username"], frame["target"], frame["details"], strict=True))


def test_lock_records_reason_and_operator_and_is_idempotent(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["lock", "--period", PERIOD, "--reason", "dades definitives", "--user", "maria"]) == 0
    )
    out = capsys.readouterr().out
    assert "El 3r trimestre de 2025 està tancat" in out and "maria" in out
    assert locks.is_locked(cli_db, PERIOD)
    assert _events(cli_db, "period_lock") == [
        ("maria", PERIOD, {"reason": "dades definitives", "operator": True, "rights": "director"})
    ]
    # again, by someone else: nothing changes, it says so, exit 0
    assert main(["lock", "--period", "2025t3", "--user", "pere"]) == 0
    assert "ja estava tancat" in capsys.readouterr().out
    assert len(_events(cli_db, "period_lock")) == 1
    assert approvals.period_locks_frame(cli_db)["changed_by"].tolist() == ["maria"]


def test_the_operator_defaults_to_the_system_user(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lock", "--period", PERIOD]) == 0
    assert "sysop" in capsys.readouterr().out
    [(username, _target, details)] = _events(cli_db, "period_lock")
    assert username == "sysop" and details == {"operator": True, "rights": "director"}
    assert users.get_user(cli_db, "sysop") is None  # an operator, not an account


def test_without_a_system_user_the_operator_must_be_named(
    cli_db: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_user() -> str:
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert main(["lock", "--period", PERIOD]) == 2
    assert "--user" in capsys.readouterr().err
    assert not locks.is_locked(cli_db, PERIOD)
    assert main(["lock", "--period", PERIOD, "--user", "  "]) == 1
    assert "Cal el nom de l'operador" in capsys.readouterr().err
    assert audit.audit_frame(cli_db).empty


def test_reopen_records_the_reason_and_says_when_nothing_changed(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reopen", "--period", PERIOD, "--user", "maria"]) == 0
    assert "no estava tancat" in capsys.readouterr().out
    assert main(["lock", "--period", PERIOD, "--user", "maria"]) == 0
    assert (
        main(["reopen", "--period", PERIOD, "--reason", "correcció del SIS", "--user", "joan"]) == 0
    )
    assert "torna a estar obert" in capsys.readouterr().out
    assert not locks.is_locked(cli_db, PERIOD)
    assert _events(cli_db, "period_reopen") == [
        ("joan", PERIOD, {"reason": "correcció del SIS", "operator": True, "rights": "director"})
    ]


def _workbook(plan: Plan, tmp_path: Path) -> Path:
    indicator = next(
        i for i in plan.indicators if i.responsible_service == "SIS" and not i.is_milestone
    )
    bounds = indicator.bounds
    low = bounds.min if bounds is not None and bounds.min is not None else 0
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dades"
    ws.append(["Servei SIS"])
    ws.append([])
    ws.append(["Codi", "Nom", "Període", "Valor", "Comentari"])
    ws.append([indicator.code, indicator.name, PERIOD, low + 1, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / "sis.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def test_approve_then_lock_refuses_the_next_upload(
    cli_db: Engine, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _workbook(plan, tmp_path)
    assert main(["approve", "--service", "SIS", "--period", PERIOD, "--user", "maria"]) == 1
    assert "No hi ha cap lliurament de SIS" in capsys.readouterr().err
    assert main(["import", str(path), "--user", "tec"]) == 0
    capsys.readouterr()
    assert main(["approve", "--service", "sis", "--period", PERIOD, "--user", "maria"]) == 0
    out = capsys.readouterr().out
    assert "S'ha aprovat el lliurament número" in out and "maria" in out
    frame = approvals.approvals_frame(cli_db)
    assert frame[["service", "period", "approved_by"]].values.tolist() == [["SIS", PERIOD, "maria"]]
    [(username, target, details)] = _events(cli_db, "approve")
    assert (username, target) == ("maria", f"SIS {PERIOD}")
    assert details["operator"] is True and details["rights"] == "director"

    assert main(["lock", "--period", PERIOD, "--user", "maria"]) == 0
    capsys.readouterr()
    assert main(["import", str(path), "--user", "tec"]) == 1
    assert "tancat" in capsys.readouterr().out


def test_approve_refuses_an_unknown_service(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["approve", "--service", "NOPE", "--period", PERIOD, "--user", "maria"]) == 1
    assert "NOPE" in capsys.readouterr().err
    assert approvals.approvals_frame(cli_db).empty


@pytest.mark.parametrize("command", [["lock"], ["reopen"], ["approve", "--service", "SIS"]])
def test_a_malformed_quarter_is_a_usage_error(
    cli_db: Engine, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--period", "tercer"])
    assert exc.value.code == 2
    assert "2025-T3" in capsys.readouterr().err


def test_lock_refuses_unaccepted_deliveries_unless_given_a_reason(
    cli_db: Engine, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _workbook(plan, tmp_path)
    assert main(["import", str(path), "--user", "tec"]) == 0
    capsys.readouterr()
    assert main(["lock", "--period", PERIOD, "--user", "maria"]) == 1
    assert (
        "No tots els lliuraments del 3r trimestre de 2025 estan acceptats (SIS)"
        in capsys.readouterr().err
    )
    assert not locks.is_locked(cli_db, PERIOD)
    assert main(["lock", "--period", PERIOD, "--reason", "final", "--user", "maria"]) == 0
    assert "Tancat tot i no estar acceptats: SIS." in capsys.readouterr().out
    [(_user, _target, details)] = _events(cli_db, "period_lock")
    assert details["not_accepted"] == ["SIS"] and details["reason"] == "final"


def test_validate_then_approve_then_lock(
    cli_db: Engine, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _workbook(plan, tmp_path)
    assert main(["validate", "--service", "SIS", "--period", PERIOD, "--user", "cap"]) == 1
    assert main(["import", str(path), "--user", "tec"]) == 0
    assert main(["validate", "--service", "SIS", "--period", PERIOD, "--user", "cap"]) == 0
    assert "validat" in capsys.readouterr().out
    assert main(["approve", "--service", "SIS", "--period", PERIOD, "--user", "maria"]) == 0
    assert main(["lock", "--period", PERIOD, "--user", "maria"]) == 0
    assert locks.is_locked(cli_db, PERIOD)
    steps = approvals.approvals_frame(cli_db)[["step", "approved_by"]].values.tolist()
    assert steps == [["validated", "cap"], ["accepted", "maria"]]
    assert [u for u, _t, _d in _events(cli_db, "validate")] == ["cap"]
