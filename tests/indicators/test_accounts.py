"""Accounts, throttling, audit log, approvals and period locks, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accounts import core as accounts
from accounts.core import AccountError
from indicators.storage.engine import make_engine
from indicators.storage.schema import Submission, User

KNOWN = {"SIS", "SBAS-VIC", "SAD"}


def test_create_hashes_with_argon2_and_verifies(engine: Engine) -> None:
    info = accounts.create_user(engine, "anna", "correct horse", "tecnic", ["SIS"],
                                known_services=KNOWN, by="cli")
    assert info.role == "tecnic" and info.services == ("SIS",) and info.active
    with Session(engine) as session:
        stored = session.scalars(select(User).where(User.username == "anna")).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert accounts.verify_password(stored.password_hash, "correct horse")
    assert not accounts.verify_password(stored.password_hash, "correct hors")
    assert not accounts.verify_password("not a hash", "x")
    events = accounts.audit_frame(engine, action="user_create")
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
def test_create_refuses_bad_input(engine: Engine, username: str, password: str, role: str,
                                  services: list[str], fragment: str) -> None:
    with pytest.raises(AccountError, match=fragment):
        accounts.create_user(engine, username, password, role, services, known_services=KNOWN)
    assert accounts.list_users(engine) == []


def test_duplicate_username_refused(engine: Engine) -> None:
    accounts.create_user(engine, "anna", "longenough", "consulta")
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user(engine, "anna", "otherpass1", "director")


def test_authenticate_audits_and_throttles_per_user(engine: Engine) -> None:
    accounts.create_user(engine, "anna", "longenough", "director")
    t0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
    ok = accounts.authenticate(engine, "anna", "longenough", ip="10.0.0.1", now=t0)
    assert ok.ok and ok.user is not None and ok.user.username == "anna"
    for i in range(2):
        res = accounts.authenticate(engine, "anna", "wrong", max_failures=3, now=t0)
        assert (res.ok, res.reason) == (False, "invalid"), i
    locked = accounts.authenticate(engine, "anna", "wrong", max_failures=3,
                                   lockout_seconds=60, now=t0)
    assert locked.reason == "locked" and locked.locked_until == t0 + dt.timedelta(seconds=60)
    # even the right password is refused while locked
    again = accounts.authenticate(engine, "anna", "longenough", max_failures=3,
                                  now=t0 + dt.timedelta(seconds=30))
    assert again.reason == "locked"
    later = accounts.authenticate(engine, "anna", "longenough", max_failures=3,
                                  now=t0 + dt.timedelta(seconds=61))
    assert later.ok
    user = accounts.get_user(engine, "anna")
    assert user is not None and user.failed_logins == 0 and user.locked_until is None
    log = accounts.audit_frame(engine, username="anna")
    assert log["action"].value_counts().to_dict() == {"login": 2, "login_failed": 4}


def test_unknown_and_disabled_users_cannot_log_in(engine: Engine) -> None:
    accounts.create_user(engine, "anna", "longenough", "director")
    accounts.create_user(engine, "pere", "longenough", "consulta")
    assert accounts.authenticate(engine, "nobody", "longenough").reason == "invalid"
    accounts.disable_user(engine, "pere", by="anna")
    assert accounts.authenticate(engine, "pere", "longenough").reason == "disabled"
    accounts.enable_user(engine, "pere", by="anna")
    assert accounts.authenticate(engine, "pere", "longenough").ok
    with pytest.raises(AccountError, match="last active director"):
        accounts.disable_user(engine, "anna", by="anna")


def test_throttle_per_ip_counts_across_users(engine: Engine) -> None:
    t0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
    accounts.create_user(engine, "anna", "longenough", "director")
    for name in ["x1", "x2", "x3"]:
        assert accounts.authenticate(engine, name, "pw", ip="10.9.9.9", now=t0,
                                     max_failures_per_ip=3).reason == "invalid"
    res = accounts.authenticate(engine, "anna", "longenough", ip="10.9.9.9", now=t0,
                                max_failures_per_ip=3)
    assert res.reason == "ip_throttled"
    # another address is not affected, and the window passes
    assert accounts.authenticate(engine, "anna", "longenough", ip="10.1.1.1", now=t0,
                                 max_failures_per_ip=3).ok
    assert accounts.authenticate(engine, "anna", "longenough", ip="10.9.9.9",
                                 now=t0 + dt.timedelta(seconds=301),
                                 max_failures_per_ip=3, lockout_seconds=300).ok


def test_set_password_changes_session_token_and_unlocks(engine: Engine) -> None:
    before = accounts.create_user(engine, "anna", "longenough", "director")
    for _ in range(5):
        accounts.authenticate(engine, "anna", "bad")
    assert accounts.authenticate(engine, "anna", "longenough").reason == "locked"
    accounts.set_password(engine, "anna", "new password", by="boss")
    after = accounts.get_user(engine, "anna")
    assert after is not None and after.session_token != before.session_token
    assert accounts.authenticate(engine, "anna", "new password").ok
    assert not accounts.authenticate(engine, "anna", "longenough").ok
    with pytest.raises(AccountError, match="No user"):
        accounts.set_password(engine, "ghost", "longenough")


def test_services_and_allowed_services(engine: Engine) -> None:
    tec = accounts.create_user(engine, "tec", "longenough", "tecnic", ["SIS"])
    boss = accounts.create_user(engine, "boss", "longenough", "director")
    ro = accounts.create_user(engine, "ro", "longenough", "consulta")
    assert accounts.allowed_services(tec, KNOWN) == {"SIS"}
    assert accounts.allowed_services(boss, KNOWN) == KNOWN
    assert accounts.allowed_services(ro, KNOWN) == set()
    accounts.set_services(engine, "tec", ["SAD", "SIS"], known_services=KNOWN, by="boss")
    user = accounts.get_user(engine, "tec")
    assert user is not None and user.services == ("SAD", "SIS")
    with pytest.raises(AccountError):
        accounts.set_services(engine, "tec", ["ZZZ"], known_services=KNOWN)


def _submission(engine: Engine, service: str, period: str) -> int:
    with Session(engine) as session, session.begin():
        sub = Submission(service=service, period=period, filename="f.xlsx", content=b"x",
                         sha256="0" * 64, size_bytes=1, uploaded_by="tec", source="cli",
                         status="current", row_count=0)
        session.add(sub)
        session.flush()
        return sub.id


def test_approve_lock_reopen_are_audited(engine: Engine) -> None:
    with pytest.raises(AccountError, match="no submission"):
        accounts.approve(engine, "SIS", "2025-T1", by="boss")
    sub_id = _submission(engine, "SIS", "2025-T1")
    approval = accounts.approve(engine, "SIS", "2025-T1", by="boss")
    assert approval.submission_id == sub_id
    with pytest.raises(AccountError):
        accounts.approve(engine, "SAD", "2025-T1", sub_id, by="boss")
    frame = accounts.approvals_frame(engine)
    assert list(frame["submission_id"]) == [sub_id]
    assert not accounts.is_locked(engine, "2025-T1")
    accounts.lock_period(engine, "2025-T1", by="boss")
    assert accounts.is_locked(engine, "2025-T1")
    assert accounts.locked_periods(engine) == {"2025-T1"}
    accounts.reopen_period(engine, "2025-T1", by="boss")
    assert not accounts.is_locked(engine, "2025-T1")
    with Session(engine) as session:
        assert not accounts.is_locked(session, "2025-T1")
    log = accounts.audit_frame(engine, username="boss")
    assert list(log["action"]) == ["period_reopen", "period_lock", "approve"]
    only_locks = accounts.audit_frame(engine, action=["period_lock"])
    assert list(only_locks["target"]) == ["2025-T1"]


def test_audit_frame_filters_by_date(engine: Engine) -> None:
    day = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)
    accounts.record(engine, "a", "login", "a", at=day)
    accounts.record(engine, "b", "login", "b", at=day + dt.timedelta(days=2))
    assert list(accounts.audit_frame(engine, until=day.date())["username"]) == ["a"]
    assert list(accounts.audit_frame(engine, since=(day + dt.timedelta(days=1)).date())[
        "username"]) == ["b"]
    assert accounts.audit_usernames(engine) == ["a", "b"]
    empty = accounts.audit_frame(engine, username="nobody")
    assert empty.empty and list(empty.columns) == accounts.AUDIT_COLUMNS


def test_demo_accounts_only_on_empty_install(engine: Engine) -> None:
    created = accounts.create_demo_accounts(engine, KNOWN)
    assert [u.role for u, _ in created] == ["director", "tecnic", "consulta"]
    assert all(u.is_demo for u, _ in created)
    tec = next(u for u, _ in created if u.role == "tecnic")
    assert tec.services == ("SBAS-VIC", "SIS")
    passwords = {p for _, p in created}
    assert len(passwords) == 3 and all(len(p) >= 12 for p in passwords)
    for user, password in created:
        assert accounts.authenticate(engine, user.username, password).ok
    assert accounts.create_demo_accounts(engine, KNOWN) == []


def _ctx(db_url: str, environment: str, demo_if_empty: bool, lines: list[str]) -> Any:
    from cli._setup_steps import SetupContext
    from settings import Settings

    settings = Settings(database_url=db_url, environment=environment,  # type: ignore[arg-type]
                        secret_key="s" * 32)
    return SetupContext(settings=settings, demo_if_empty=demo_if_empty, echo=lines.append)


def test_setup_step_demo_accounts_printed_once(db_url: str) -> None:
    lines: list[str] = []
    assert accounts.setup_accounts(_ctx(db_url, "development", True, lines)) == 0
    printed = "\n".join(lines)
    assert "director" in printed and "tecnic" in printed and "consulta" in printed
    engine = make_engine(db_url)
    try:
        users = accounts.list_users(engine)
        assert {u.username for u in users} == {"director", "tecnic", "consulta"}
        assert all(u.is_demo for u in users)
        # the printed password works
        line = next(x for x in lines if x.strip().startswith("consulta"))
        assert accounts.authenticate(engine, "consulta", line.split()[1]).ok
    finally:
        engine.dispose()
    again: list[str] = []
    assert accounts.setup_accounts(_ctx(db_url, "development", True, again)) == 0
    assert "3" in again[0] and not any("consulta " in x for x in again)


def test_setup_step_production_creates_nothing(db_url: str) -> None:
    lines: list[str] = []
    assert accounts.setup_accounts(_ctx(db_url, "production", True, lines)) == 0
    assert "--role director" in lines[0]
    engine = make_engine(db_url)
    try:
        assert accounts.list_users(engine) == []
    finally:
        engine.dispose()
