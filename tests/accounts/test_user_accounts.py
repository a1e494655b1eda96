"""User accounts: creation, passwords, login and throttling, demo accounts, the set-up step
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accounts import audit, users
from accounts.errors import AccountError
from indicators.storage.engine import make_engine
from indicators.storage.schema import User

KNOWN = {"SIS", "SBAS-VIC", "SAD"}


def test_create_hashes_with_argon2_and_verifies(engine: Engine) -> None:
    info = users.create_user(
        engine, "anna", "correct horse", "tecnic", ["SIS"], known_services=KNOWN, by="cli"
    )
    assert info.role == "tecnic" and info.services == ("SIS",) and info.active
    with Session(engine) as session:
        stored = session.scalars(select(User).where(User.username == "anna")).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert users.verify_password(stored.password_hash, "correct horse")
    assert not users.verify_password(stored.password_hash, "correct hors")
    assert not users.verify_password("not a hash", "x")
    events = audit.audit_frame(engine, action="user_create")
    assert list(events["target"]) == ["anna"]
    assert events.iloc[0]["username"] == "cli"


@pytest.mark.parametrize(
    ("username", "password", "role", "services", "fragment"),
    [
        ("bad name", "longenough", "tecnic", [], "Invalid user name"),
        ("joan", "short", "tecnic", [], "at least"),
        ("joan", "longenough", "admin", [], "Unknown role"),
        ("joan", "longenough", "tecnic", ["NOPE"], "Unknown service"),
    ],
)
def test_create_refuses_bad_input(
    engine: Engine, username: str, password: str, role: str, services: list[str], fragment: str
) -> None:
    with pytest.raises(AccountError, match=fragment):
        users.create_user(engine, username, password, role, services, known_services=KNOWN)
    assert users.list_users(engine) == []


def test_duplicate_username_refused(engine: Engine) -> None:
    users.create_user(engine, "anna", "longenough", "consulta")
    with pytest.raises(AccountError, match="already exists"):
        users.create_user(engine, "anna", "otherpass1", "director")


def test_authenticate_audits_and_throttles_per_user(engine: Engine) -> None:
    users.create_user(engine, "anna", "longenough", "director")
    t0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
    policy = users.ThrottlePolicy(max_failures=3, delay_seconds=60)
    ok = users.authenticate(engine, "anna", "longenough", ip="10.0.0.1", now=t0)
    assert ok.ok and ok.user is not None and ok.user.username == "anna"
    for i in range(3):
        res = users.authenticate(engine, "anna", "wrong", ip="10.0.0.1", policy=policy, now=t0)
        assert (res.ok, res.reason) == (False, "invalid"), i
    # the third failure makes the next attempt from that address wait, right password or not
    again = users.authenticate(
        engine,
        "anna",
        "longenough",
        ip="10.0.0.1",
        policy=policy,
        now=t0 + dt.timedelta(seconds=30),
    )
    assert (again.reason, again.retry_after) == ("throttled", 30)
    later = users.authenticate(
        engine,
        "anna",
        "longenough",
        ip="10.0.0.1",
        policy=policy,
        now=t0 + dt.timedelta(seconds=61),
    )
    assert later.ok
    log = audit.audit_frame(engine, username="anna")
    assert log["action"].value_counts().to_dict() == {"login": 2, "login_failed": 3}


def test_unknown_and_disabled_users_cannot_log_in(engine: Engine) -> None:
    users.create_user(engine, "anna", "longenough", "director")
    users.create_user(engine, "pere", "longenough", "consulta")
    assert users.authenticate(engine, "nobody", "longenough").reason == "invalid"
    users.disable_user(engine, "pere", by="anna")
    assert users.authenticate(engine, "pere", "longenough").reason == "disabled"
    users.enable_user(engine, "pere", by="anna")
    assert users.authenticate(engine, "pere", "longenough").ok
    with pytest.raises(AccountError, match="last active director"):
        users.disable_user(engine, "anna", by="anna")


def test_throttle_per_ip_counts_across_users(engine: Engine) -> None:
    t0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
    users.create_user(engine, "anna", "longenough", "director")
    policy = users.ThrottlePolicy(max_failures_per_ip=3, delay_seconds=300)
    for name in ["x1", "x2", "x3"]:
        assert (
            users.authenticate(engine, name, "pw", ip="10.9.9.9", now=t0, policy=policy).reason
            == "invalid"
        )
    res = users.authenticate(engine, "anna", "longenough", ip="10.9.9.9", now=t0, policy=policy)
    assert res.reason == "throttled"
    # another address is not affected, and the wait passes
    assert users.authenticate(engine, "anna", "longenough", ip="10.1.1.1", now=t0, policy=policy).ok
    assert users.authenticate(
        engine,
        "anna",
        "longenough",
        ip="10.9.9.9",
        now=t0 + dt.timedelta(seconds=301),
        policy=policy,
    ).ok


def test_set_password_changes_session_token_and_unlocks(engine: Engine) -> None:
    before = users.create_user(engine, "anna", "longenough", "director")
    for _ in range(5):
        users.authenticate(engine, "anna", "bad")
    assert users.authenticate(engine, "anna", "longenough").reason == "throttled"
    users.set_password(engine, "anna", "new password", by="boss")
    after = users.get_user(engine, "anna")
    assert after is not None and after.session_token != before.session_token
    assert users.authenticate(engine, "anna", "new password").ok
    assert not users.authenticate(engine, "anna", "longenough").ok
    with pytest.raises(AccountError, match="No user"):
        users.set_password(engine, "ghost", "longenough")


def test_demo_accounts_only_on_empty_install(engine: Engine) -> None:
    created = users.create_demo_accounts(engine, KNOWN)
    assert [u.role for u, _ in created] == ["director", "tecnic", "responsable", "consulta"]
    assert all(u.is_demo for u, _ in created)
    tec = next(u for u, _ in created if u.role == "tecnic")
    assert tec.services == ("SBAS-VIC", "SIS")
    head = next(u for u, _ in created if u.role == "responsable")
    assert head.services == tec.services  # the demo head validates what the technician sends
    passwords = {p for _, p in created}
    assert len(passwords) == 4 and all(len(p) >= 12 for p in passwords)
    for user, password in created:
        assert users.authenticate(engine, user.username, password).ok
    assert users.create_demo_accounts(engine, KNOWN) == []


def _ctx(db_url: str, environment: str, demo_if_empty: bool, lines: list[str]) -> Any:
    from cli._setup_steps import SetupContext
    from settings import Settings

    settings = Settings(database_url=db_url, environment=environment, secret_key="s" * 32)
    return SetupContext(settings=settings, demo_if_empty=demo_if_empty, echo=lines.append)


def test_setup_step_demo_accounts_printed_once(db_url: str) -> None:
    lines: list[str] = []
    assert users.setup_accounts(_ctx(db_url, "development", True, lines)) == 0
    printed = "\n".join(lines)
    assert "director" in printed and "tecnic" in printed and "consulta" in printed
    engine = make_engine(db_url)
    try:
        listed = users.list_users(engine)
        assert {u.username for u in listed} == {"director", "tecnic", "responsable", "consulta"}
        assert all(u.is_demo for u in listed)
        # the printed password works
        line = next(x for x in lines if x.strip().startswith("consulta"))
        assert users.authenticate(engine, "consulta", line.split()[1]).ok
    finally:
        engine.dispose()
    again: list[str] = []
    assert users.setup_accounts(_ctx(db_url, "development", True, again)) == 0
    assert "4" in again[0] and not any("consulta " in x for x in again)


def test_setup_step_production_creates_nothing(db_url: str) -> None:
    lines: list[str] = []
    assert users.setup_accounts(_ctx(db_url, "production", True, lines)) == 0
    assert "--role director" in lines[0]
    engine = make_engine(db_url)
    try:
        assert users.list_users(engine) == []
    finally:
        engine.dispose()


def test_acting_is_the_actor_the_account_or_the_active_user_of_that_name(engine: Engine) -> None:
    from accounts.errors import PermissionDenied
    from accounts.roles import Actor

    tec = users.create_user(engine, "tec", "longenough", "tecnic", ["SIS"])
    users.create_user(engine, "boss", "longenough", "director")
    users.create_user(engine, "boss2", "longenough", "director")
    users.disable_user(engine, "boss2", by="boss")
    operator = Actor.operator("root")
    with Session(engine) as session:
        assert users.acting(session, operator) is operator
        assert users.acting(session, tec) == Actor("tec", "tecnic")
        assert users.acting(session, "boss") == Actor("boss", "director")
        for name in ("ghost", "boss2"):  # unknown, disabled
            with pytest.raises(PermissionDenied) as refused:
                users.acting(session, name)
            assert refused.value.message() == f"No hi ha cap usuari actiu anomenat {name}."
