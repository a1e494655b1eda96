"""Figure builders: plain dicts, locale separators, a "no data" message instead of empty axes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from layouts.figures import (
    OKABE_ITO,
    IndicatorChartData,
    MilestoneChartData,
    NamedSeries,
    Point,
    figure_summary,
    history_figure,
    indicator_figure,
    milestone_figure,
    no_data_figure,
    sparkline,
    status_counts_figure,
)

PERIODS = ["2025-T1", "2025-T2", "2025-T3", "2025-T4"]


def _annotation_texts(fig: dict[str, Any]) -> list[str]:
    return [a["text"] for a in fig["layout"].get("annotations", [])]


def _is_plain(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


@pytest.mark.parametrize(("lang", "expected"), [("ca", ",."), ("es", ",."), ("en", ".,")])
def test_separators_follow_the_language(lang: str, expected: str) -> None:
    fig = history_figure([NamedSeries("Eix 1", [Point("2025-T1", 0.8)])], lang)
    assert fig["layout"]["separators"] == expected


def test_figures_are_plain_json_dicts() -> None:
    chart = IndicatorChartData(
        code="P1.01-I1",
        name="Persones",
        unit="persones",
        periods=PERIODS,
        actual=[Point("2025-T1", 10.0), Point("2025-T2", None), Point("2025-T3", 30.0)],
        expected=[Point(p, 10.0 * (i + 1)) for i, p in enumerate(PERIODS)],
        band_low=[Point(p, 7.0 * (i + 1)) for i, p in enumerate(PERIODS)],
        band_high=[Point(p, 9.0 * (i + 1)) for i, p in enumerate(PERIODS)],
        forecast=[Point("2025-T3", 30.0), Point("2025-T4", 38.0)],
        targets=[Point("2025-T4", 40.0)],
        baseline=5.0,
    )
    figures = [
        indicator_figure(chart, "ca"),
        sparkline([Point(p, 0.9) for p in PERIODS], "ca"),
        history_figure([NamedSeries("Eix 1", [Point(p, 0.9) for p in PERIODS])], "ca"),
        status_counts_figure(
            {"green": 3, "red": 1},
            "ca",
            {"green": "Bé", "red": "Malament", "amber": "Regular", "grey": "–"},
        ),
    ]
    for fig in figures:
        assert set(fig) == {"data", "layout"}
        assert _is_plain(fig)
        json.dumps(fig)  # serialisable as it is


def test_indicator_figure_has_every_series() -> None:
    chart = IndicatorChartData(
        code="P1.01-I1",
        name="Persones",
        unit="persones",
        periods=PERIODS,
        actual=[Point("2025-T1", 10.0)],
        expected=[Point(p, 10.0) for p in PERIODS],
        band_low=[Point(p, 7.0) for p in PERIODS],
        band_high=[Point(p, 9.0) for p in PERIODS],
        forecast=[Point("2025-T1", 10.0), Point("2025-T4", 12.0)],
        targets=[Point("2025-T4", 40.0)],
        baseline_path=[Point(p, 5.0) for p in PERIODS],
    )
    fig = indicator_figure(chart, "ca")
    names = [trace.get("name") for trace in fig["data"]]
    assert "Valor assolit" in names
    assert "Trajectòria prevista" in names
    assert "Previsió" in names
    assert "Metes de final d'any" in names
    assert "Valor de referència" in names
    band = [trace for trace in fig["data"] if trace.get("fill") == "tonexty"]
    assert len(band) == 1
    actual = next(tr for tr in fig["data"] if tr["name"] == "Valor assolit")
    assert actual["line"]["color"] == OKABE_ITO["blue"]


@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_empty_charts_say_no_data(lang: str) -> None:
    expected = {"ca": "Sense dades", "es": "Sin datos", "en": "No data"}[lang]
    empty_series = [NamedSeries("Eix 1", [Point("2025-T1", None)])]
    for fig in (
        no_data_figure(lang),
        sparkline([], lang),
        history_figure(empty_series, lang),
        indicator_figure(IndicatorChartData("P1.01-I1", "x", None, PERIODS, actual=[]), lang),
        milestone_figure(MilestoneChartData("P1.01-I1", "x", PERIODS, stages=[]), lang),
        status_counts_figure({}, lang, {}),
    ):
        assert fig["data"] == []
        assert expected in _annotation_texts(fig)
        assert fig["layout"]["xaxis"]["visible"] is False


def test_expected_path_without_values_says_nothing_submitted() -> None:
    chart = IndicatorChartData(
        "P1.01-I1", "x", None, PERIODS, actual=[], expected=[Point(p, 1.0) for p in PERIODS]
    )
    fig = indicator_figure(chart, "ca")
    assert fig["data"], "the expected path is still drawn"
    assert "Encara no s'han lliurat valors" in _annotation_texts(fig)


def test_milestone_figure_labels_stages_on_the_axis() -> None:
    chart = MilestoneChartData(
        "P1.01-I1",
        "Protocol",
        PERIODS,
        stages=[("2025-T1", "Iniciat", 25.0), ("2025-T2", "En desenvolupament", 50.0)],
        expected=[Point(p, 25.0 * (i + 1)) for i, p in enumerate(PERIODS)],
        planned_completion="2025-T4",
        scale=[("No iniciat", 0.0), ("Iniciat", 25.0), ("Finalitzat", 100.0)],
    )
    fig = milestone_figure(chart, "ca")
    assert fig["layout"]["yaxis"]["ticktext"] == [
        "No iniciat (0 %)",
        "Iniciat (25 %)",
        "Finalitzat (100 %)",
    ]
    reached = next(tr for tr in fig["data"] if tr["name"] == "Fase assolida")
    assert reached["text"] == ["Iniciat", "En desenvolupament"]
    assert "Finalització prevista" in _annotation_texts(fig)


def test_milestone_figure_labels_a_stage_once_and_breaks_at_an_unreported_quarter() -> None:
    chart = MilestoneChartData(
        "P1.01-I1",
        "Protocol",
        PERIODS,
        stages=[
            ("2025-T1", "Iniciat", 25.0),
            ("2025-T2", "Iniciat", 25.0),
            ("2025-T4", "Finalitzat", 100.0),
        ],
    )
    reached = next(
        tr for tr in milestone_figure(chart, "ca")["data"] if tr["name"] == "Fase assolida"
    )
    assert reached["x"] == PERIODS
    assert reached["y"] == [25.0, 25.0, None, 100.0]  # T3 not reported: a gap, not a line across
    assert reached["connectgaps"] is False
    assert reached["text"] == ["Iniciat", "", "", "Finalitzat"]  # repeated names overlapped
    assert reached["customdata"] == ["Iniciat", "Iniciat", "", "Finalitzat"]  # every hover names it


def test_history_lines_differ_by_dash_and_marker_not_only_colour() -> None:
    series = [NamedSeries(f"Eix {i}", [Point("2025-T1", 0.5)]) for i in range(3)]
    fig = history_figure(series, "ca")
    dashes = {tr["line"]["dash"] for tr in fig["data"]}
    markers = {tr["marker"]["symbol"] for tr in fig["data"]}
    assert len(dashes) == 3 and len(markers) == 3
    assert fig["data"][0]["y"] == [50.0]  # achievement shown in percent


def test_summary_uses_locale_numbers() -> None:
    text = figure_summary(
        [NamedSeries("Eix 1", [Point("2025-T1", 0.456), Point("2025-T2", None)])],
        "ca",
        what="Evolució",
    )
    assert text == "Evolució. Eix 1: 46\u00a0% el 1r trimestre de 2025."
    assert "sense dades" in figure_summary([NamedSeries("Eix 2", [])], "ca", what="X")


def test_sparkline_svg_draws_without_plotly() -> None:
    from xml.etree import ElementTree

    from layouts.figures import sparkline_svg

    svg = sparkline_svg(
        [
            Point("2025-T1", 0.8),
            Point("2025-T2", None),
            Point("2025-T3", 1.1),
            Point("2025-T4", 1.0),
        ],
        "ca",
        title="Palanca 1 & co",
    )
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.findtext(f"{ns}title") == "Palanca 1 & co"
    assert len(root.findall(f"{ns}polyline")) == 2  # the gap of 2025-T2 is not bridged
    assert len(root.findall(f"{ns}circle")) == 1
    empty = ElementTree.fromstring(sparkline_svg([Point("2025-T1", None)], "es"))
    assert empty.findtext(f"{ns}text") == "Sin datos"
