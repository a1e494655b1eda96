"""Issue 17, done when: the whole quarterly cycle, end to end, on a server of its own.

``seguiment serve`` on a fresh database (SQLite, and PostgreSQL when ``TEST_DATABASE_URL``
is set) with the demo data (``seguiment setup --demo-if-empty``: every quarter but 2025-T4
validated, accepted and locked), accounts made with ``seguiment users create``, ``SMTP_URL``
pointing at a real SMTP server in this process (aiosmtpd) and ``BOARD_ACCEPTED_ONLY=1``. The
quarter is 2025-T4, whose deadline (30 January 2026) has passed whatever today is, so the
test does not depend on the date. In order, in Chromium:

a. the director sends the reminders from ``/lliuraments``: one message per pending service
   reaches the SMTP server (subject, what is missing, the deadline, the upload link, the
   template attached), plus the directors' digest; the page then says «Recordat el …», and
   ``seguiment remind --send`` sends nothing twice;
b. a technician reads «Recordat el …» on «El meu trimestre», follows the e-mail's link to
   ``/enviar``, types two rounds of wrong values in the form (a word, a negative count, a
   fraction; markup, ``inf``, ``1_000``) and reads, word for word and at each indicator, the
   errors the spreadsheet import gives for the same values (in a template, imported as a dry
   run), fixes them, saves a draft, reloads, finds it, checks and confirms;
c. the service's head validates it on «El meu trimestre»; meanwhile ``/sessio`` marks it
   «pendent d'acceptar» and leaves its values out;
d. the director accepts it and locks the quarter on ``/gestio`` (refused without a reason
   while other deliveries are not accepted); locking again, there or with ``seguiment lock``,
   says it was already locked; the reminders button of the locked quarter sends nothing and
   says why;
e. ``/sessio`` counts the service's values; the audit log holds every step. No page error,
   and axe-core finds nothing serious on the pages of each step.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from conftest import _free_port
from conftest import _seguiment as seguiment
from sqlalchemy import text

from accounts.audit import audit_frame
from i18n import translator
from indicators.intake.importer import import_file
from indicators.intake.template import build_template
from indicators.reporting.reminders import due_items, long_date, pending_services
from indicators.storage.engine import make_engine
from indicators.storage.queries import submissions_frame
from plan_model.loader import load_plan
from plan_model.models import Plan
from plan_model.periods import Period, local_today, period_label
from settings import get_settings
from tests.conftest import postgres_base_url, with_search_path
from tests.helpers.browser_login import login
from tests.helpers.smtp_server import Received, SmtpServer, smtp_server

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PERIOD = "2025-T4"
LABEL = period_label(Period.parse(PERIOD), "ca")  # «4t trimestre de 2025»
SERVICE = "SIS"  # pending in the demo's 2025-T4; reported by P3.03-I1, P3.09-I1, P3.10-I1
PASSWORD = "a long cycle password"
DIRECTOR, TECHNICIAN, HEAD = "cicle-director", "cicle-tecnic", "cicle-responsable"
DIRECTOR_EMAIL = "direccio.cicle@example.org"
DEADLINE_DAYS = 30  # SUBMISSION_DEADLINE_DAYS's default: the server runs with it
# deliberately wrong values (as typed), then the right ones
WRONG = (  # each value an error of the import, in two rounds of hostile shapes
    {"P3.03-I1": "molts", "P3.09-I1": "-4", "P3.10-I1": "12,5"},  # a word, below 0, a fraction
    {"P3.03-I1": "<b>7</b>", "P3.09-I1": "inf", "P3.10-I1": "1_000"},  # markup, ∞, 1_000
)
RIGHT = {"P3.03-I1": "1.234", "P3.09-I1": "7", "P3.10-I1": "20"}
DRAWN = "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
CA = translator("ca")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Cycle:
    base_url: str
    db_url: str
    env: dict[str, str]
    plan: Plan
    smtp: SmtpServer
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self) -> str:
        """The end of the server's log (for a failure's report)."""
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _database(stack: ExitStack, backend: str, folder: Path) -> str:
    """A fresh database URL: a SQLite file, or a PostgreSQL schema dropped at the end."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'cycle.db'}"
    base = postgres_base_url()
    if base is None:
        pytest.skip("the cycle on PostgreSQL needs TEST_DATABASE_URL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    stack.callback(drop)
    return with_search_path(base, schema)


def _prepare(env: dict[str, str], folder: Path) -> None:
    """Schema, demo data and the three accounts of the cycle, all through the command line."""
    seguiment(["db", "upgrade"], env)
    seguiment(["setup", "--demo-if-empty"], env)
    for args in (
        ["--username", DIRECTOR, "--role", "director", "--email", DIRECTOR_EMAIL],
        ["--username", TECHNICIAN, "--role", "tecnic", "--service", SERVICE],
        ["--username", HEAD, "--role", "responsable", "--service", SERVICE],
    ):
        seguiment(["users", "create", "--password", PASSWORD, *args], env)


def _serve(stack: ExitStack, env: dict[str, str], port: int, folder: Path) -> None:
    log = stack.enter_context((folder / "server.log").open("w"))
    process = subprocess.Popen(
        [str(BIN / "seguiment"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    stack.callback(stop)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the app did not start: " + (folder / "server.log").read_text()[-3000:])
        time.sleep(0.5)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cycle(
    request: pytest.FixtureRequest, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cycle]:
    """The cycle's own server (never the shared ``live_server``: this test changes state)."""
    folder = tmp_path_factory.mktemp(f"cycle-{request.param}")
    with ExitStack() as stack:
        db_url = _database(stack, str(request.param), folder)
        smtp = stack.enter_context(smtp_server())
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **{k: v for k, v in os.environ.items() if k != "DIRECTORS_EMAIL"},
            "DATABASE_URL": db_url,
            "ENVIRONMENT": "test",
            "SECRET_KEY": secrets.token_hex(32),
            "DEMO_DIR": str(folder / "demo"),
            "SMTP_URL": smtp.url,
            "SMTP_TIMEOUT_SECONDS": "10",
            "MAIL_FROM": "seguiment.cicle@example.org",
            "PUBLIC_BASE_URL": base_url,
            "BOARD_ACCEPTED_ONLY": "1",
            "SUBMISSION_DEADLINE_DAYS": str(DEADLINE_DAYS),
        }
        _prepare(env, folder)
        _serve(stack, env, port, folder)
        plan = load_plan(get_settings().plan_path)
        yield Cycle(base_url, db_url, env, plan, smtp, folder / "server.log")


# --- helpers ------------------------------------------------------------------------------------


def _tab(browser: Any, cycle: Cycle, username: str, errors: list[str]) -> Any:
    """A logged-in tab of a new browser context (closed with its context)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ca-ES")
    page = context.new_page()
    page.set_default_timeout(60_000)  # 2 cores shared with other work
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    login(page, cycle.base_url, username, PASSWORD)
    return page


def _goto(page: Any, url: str, selector: str = "#main-content h1") -> None:
    page.goto(url)
    page.wait_for_selector(selector)
    page.wait_for_function(DRAWN)


def _serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        context={"include": [["#main-content"]]},
        options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _engine_do(cycle: Cycle, action: Any) -> Any:
    engine = make_engine(cycle.db_url)
    try:
        return action(engine)
    finally:
        engine.dispose()


def _pending_now(cycle: Cycle) -> list[str]:
    """The services that have delivered nothing for the quarter, by the plan's one rule."""
    frame = _engine_do(cycle, submissions_frame)
    found = pending_services(
        cycle.plan, frame, Period.parse(PERIOD), deadline_days=DEADLINE_DAYS, today=local_today()
    )
    return [p.service.code for p in found]


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _attachment(message: EmailMessage) -> tuple[str, bytes, str]:
    parts = list(message.iter_attachments())
    assert len(parts) == 1, [p.get_filename() for p in parts]
    content = parts[0].get_content()
    assert isinstance(content, bytes)
    return str(parts[0].get_filename()), content, parts[0].get_content_type()


def _check_reminder(cycle: Cycle, received: Received, code: str) -> None:
    """One reminder: to the service's contact, in Catalan, with what it owes and its template."""
    from openpyxl import load_workbook

    service = cycle.plan.service_by_code[code]
    message = received.message
    assert received.rcpt_tos == [service.email]
    assert message["Subject"] == f"Recordatori: dades del 4t trimestre de 2025 pendents ({code})"
    assert message["Content-Language"] == "ca"
    body = _body(message)
    assert "30 de gener de 2026" in body  # the deadline: 30 days after 31 December
    assert f"{cycle.base_url}/enviar?servei={code}&periode={PERIOD}" in body
    owed = list(
        {item.indicator.code: item.indicator for item in due_items(cycle.plan, code)}.values()
    )
    assert owed
    for indicator in owed:  # each on a line of its own (with its members, if any)
        assert f"  - {indicator.code} {indicator.name}" in body
    name, content, kind = _attachment(message)
    assert (name, kind) == (f"plantilla_{code}_{PERIOD}.xlsx", XLSX)
    book = load_workbook(io.BytesIO(content))
    meta = {str(row[0].value): row[1].value for row in book["_meta"].iter_rows()}
    assert (meta["service"], meta["period"]) == (code, PERIOD)
    data = book["Dades"]
    listed = {str(row[0].value) for row in data.iter_rows() if row[0].value}
    assert {i.code for i in owed} <= listed


def _reminded_services(page: Any) -> dict[str, str]:
    """``/lliuraments``' pending list: service → its «Recordat el …» line ('' without one)."""
    found: dict[str, str] = {}
    items = page.locator(".pending-item")
    for i in range(items.count()):
        item = items.nth(i)
        head = item.locator(".pending-head").inner_text()
        if f"· {PERIOD}" not in head:
            continue
        reminded = item.locator(".reminded")
        found[head.split(" ·")[0].strip()] = reminded.inner_text() if reminded.count() else ""
    return found


# --- a. reminders -------------------------------------------------------------------------------


def _send_reminders(page: Any, cycle: Cycle) -> list[str]:
    """The director's button on /lliuraments; returns the services reminded."""
    pending = _pending_now(cycle)
    assert SERVICE in pending and len(pending) >= 2, pending
    _goto(page, cycle.url(f"/lliuraments?t={PERIOD}"))
    assert _reminded_services(page) == dict.fromkeys(pending, "")
    button = page.locator("#lliuraments-remind")
    assert button.inner_text() == f"Envia per correu els recordatoris del {LABEL}"
    button.click()
    page.wait_for_selector("#lliuraments-remind-result .alert-success")
    # one reminder per pending service, and the digest to the director who has an address
    sent = f"{len(pending) + 1} missatges enviats i registrats."
    assert page.inner_text("#lliuraments-remind-result") == sent

    messages = cycle.smtp.messages
    reminders = [m for m in messages if m.message["Subject"].startswith("Recordatori:")]
    assert len(reminders) == len(pending) and len(messages) == len(pending) + 1
    by_address = {m.rcpt_tos[0]: m for m in reminders}
    for code in pending:
        _check_reminder(cycle, by_address[cycle.plan.service_by_code[code].email], code)
    digest = next(m for m in messages if m not in reminders)
    assert digest.rcpt_tos == [DIRECTOR_EMAIL]
    # a subject longer than a line is folded right after «Subject:», and Python's parser keeps
    # the folding space (mail programs drop it)
    assert str(digest.message["Subject"]).strip() == (
        f"Seguiment del Pla: resum del 4t trimestre de 2025 (serveis sense lliurar: {len(pending)})"
    )
    digest_body = _body(digest.message)
    for code in pending:
        assert f"  - {code} {cycle.plan.service_by_code[code].name}" in digest_body

    _goto(page, cycle.url(f"/lliuraments?t={PERIOD}"))  # the page says who was reminded
    today = long_date(local_today(), "ca")
    assert _reminded_services(page) == dict.fromkeys(pending, f"Recordat el {today}")
    return pending


def _remind_again_sends_nothing(cycle: Cycle, pending: list[str]) -> None:
    count = len(cycle.smtp.messages)
    out = seguiment(["remind", "--period", PERIOD, "--send"], cycle.env).stdout
    assert len(cycle.smtp.messages) == count  # never twice
    assert out.count("Ja enviat el ") == len(pending) + 1, out
    assert "Enviat: " not in out


# --- b. the form --------------------------------------------------------------------------------


def _spreadsheet_errors(cycle: Cycle, wrong: dict[str, str]) -> list[str]:
    """What the import of a template holding the ``wrong`` values says (a dry run)."""
    filled: dict[str, tuple[float | str | None, str | None]] = {
        code: (value, None) for code, value in wrong.items()
    }
    content = build_template(cycle.plan, SERVICE, PERIOD, filled=filled)
    result = _engine_do(
        cycle,
        lambda engine: import_file(
            engine,
            cycle.plan,
            filename=f"plantilla_{SERVICE}_{PERIOD}.xlsx",
            content=content,
            user=TECHNICIAN,
            service=SERVICE,
            period=PERIOD,
            dry_run=True,
            source="web",
            allowed_services={SERVICE},
        ),
    )
    assert result.status == "rejected"
    return sorted(issue.message for issue in result.errors)


def _open_form(page: Any, cycle: Cycle) -> None:
    """The link of the service's reminder: the upload page, the service and quarter chosen."""
    (link,) = re.findall(rf"{re.escape(cycle.base_url)}/enviar\S*", _reminder_body(cycle))
    _goto(page, link)
    assert page.input_value("#enviar-period") == PERIOD
    assert page.input_value("#enviar-service") == SERVICE
    page.click("#enviar-form-panel > summary")
    page.wait_for_selector(f'#enviar-form-table tr[data-indicator="{next(iter(RIGHT))}"]')
    page.wait_for_function(DRAWN)


def _reminder_body(cycle: Cycle) -> str:
    email = cycle.plan.service_by_code[SERVICE].email
    (received,) = [m for m in cycle.smtp.messages if m.rcpt_tos == [email]]
    return _body(received.message)


def _fill(page: Any, values: dict[str, str]) -> None:
    for code, value in values.items():
        page.get_by_label(f"Valor de {code}").fill(value)


def _form_errors(page: Any) -> list[tuple[str, str]]:
    """The form's errors: (indicator, message) of each error row, read at one moment."""
    rows: list[list[str]] = page.eval_on_selector_all(
        "#enviar-form-issues tbody tr.form-issue",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))",
    )
    return [(row[1], row[3]) for row in rows if "Error" in row[0]]


def _my_quarter_card(page: Any, cycle: Cycle) -> str:
    _goto(page, cycle.url(f"/el-meu-trimestre?t={PERIOD}"))
    return str(page.locator(".my-quarter-card", has_text=f"{SERVICE} ·").inner_text())


def _same_errors_as_the_spreadsheet(page: Any, cycle: Cycle, wrong: dict[str, str]) -> None:
    """Type ``wrong`` in the form and check it: the import's errors, word for word."""
    expected = _spreadsheet_errors(cycle, wrong)
    assert len(expected) == len(wrong), expected  # one error per wrong value
    _fill(page, wrong)
    page.click("#enviar-form-check")
    page.wait_for_selector("#enviar-form-summary.import-rejected")
    deadline = time.monotonic() + 60  # the previous round's errors may still be shown
    while sorted(m for _c, m in _form_errors(page)) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    shown = _form_errors(page)
    assert sorted(message for _code, message in shown) == expected  # the same words
    assert sorted(code for code, _message in shown) == sorted(wrong)  # at their indicators
    assert page.is_disabled("#enviar-form-confirm")


def _fill_the_form(page: Any, cycle: Cycle) -> None:
    card = _my_quarter_card(page, cycle)  # what the technician sees first: reminded, pending
    assert f"Recordat el {long_date(local_today(), 'ca')}" in card, card
    assert "✖ Pendent" in card, card
    owed = {i.code for i in cycle.plan.indicators_of_service(SERVICE) if not i.is_milestone}
    assert set(RIGHT) <= owed, owed
    _open_form(page, cycle)
    for wrong in WRONG:
        _same_errors_as_the_spreadsheet(page, cycle, wrong)

    _fill(page, RIGHT)
    page.get_by_label("Comentari sobre P3.03-I1").fill("dades del cicle")
    page.click("#enviar-form-save")
    page.wait_for_selector("#enviar-form-draft")
    assert f"Esborrany desat per {TECHNICIAN}" in page.inner_text("#enviar-form-draft")
    _open_form(page, cycle)  # the page again: the draft is put back
    for code, value in RIGHT.items():
        assert page.get_by_label(f"Valor de {code}").input_value() == value
    page.click("#enviar-form-check")
    page.wait_for_selector("#enviar-form-summary.import-ok")
    page.wait_for_function("() => !document.getElementById('enviar-form-confirm').disabled")
    page.click("#enviar-form-confirm")
    page.wait_for_selector("#enviar-form-done")
    page.wait_for_function(DRAWN)
    assert "formulari" in page.inner_text("#enviar-history")
    card = _my_quarter_card(page, cycle)
    assert "Lliurat amb retard" in card and "Pendent de validar pel responsable" in card, card


# --- c, d, e: validation, acceptance, lock, the board --------------------------------------------


def _board(page: Any, cycle: Cycle) -> tuple[str, int]:
    """``/sessio``: the deck's text and its «Objectius amb dades» count."""
    _goto(page, cycle.url(f"/sessio?t={PERIOD}"), "#session-deck")
    deck = " ".join(str(page.text_content("#session-deck")).split())
    found = re.search(r"Objectius amb dades ?(\d+) de \d+", deck)
    assert found, deck[:2000]
    return deck, int(found.group(1))


def _pending_acceptance(deck: str) -> list[str]:
    found = re.search(r"pendents d'acceptar: ([^.]*)\.", deck)
    return found.group(1).split(", ") if found else []


def _validate(page: Any, cycle: Cycle) -> None:
    assert "Pendent de validar pel responsable" in _my_quarter_card(page, cycle)
    card = page.locator(".my-quarter-card", has_text=f"{SERVICE} ·")
    card.get_by_role("button", name="Valida el lliurament").click()
    page.wait_for_selector("#meu-result .alert-success")
    assert re.fullmatch(
        rf"Lliurament número \d+ de {SERVICE} del {LABEL} validat\.",
        page.inner_text("#meu-result").strip(),
    )


def _lock_on_gestio(page: Any) -> str:
    """Click «Tanca el trimestre», accept its confirmation; the new message of the page."""
    before = page.inner_text("#gestio-message")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#gestio-lock button")
    page.wait_for_function(
        "(before) => { const text = document.getElementById('gestio-message').innerText;"
        " return text.trim() !== '' && text !== before; }",
        arg=before,
    )
    page.wait_for_function(DRAWN)
    return str(page.inner_text("#gestio-message")).strip()


def _accept_and_lock(page: Any, cycle: Cycle) -> None:
    _goto(page, cycle.url(f"/gestio?periode={PERIOD}"))
    page.select_option("#gestio-service", SERVICE)
    row = f"#gestio-row-{SERVICE}"
    page.wait_for_selector(f"{row} >> text=Validat per {HEAD}: pendent d'acceptar")
    page.click("#gestio-approve")
    page.wait_for_selector("#gestio-done")
    assert re.fullmatch(
        rf"Lliurament número \d+ de {SERVICE} del {LABEL} acceptat\.",
        page.inner_text("#gestio-done").strip(),
    )
    page.wait_for_selector(f"{row} >> text=Acceptat per {DIRECTOR}")

    refused = _lock_on_gestio(page)  # other services' deliveries are not accepted
    assert refused.startswith(f"No tots els lliuraments del {LABEL} estan acceptats ("), refused
    assert SERVICE not in refused.split("(")[1].split(")")[0].split(", ")
    page.fill("#gestio-reason", "Tancament del cicle: la resta s'acceptarà a la junta")
    page.wait_for_function(DRAWN)
    locked = _lock_on_gestio(page)
    assert locked == f"El {LABEL} està tancat: es rebutgen els lliuraments nous."
    page.wait_for_selector("#gestio-lock-status.period-locked")
    again = _lock_on_gestio(page)
    assert again == f"El {LABEL} ja estava tancat: no ha canviat res."


def _locked_quarter_is_not_reminded(page: Any, cycle: Cycle) -> None:
    """After the lock: the matrix marks the quarter, its button sends nothing and says why."""
    count = len(cycle.smtp.messages)
    _goto(page, cycle.url(f"/lliuraments?t={PERIOD}"))
    assert "tancat" in page.locator(".matrix thead th", has_text=PERIOD).inner_text()
    page.click("#lliuraments-remind")
    page.wait_for_selector("#lliuraments-remind-result .alert")
    locked = "El 4t trimestre de 2025 està tancat: no s'envia cap recordatori."
    assert page.inner_text("#lliuraments-remind-result").strip() == locked
    assert len(cycle.smtp.messages) == count


def _audit_has_every_step(cycle: Cycle, pending: list[str]) -> None:
    frame = _engine_do(cycle, lambda engine: audit_frame(engine, limit=None))
    events = list(zip(frame["action"], frame["username"], frame["target"], strict=True))

    def step(action: str, user: str, target: str) -> int:
        return sum(1 for e in events if e == (action, user, target))

    for code in pending:
        assert step("reminder_sent", DIRECTOR, f"{code} {PERIOD}") == 1, code
    assert step("digest_sent", DIRECTOR, PERIOD) == 1
    imports = frame[(frame["action"] == "import") & (frame["username"] == TECHNICIAN)]
    assert list(imports["target"]) == [f"{SERVICE} {PERIOD}"]
    details = imports["details"].iloc[0]
    assert details["source"] == "formulari" and details["values"] == len(RIGHT), details
    assert sum(1 for e in events if e[:2] == ("validate", HEAD)) == 1
    assert sum(1 for e in events if e[:2] == ("approve", DIRECTOR)) == 1
    locks = frame[(frame["action"] == "period_lock") & (frame["target"] == PERIOD)]
    assert list(locks["username"]) == [DIRECTOR]  # once: the second lock changed nothing
    lock = locks["details"].iloc[0]
    assert lock["reason"].startswith("Tancament del cicle") and SERVICE not in lock["not_accepted"]


# --- the test -----------------------------------------------------------------------------------


def _axes_of_the_service(cycle: Cycle) -> set[int]:
    plan = cycle.plan
    return {plan.objective_by_code[plan.indicator_by_code[c].objective_code].axis for c in RIGHT}


def _axis_reaches_the_quarter(deck: str, axis: int) -> bool:
    """Whether the lever chart's description gives the axis a value in the quarter."""
    found = re.search(rf"Eix {axis}: [\d,]+ % el (\S+ trimestre de \d{{4}})", deck)
    assert found, deck[-3000:]
    return found.group(1) == LABEL


def _board_row(cycle: Cycle, deck: str) -> str:
    """The service's row in the deliveries slide: its name, then the state."""
    service = cycle.plan.service_by_code[SERVICE]
    found = re.search(re.escape(service.name) + " ?(.*?)" + re.escape(service.email), deck)
    assert found, deck[-3000:]
    return found.group(1).strip()


def test_the_quarterly_cycle_end_to_end(browser: Any, cycle: Cycle) -> None:
    errors: list[str] = []
    axe: list[str] = []
    director = _tab(browser, cycle, DIRECTOR, errors)
    technician = _tab(browser, cycle, TECHNICIAN, errors)
    head = _tab(browser, cycle, HEAD, errors)
    (axis,) = _axes_of_the_service(cycle)
    try:
        deck, with_data = _board(director, cycle)  # before: the service has delivered nothing
        assert SERVICE not in _pending_acceptance(deck)
        assert _board_row(cycle, deck).startswith("✖ Pendent")
        assert not _axis_reaches_the_quarter(deck, axis)

        pending = _send_reminders(director, cycle)  # a.
        axe += _serious_violations(director)
        _remind_again_sends_nothing(cycle, pending)

        _fill_the_form(technician, cycle)  # b.
        axe += _serious_violations(technician)
        _validate(head, cycle)  # c.
        axe += _serious_violations(head)
        deck, shown = _board(director, cycle)  # delivered and validated, not accepted
        assert SERVICE in _pending_acceptance(deck)
        assert _board_row(cycle, deck).startswith("◔ Lliurat amb retard · pendent d'acceptar")
        assert shown == with_data and not _axis_reaches_the_quarter(deck, axis)  # left out

        _accept_and_lock(director, cycle)  # d.
        axe += _serious_violations(director)
        out = seguiment(["lock", "--period", PERIOD, "--user", "operador"], cycle.env).stdout
        assert f"El {LABEL} ja estava tancat: no ha canviat res." in out
        _locked_quarter_is_not_reminded(director, cycle)

        deck, shown = _board(director, cycle)  # e. accepted: the board counts its values
        assert SERVICE not in _pending_acceptance(deck)
        row = _board_row(cycle, deck)
        assert row.startswith("◔ Lliurat amb retard") and "pendent d'acceptar" not in row, row
        assert shown > with_data, (shown, with_data)
        assert _axis_reaches_the_quarter(deck, axis)
    except Exception as exc:
        exc.add_note("server log:\n" + cycle.log_tail())
        raise
    finally:
        for page in (director, technician, head):
            page.context.close()
    _audit_has_every_step(cycle, pending)
    assert not errors, errors
    assert not axe, axe
