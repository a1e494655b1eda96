"""``seguiment tokens create|list|revoke`` (issue 19) on SQLite and PostgreSQL: the token
printed once, never listed; the operator recorded in the audit log; refusals with exit 1 and a
Catalan message; argparse's own refusals (scope, days) with exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from accounts import tokens, users
from cli import main
from indicators.storage.engine import get_engine
from settings import get_settings


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    engine = get_engine(db_url)
    users.create_user(engine, "tec", "longenough", "tecnic", ["SIS"])
    users.create_user(engine, "guest", "longenough", "consulta")
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def _create(*extra: str) -> list[str]:
    return ["tokens", "create", "--user", "tec", "--name", "Exportació", *extra]


def test_create_prints_the_token_once_and_list_never_does(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_create("--scope", "submit", "--days", "30")) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert tokens.parse_token(token) is not None
    assert "no es tornarà a mostrar" in err
    owner = tokens.authenticate(get_engine(cli_db), token)
    assert (owner.username, owner.scope) == ("tec", "submit")
    assert main(["tokens", "list"]) == 0
    listed = capsys.readouterr().out
    prefix, secret = tokens.parse_token(token) or ("", "")
    assert f"sdp_{prefix}_…" in listed and "Exportació" in listed and "vàlida" in listed
    assert secret not in listed
    assert main(["tokens", "list", "--user", "tec", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["user"], r["scope"], r["state"]) for r in rows] == [("tec", "submit", "vàlida")]
    assert secret not in json.dumps(rows)
    assert main(["tokens", "list", "--user", "guest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_create_json_and_revoke(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_create("--scope", "read", "--days", "1", "--json")) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["scope"] == "read" and tokens.parse_token(made["token"]) is not None
    assert main(["tokens", "revoke", str(made["id"])]) == 0
    assert "està revocada" in capsys.readouterr().out
    assert main(["tokens", "revoke", str(made["id"])]) == 0  # again: nothing changes
    assert "ja estava revocada" in capsys.readouterr().out
    with pytest.raises(tokens.TokenError):
        tokens.authenticate(get_engine(cli_db), made["token"])
    (info,) = tokens.visible_tokens(get_engine(cli_db), viewer="tec")
    assert info.revoked_by  # the operator's name


def test_refusals(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    guest = ["tokens", "create", "--user", "guest", "--name", "x", "--scope", "submit"]
    assert main([*guest, "--days", "5"]) == 1
    assert "Només els comptes que poden enviar dades" in capsys.readouterr().err
    nobody = ["tokens", "create", "--user", "nobody", "--name", "x", "--scope", "read"]
    assert main([*nobody, "--days", "5"]) == 1
    assert "nobody" in capsys.readouterr().err
    assert main(["tokens", "revoke", "999"]) == 1
    assert "999" in capsys.readouterr().err
    assert main(["tokens", "list", "--user", "nobody"]) == 1
    capsys.readouterr()
    for bad in (["--scope", "write", "--days", "5"], ["--scope", "read", "--days", "366"]):
        with pytest.raises(SystemExit) as usage:
            main(_create(*bad))
        assert usage.value.code == 2
    assert "366" in capsys.readouterr().err
    assert tokens.visible_tokens(get_engine(cli_db), viewer="tec") == []
