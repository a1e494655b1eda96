"""The editable board pack as a reader opens it: rendered by LibreOffice Impress (the office
suite many Catalan administrations use) to PDF, in Catalan and Spanish, no word is broken, no
text leaves its shape and no two texts overlap (issue 16).

The PDF's word boxes (``pdftotext -bbox-layout``) are checked against the PPTX's own shapes: a
word must be a whole word of its slide and lie inside a shape that holds it. LibreOffice is
installed by ``.ci/run`` (``libreoffice-impress-nogui``); locally the test skips without it, in
CI (``CI=true``) it fails.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pptx import Presentation

from indicators.reporting import dashboard_data
from indicators.reporting.board import build_board
from indicators.reporting.pack import render
from indicators.reporting.pack.charts import CHART_HEIGHT, CHART_WIDTH
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.models import Plan
from plan_model.periods import Period
from tests.helpers.board_data import LAST, TODAY, load_board_data

EMU_PER_PT = 12700
TOLERANCE = 2.0  # points: anti-aliasing and the PDF's rounding of glyph boxes


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, other: Box) -> bool:
        return (
            other.x0 >= self.x0 - TOLERANCE
            and other.y0 >= self.y0 - TOLERANCE
            and other.x1 <= self.x1 + TOLERANCE
            and other.y1 <= self.y1 + TOLERANCE
        )

    def core(self) -> Box:
        """The box without the line's leading: pdftotext's word boxes span the whole line
        height, so the boxes of two lines set solid touch although their glyphs do not."""
        pad = (self.y1 - self.y0) * 0.2
        return Box(self.x0, self.y0 + pad, self.x1, self.y1 - pad)

    def overlap(self, other: Box) -> float:
        a, b = self.core(), other.core()
        w = min(a.x1, b.x1) - max(a.x0, b.x0)
        h = min(a.y1, b.y1) - max(a.y0, b.y0)
        return w * h if w > 0 and h > 0 else 0.0


def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have {tool} ({package})")
        pytest.skip(f"{tool} ({package}) is not installed")
    return path


def _words(text: str) -> set[str]:
    return set(text.replace("\xa0", " ").split())


def _shape_boxes(shape: Any) -> list[tuple[Box, set[str]]]:
    """(box in points, words) of a shape with text; a table gives one per cell."""
    x0, y0 = shape.left / EMU_PER_PT, shape.top / EMU_PER_PT
    if shape.has_table:
        cells = []
        top = y0
        for row in shape.table.rows:
            left = x0
            for col, cell in zip(shape.table.columns, row.cells, strict=True):
                box = Box(left, top, left + col.width / EMU_PER_PT, top + row.height / EMU_PER_PT)
                cells.append((box, _words(cell.text)))
                left = box.x1
            top += row.height / EMU_PER_PT
        return cells
    if not shape.has_text_frame or not shape.text_frame.text.strip():
        return []
    box = Box(x0, y0, x0 + shape.width / EMU_PER_PT, y0 + shape.height / EMU_PER_PT)
    return [(box, _words(shape.text_frame.text))]


def _pdf_words(pdf: Path) -> list[list[tuple[str, Box]]]:
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    root = ET.fromstring(html)
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        words = []
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = Box(*(float(word.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax")))
            for part in (word.text or "").replace("\xa0", " ").split():
                words.append((part, box))
        pages.append(words)
    return pages


def _pack(tmp_path: Path, plan: Plan, lang: str) -> bytes:
    url = f"sqlite:///{tmp_path / 'pack.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        load_board_data(engine, plan)
        data = dashboard_data.load(engine, plan, deadline_days=30)
    finally:
        engine.dispose()
    board = build_board(data, Period.parse(str(LAST)), lang=lang, today=TODAY)
    # The charts are pictures: a blank one of the real size keeps the layout without a browser.
    blank = io.BytesIO()
    Image.new("RGB", (CHART_WIDTH, CHART_HEIGHT), "white").save(blank, format="PNG")
    return render(board, "pptx", {c.key: blank.getvalue() for c in board.charts})


def _join_hyphenated(words: list[tuple[str, Box]], known: set[str]) -> list[tuple[str, Box]]:
    """A word broken at its own hyphen ("2025-" / "T4") is a line break, not a broken word:
    the two parts become the word, over the box of both."""
    joined: list[tuple[str, Box]] = []
    skip = False
    for (text, box), nxt in zip(words, [*words[1:], None], strict=True):
        if skip:
            skip = False
            continue
        if text.endswith("-") and text not in known and nxt is not None:
            whole = text + nxt[0]
            match = next((word for word in known if whole in word), None)
            if match is not None:
                other = nxt[1]
                union = Box(
                    min(box.x0, other.x0),
                    min(box.y0, other.y0),
                    max(box.x1, other.x1),
                    max(box.y1, other.y1),
                )
                joined.append((match, union))
                skip = True
                continue
        joined.append((text, box))
    return joined


def _problems(slide: Any, words: list[tuple[str, Box]], number: int) -> list[str]:
    shapes = [pair for shape in slide.shapes for pair in _shape_boxes(shape)]
    known = set().union(*(w for _box, w in shapes)) if shapes else set()
    found = []
    for text, box in _join_hyphenated(words, known):
        if text not in known:
            found.append(f"slide {number}: {text!r} is not a whole word of the slide (broken?)")
        elif not any(text in w and b.holds(box) for b, w in shapes):
            found.append(f"slide {number}: {text!r} at {box} leaves its shape")
    for i, (text, box) in enumerate(words):
        for other, obox in words[i + 1 :]:
            if box.overlap(obox) > 4.0:
                found.append(f"slide {number}: {text!r} overlaps {other!r}")
    return found


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_pptx_rendered_by_libreoffice_keeps_every_text_in_its_shape(
    plan: Plan, tmp_path: Path, lang: str
) -> None:
    soffice = _need("soffice", "libreoffice-impress-nogui")
    _need("pdftotext", "poppler-utils")
    content = _pack(tmp_path, plan, lang)
    source = tmp_path / f"pack_{lang}.pptx"
    source.write_bytes(content)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    pages = _pdf_words(tmp_path / f"pack_{lang}.pdf")
    slides = list(Presentation(io.BytesIO(content)).slides)
    assert len(pages) == len(slides) >= 6
    problems = [p for n, s in enumerate(slides, 1) for p in _problems(s, pages[n - 1], n)]
    assert not problems, "\n".join(problems[:60])
