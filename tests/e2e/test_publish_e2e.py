"""Publishing a quarter on /gestio in headless Chromium (issue 19): the refusal of a quarter
that is not locked shows its reason; a locked quarter is published after the confirmation and
the quarters list says "publicat"; unpublishing puts it back to "tancat"; no console error and
axe-core clean (WCAG 2.1 AA)."""

from __future__ import annotations

from typing import Any

from conftest import LiveServer

from accounts import approvals, publications
from accounts.roles import Actor
from indicators.storage import locks
from indicators.storage.engine import make_engine
from plan_model.periods import Period, period_label
from tests.e2e.test_workflow import serious_violations

OPEN = "2024-T1"  # the demo leaves these quarters as they are: the test restores them
LOCKED = "2024-T2"


def _choose(page: Any, live_server: LiveServer, period: str) -> None:
    page.goto(live_server.url("/gestio"))
    page.wait_for_selector("#gestio-period")
    page.select_option("#gestio-period", period)
    page.wait_for_selector(
        f"#gestio-lock-status >> text={period_label(Period.parse(period), 'ca')}"
    )


def _confirm_and_click(page: Any, selector: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # the confirmation comes first
    page.click(f"{selector} button")


def test_publish_and_unpublish_on_gestio(director_page: Any, live_server: LiveServer) -> None:
    engine = make_engine(live_server.db_url)
    operator = Actor.operator("e2e")
    was_locked = {p: locks.is_locked(engine, p) for p in (OPEN, LOCKED)}
    for period, locked in was_locked.items():  # the state the test needs
        if locked and period == OPEN:
            approvals.reopen_period(engine, period, by=operator)
        if not locked and period == LOCKED:
            approvals.lock_period(engine, period, by=operator, reason="e2e")
    errors: list[str] = []
    director_page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _choose(director_page, live_server, OPEN)
        _confirm_and_click(director_page, "#gestio-publish")
        director_page.wait_for_selector("#gestio-error >> text=no està tancat")
        _choose(director_page, live_server, LOCKED)
        _confirm_and_click(director_page, "#gestio-publish")
        director_page.wait_for_selector("#gestio-done >> text=està publicat")
        director_page.wait_for_selector(f"#gestio-quarter-{LOCKED} >> text=publicat")
        director_page.wait_for_selector("#gestio-lock-status >> text=Publicat el")
        violations = serious_violations(director_page)
        _confirm_and_click(director_page, "#gestio-unpublish")
        director_page.wait_for_selector("#gestio-done >> text=ja no està publicat")
        director_page.wait_for_selector(f"#gestio-quarter-{LOCKED} >> text=tancat")
        assert publications.published_periods(engine) == {}
    finally:
        publications.unpublish_period(engine, LOCKED, by=operator)
        for period, locked in was_locked.items():
            if locked and not locks.is_locked(engine, period):
                approvals.lock_period(engine, period, by=operator, reason="e2e")
            if not locked and locks.is_locked(engine, period):
                approvals.reopen_period(engine, period, by=operator)
        engine.dispose()
    assert not errors, errors
    assert not violations, violations
