"""``seguiment plan list [--json]`` (the JSON keys are a fixed contract) and ``seguiment plan
close --plan ID [--reason TEXT] [--by USER]``: every quarter locked, idempotent, refused
without a reason when a delivery is not accepted, an unknown plan a usage error (SQLite and
PostgreSQL)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from accounts import audit, plan_states
from cli import main
from indicators.storage import locks
from indicators.storage.engine import get_engine, transaction
from indicators.storage.plan_states import stored_state
from indicators.storage.schema import Submission
from settings import get_settings
from tests.helpers.evaluation_data import PLAN_FILE

KEYS = ["id", "name", "start", "end", "state"]


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(getpass, "getuser", lambda: "sysop")
    get_settings.cache_clear()
    yield get_engine(db_url)
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def _listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    assert main(["plan", "list", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert isinstance(found, list)
    return found


def test_plan_list_json_has_exactly_the_contract_keys(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    [entry] = _listed(capsys)
    assert list(entry) == KEYS
    assert entry == {
        "id": "coss-2022-2025",
        "name": "Pla estratègic del Consorci d'Osona de Serveis Socials 2022-2025",
        "start": "2022-T1",
        "end": "2025-T4",
        "state": "active",
    }
    assert main(["plan", "list"]) == 0
    assert "coss-2022-2025" in capsys.readouterr().out


def test_close_locks_every_quarter_and_lists_the_plan_closed(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "close", "--plan", "coss-2022-2025", "--by", "maria"]) == 0
    out = capsys.readouterr().out
    assert "El pla coss-2022-2025 està tancat" in out and "trimestres tancats ara: 16" in out
    assert "maria" in out
    assert len(locks.locked_periods(cli_db)) == 16
    assert [e["state"] for e in _listed(capsys)] == ["closed"]
    frame = audit.audit_frame(cli_db, action=plan_states.ACTION_PLAN_CLOSE)
    assert list(frame["username"]) == ["maria"]
    # again: nothing changes, exit 0, says so
    assert main(["plan", "close"]) == 0
    assert "ja estava tancat" in capsys.readouterr().out
    assert len(audit.audit_frame(cli_db, action=plan_states.ACTION_PLAN_CLOSE)) == 1
    # and its quarters are not reopened
    assert main(["reopen", "--period", "2024-T2", "--reason", "correcció"]) == 1
    assert "pla coss-2022-2025, que està tancat" in capsys.readouterr().err


def test_close_without_a_reason_is_refused_when_a_delivery_is_not_accepted(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with transaction(cli_db) as session:
        session.add(
            Submission(
                service="SIS",
                period="2025-T4",
                filename="f.csv",
                content=b"x",
                sha256="0" * 64,
                size_bytes=1,
                uploaded_by="tec",
            )
        )
    assert main(["plan", "close"]) == 1
    err = capsys.readouterr().err
    assert "no es pot tancar sense un motiu" in err and "2025-T4" in err
    assert locks.locked_periods(cli_db) == set()
    assert main(["plan", "close", "--reason", "Tancament del pla"]) == 0
    assert (
        "El 4t trimestre de 2025 s'ha tancat tot i no estar acceptat: SIS"
        in capsys.readouterr().out
    )


@pytest.mark.parametrize("plan", ["coss-2026", "COSS-2022-2025 ", "../etc/passwd", "", "'; DROP"])
def test_an_unknown_plan_is_a_usage_error(
    cli_db: Engine, capsys: pytest.CaptureFixture[str], plan: str
) -> None:
    assert main(["plan", "close", "--plan", plan]) == 2
    err = capsys.readouterr().err
    assert "no hi ha cap pla" in err and "coss-2022-2025" in err
    assert locks.locked_periods(cli_db) == set()


def test_a_plan_file_is_read_as_a_file(cli_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "close", "--plan", str(PLAN_FILE), "--reason", "prova"]) == 0
    assert "El pla prova està tancat" in capsys.readouterr().out
    found = stored_state(cli_db, "prova")
    assert found is not None and found.closed
    assert stored_state(cli_db, "coss-2022-2025") is None  # the default plan is untouched
