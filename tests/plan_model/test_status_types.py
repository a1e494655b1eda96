"""The one set of status labels and icons: complete, and drawable in every output's font."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plan_model import status_types as st
from plan_model.changes import CHANGE_LABELS
from plan_model.completeness import COMPLETENESS_LABELS

DEJAVU_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def test_every_state_has_an_icon_and_a_label() -> None:
    assert set(st.STATUS_ICONS) == set(st.STATUS_LABELS) == set(st.Status)
    assert set(st.TREND_ICONS) == set(st.TREND_LABELS) == set(st.Trend)
    assert set(st.CHANGE_ICONS) == set(CHANGE_LABELS)
    assert set(st.COMPLETENESS_ICONS) == set(COMPLETENESS_LABELS)
    # a status is told apart by its icon alone (never by colour only)
    assert len(set(st.STATUS_ICONS.values())) == len(st.Status)
    assert len(set(st.COMPLETENESS_ICONS.values())) == len(COMPLETENESS_LABELS)


def test_icons_lists_every_glyph() -> None:
    for table in (st.STATUS_ICONS, st.TREND_ICONS, st.CHANGE_ICONS, st.COMPLETENESS_ICONS):
        assert set(table.values()) <= st.ICONS
    assert {st.EXCEEDED_ICON, st.LATE_ICON, st.AT_RISK_ICON} <= st.ICONS


def test_icon_text_translates_the_label() -> None:
    assert st.icon_text(st.AT_RISK_ICON, st.AT_RISK_LABEL, "ca") == "⚑ En risc"
    assert st.status_text(st.Status.RED, "ca") == st.icon_text(
        st.STATUS_ICONS[st.Status.RED], st.STATUS_LABELS[st.Status.RED], "ca"
    )


@pytest.mark.parametrize("face", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_every_icon_is_in_dejavu_sans(face: str) -> None:
    """DejaVu Sans is the font the PDF embeds, the PPTX names and the projector page asks
    for first (Chromium falls back to it): a glyph it lacks would print as a box."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    path = next((d / face for d in DEJAVU_DIRS if (d / face).is_file()), None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have the DejaVu fonts (fonts-dejavu-core)")
        pytest.skip("DejaVu Sans is not installed")
    cmap = TTFontFile(str(path)).charToGlyph
    missing = sorted(g for g in st.ICONS if any(ord(ch) not in cmap for ch in g))
    assert missing == []
