"""Demo data: deterministic, plausible, and every file imports ok through the real import."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import cast

import pandas as pd
import pytest
from sqlalchemy import Engine

from cli._setup_steps import STEPS, SetupContext, run_steps
from indicators.demo import generate as demo
from indicators.demo.generate import (
    CSV,
    LONG,
    TEMPLATE,
    TITLED,
    WIDE,
    DemoData,
    generate,
    load,
    write_files,
)
from indicators.storage.queries import submissions_frame, values_frame
from plan_model.breakdowns import reporting_service_codes
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import Settings

SETTINGS = Settings(submission_deadline_days=30)


@pytest.fixture(scope="module")
def data(plan: Plan) -> DemoData:
    return generate(plan, seed=demo.DEFAULT_SEED, settings=SETTINGS)


def test_same_seed_same_bytes_and_values(plan: Plan, data: DemoData) -> None:
    services = ["SBAS-VIC", "OPE", "SIS"]
    again = generate(plan, seed=demo.DEFAULT_SEED, settings=SETTINGS, services=services)
    mine = [f for f in data.files if f.service in services]
    assert [(f.filename, f.content, f.uploaded_at, f.user) for f in again.files] == [
        (f.filename, f.content, f.uploaded_at, f.user) for f in mine
    ]
    assert again.values == data.values
    other = generate(plan, seed=7, settings=SETTINGS, services=["SIS"])
    assert other.values != data.values


def test_one_file_per_service_and_quarter_except_missing(plan: Plan, data: DemoData) -> None:
    periods = [str(p) for p in period_range(plan.first_period, plan.last_period)]
    assert periods[0] == "2022-T1" and periods[-1] == "2025-T4"
    reporting = set(reporting_service_codes(plan))  # issue 14: the reporters of members too
    sent = {(f.service, f.period) for f in data.files}
    expected = {(s, p) for s in reporting for p in periods} - set(data.missing)
    assert sent == expected
    # one service never sends 2024-T3; 2025-T4 is only partly received
    assert any(p == "2024-T3" for _s, p in data.missing)
    last_missing = {s for s, p in data.missing if p == "2025-T4"}
    assert 0 < len(last_missing) < len(reporting)


def test_layouts_reuploads_and_late(plan: Plan, data: DemoData) -> None:
    assert set(data.layouts.values()) == {TEMPLATE, TITLED, WIDE, LONG, CSV}
    assert sum(1 for layout in data.layouts.values() if layout == TEMPLATE) > len(data.layouts) / 2
    names = {f.layout: f.filename for f in data.files}
    assert names[CSV].endswith(".csv")
    csv_file = next(f for f in data.files if f.layout == CSV)
    text = csv_file.content.decode("cp1252")
    assert text.startswith("Codi;Indicador;Període;Valor;Observacions")
    with pytest.raises(UnicodeDecodeError):
        csv_file.content.decode("utf-8")  # really Windows-1252 (accents in "Període")
    superseded = [f for f in data.files if f.note == "superseded"]
    corrections = [f for f in data.files if f.note == "correction"]
    assert len(superseded) == len(corrections) == len(data.reuploads) >= 2
    for first in superseded:
        fix = next(f for f in corrections if (f.service, f.period) == (first.service, first.period))
        assert fix.uploaded_at > first.uploaded_at and fix.content != first.content
    deadline = SETTINGS.submission_deadline_days
    for f in data.files:
        due = Period.parse(f.period).deadline(deadline)
        if f.note == "late":
            assert f.uploaded_at.date() > due
        elif f.note == "":
            assert Period.parse(f.period).end < f.uploaded_at.date() <= due
    assert len([f for f in data.files if f.note == "late"]) >= 3
    # upload order
    assert [f.uploaded_at for f in data.files] == sorted(f.uploaded_at for f in data.files)
    assert all(f.user == demo.demo_user(f.service) for f in data.files)


def test_values_plausible(plan: Plan, data: DemoData) -> None:
    profiles = list(data.profiles.values())
    assert profiles.count("on_track") > len(profiles) / 2
    for name in ("lagging", "far_behind", "exceeding", "late", "postponed"):
        assert name in profiles
    stage_keys = {s.key for s in plan.stages}
    for (code, _period), value in data.values.items():
        indicator = plan.indicator_by_code[code]
        if indicator.is_milestone:
            assert value in stage_keys
        else:
            assert isinstance(value, float)
            assert indicator.bounds is None or indicator.bounds.contains(value)
    # an on-track flow reports about a quarter of the yearly target each quarter
    flows = [
        i
        for i in plan.indicators
        if not i.is_milestone
        and i.aggregation == "sum"
        and i.targets is not None  # issue 15: context indicators (no target) are left out
        and data.profiles[i.code] == "on_track"
        and i.direction != "maintain"
    ]
    assert flows
    for indicator in flows:
        assert indicator.targets is not None
        year_total = sum(float(data.values[(indicator.code, f"2024-T{q}")]) for q in range(1, 5))
        assert year_total == pytest.approx(indicator.targets[2024], rel=0.15, abs=3)
    # milestones finish: every on-time milestone planned inside the plan ends "finalitzat"
    for indicator in plan.indicators:
        if indicator.is_milestone and data.profiles[indicator.code] == "on_track":
            assert data.values[(indicator.code, "2025-T4")] == "finalitzat"
    assert any(v == "ajornat" for v in data.values.values())
    # some comments in Catalan
    comments = _all_comments(data)
    assert len(comments) >= 10
    assert all(c.strip() for c in comments)


def _all_comments(data: DemoData) -> list[str]:
    import io

    from openpyxl import load_workbook

    found: list[str] = []
    for f in data.files:
        if f.layout != TEMPLATE:
            continue
        ws = load_workbook(io.BytesIO(f.content), read_only=True)["Dades"]
        found += [str(r[7]) for r in ws.iter_rows(min_row=3, values_only=True) if r[7]]
        if len(found) >= 10:
            break
    return found


def test_write_files_and_manifest(plan: Plan, data: DemoData, tmp_path: Path) -> None:
    written = write_files(data, tmp_path)
    assert len(written) == len(data.files)
    manifest = json.loads((tmp_path / demo.MANIFEST).read_text(encoding="utf-8"))
    assert [e["path"] for e in manifest["files"]] == [f.relpath for f in data.files]
    first = data.files[0]
    assert (tmp_path / first.relpath).read_bytes() == first.content
    # a smaller demo replaces the files of the earlier one, and only those
    (tmp_path / "mine.txt").write_text("not ours")
    small = generate(plan, seed=demo.DEFAULT_SEED, settings=SETTINGS, services=["SIS"])
    write_files(small, tmp_path)
    remaining = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert remaining == {f.relpath for f in small.files} | {"mine.txt", demo.MANIFEST}


def _check_loaded(engine: Engine, plan: Plan, data: DemoData, services: set[str]) -> None:
    report = load(engine, plan, data, settings=SETTINGS)
    assert report.ok, report.failures
    assert report.imported == len(data.files) and report.duplicates == 0
    subs = submissions_frame(engine)
    assert len(subs) == len(data.files)
    assert set(subs["source"]) == {"demo"}
    reuploads = [pair for pair in data.reuploads if pair[0] in services]
    assert (subs["status"] == "superseded").sum() == len(reuploads)
    # upload dates are the demo's, not the load's
    first = data.files[0]
    row = subs.sort_values("uploaded_at").iloc[0]
    assert pd.Timestamp(row["uploaded_at"]).to_pydatetime() == first.uploaded_at
    # every stored current value is the demo's truth
    frame = values_frame(engine)
    assert not frame.empty
    for record in frame.itertuples(index=False):
        truth = data.values[(str(record.indicator), str(record.period))]
        if isinstance(truth, str):
            assert record.stage == truth
        else:
            # itertuples' fields are typed as any cell: this column holds floats
            assert float(cast(float, record.value)) == pytest.approx(truth)
    # missing quarters have no submission
    sent = set(zip(subs["service"], subs["period"], strict=True))
    assert not sent & set(data.missing)


def test_every_demo_file_imports_ok(
    plan: Plan, data: DemoData, engine: Engine, db_url: str
) -> None:
    if db_url.startswith("postgresql"):
        # a subset on PostgreSQL: every hand-made layout and a template with a re-upload
        services = {s for s, layout in data.layouts.items() if layout != TEMPLATE}
        services.add(data.reuploads[0][0])
        subset = DemoData(
            seed=data.seed,
            files=[f for f in data.files if f.service in services],
            values=data.values,
            profiles=data.profiles,
            layouts=data.layouts,
            missing=data.missing,
        )
        _check_loaded(engine, plan, subset, services)
    else:
        _check_loaded(engine, plan, data, set(data.layouts))
    # loading again changes nothing: every file is a duplicate
    again = load(
        engine,
        plan,
        DemoData(
            seed=data.seed,
            files=data.files[:5],
            values=data.values,
            profiles=data.profiles,
            layouts=data.layouts,
            missing=data.missing,
        ),
        settings=SETTINGS,
    )
    assert again.imported == 0 and again.duplicates == 5


def test_setup_step_loads_only_an_empty_database(
    plan: Plan, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert "indicators.demo.generate:setup_demo_data" in STEPS
    original = demo.run

    def small_run(*args: object, **kwargs: object) -> object:
        kwargs["services"] = ["SIS", "OPE"]  # keep the test quick: two services
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "run", small_run)
    lines: list[str] = []
    settings = Settings(database_url=db_url, demo_dir=tmp_path / "demo")
    ctx = SetupContext(settings=settings, demo_if_empty=False, echo=lines.append)
    ctx.__dict__["engine"] = engine
    ctx.__dict__["plan"] = plan
    assert run_steps(ctx, ["indicators.demo.generate:setup_demo_data"]) == 0
    assert lines == [] and not demo.has_submissions(engine)  # no flag: nothing
    production = SetupContext(
        settings=Settings(database_url=db_url, environment="production", secret_key="x" * 32),
        demo_if_empty=True,
        echo=lines.append,
    )
    assert run_steps(production, ["indicators.demo.generate:setup_demo_data"]) == 0
    assert "Producció" in lines[-1] and not demo.has_submissions(engine)
    ctx.demo_if_empty = True
    assert run_steps(ctx, ["indicators.demo.generate:setup_demo_data"]) == 0
    assert "Base de dades buida" in lines[-1]
    assert demo.has_submissions(engine)
    assert (tmp_path / "demo" / demo.MANIFEST).exists()
    count = len(submissions_frame(engine))
    assert run_steps(ctx, ["indicators.demo.generate:setup_demo_data"]) == 0
    assert "ja té lliuraments" in lines[-1]
    assert len(submissions_frame(engine)) == count


def test_demo_upload_dates_are_in_the_past(data: DemoData) -> None:
    # "today" is the real date (2026-11): the plan ended 2025-T4, every quarter is past
    assert max(f.uploaded_at for f in data.files) < dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_template_last_value_is_the_last_quarter_sent(plan: Plan, data: DemoData) -> None:
    """After a missing quarter, "Últim valor" shows what the service last sent."""
    import io

    from openpyxl import load_workbook

    template_missing = [
        (s, p)
        for s, p in data.missing
        if data.layouts[s] == TEMPLATE and p != str(plan.last_period)
    ]
    assert template_missing
    service, gap = template_missing[0]
    after = str(Period.parse(gap).next())
    before = str(Period.parse(gap).prev())
    demo_file = next(f for f in data.files if (f.service, f.period) == (service, after))
    ws = load_workbook(io.BytesIO(demo_file.content))["Dades"]
    header = [c.value for c in ws[2]]
    last = header.index("Últim valor")  # after the dimension columns, when there are any
    shown = {r[0]: r[last] for r in ws.iter_rows(min_row=3, values_only=True)}
    checked = 0
    for indicator in plan.indicators_of_service(service):
        if not indicator.is_milestone and not indicator.breakdowns:
            assert shown[indicator.code] == data.values[(indicator.code, before)]
            checked += 1
    assert checked
