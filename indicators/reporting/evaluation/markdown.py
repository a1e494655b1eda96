"""The final evaluation as Markdown: the summary first, then lever by lever, then the
milestones, the analyses, the evidence and the completeness of reporting.

Text only (statuses as icon and label): for a wiki, an e-mail or a diff between two runs. The
«provisional» mark heads the document and every section while the plan is not closed.
"""

from __future__ import annotations

import re

from indicators.reporting.board_model import Metric, Table
from indicators.reporting.evaluation.common import Grid
from indicators.reporting.evaluation.view import EvaluationView

_SPACES = re.compile(r"[ \t\r\n]+")


def _escape(text: str) -> str:
    """A table cell's text: pipes escaped, lines joined (a cell is one line); no-break
    spaces («70 %») kept."""
    return _SPACES.sub(" ", text.replace("\\", "\\\\").replace("|", "\\|")).strip()


def _table(table: Table) -> list[str]:
    if not table.rows:
        return [table.empty_text, ""] if table.empty_text else []
    head = "| " + " | ".join(_escape(c) for c in table.columns) + " |"
    rule = "|" + "".join(" ---: |" if c.number else " --- |" for c in table.rows[0])
    body = ["| " + " | ".join(_escape(c.text) for c in row) + " |" for row in table.rows]
    return [head, rule, *body, ""]


def _grid(grid: Grid, view: EvaluationView, level: str = "##") -> list[str]:
    return [f"{level} {grid.name} · {view.mark}", "", *_table(grid.as_table(view.lang))]


def _metrics(metrics: list[Metric]) -> list[str]:
    lines = []
    for metric in metrics:
        status = f" ({metric.status.text})" if metric.status is not None else ""
        lines.append(f"- **{_escape(metric.label)}**: {_escape(metric.value)}{status}")
    return [*lines, ""]


def write_markdown(view: EvaluationView) -> str:
    """The whole evaluation as one Markdown document."""
    t_lines = [
        f"# {view.title} · {view.mark}",
        "",
        f"**{_escape(view.mark_line)}**",
        "",
        f"{_escape(view.evaluation.plan_name)} · {_escape(view.subtitle)}",
        "",
        *_metrics(view.metrics),
        view.method_note,
        "",
        view.deliveries_line,
        "",
    ]
    for grid in (view.distribution, view.levers, view.most_late):
        t_lines += _grid(grid, view)
    for section in view.sections:
        t_lines += [f"## {section.title} · {view.mark}", "", _escape(section.subtitle), ""]
        t_lines += _metrics(section.metrics)
        t_lines += [f"*{_escape(section.chart.summary)}*", ""]
        t_lines += _grid(section.levels, view, "###")
        t_lines += _grid(section.indicators, view, "###")
    for grid in (view.milestones, view.analyses, view.evidence, view.completeness):
        t_lines += _grid(grid, view)
    return "\n".join(t_lines).rstrip() + "\n"
