"""The public transparency view, /public (issue 19, item 2), through Flask's test client on
data stored, accepted, locked and published by the real functions (SQLite and PostgreSQL):

- every page answers 200 without a login, in ca/es/en, for each published quarter; a quarter
  that is not published, an unknown code and any other address under /public/ answer the
  public area's own 404 page (never Dash's index page);
- ``Cache-Control: public, max-age=300`` and an ``ETag`` (304 for ``If-None-Match``), a new
  rendering once something is published or unpublished;
- a strict CSP without scripts; the embeds may be framed by ``EMBED_ALLOWED_ORIGINS`` only,
  every other page by nobody;
- security: a crawl of every link of the public pages (all languages, all published quarters)
  never shows a technician's comment, a user name, an e-mail, a file name, a value of an
  unpublished quarter or a small count.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dash
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from accounts import approvals, publications, users
from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from indicators.storage.store import store
from plan_model.completeness import expected_services
from plan_model.models import Aggregation, Indicator, Plan
from plan_model.periods import Period
from plan_model.status_types import STATUS_ICONS, Status, status_label
from tests.helpers.dash_sample import submission_values
from tests.helpers.web_login import login
from tests.web.web_app import web_settings
from web.headers import embed_origins, public_page_policy

T1, T2, T3, T4 = "2022-T1", "2022-T2", "2022-T3", "2022-T4"
PUBLISHED = (T1, T3)  # T2 is locked and accepted but not published; T4 is open
DIRECTOR = "zqxboss5512"
DIRECTOR_EMAIL = "zqx.mail5512@example.org"
SUBMITTER = "zqxuser4411"
COMMENT = "zqxcomment7781 la Maria no ha vingut"
FILE_MARK = "zqxfile9911"
LEAK = 987654.0  # the small count's value in the unpublished T2 (T3's year to date would show it)
OPEN_VALUE = 4567891.5  # a value of the open quarter T4
MARKERS = (
    DIRECTOR,
    DIRECTOR_EMAIL,
    SUBMITTER,
    "zqxcomment7781",
    FILE_MARK,
    "987654",
    "987.654",
    "987,654",
    "4567891",
    "4.567.891",
    "4,567,891",
    T2,  # (a milestone's planned completion is written «4t trimestre de 2022»: not a code)
    T4,
    "@",
)
CRAWL_LIMIT = 5000


def _sums(plan: Plan, integer: bool) -> list[Indicator]:
    return [
        i
        for i in plan.indicators
        if not i.is_milestone
        and i.aggregation is Aggregation.SUM
        and i.integer is integer
        and not i.breakdowns
        and i.targets
    ]


def small_count(plan: Plan) -> Indicator:
    """The count planted small: 2 in T1, 1 in T3 (year to date 2 and 3, both under 5)."""
    return _sums(plan, True)[0]


def _values(plan: Plan, service: str, period: str) -> list[Any]:
    """The sample's values of ``service`` at ``period``, with the planted ones."""
    small, other = small_count(plan).code, _sums(plan, False)[0].code
    planted = {
        (small, T1): 2.0,
        (small, T2): LEAK,
        (small, T3): 1.0,
        (other, T4): OPEN_VALUE,
    }
    found = []
    for value in submission_values(plan, service, Period.parse(period)):
        changed = dataclasses.replace(value, comment=COMMENT)
        if (value.indicator, period) in planted:
            changed = dataclasses.replace(changed, value=planted[(value.indicator, period)])
        found.append(changed)
    return found


def seed(engine: Engine, plan: Plan, publish: bool = True) -> None:
    """Four quarters delivered by every service, accepted; T1-T3 locked; T1 and T3 published."""
    users.create_user(engine, DIRECTOR, "longenough-pass", "director", email=DIRECTOR_EMAIL)
    for period in (T1, T2, T3, T4):
        uploaded = dt.datetime.combine(
            Period.parse(period).end + dt.timedelta(days=10), dt.time(9), tzinfo=dt.UTC
        )
        for service in expected_services(plan):
            values = _values(plan, service, period)
            if not values:
                continue
            store(
                engine,
                service=service,
                period=period,
                filename=f"{FILE_MARK}_{service}_{period}.xlsx",
                content=f"{service}|{period}|public".encode(),
                user=SUBMITTER,
                source="cli",
                values=values,
                warnings=[],
                uploaded_at=uploaded,
            )
            approvals.approve(engine, service, period, by=DIRECTOR)
    for period in (T1, T2, T3):
        assert approvals.lock_period(engine, period, by=DIRECTOR)
    if publish:
        for period in PUBLISHED:
            assert publications.publish_period(engine, period, by=DIRECTOR) is not None


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[dash.Dash]:
    dashboard_data.clear_caches()
    application = create_app(
        web_settings(db_url, tmp_path, embed_allowed_origins="https://web.example.cat")
    )
    engine = get_engine(db_url)
    seed(engine, application.server.config["SEGUIMENT_PLAN"])
    yield application
    engine.dispose()


@pytest.fixture
def client(site: dash.Dash) -> FlaskClient:
    test_client: FlaskClient = site.server.test_client()
    return test_client


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


PAGES = (
    "/public",
    "/public/",
    "/public/palanca/3",
    "/public/eix/5",
    "/public/objectiu/P3.07",
    "/public/metode",
    "/public/embed/palanca/3",
    "/public/embed/objectiu/P3.07",
)


def test_every_page_answers_without_a_login(client: FlaskClient) -> None:
    for lang, path in ((lang, path) for lang in ("ca", "es", "en") for path in PAGES):
        for quarter in ("", *PUBLISHED):
            query = urlencode({"lang": lang, **({"t": quarter} if quarter else {})})
            response = client.get(f"{path}?{query}")
            assert response.status_code == 200, (path, quarter)
            page = _text(response)
            assert f'<html lang="{lang}">' in page
            assert response.headers["Content-Language"] == lang
            assert "_dash" not in page and "<script" not in page.lower()


def test_the_latest_published_quarter_is_the_default(client: FlaskClient) -> None:
    page = _text(client.get("/public"))
    assert "Dades del 3r trimestre de 2022, publicades el" in page
    assert '<option value="2022-T3" selected>3r trimestre de 2022</option>' in page
    assert '<option value="2022-T1">1r trimestre de 2022</option>' in page
    assert page.count("<option") == len(PUBLISHED)  # published quarters only
    english = _text(client.get("/public?lang=en&t=2022-T1"))
    assert "Figures of the 1st quarter of 2022" in english
    assert "Objectives by status" in english and "Internal access" in english


def test_the_headline_and_the_levers(client: FlaskClient, site: dash.Dash) -> None:
    page = _text(client.get("/public"))
    headline = page.index("Objectius per estat")
    assert headline < page.index("Grau d&#39;assoliment del pla") < page.index("Palanca 1:")
    assert "58 objectius operatius, al 3r trimestre de 2022" in page
    for status in Status:  # a status is always named (and has its icon), never only a colour
        assert f'<span aria-hidden="true">{STATUS_ICONS[status]}</span> ' in page
        assert html.escape(status_label(status, "ca")) in page
    for number in range(1, 6):
        assert f'href="/public/palanca/{number}"' in page
    assert page.count('<svg class="trend"') == 6  # the plan and its five levers
    titles = re.findall(r"<title>(.*?)</title>", page)
    assert [html.unescape(t) for t in titles[1:]] == [
        "Grau d'assoliment del 1r trimestre de 2022 al 3r trimestre de 2022"
    ] * 6


def test_links_keep_the_language_and_the_quarter(client: FlaskClient) -> None:
    page = _text(client.get("/public?lang=es&t=2022-T1"))
    assert 'href="/public/palanca/3?lang=es&amp;t=2022-T1"' in page
    assert 'href="/public/metode?lang=es&amp;t=2022-T1"' in page
    assert 'href="/public?lang=en&amp;t=2022-T1"' in page  # the language switch
    assert '<input type="hidden" name="lang" value="es">' in page
    assert 'href="/api/v1/status?period=2022-T1&amp;format=csv"' in page  # the open data
    plain = _text(client.get("/public"))
    assert 'href="/public/palanca/3"' in plain  # nothing asked, nothing added


def _section(page: str, code: str) -> str:
    """The part of an objective page about indicator ``code``."""
    start = page.index(f'<h3 id="ind-{code}">')
    return page[start : page.find("</section>", start)]


def test_a_small_count_is_never_shown(client: FlaskClient, site: dash.Dash) -> None:
    small = small_count(site.server.config["SEGUIMENT_PLAN"])
    for quarter in PUBLISHED:
        page = _text(client.get(f"/public/objectiu/{small.objective_code}?t={quarter}"))
        section = _section(page, small.code)
        value = re.search(r"<dt>Valor</dt><dd>(.*?)</dd>", section)
        assert value is not None and value.group(1) == "menys de 5", quarter
        share = re.search(r"<dt>% de la meta</dt><dd>(.*?)</dd>", section)
        assert share is not None and share.group(1) == "no es mostra"
        cells = re.findall(r"<td>(.*?)</td>", section)
        assert cells and set(cells) <= {"menys de 5", "no es mostra"}, cells
        assert "<circle" not in section  # no point of its chart: it would reveal the count


NOT_PUBLISHED = (
    "t=2022-T2",  # locked, not published
    "t=2022-T4",  # open
    "t=2030-T1",  # not a quarter of the plan
    "t=garbage",
    "t=%3Cscript%3Ealert(1)%3C/script%3E",
    "t=" + "9" * 5000,
    "t=2022-T1%00",
)


def test_a_quarter_that_is_not_published_is_not_found(client: FlaskClient) -> None:
    paths = ("/public", "/public/palanca/1", "/public/objectiu/P3.07", "/public/metode")
    for path, query in ((path, query) for path in paths for query in NOT_PUBLISHED):
        response = client.get(f"{path}?{query}")
        page = _text(response)
        assert response.status_code == 404, (path, query)
        assert "Pàgina no trobada" in page and "<script" not in page
        assert "alert(1)" not in page


UNKNOWN = (
    "/public/palanca/9",
    "/public/palanca/abc",
    "/public/palanca/-1",
    "/public/palanca/" + "1" * 400,
    "/public/eix/4",  # the plan has no axis 4
    "/public/eix/0",
    "/public/objectiu/P9.99",
    "/public/objectiu/p3.07",
    "/public/objectiu/%3Cb%3Ex%3C%2Fb%3E",
    "/public/embed/palanca/7",
    "/public/embed/objectiu/NOPE",
    "/public/embed/eix/5",
    "/public/qualsevol/cosa",
    "/public/static/missing.css",
    "/public/static/../public.py",
    "/public/metode/extra",
)
TITLES = (("ca", "Pàgina no trobada"), ("es", "Página no encontrada"), ("en", "Page not found"))


def test_unknown_addresses_answer_the_public_not_found_page(client: FlaskClient) -> None:
    for path, (lang, title) in ((path, item) for path in UNKNOWN for item in TITLES):
        response = client.get(f"{path}?lang={lang}")
        page = _text(response)
        assert response.status_code == 404, path
        assert f'<html lang="{lang}">' in page and title in page
        assert "_dash" not in page and "<b>x" not in page  # ours, never Dash's index page


def test_nothing_published_says_so(client: FlaskClient, db_url: str) -> None:
    for period in PUBLISHED:
        publications.unpublish_period(get_engine(db_url), period, by=DIRECTOR)
    assert client.get("/public/palanca/9").status_code == 404  # unknown: still not found
    for path in ("/public?lang=es", "/public/palanca/3?lang=es"):
        response = client.get(path)
        assert response.status_code == 200
        page = _text(response)
        assert "Todavía no se ha publicado nada" in page and "2022" not in page


def test_pages_are_cacheable_and_revalidated(client: FlaskClient, site: dash.Dash) -> None:
    first = client.get("/public/palanca/3")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get("/public/palanca/3", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get("/public/palanca/3?lang=es").headers["ETag"] != etag
    assert client.get("/public/palanca/3?t=2022-T1").headers["ETag"] != etag
    engine = get_engine(site.server.config["SEGUIMENT_SETTINGS"].database_url)
    publications.unpublish_period(engine, T3, by=DIRECTOR)  # the latest is now T1
    after = client.get("/public/palanca/3", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert "Dades del 1r trimestre de 2022" in _text(after)
    assert client.get("/public?t=2022-T3").status_code == 404  # unpublished: gone at once


def test_the_stylesheet_is_versioned_and_cached_for_a_year(client: FlaskClient) -> None:
    page = _text(client.get("/public"))
    found = re.search(r'href="(/public/static/public\.css\?v=([0-9a-f]+))"', page)
    assert found is not None
    response = client.get(found.group(1))
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    css = _text(response)
    assert ".badge-green{background:#009E73" in css and "@media print" in css
    stale = client.get("/public/static/public.css?v=old")
    assert stale.headers["Cache-Control"] == "no-cache"


def test_public_pages_run_no_script_and_cannot_be_framed(client: FlaskClient) -> None:
    for path in ("/public", "/public/objectiu/P3.07", "/public/metode", "/public/nope"):
        response = client.get(path)
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["default-src"] == ["'none'"] and "script-src" not in policy
        assert policy["style-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Frame-Options"] == "DENY"
        page = _text(response)
        assert "<script" not in page and " style=" not in page and "<style" not in page


def test_embeds_are_framed_only_by_the_allowed_origins(client: FlaskClient) -> None:
    for path in ("/public/embed/palanca/3", "/public/embed/objectiu/P3.07"):
        response = client.get(path)
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["frame-ancestors"] == ["https://web.example.cat"], path
        assert "X-Frame-Options" not in response.headers
        page = _text(response)
        assert '<svg class="trend"' in page and 'target="_blank"' in page
    login_page = client.get("/login")
    assert directives(login_page.headers["Content-Security-Policy"])["frame-ancestors"] == [
        "'none'"
    ]
    assert login_page.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", ()),
        (
            "https://a.example, https://b.example:8443/",
            ("https://a.example", "https://b.example:8443"),
        ),
        ("https://ok.example; script-src *", ("https://ok.example",)),
        ("javascript:alert(1) * 'unsafe-inline' https://x.example/path", ()),
        (
            "http://a.example https://a.example http://a.example",
            ("http://a.example", "https://a.example"),
        ),
    ],
)
def test_the_embed_origins_setting_is_read_safely(setting: str, expected: tuple[str, ...]) -> None:
    origins = embed_origins(setting)
    assert origins == expected
    policy = directives(public_page_policy(origins))
    assert policy["frame-ancestors"] == (list(expected) or ["'none'"])
    assert "script-src" not in policy and len(policy) == 7


def test_embeds_without_the_setting_are_framed_by_nobody(
    site: dash.Dash, db_url: str, tmp_path: Path
) -> None:
    application = create_app(web_settings(db_url, tmp_path))  # the same data, no origins
    response = application.server.test_client().get("/public/embed/palanca/1")
    assert response.status_code == 200
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_header_has_no_login_menu(client: FlaskClient, site: dash.Dash) -> None:
    anonymous = _text(client.get("/public"))
    assert 'href="/login">Accés intern</a>' in anonymous
    assert "/logout" not in anonymous
    logged_in = site.server.test_client()
    login(logged_in, DIRECTOR, "longenough-pass")
    page = _text(logged_in.get("/public"))
    assert DIRECTOR not in page and "/logout" not in page
    assert page == anonymous  # the same page for everyone: a shared cache may keep it


def test_hostile_languages_fall_back_to_catalan(client: FlaskClient) -> None:
    for lang in ("xx", "<script>", "ca-ES", "EN", "'" * 300):
        response = client.get("/public", query_string={"lang": lang})
        assert response.status_code == 200
        page = _text(response)
        assert "<script>" not in page.replace("&lt;script&gt;", "")
        expected = "en" if lang == "EN" else "ca"
        assert f'<html lang="{expected}">' in page


def _links(page: str) -> set[str]:
    """Every /public address a page links to, and the quarter selector's choices."""
    found = {html.unescape(h) for h in re.findall(r'href="(/public[^"#]*)"', page)}
    found = {link for link in found if not link.startswith("/public/static/")}
    lang = re.search(r'<input type="hidden" name="lang" value="(\w+)">', page)
    action = re.search(r'<form class="quarter" method="get" action="([^"]+)"', page)
    if action is not None:
        for value in re.findall(r'<option value="([^"]+)"', page):
            query = {"lang": lang.group(1)} if lang else {}
            found.add(f"{action.group(1)}?{urlencode({**query, 't': value})}")
    return found


def _crawl(client: FlaskClient, start: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < CRAWL_LIMIT:
        address = queue.pop()
        if address in seen:
            continue
        response = client.get(address)
        assert response.status_code == 200, address
        seen[address] = _text(response)
        if response.mimetype == "text/html":
            queue.extend(link for link in _links(seen[address]) if link not in seen)
    assert 200 < len(seen) < CRAWL_LIMIT
    return seen


def test_nothing_private_leaves_through_any_public_page(
    client: FlaskClient, site: dash.Dash
) -> None:
    embeds = [
        f"/public/embed/{kind}/{key}?{urlencode({'lang': lang, 't': quarter})}"
        for kind, key in (("palanca", "3"), ("objectiu", "P3.07"), ("objectiu", "P3.08"))
        for lang in ("ca", "es", "en")
        for quarter in PUBLISHED
    ]
    pages = _crawl(client, ["/public", "/public?lang=es", "/public?lang=en", *embeds])
    quarters = {re.search(r"t=([\w-]+)", a).group(1) for a in pages if "t=" in a}  # type: ignore[union-attr]
    assert quarters == set(PUBLISHED)
    assert {a for a in pages if a.startswith("/public/objectiu/")}, "the crawl reached objectives"
    assert any("lang=en" in a and "/public/eix/" in a for a in pages)
    for address, page in pages.items():
        for marker in MARKERS:
            assert marker not in page, (address, marker)
        assert "Sense incidències" not in page  # the sample's comment either
    objective = small_count(site.server.config["SEGUIMENT_PLAN"]).objective_code
    small = [p for a, p in pages.items() if a.startswith(f"/public/objectiu/{objective}")]
    assert len(small) >= 3 * len(PUBLISHED)  # each language and quarter, at least
    assert all(any(f"{w} 5" in p for w in ("menys de", "menos de", "fewer than")) for p in small)
