"""Nothing private leaves through the read API without a token (issue 19): the uploader's
name, the file names, the technicians' comments, the services' e-mail addresses, anything of
the unpublished quarter and the small count are planted through the real import (see
``test_api_fixtures``) and looked for in every answer of every endpoint, in JSON and CSV,
every page, every quarter, every link the answers themselves give and every distribution of
the catalogue (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests.web import test_api_fixtures as fx
from web.openapi import operations

api_app, planted, api = fx.api_app, fx.planted, fx.api  # fixtures
QUARTERS = ("2022-T1", "2022-T2", "2022-T3", "2022-T4", "2025-T4")


def _links(document: Any) -> Iterator[str]:
    """Every address of this API named anywhere in an answer."""
    if isinstance(document, dict):
        for value in document.values():
            yield from _links(value)
    elif isinstance(document, list):
        for value in document:
            yield from _links(value)
    elif isinstance(document, str) and "/api/v1/" in document:
        parts = urlsplit(document)
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def _crawl(client: FlaskClient) -> dict[str, bytes]:
    """Every anonymous answer reachable from the registered operations, with each quarter
    and format, following the links of the answers (breadth first, bounded)."""
    start = [op.path for op in operations() if op.method == "get"]
    start += [
        f"{op.path}?period={q}&format={fmt}"
        for op in operations()
        if any(p.name == "period" for p in op.parameters)
        for q in QUARTERS
        for fmt in ("json", "csv")
    ]
    start += [f"{op.path}?format=csv" for op in operations() if op.csv_columns]
    seen: dict[str, bytes] = {}
    queue = list(dict.fromkeys(start))
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code < 500, url
        seen[url] = response.data
        if response.mimetype in ("application/json", "application/ld+json"):
            queue.extend(link for link in _links(response.get_json(force=True)) if link not in seen)
    return seen


def test_no_private_marker_is_reachable_without_a_token(
    api: FlaskClient, planted: fx.Planted
) -> None:
    answers = _crawl(api)
    assert len(answers) > 40
    markers = [fx.UPLOADER, fx.COMMENT, fx.FILE_MARK, "4242", "2022-T2", *planted.emails]
    for url, body in answers.items():
        text = body.decode("utf-8", errors="replace")
        for marker in markers:
            if marker == "2022-T2" and ("period=2022-T2" in url or "/indicators" in url):
                continue  # the 404 names the quarter asked for; sheets name planned quarters
            assert marker not in text, (marker, url)


def test_the_small_count_is_suppressed_everywhere(api: FlaskClient, planted: fx.Planted) -> None:
    code = planted.small_indicator
    values = api.get(f"/api/v1/values?period={fx.T3}&indicator={code}").get_json()
    assert values["items"], code
    for row in values["items"]:
        assert row["value"] is None and row["suppressed"] is True and row["below"] == 5
    csv_text = api.get(f"/api/v1/values?period={fx.T3}&indicator={code}&format=csv").data
    for line in csv_text.decode("utf-8").splitlines()[1:]:
        cells = line.split(",")
        assert cells[3] == "" and cells[5] == "True", line
    status = api.get(f"/api/v1/status?period={fx.T3}").get_json()
    entry = next(e for e in status["entries"] if e["key"] == code)
    assert entry["suppressed"] is True
    assert entry["value"] is None and entry["achievement"] is None
    assert entry["target_share"] is None and entry["progress"] is None
    rows = api.get(f"/api/v1/status?period={fx.T3}&format=csv").data.decode("utf-8")
    line = next(r for r in rows.splitlines() if f",{code}," in r)
    assert ",3.0," not in line and ",3," not in line


def test_with_a_token_the_same_endpoints_show_the_internal_data(
    api: FlaskClient, planted: fx.Planted, with_token: Any
) -> None:
    values = api.get(f"/api/v1/values?period={fx.T3}&limit=1000", headers=with_token())
    small = [r for r in values.get_json()["items"] if r["indicator"] == planted.small_indicator]
    assert small and small[0]["value"] == fx.SMALL and not small[0]["suppressed"]
    body = json.dumps(values.get_json())
    for marker in (fx.UPLOADER, fx.COMMENT, fx.FILE_MARK, *planted.emails):
        assert marker not in body  # never contacts or people, even with a token


with_token = fx.with_token
