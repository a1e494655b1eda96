"""Light pages (issue 16, web/headers.py): scripts, styles and JSON compressed (brotli, else
gzip), HTML never; versioned static files cached for a year, compressed once per process;
the plotly.js that dcc.Graph fetches with the first chart is the basic bundle, not Dash's
full one."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from typing import Any

import brotli

from web.headers import IMMUTABLE, VersionedCompressionCache


def _scripts_and_styles(page: str) -> list[str]:
    return [
        url.replace("&amp;", "&")
        for url in re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css)[^"]*)"', page)
    ]


def test_versioned_static_files_are_compressed_and_cached_for_a_year(
    client_for: Callable[[str | None], Any],
) -> None:
    client = client_for("guest")
    page = client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert page.status_code == 200
    assert "Content-Encoding" not in page.headers  # HTML carries the CSRF token: never
    urls = _scripts_and_styles(page.get_data(as_text=True))
    suites = [u for u in urls if u.startswith("/_dash-component-suites/")]
    assets = [u for u in urls if u.startswith("/assets/")]
    assert suites and assets
    for url in suites[:3] + assets[:3]:
        answer = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == IMMUTABLE, url
        body = answer.get_data()
        if len(body) > 1024 or answer.headers.get("Content-Encoding"):
            assert answer.headers["Content-Encoding"] == "br", url
            assert brotli.decompress(body)
        assert "Accept-Encoding" in answer.headers.get("Vary", ""), url


def test_gzip_for_clients_without_brotli(client_for: Callable[[str | None], Any]) -> None:
    client = client_for("guest")
    page = client.get("/").get_data(as_text=True)
    bundle = next(u for u in _scripts_and_styles(page) if "dash_renderer" in u)
    answer = client.get(bundle, headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert b"dash" in gzip.decompress(answer.get_data())
    plain = client.get(bundle, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert len(plain.get_data()) > len(answer.get_data()) * 2


def test_unversioned_assets_are_not_cached_forever(
    client_for: Callable[[str | None], Any],
) -> None:
    answer = client_for("guest").get("/assets/dashboard.css")
    assert answer.status_code == 200
    assert answer.headers.get("Cache-Control") != IMMUTABLE


def test_pages_json_is_compressed_and_never_stored(
    client_for: Callable[[str | None], Any],
) -> None:
    client = client_for("guest")
    answer = client.get("/_dash-layout", headers={"Accept-Encoding": "br, gzip"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    if len(answer.get_data()) > 1024:
        assert answer.headers["Content-Encoding"] == "br"


def test_charts_get_plotly_basic_not_the_full_bundle(
    client_for: Callable[[str | None], Any],
) -> None:
    from plotly.offline import get_plotlyjs_version

    from app import PLOTLY_BUNDLE
    from web.headers import PLOTLY_BUNDLE_URL

    client = client_for("guest")
    page = client.get("/").get_data(as_text=True)
    urls = _scripts_and_styles(page)
    assert any(f"/assets/{PLOTLY_BUNDLE.name}?m=" in u for u in urls), urls  # window.Plotly
    assert not any("package_data/plotly" in u for u in urls)
    answer = client.get(PLOTLY_BUNDLE_URL, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(answer.get_data())
    assert body.startswith(
        b"/**\n* plotly.js (basic - minified) v" + get_plotlyjs_version().encode()
    )
    assert f"plotly-basic-{get_plotlyjs_version()}.min.js" == PLOTLY_BUNDLE.name
    assert len(body) < 1_300_000  # the full bundle is 4.8 MB
    assert answer.headers.get("ETag")
    again = client.get(  # the browser revalidates: not downloaded again
        PLOTLY_BUNDLE_URL,
        headers={"Accept-Encoding": "gzip", "If-None-Match": answer.headers["ETag"]},
    )
    assert again.status_code == 304


def test_only_versioned_files_are_kept_compressed() -> None:
    cache = VersionedCompressionCache(size=2)
    cache.set("br;", b"a page's JSON")  # the key of anything not versioned
    assert cache.get("br;") is None
    cache.set("br;/assets/a.css?m=1", b"a")
    cache.set("br;/assets/b.css?m=1", b"b")
    cache.set("br;/assets/c.css?m=1", b"c")  # the oldest goes
    assert cache.get("br;/assets/a.css?m=1") is None
    assert cache.get("br;/assets/c.css?m=1") == b"c"
