"""Login throttling per (account name, address) with growing delays, never an account lock
(issue 13), on SQLite and PostgreSQL.

Each test would fail on the account lockout it replaces: an existing name answered
``locked`` after 5 failures and an unknown one ``invalid`` forever (enumeration), the lock
held for every address (anyone could keep the director out), and a locked attempt still
verified a (dummy) password hash.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accounts import audit, users
from indicators.reporting.audit_text import details_text
from indicators.storage.schema import LoginThrottle

LIMIT = 5
T0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
POLICY = users.ThrottlePolicy(
    max_failures=3, max_failures_per_ip=100, delay_seconds=1, max_delay_seconds=8
)
PASSWORD = "longenough"


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def _counting_verify(
    monkeypatch: pytest.MonkeyPatch, result: Callable[[str, str], bool] | None = None
) -> list[str]:
    """Replace the password check by one that records the hashes it is asked to verify."""
    checked: list[str] = []
    guard = threading.Lock()
    real = users.verify_password

    def verify(password_hash: str, password: str) -> bool:
        with guard:
            checked.append(password_hash)
        return result(password_hash, password) if result else real(password_hash, password)

    monkeypatch.setattr(users, "verify_password", verify)
    return checked


def _slow_wrong(_password_hash: str, _password: str) -> bool:
    time.sleep(0.02)  # a slow hash widens the race window
    return False


def test_parallel_wrong_passwords_check_no_more_than_the_limit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.create_user(engine, "anna", PASSWORD, "director")

    checked = _counting_verify(monkeypatch, _slow_wrong)
    start = threading.Barrier(40)
    policy = users.ThrottlePolicy(max_failures=LIMIT, max_failures_per_ip=1000)

    def attempt(_: int) -> str:
        start.wait()
        return users.authenticate(
            engine, "anna", "wrong", ip="10.6.6.6", policy=policy, now=T0
        ).reason

    with ThreadPoolExecutor(max_workers=40) as pool:
        reasons = list(pool.map(attempt, range(40)))
    assert len(checked) <= LIMIT
    assert reasons.count("throttled") >= 40 - LIMIT


def test_parallel_spraying_from_one_address_checks_no_more_than_its_limit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = _counting_verify(monkeypatch, _slow_wrong)
    start = threading.Barrier(30)
    policy = users.ThrottlePolicy(max_failures=LIMIT, max_failures_per_ip=8)

    def attempt(i: int) -> str:
        start.wait()
        return users.authenticate(
            engine, f"name{i}", "pw", ip="10.6.6.6", policy=policy, now=T0
        ).reason

    with ThreadPoolExecutor(max_workers=30) as pool:
        reasons = list(pool.map(attempt, range(30)))
    assert len(checked) <= 8
    assert reasons.count("throttled") >= 30 - 8


def _run(engine: Engine, name: str, count: int, ip: str = "10.6.6.6") -> list[tuple[str, int]]:
    return [
        (r.reason, r.retry_after or 0)
        for r in (
            users.authenticate(engine, name, "wrong", ip=ip, policy=POLICY, now=_at(i * 0.1))
            for i in range(count)
        )
    ]


def test_existing_and_unknown_names_answer_alike(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.create_user(engine, "anna", PASSWORD, "director")
    checked = _counting_verify(monkeypatch)
    known = _run(engine, "anna", 6)
    hashes_known = len(checked)
    unknown = _run(engine, "ghost", 6)
    assert known == unknown
    assert known == [("invalid", 0)] * 3 + [("throttled", 1)] * 3
    assert hashes_known == 3 and len(checked) == 6  # one hash per unthrottled attempt each


def test_a_throttled_attempt_costs_no_password_hash(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.create_user(engine, "anna", PASSWORD, "director")
    _run(engine, "anna", 3)
    _run(engine, "ghost", 3)
    checked = _counting_verify(monkeypatch)
    for name in ("anna", "ghost", "anna"):
        result = users.authenticate(engine, name, PASSWORD, ip="10.6.6.6", policy=POLICY, now=T0)
        assert result.reason == "throttled"
    assert checked == []
    # an unthrottled unknown name still costs one (dummy) hash
    assert users.authenticate(engine, "nobody", "x", ip="10.6.6.6", policy=POLICY).reason == (
        "invalid"
    )
    assert checked == [users._DUMMY_HASH]


def _wait_of(engine: Engine, moment: dt.datetime) -> float:
    """The wait the (ghost, 10.6.6.6) row holds after ``moment``, in seconds."""
    with Session(engine) as session:
        until = session.scalar(
            select(LoginThrottle.blocked_until).where(
                LoginThrottle.scope == users.SCOPE_ACCOUNT, LoginThrottle.account == "ghost"
            )
        )
    if until is None:
        return 0
    return (until.replace(tzinfo=dt.UTC) - moment).total_seconds()


def test_the_wait_doubles_after_the_free_failures_and_is_capped(engine: Engine) -> None:
    waits = []
    moment = T0
    for _ in range(7):
        result = users.authenticate(engine, "ghost", "x", ip="10.6.6.6", policy=POLICY, now=moment)
        assert result.reason == "invalid"
        waits.append(_wait_of(engine, moment))
        if waits[-1]:  # a throttled attempt is not counted: probing changes nothing
            probe = users.authenticate(engine, "ghost", "x", ip="10.6.6.6", now=moment)
            assert (probe.reason, probe.retry_after) == ("throttled", waits[-1])
        moment += dt.timedelta(seconds=waits[-1])
    assert waits == [0, 0, 1, 2, 4, 8, 8]


def test_the_only_director_cannot_be_locked_out_from_another_address(engine: Engine) -> None:
    users.create_user(engine, "director", PASSWORD, "director")
    for i in range(30):
        users.authenticate(engine, "director", "guess", ip="10.6.6.6", policy=POLICY, now=_at(i))
    from_attacker = users.authenticate(
        engine, "director", PASSWORD, ip="10.6.6.6", policy=POLICY, now=_at(30)
    )
    assert from_attacker.reason == "throttled"
    from_office = users.authenticate(
        engine, "director", PASSWORD, ip="10.1.1.1", policy=POLICY, now=_at(30)
    )
    assert from_office.ok and from_office.user is not None
    # and the attacker's address is still slowed down after the director logged in
    assert (
        users.authenticate(
            engine, "director", "guess", ip="10.6.6.6", policy=POLICY, now=_at(30)
        ).reason
        == "throttled"
    )


def test_a_successful_login_resets_that_account_and_address_only(engine: Engine) -> None:
    users.create_user(engine, "anna", PASSWORD, "tecnic")
    assert _run(engine, "anna", 2, ip="10.1.1.1") == [("invalid", 0)] * 2
    assert _run(engine, "anna", 4, ip="10.2.2.2")[-1] == ("throttled", 1)
    assert users.authenticate(engine, "anna", PASSWORD, ip="10.1.1.1", policy=POLICY, now=T0).ok
    # from 10.1.1.1 the three free failures are back; 10.2.2.2 keeps its wait
    assert _run(engine, "anna", 4, ip="10.1.1.1") == [("invalid", 0)] * 3 + [("throttled", 1)]
    assert _run(engine, "anna", 1, ip="10.2.2.2") == [("throttled", 2)]
    with Session(engine) as session:
        rows = session.scalar(
            select(func.count()).select_from(LoginThrottle).where(LoginThrottle.account == "anna")
        )
    assert rows == 2


def test_the_name_is_counted_as_typed_normalised(engine: Engine) -> None:
    for name in ("Anna", " anna", "ANNA"):
        users.authenticate(engine, name, "x", ip="10.6.6.6", policy=POLICY, now=T0)
    assert users.throttle_key(" ＡNNA ") == "anna"
    assert _run(engine, "anna", 1) == [("throttled", 1)]


def test_a_wide_limit_per_address_slows_spraying(engine: Engine) -> None:
    users.create_user(engine, "anna", PASSWORD, "tecnic")
    policy = users.ThrottlePolicy(max_failures=3, max_failures_per_ip=4, max_delay_seconds=60)
    for name in ("a1", "a2", "a3", "a4"):
        assert users.authenticate(
            engine, name, "x", ip="10.6.6.6", policy=policy, now=T0
        ).reason == ("invalid")
    sprayed = users.authenticate(engine, "anna", PASSWORD, ip="10.6.6.6", policy=policy, now=T0)
    assert (sprayed.reason, sprayed.retry_after) == ("throttled", 1)
    assert users.authenticate(engine, "anna", PASSWORD, ip="10.1.1.1", policy=policy, now=T0).ok
    assert users.authenticate(engine, "anna", PASSWORD, ip="10.6.6.6", policy=policy, now=_at(1)).ok


def test_old_failures_are_forgotten(engine: Engine) -> None:
    policy = users.ThrottlePolicy(max_failures=2, forget_seconds=600)
    for _ in range(2):
        users.authenticate(engine, "ghost", "x", ip="10.6.6.6", policy=policy, now=T0)
    later = _at(601)
    first = users.authenticate(engine, "ghost", "x", ip="10.6.6.6", policy=policy, now=later)
    second = users.authenticate(engine, "ghost", "x", ip="10.6.6.6", policy=policy, now=later)
    assert (first.reason, second.reason) == ("invalid", "invalid")  # the count restarted


def test_a_password_reset_forgets_the_failures_of_that_name(engine: Engine) -> None:
    users.create_user(engine, "anna", PASSWORD, "tecnic")
    _run(engine, "anna", 3)
    users.set_password(engine, "anna", "new password", by="boss")
    assert users.authenticate(
        engine, "anna", "new password", ip="10.6.6.6", policy=POLICY, now=T0
    ).ok


def test_a_disabled_account_with_its_password_is_refused_like_a_wrong_one(
    engine: Engine,
) -> None:
    users.create_user(engine, "boss", PASSWORD, "director")
    users.create_user(engine, "pere", PASSWORD, "consulta")
    users.disable_user(engine, "pere", by="boss")
    results = [
        users.authenticate(engine, "pere", PASSWORD, ip="10.6.6.6", policy=POLICY, now=T0)
        for _ in range(4)
    ]
    assert [r.reason for r in results] == ["disabled"] * 3 + ["throttled"]


def test_throttling_is_audited(engine: Engine) -> None:
    users.create_user(engine, "anna", PASSWORD, "tecnic")
    _run(engine, "anna", 4)
    events = audit.audit_frame(engine, action="login_failed")
    details = sorted(events["details"], key=lambda d: (d["reason"], d.get("wait_seconds", 0)))
    assert [d["reason"] for d in details] == ["throttled"] + ["wrong_password"] * 3
    assert details[0] == {"ip": "10.6.6.6", "reason": "throttled", "retry_after": 1}
    assert details[-1]["wait_seconds"] == 1  # the third failure started the wait
    assert set(events["target"]) == {"anna"}
    shown = details_text(details[0], "ca")  # as /auditoria shows it
    assert "Massa intents: s'ha d'esperar" in shown and "Espera restant (segons): 1" in shown


def test_a_successful_login_deletes_rows_forgotten_long_ago(engine: Engine) -> None:
    users.create_user(engine, "anna", PASSWORD, "tecnic")
    _run(engine, "ghost", 2, ip="10.5.5.5")
    _run(engine, "anna", 1)
    assert users.authenticate(engine, "anna", PASSWORD, ip="10.6.6.6", now=_at(7200)).ok
    with Session(engine) as session:
        left = session.execute(select(LoginThrottle.scope, LoginThrottle.account)).all()
    assert sorted(tuple(r) for r in left) == [("address", "")]  # 10.6.6.6's own count
