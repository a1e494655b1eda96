"""The login lockout is atomic: parallel wrong passwords never get more than the limit
checked (issue 13), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from accounts import users

LIMIT = 5


def test_parallel_wrong_passwords_check_no_more_than_the_limit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.create_user(engine, "anna", "longenough", "director")
    checked: list[str] = []
    guard = threading.Lock()

    def counting_verify(password_hash: str, password: str) -> bool:
        if password_hash != users._DUMMY_HASH:
            with guard:
                checked.append(password_hash)
        time.sleep(0.02)  # a slow hash widens the race window
        return False

    monkeypatch.setattr(users, "verify_password", counting_verify)
    start = threading.Barrier(40)

    def attempt(_: int) -> str:
        start.wait()
        return users.authenticate(
            engine, "anna", "wrong", max_failures=LIMIT, lockout_seconds=300
        ).reason

    with ThreadPoolExecutor(max_workers=40) as pool:
        reasons = list(pool.map(attempt, range(40)))
    assert len(checked) <= LIMIT
    assert reasons.count("locked") >= 40 - LIMIT
