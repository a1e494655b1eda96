"""The browser form goes through the spreadsheet's import (issue 17): the same values typed in
the form and written in the service's template give the same errors, warnings and values (the
form's located by indicator), a blank field changes nothing like a blank cell, «esborrar»
clears, the submission's source is "formulari" with its fields, its file imports again, and
what no form sends (crafted callback values) is refused with a clear message."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from indicators.intake.form import (
    FORM_SOURCE,
    MAX_COMMENT_LENGTH,
    MAX_VALUE_LENGTH,
    FormEntry,
    FormFile,
    FormRefused,
    entries_from_json,
    entries_json,
    form_entries,
    form_file,
    form_rows,
)
from indicators.intake.importer import ImportResult, import_file
from indicators.intake.issues import Issue, IssueMaker
from indicators.intake.template import FIRST_DATA_ROW, build_template
from indicators.storage import locks
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from indicators.storage.queries import submissions_frame
from indicators.storage.store import values_in_force
from plan_model.models import Plan
from settings import Settings

SERVICE, PERIOD = "SAD", "2025-T2"
Filled = Mapping[str, tuple[float | str | None, str | None]]
Located = list[tuple[str, str | None, str | None, str]]


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated SQLite database for the dry runs of this module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('form') / 'db.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _codes(plan: Plan) -> list[str]:
    return [i.code for i in plan.indicators_of_service(SERVICE)]


def _milestones(plan: Plan) -> list[str]:
    return [i.code for i in plan.indicators_of_service(SERVICE) if i.is_milestone]


def _numbers(plan: Plan) -> list[str]:
    return [i.code for i in plan.indicators_of_service(SERVICE) if not i.is_milestone]


def _run(
    engine: Engine,
    plan: Plan,
    filename: str,
    content: bytes,
    *,
    form: FormFile | None = None,
    dry_run: bool = True,
    lang: str = "ca",
    user: str = "tec",
) -> ImportResult:
    return import_file(
        engine,
        plan,
        filename=filename,
        content=content,
        user=user,
        service=SERVICE,
        period=PERIOD,
        dry_run=dry_run,
        source=FORM_SOURCE if form else "web",
        lang=lang,
        settings=Settings(),
        sheets=form.sheets if form else None,
    )


def _form(plan: Plan, filled: Filled, lang: str = "ca") -> FormFile:
    entries = [FormEntry(code, str(v or ""), c or "") for code, (v, c) in filled.items()]
    return form_file(plan, SERVICE, PERIOD, entries, lang)


def _located(result: ImportResult, locate: Callable[[Issue], str | None]) -> Located:
    return [(i.code, locate(i), i.value, i.message) for i in [*result.errors, *result.warnings]]


def _both(engine: Engine, plan: Plan, filled: Filled, lang: str) -> tuple[Located, Located]:
    """The issues of the template filled with ``filled`` and of the form with the same."""
    rows = {FIRST_DATA_ROW + n: code for n, code in enumerate(_codes(plan))}
    template = build_template(plan, SERVICE, PERIOD, filled=filled, lang=lang)
    sheet = _run(engine, plan, "plantilla.xlsx", template, lang=lang)
    form = _form(plan, filled, lang)
    typed = _run(engine, plan, form.filename, form.content, form=form, lang=lang)
    by_row = _located(sheet, lambda i: rows.get(i.row) if i.row is not None else None)
    return by_row, _located(typed, form.indicator_of)


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_the_form_gets_the_spreadsheets_errors_for_the_same_values(
    sqlite_engine: Engine, plan: Plan, lang: str
) -> None:
    numbers, milestones = _numbers(plan), _milestones(plan)
    filled: Filled = {
        numbers[0]: ("molts", "no ho sabem"),
        numbers[1]: ("1.234,5", None),  # a count with decimals
        numbers[2]: ("99999999", None),  # beyond the bounds
        milestones[0]: ("a mig fer", None),  # not a stage
        milestones[1]: ("finalitzat", "acord de juny"),
        # numbers[3] left blank
    }
    sheet, typed = _both(sqlite_engine, plan, filled, lang)
    assert typed == sheet
    codes = [code for code, *_rest in typed]
    for expected in ("not_a_number", "not_a_whole_number", "out_of_bounds", "unknown_stage"):
        assert expected in codes
    # located by indicator, in the person's language
    assert (numbers[0], "molts") in [(where, value) for _c, where, value, _m in typed]
    if lang == "ca":
        expected = IssueMaker("ca")("not_a_number", value="molts").message
        assert expected in [message for *_r, message in typed]


def test_a_valid_form_reads_the_same_values_as_the_template(
    sqlite_engine: Engine, plan: Plan
) -> None:
    numbers, milestones = _numbers(plan), _milestones(plan)
    filled: Filled = {
        numbers[0]: ("1.234,5", "hores de juny"),
        numbers[1]: ("120", None),
        milestones[0]: ("en_desenvolupament", None),
        milestones[1]: ("esborrar", None),
    }
    sheet, typed = _both(sqlite_engine, plan, filled, "ca")
    assert typed == sheet  # the same warnings (a blank row, a value cleared)
    assert {"empty_value", "value_cleared"} <= {code for code, *_rest in typed}
    form = _form(plan, filled)
    result = _run(sqlite_engine, plan, form.filename, form.content, form=form)
    template = build_template(plan, SERVICE, PERIOD, filled={**filled, numbers[1]: (120.0, None)})
    from_sheet = _run(sqlite_engine, plan, "plantilla.xlsx", template)

    def values(r: ImportResult) -> set[tuple[str, object, str | None, bool]]:
        return {(v.indicator, v.value, v.comment, v.cleared) for v in r.values}

    assert result.status == "ok" and values(result) == values(from_sheet)
    assert (numbers[0], 1234.5, "hores de juny", False) in values(result)
    assert (milestones[0], "en_desenvolupament", None, False) in values(result)
    assert (milestones[1], None, None, True) in values(result)


def test_a_form_with_nothing_typed_has_no_values_like_an_empty_sheet(
    sqlite_engine: Engine, plan: Plan
) -> None:
    form = _form(plan, {})
    result = _run(sqlite_engine, plan, form.filename, form.content, form=form)
    assert result.status == "rejected"
    assert [e.code for e in result.errors] == ["no_values"]
    no_values = IssueMaker("ca")("no_values", sheet="Formulari", value=None).message
    assert result.errors[0].message == no_values and "«Formulari»" in no_values


def test_nul_characters_are_removed_and_said(sqlite_engine: Engine, plan: Plan) -> None:
    number = _numbers(plan)[0]
    form = _form(plan, {number: ("12\x00", "a\x00b")})
    result = _run(sqlite_engine, plan, form.filename, form.content, form=form)
    assert result.status == "ok"
    assert "nul_removed" in [w.code for w in result.warnings]
    assert [(v.value, v.comment) for v in result.values] == [(12.0, "ab")]


def test_the_form_rows_are_the_templates(plan: Plan) -> None:
    rows = form_rows(plan, SERVICE, PERIOD, {_numbers(plan)[0]: 321.0}, "ca")
    assert [r.code for r in rows] == _codes(plan)
    assert rows[0].last == 321.0
    first = plan.indicator_by_code[rows[0].code]
    assert first.targets is not None and rows[0].target == first.targets[2025]
    assert {r.code for r in rows if r.milestone} == set(_milestones(plan))


def _tmp_engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    upgrade(url)
    return make_engine(url)


def test_storing_the_form_keeps_who_when_and_which_field(engine: Engine, plan: Plan) -> None:
    numbers = _numbers(plan)
    first = _form(plan, {numbers[0]: ("100", "primer"), numbers[1]: ("7", None)})
    stored = _run(engine, plan, first.filename, first.content, form=first, dry_run=False)
    assert stored.status == "ok" and stored.submission_id is not None
    frame = submissions_frame(engine)
    row = frame[frame["id"] == stored.submission_id].iloc[0]
    assert (row["source"], row["uploaded_by"]) == ("formulari", "tec")
    assert row["filename"] == f"formulari-{SERVICE}-{PERIOD}.csv"
    [value] = [v for v in stored.values if v.indicator == numbers[0]]
    assert (value.sheet, value.column, first.indicator_rows[value.row]) == (
        "Formulari",
        "C",
        numbers[0],
    )
    # a blank field changes nothing: numbers[0] keeps its value; «esborrar» clears numbers[1]
    second = _form(plan, {numbers[1]: ("esborrar", None), numbers[2]: ("5", None)})
    again = _run(engine, plan, second.filename, second.content, form=second, dry_run=False)
    assert again.status == "ok" and again.superseded_id == stored.submission_id
    held = values_in_force(engine, SERVICE, [PERIOD])
    assert held[(numbers[0], PERIOD)].value == 100.0
    assert held[(numbers[0], PERIOD)].submission_id == stored.submission_id
    assert (numbers[1], PERIOD) not in held
    assert held[(numbers[2], PERIOD)].value == 5.0
    # the same form again is the same file: nothing changes
    same = _run(engine, plan, second.filename, second.content, form=second, dry_run=False)
    assert same.status == "duplicate"


def test_a_locked_quarter_refuses_the_form_like_a_file(engine: Engine, plan: Plan) -> None:
    with Session(engine) as session:
        locks.set_lock(session, PERIOD, locked=True, by="boss")
        session.commit()
    form = _form(plan, {_numbers(plan)[0]: ("100", None)})
    result = _run(engine, plan, form.filename, form.content, form=form, dry_run=False)
    assert result.status == "rejected"
    assert [e.code for e in result.errors] == ["locked_period"]
    assert submissions_frame(engine).empty


def test_the_stored_file_imports_again_to_the_same_values(tmp_path: Path, plan: Plan) -> None:
    engine = _tmp_engine(tmp_path)
    numbers, milestones = _numbers(plan), _milestones(plan)
    form = _form(
        plan,
        {
            numbers[0]: ("2.500", '; i "cometes"'),
            numbers[1]: ("12", "a\nb"),
            milestones[0]: ("iniciat", None),
        },
    )
    typed = _run(engine, plan, form.filename, form.content, form=form)
    again = _run(engine, plan, form.filename, form.content)  # the CSV file, read as a file

    def values(r: ImportResult) -> list[tuple[str, object, str | None]]:
        return [(v.indicator, v.value, v.comment) for v in r.values]

    assert typed.status == again.status == "ok"
    assert values(typed) == values(again)
    assert (numbers[0], 2500.0, '; i "cometes"') in values(typed)
    assert (milestones[0], "iniciat", None) in values(typed)
    engine.dispose()


def test_the_file_does_not_run_a_formula_in_a_spreadsheet(plan: Plan) -> None:
    form = _form(plan, {_numbers(plan)[0]: ("3", '=HYPERLINK("http://x")')})
    text = form.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and re.search(r"(?<!')=HYPERLINK", text) is None
    assert form.sheets[0].rows[1][3] == '=HYPERLINK("http://x")'  # the comment stored as typed


# --- what no form sends -------------------------------------------------------------------


def _entries(plan: Plan, values: Sequence[tuple[object, object]], comments: object = None) -> None:
    form_entries(
        values,
        comments if isinstance(comments, list) else [(code, "") for code, _v in values],
        service=SERVICE,
        codes=_codes(plan),
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([("P9.99-I9", "1")], "El formulari esmenta un indicador que el servei SAD no informa"),
        ([(12, "1")], "no informa («12»)"),
        ([("{code}", "1"), ("{code}", "2")], "dues vegades l'indicador"),
        ([("{code}", 12.5)], "El valor de «{code}» no és un text"),
        ([("{code}", ["1"])], "no és un text"),
        ([("{code}", "1" * (MAX_VALUE_LENGTH + 1))], "és massa llarg: com a màxim 64 caràcters"),
    ],
)
def test_crafted_values_are_refused_clearly(
    plan: Plan, values: list[tuple[object, object]], message: str
) -> None:
    code = _numbers(plan)[0]
    sent = [(c.format(code=code) if isinstance(c, str) else c, v) for c, v in values]
    with pytest.raises(FormRefused) as refused:
        _entries(plan, sent)
    assert message.format(code=code) in refused.value.message("ca")


def test_crafted_comments_and_shapes_are_refused(plan: Plan) -> None:
    code = _numbers(plan)[0]
    with pytest.raises(FormRefused) as long_comment:
        _entries(plan, [(code, "1")], [(code, "x" * (MAX_COMMENT_LENGTH + 1))])
    assert "El comentari de" in long_comment.value.message("ca")
    with pytest.raises(FormRefused) as misaligned:
        _entries(plan, [(code, "1")], [(_numbers(plan)[1], "")])
    assert "no correspon als indicadors del servei SAD" in misaligned.value.message("ca")
    too_many = [(c, "1") for c in _codes(plan)] + [(code, "1")]
    with pytest.raises(FormRefused):
        _entries(plan, too_many)
    for raw in ("x", [1, 2], None):
        with pytest.raises(FormRefused):
            entries_from_json(raw, service=SERVICE, codes=_codes(plan))


def test_entries_keep_their_text_and_blank_is_empty(plan: Plan) -> None:
    code = _numbers(plan)[0]
    entries = form_entries([(code, None)], [(code, " nota ")], service=SERVICE, codes=_codes(plan))
    assert entries == [FormEntry(code, "", " nota ")]
    again = entries_from_json(entries_json(entries), service=SERVICE, codes=_codes(plan))
    assert again == entries
