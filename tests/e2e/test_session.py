"""Presentation mode (/sessio) in headless Chromium at 1920x1080, logged in as the board
(role consulta), on the demo data: every slide is reached with the keyboard, photographed,
fits the screen (nothing scrolls) and its text, the charts' included, is at least 28 px; the URL keeps the slide,
Home/End/space/arrows, auto-advance, full screen and Esc work."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer

MIN_FONT_PX = 28

# every element of the current slide that shows text of its own, the charts' ticks, legends
# and labels included (screen-reader texts excluded): its computed font size, and whether
# the slide overflows
MEASURE = """() => {
  const slide = document.querySelector('#session-deck .session-slide.is-current');
  const small = [];
  for (const el of slide.querySelectorAll('*')) {
    if (el.closest('.session-sr') || el.closest('.modebar')) continue;
    const own = Array.from(el.childNodes).some(
      n => n.nodeType === 3 && n.textContent.trim().length > 0);
    if (!own) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < MIN_PX) small.push(el.tagName + ' ' + size + 'px: ' + el.textContent.slice(0, 40));
  }
  const footer = document.querySelector('#session-deck .session-footer');
  for (const el of footer.querySelectorAll('button, a, span')) {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < MIN_PX) small.push('footer ' + size + 'px: ' + el.textContent.slice(0, 40));
  }
  return {
    title: slide.getAttribute('aria-label'),
    scroll: [slide.scrollHeight, slide.clientHeight, slide.scrollWidth, slide.clientWidth],
    page: [document.documentElement.scrollHeight, window.innerHeight,
           document.documentElement.scrollWidth, window.innerWidth],
    small: small,
    counter: document.querySelector('#session-counter').textContent,
    search: window.location.search,
    visible: Array.from(document.querySelectorAll('#session-deck .session-slide'))
      .filter(s => getComputedStyle(s).visibility === 'visible').length,
  };
}""".replace("MIN_PX", str(MIN_FONT_PX))


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go (SESSION_SCREENSHOTS=DIR keeps them somewhere known)."""
    folder = os.environ.get("SESSION_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("sessio-screenshots")


@pytest.fixture(scope="module")
def board_context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    from tests.helpers.browser_login import create_account, login

    username, password = create_account(live_server.db_url, "e2e-junta", "consulta")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="ca-ES")
    page = context.new_page()
    login(page, live_server.base_url, username, password)
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(board_context: Any) -> Iterator[Any]:
    tab = board_context.new_page()
    tab.set_default_timeout(30_000)
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    yield tab
    tab.close()


def _open(page: Any, url: str) -> int:
    page.goto(url)
    page.wait_for_selector("#session-deck[data-ready='1']")
    page.wait_for_selector("#session-deck .js-plotly-plot .main-svg", state="attached")
    return int(page.get_attribute("#session-deck", "data-total"))


def _current(page: Any) -> int:
    return int(page.get_attribute("#session-deck", "data-current"))


FITS = """() => {
  const slide = document.querySelector('#session-deck .session-slide.is-current');
  return slide.scrollHeight <= slide.clientHeight && slide.scrollWidth <= slide.clientWidth;
}"""


def _settled(page: Any) -> None:
    """Let a chart finish its resize to the slide (slow on a loaded machine: Plotly draws at
    its default height first): wait up to 5 s for the slide to fit; the measure that follows
    still fails if it never does."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(FITS, timeout=5_000)


def test_every_slide_by_keyboard(page: Any, live_server: LiveServer, shots: Path) -> None:
    total = _open(page, live_server.url("/sessio"))
    assert total == 10
    titles = []
    for n in range(1, total + 1):
        page.wait_for_function(
            f"() => document.querySelector('#session-counter').textContent === '{n} / {total}'"
        )
        page.wait_for_timeout(150)
        _settled(page)
        page.screenshot(path=str(shots / f"slide-{n:02d}.png"))
        info = page.evaluate(MEASURE)
        titles.append(info["title"])
        assert info["visible"] == 1, info
        sh, ch, sw, cw = info["scroll"]
        assert sh <= ch and sw <= cw, f"slide {n} ({info['title']}) overflows: {info['scroll']}"
        ph, wh, pw, ww = info["page"]
        assert ph <= wh and pw <= ww, f"the page scrolls on slide {n}: {info['page']}"
        assert info["small"] == [], f"slide {n}: text under {MIN_FONT_PX} px: {info['small']}"
        assert f"s={n}" in info["search"]
        page.keyboard.press("ArrowRight")
    assert _current(page) == total  # the last slide stays
    assert titles[1] == "El pla d'un cop d'ull"
    assert titles[-1].startswith("Lliuraments del ")
    assert len(list(shots.glob("slide-*.png"))) >= total
    assert page.errors == []


def test_keys_home_end_space_and_back(page: Any, live_server: LiveServer) -> None:
    total = _open(page, live_server.url("/sessio?s=4"))
    assert _current(page) == 4  # reopening resumes where the URL says
    page.keyboard.press("End")
    assert _current(page) == total
    page.keyboard.press("Home")
    assert _current(page) == 1
    page.keyboard.press(" ")
    assert _current(page) == 2
    page.keyboard.press("Shift+ ")
    assert _current(page) == 1
    page.keyboard.press("ArrowLeft")
    assert _current(page) == 1  # the first slide stays
    page.keyboard.press("PageDown")
    page.keyboard.press("ArrowRight")
    assert _current(page) == 3
    assert "s=3" in page.url
    page.reload()
    page.wait_for_selector("#session-deck[data-ready='1']")
    assert _current(page) == 3
    assert page.text_content("#session-counter") == f"3 / {total}"
    # the buttons do the same for a mouse
    page.click("[data-session-action='next']")
    assert _current(page) == 4
    assert page.errors == []


def test_full_screen_and_escape(page: Any, live_server: LiveServer) -> None:
    _open(page, live_server.url("/sessio?s=2"))
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement !== null")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")
    page.keyboard.press("Escape")  # not in full screen: back to the overview
    page.wait_for_url(lambda url: "/sessio" not in url)
    assert "t=" in page.url
    page.wait_for_selector("#main-content")


def test_auto_advance(page: Any, live_server: LiveServer) -> None:
    _open(page, live_server.url("/sessio?s=1&auto=1"))
    page.wait_for_function(
        "() => parseInt(document.querySelector('#session-deck').dataset.current, 10) >= 3",
        timeout=15_000,
    )
    assert "s=" in page.url and "s=1&" not in page.url


def test_download_the_pack_with_progress(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    _open(page, live_server.url("/sessio?s=1"))
    with page.expect_download(timeout=180_000) as download_info:
        page.click("#session-download-pptx")
        page.wait_for_function(
            "() => document.querySelector('#session-progress').textContent.startsWith('Preparant')"
        )
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    assert target.name.startswith("informe-junta-") and target.suffix == ".pptx"
    page.wait_for_function(
        "() => document.querySelector('#session-progress').textContent === 'Fitxer baixat.'"
    )
    from pptx import Presentation

    prs = Presentation(str(target))
    assert len(prs.slides) > 10
    assert page.errors == []


def test_slides_pass_axe(page: Any, live_server: LiveServer) -> None:
    """No serious or critical WCAG 2.1 AA violation on the slides (each one checked)."""
    from axe_playwright_python.sync_playwright import Axe

    total = _open(page, live_server.url("/sessio?s=1"))
    axe = Axe()
    problems = []
    for n in range(1, total + 1):
        results = axe.run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
        for violation in results.response["violations"]:
            if violation.get("impact") in ("serious", "critical"):
                problems.append(
                    f"slide {n}: {violation['id']}: {violation['help']} "
                    f"({len(violation['nodes'])} nodes)"
                )
        page.keyboard.press("ArrowRight")
    assert problems == []


def test_the_deck_keeps_the_keyboard_on_itself(page: Any, live_server: LiveServer) -> None:
    """The deck covers the window: the account bar and the skip link under it are taken out
    (not focusable while unseen), so Tab walks the deck's own controls."""
    _open(page, live_server.url("/sessio?s=1"))
    assert not page.locator("#auth-bar").is_visible()
    assert not page.locator("#skip-link").is_visible()
    inside = []
    for _i in range(4):
        page.keyboard.press("Tab")
        inside.append(page.evaluate("() => !!document.activeElement.closest('#session-deck')"))
    assert all(inside), inside


def test_boxes_hold_their_content(page: Any, live_server: LiveServer) -> None:
    """On every slide, in Catalan, Spanish and English, what a metric box, a lever card or a
    table cell holds stays inside it, right and bottom: a long status label fits or wraps
    («✔ Assolit / en bon camí» was cut in the overall metric), and a wrapped one does not
    push the cards' last lines out of sight."""
    problems = []
    for lang in ("ca", "es", "en"):
        total = _open(page, live_server.url(f"/sessio?s=1&lang={lang}"))
        for n in range(1, total + 1):
            spills = page.evaluate("""() => {
                const out = [];
                document.querySelectorAll('.session-slide.is-current :is(.session-metric,'
                        + ' .session-card, .session-axis, td)').forEach(box => {
                    const edge = box.getBoundingClientRect();
                    box.querySelectorAll('*').forEach(el => {
                        const r = el.getBoundingClientRect();
                        if (!r.width || !r.height) return;
                        const right = r.right - edge.right, bottom = r.bottom - edge.bottom;
                        if (right > 0.5 || bottom > 0.5) out.push(
                            `'${el.textContent.trim().slice(0, 30)}' ${Math.round(right)}/`
                            + `${Math.round(bottom)} px`);
                    });
                });
                return out;
            }""")
            problems += [f"{lang} slide {n}: {spill}" for spill in spills]
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                f"() => document.querySelector('#session-deck')"
                f".dataset.current === '{min(n + 1, total)}'"
            )
    assert not problems, "\n".join(problems[:20])
