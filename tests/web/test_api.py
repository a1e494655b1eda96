"""The read API ``/api/v1`` (issue 19): every endpoint in JSON and CSV, pagination, ETag and
304, the cache headers, the rate limit (429 with Retry-After, across two app instances on
one database), 404 for an unpublished quarter without a token and the internal data with
one, 401 for a refused token, the plan id, the catch-all JSON 404, the DCAT catalogue and
the docs page (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from indicators.reporting import api_models
from indicators.storage.cache import get_cache
from plan_model.models import Plan
from tests.web import test_api_fixtures as fx
from tests.web.test_api_fixtures import HIDDEN_VALUE, T1, T2, T3, Planted
from tests.web.web_app import web_settings
from web.api import RateCounter
from web.openapi import operations

Headers = Callable[[], dict[str, str]]
api_app, planted, api, with_token = fx.api_app, fx.planted, fx.api, fx.with_token  # fixtures


def _json(client: FlaskClient, url: str, status: int = 200, **kw: Any) -> Any:
    response = client.get(url, **kw)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    assert response.mimetype in ("application/json", "application/ld+json")
    return response.get_json(force=True)


def _csv(client: FlaskClient, url: str, **kw: Any) -> list[list[str]]:
    response = client.get(url, **kw)
    assert response.status_code == 200, (url, response.data[:300])
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8"))))


def test_every_endpoint_answers_what_the_public_may_see(api: FlaskClient, plan: Plan) -> None:
    structure = _json(api, "/api/v1/plan")
    assert structure["id"] == plan.info.id and structure["periods"] == [str(T1), str(T3)]
    assert [lever["number"] for lever in structure["levers"]] == [x.number for x in plan.levers]
    assert "email" not in json.dumps(structure["services"])
    sheets = _json(api, "/api/v1/indicators?limit=1000")
    assert sheets["page"]["total"] == len(plan.indicators) == len(sheets["items"])
    values = _json(api, "/api/v1/values?period=2022-T3&limit=1000")
    assert values["audience"] == "public" and values["items"]
    assert {row["period"] for row in values["items"]} == {str(T3)}
    assert all(row["source"] == "web" and row["accepted_at"] for row in values["items"])
    everything = _json(api, "/api/v1/values?limit=1000")
    assert {row["period"] for row in everything["items"]} == {str(T1), str(T3)}
    status = _json(api, "/api/v1/status")
    assert status["period"] == str(T3) and status["audience"] == "public"
    assert status["entries"][0]["level"] == "plan" and status["published_at"]
    completeness = _json(api, "/api/v1/completeness?period=2022-T1")
    assert {row["state"] for row in completeness["items"]} <= {"on_time", "late", "pending"}
    assert all("filename" not in row for row in completeness["items"])


def test_the_tabular_endpoints_answer_csv_with_stable_columns(api: FlaskClient) -> None:
    expected = {
        "/api/v1/values?period=2022-T3&format=csv": api_models.VALUE_CSV_COLUMNS,
        "/api/v1/indicators?format=csv": api_models.INDICATOR_CSV_COLUMNS,
        "/api/v1/status?period=2022-T1&format=csv": api_models.STATUS_CSV_COLUMNS,
        "/api/v1/completeness?format=csv": api_models.COMPLETENESS_CSV_COLUMNS,
    }
    for url, columns in expected.items():
        rows = _csv(api, url)
        assert tuple(rows[0]) == columns, url
        assert len(rows) > 1 and all(len(r) == len(columns) for r in rows), url
    values = _json(api, "/api/v1/values?period=2022-T3&limit=1000")
    assert len(_csv(api, "/api/v1/values?period=2022-T3&format=csv")) == (
        values["page"]["total"] + 1
    )
    status_rows = _csv(api, "/api/v1/status?period=2022-T1&format=csv")
    assert {r[4] for r in status_rows[1:]} == {str(T1)}  # the period column
    refused = _json(api, "/api/v1/values?format=xlsx", status=400)
    assert refused["error"] == "bad_format"


def test_pagination_walks_every_item_once(api: FlaskClient) -> None:
    whole = _json(api, "/api/v1/values?period=2022-T3&limit=1000")["items"]
    seen: list[Any] = []
    url: str | None = "/api/v1/values?period=2022-T3&limit=7"
    while url is not None:
        page = _json(api, url)
        assert page["page"]["limit"] == 7 and len(page["items"]) <= 7
        seen.extend(page["items"])
        url = page["page"]["next"]
    assert seen == whole
    last = _json(api, f"/api/v1/values?period=2022-T3&offset={len(whole)}")
    assert last["items"] == [] and last["page"]["next"] is None
    for bad in ("limit=0", "limit=-1", "limit=abc", "limit=100000", "offset=-3", "offset=1e3"):
        answer = _json(api, f"/api/v1/indicators?{bad}", status=400)
        assert answer["error"] == "bad_parameter"


def test_etag_and_304_and_cache_control(api: FlaskClient, with_token: Headers) -> None:
    first = api.get("/api/v1/status?period=2022-T3")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = api.get("/api/v1/status?period=2022-T3", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = api.get("/api/v1/status?period=2022-T1", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag
    private = api.get("/api/v1/status?period=2022-T3", headers=with_token())
    assert private.status_code == 200
    assert private.headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in private.headers["Vary"]


def test_an_unpublished_quarter_is_404_without_a_token_and_served_with_one(
    api: FlaskClient, with_token: Headers, planted: Planted
) -> None:
    for endpoint in ("values", "status", "completeness"):
        for period in (str(T2), "2022-T4", "2030-T1"):
            answer = _json(api, f"/api/v1/{endpoint}?period={period}", status=404)
            assert answer["error"] == "not_published"
            assert api.get(f"/api/v1/{endpoint}?period={period}&format=csv").status_code == 404
    values = _json(api, "/api/v1/values?period=2022-T2&limit=1000", headers=with_token())
    assert values["audience"] == "internal"
    hidden = [r for r in values["items"] if r["indicator"] == planted.hidden_indicator]
    assert hidden and hidden[0]["value"] == pytest.approx(HIDDEN_VALUE)
    status = _json(api, "/api/v1/status?period=2022-T2", headers=with_token())
    assert status["audience"] == "internal" and status["published_at"] is None
    assert "2022-T2" in _json(api, "/api/v1/plan", headers=with_token())["periods"]
    outside = _json(api, "/api/v1/status?period=2030-T1", headers=with_token(), status=404)
    assert outside["error"] == "unknown_period"


def test_a_refused_token_is_401_never_anonymous(api: FlaskClient, with_token: Headers) -> None:
    for url in ("/api/v1/plan", "/api/v1/status", "/api/v1/values?format=csv"):
        answer = _json(api, url, status=401, headers={"Authorization": "Bearer nope"})
        assert answer["error"] == "invalid_token"


def test_malformed_periods_are_400(api: FlaskClient) -> None:
    for text in ("2022-T5", "T3", "2022-3-1", "'; drop table--", "２０２２-T1", "2022-T1\x00"):
        answer = _json(api, "/api/v1/status", status=400, query_string={"period": text})
        assert answer["error"] == "bad_period"


def test_the_plan_id(api: FlaskClient, plan: Plan) -> None:
    assert _json(api, f"/api/v1/plan?plan={plan.info.id}")["id"] == plan.info.id
    for other in ("other", "", "../etc", plan.info.id.upper()):
        if other == "":
            continue
        answer = _json(api, "/api/v1/status", status=404, query_string={"plan": other})
        assert answer["error"] == "unknown_plan"
    links = _json(api, f"/api/v1/status?plan={plan.info.id}")["inputs"]
    assert all(f"plan={plan.info.id}" in url for url in links["values"])


def test_any_other_api_address_is_a_json_404(api: FlaskClient) -> None:
    for url in ("/api/v1", "/api/v1/", "/api/v1/nope", "/api/v1/plan/extra", "/api/v1/a/b/c"):
        response = api.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 404, url
        assert response.mimetype == "application/json", url
        assert response.get_json()["error"] == "not_found"
        assert b"_dash" not in response.data


def test_the_dcat_catalogue(api: FlaskClient, plan: Plan) -> None:
    response = api.get("/api/v1/catalog")
    assert response.mimetype == "application/ld+json"
    catalog = response.get_json(force=True)
    assert catalog["@type"] == "dcat:Catalog" and "dcat" in catalog["@context"]
    assert catalog["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert catalog["dct:publisher"]["foaf:name"] == plan.info.organisation
    names = {d["dct:identifier"].rsplit("-", 1)[-1] for d in catalog["dcat:dataset"]}
    assert names == {"plan", "indicators", "values", "status", "completeness"}
    status = _json(api, "/api/v1/status")
    for dataset in catalog["dcat:dataset"]:
        temporal = dataset["dct:temporal"]
        assert temporal["dcat:startDate"]["@value"] == "2022-01-01"
        assert temporal["dcat:endDate"]["@value"] == "2022-09-30"
        assert dataset["dct:modified"]["@value"][:19] == status["published_at"][:19]
        csvs = [d for d in dataset["dcat:distribution"] if d["dcat:mediaType"] == "text/csv"]
        if dataset["dct:identifier"].endswith("plan"):
            continue
        assert csvs
        for dist in csvs:
            url = dist["dcat:downloadURL"]["@id"].removeprefix("http://localhost")
            assert api.get(url).mimetype == "text/csv", url


def test_the_licence_is_a_setting(db_url: str, tmp_path: Path, plan: Plan) -> None:
    licence = "https://creativecommons.org/publicdomain/zero/1.0/"
    app = create_app(web_settings(db_url, tmp_path, open_data_license=licence))
    catalog = app.server.test_client().get("/api/v1/catalog").get_json(force=True)
    assert catalog["dct:license"]["@id"] == licence
    assert "dct:temporal" not in catalog["dcat:dataset"][0]  # nothing published yet


def test_the_rate_limit_holds_across_workers(
    db_url: str, tmp_path: Path, planted: Planted, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers (each its own counter, as two gunicorn processes) and two app instances
    on one database: the limit counts the client's requests to both."""
    monkeypatch.setattr("web.api.clock", lambda: 6_000_030.0)  # mid-minute: one window
    settings = web_settings(db_url, tmp_path, api_rate_limit_per_minute=4)
    clients = [create_app(settings).server.test_client() for _ in range(2)]
    counters = [RateCounter("worker-1"), RateCounter("worker-2")]
    answers = []
    for k in range(6):
        monkeypatch.setattr("web.api._counter", counters[k % 2])
        answers.append(clients[k % 2].get("/api/v1/plan"))
    assert [a.status_code for a in answers[:4]] == [200] * 4
    refused = answers[4]
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limited"
    assert refused.headers["Retry-After"] == "31"  # the seconds left in the minute, rounded up
    assert refused.headers["Cache-Control"] == "no-store"
    other = clients[0].get("/api/v1/plan", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200  # another client has its own count


def test_a_count_dropped_by_a_race_comes_back(db_url: str, tmp_path: Path) -> None:
    """Two workers writing at once may drop each other's entry: the next request of the
    dropped worker writes its whole count back."""
    cache = get_cache(web_settings(db_url, tmp_path))
    one, two = RateCounter("one"), RateCounter("two")
    for _ in range(3):
        one.count(cache, 7, "client")
    assert two.count(cache, 7, "client") == 4
    cache.set("api-rate:7:client", {"two": 1})  # "two" wrote over a stale read: "one" lost
    assert one.count(cache, 7, "client") == 5  # back: 4 of "one" + 1 of "two"
    assert one.count(cache, 8, "client") == 1  # a new minute starts from zero


def test_the_routes_are_the_documents_operations(api: FlaskClient) -> None:
    document = _json(api, "/api/v1/openapi.json")
    assert document["openapi"] == "3.1.0"
    ours = [op for op in operations() if op.method == "get"]
    assert {op.path for op in ours} <= set(document["paths"])
    for op in ours:
        response = api.get(op.path)
        assert response.status_code == 200, op.path
        assert response.mimetype == op.media_type, op.path
    refs = json.dumps(document["paths"])
    assert '"$ref": "#/components/schemas/StatusOut"' in refs
    assert "StatusEntry" in document["components"]["schemas"]


def test_the_docs_page_is_catalan_and_self_contained(api: FlaskClient) -> None:
    response = api.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.data.decode("utf-8")
    assert '<html lang="ca">' in text and "API de dades obertes" in text
    assert "<script" not in text
    assert 'src="http' not in text and 'stylesheet" href="http' not in text
    assert "/api/v1/status" in text and "StatusEntry" in text
    english = api.get("/api/v1/docs?lang=en").data.decode("utf-8")
    assert "Open-data API" in english
