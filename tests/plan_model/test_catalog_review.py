"""The catalog reviewed (issue 15): each finding's worked example, the old answer and the new.

- the 26 indicators of ``DIRECCIO`` are reported by the units that really do (Gerència,
  Recursos humans i formació, Sistemes i transformació digital, Qualitat i avaluació, ERE),
  each service with a responsible role (a job title);
- every indicator has its fitxa (definition, formula, periodicity, source of verification),
  in the model and in ``seguiment plan export --format json``;
- baselines that could not exist are gone (a 2021 value for a complaints system of 2023), and
  a measure the plan creates is expected from its first target;
- indicators of activity are replaced by indicators of the objective (P1.06, P1.10, P3.07),
  with new codes, and a demand volume (P5.08-I1) is a context indicator.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from plan_model.export import plan_to_dict
from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import (
    Baseline,
    Indicator,
    IndicatorKind,
    Periodicity,
    Plan,
    Service,
)
from plan_model.status import compute_status
from plan_model.status_types import Status
from tests.helpers.status_factory import frame, make_plan, milestone, numeric

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"

# the old catalog's DIRECCIO indicators and who reports each now
SPLIT = {
    "GERENCIA": ["P1.08-I1", "P4.05-I1", "P4.08-I1", "P4.10-I1"],
    "RRHH": ["P1.02-I1", "P1.10-I1", "P1.11-I1", "P1.11-I2", "P2.02-I2"],
    "SISTEMES": ["P1.07-I1", "P1.07-I2", "P4.01-I1", "P4.02-I1", "P4.06-I1", "P4.07-I1"],
    "QUALITAT": [
        "P1.03-I1",
        "P1.05-I1",
        "P1.05-I2",
        "P2.03-I1",
        "P2.07-I1",
        "P2.08-I1",
        "P4.03-I1",
        "P4.09-I1",
    ],
    "ERE": ["P1.04-I1", "P1.09-I1"],
}
# the old DIRECCIO indicator P1.10-I2 is replaced (new codes below), so 25 kept + 1 replaced
REPLACED = {
    "P1.06-I1": ["P1.06-I3"],  # interviews → cases with a TS/ES of their territorial unit
    "P1.10-I2": ["P1.10-I3", "P1.10-I4"],  # aggressions counted → handled in 72 h, staff trained
    "P3.07-I1": ["P3.07-I3"],  # SIAD attentions → women with a recovery plan agreed
}
WITHOUT_BASELINE = ["P1.05-I2", "P1.10-I3"]  # no 2021 value could exist


# --- the split of DIRECCIO ------------------------------------------------------------------


def test_no_indicator_is_reported_by_direccio(plan: Plan) -> None:
    # old: 26 indicators of "Gerència i Direcció del COSS"; new: none, and no such service
    assert plan.indicators_of_service("DIRECCIO") == []
    assert "DIRECCIO" not in plan.service_by_code
    kept = sum(len(codes) for codes in SPLIT.values())
    assert kept + 1 == 26  # and P1.10-I2, replaced by two indicators of RRHH


@pytest.mark.parametrize("service", sorted(SPLIT))
def test_each_unit_reports_its_own_indicators(plan: Plan, service: str) -> None:
    reported = {i.code for i in plan.indicators_of_service(service)}
    assert set(SPLIT[service]) <= reported
    assert plan.service_by_code[service].responsible_role


def test_the_protocol_of_aggressions_is_reported_by_human_resources(plan: Plan) -> None:
    codes = {i.code for i in plan.indicators_of_service("RRHH")}
    assert {"P1.10-I1", "P1.10-I3", "P1.10-I4"} <= codes


def test_every_service_has_a_responsible_role_and_reports_something(plan: Plan) -> None:
    for service in plan.services:
        role = service.responsible_role
        assert role and not any(ch.isdigit() for ch in role) and "@" not in role, service.code
        assert plan.indicators_of_service(service.code), service.code


@pytest.mark.parametrize(
    "role", ["Cap de Recursos Humans", "Coordinador/a de l'EAIA", "Gerent/a del COSS"]
)
def test_a_job_title_is_a_responsible_role(role: str) -> None:
    service = Service(code="RRHH", name="RH", email="rh@example.org", responsible_role=role)
    assert service.responsible_role == role


@pytest.mark.parametrize(
    "role",
    [
        "",
        "  ",
        "AB",
        "maria.puig@coss.cat",  # a person's address, not a role
        "Tècnic 3",  # a numbered post, not a title
        "9 persones",
        "-Cap",
        "C" * 81,
        "Cap\x00 de RH",
    ],
)
def test_a_responsible_role_that_is_not_a_title_is_refused(role: str) -> None:
    with pytest.raises(ValidationError):
        Service(code="RRHH", name="RH", email="rh@example.org", responsible_role=role)


def test_the_export_lists_each_services_role(plan: Plan) -> None:
    services = {s["code"]: s for s in plan_to_dict(plan)["services"]}
    assert services["RRHH"]["responsible_role"] == "Cap de Recursos Humans"
    assert {"code", "name", "email"} <= set(services["SBAS-VIC"])


# --- the fitxa ------------------------------------------------------------------------------


def test_every_indicator_has_its_fitxa(plan: Plan) -> None:
    # old: 15 indicators had a description, no milestone had a source, none a formula
    for ind in plan.indicators:
        assert ind.description and ind.description.strip(), ind.code
        assert ind.formula and ind.formula.strip(), ind.code
        assert ind.source and ind.source.strip(), ind.code
        assert ind.periodicity is Periodicity.QUARTERLY


def test_percentages_say_their_two_counts(plan: Plan) -> None:
    for ind in plan.indicators:
        if ind.unit == "%":
            assert "/" in (ind.formula or "") and "× 100" in (ind.formula or ""), ind.code


def test_the_export_carries_the_fitxa_and_keeps_every_key(plan: Plan) -> None:
    exported = plan_to_dict(plan)
    indicators = [
        i
        for lv in exported["levers"]
        for ax in lv["axes"]
        for o in ax["objectives"]
        for i in o["indicators"]
    ]
    assert len(indicators) == len(plan.indicators)
    old_keys = {
        "code", "name", "kind", "unit", "integer", "direction", "aggregation", "method",
        "responsible_service", "baseline", "targets", "bounds", "stages", "planned_completion",
        "start", "weight", "thresholds", "tolerance", "description", "source", "breakdowns",
        "ratio", "reporters",
    }  # fmt: skip
    for item in indicators:
        assert old_keys | {"formula", "periodicity"} <= set(item)
        assert item["formula"] and item["periodicity"] == "quarterly"


@pytest.mark.parametrize("field", ["formula"])
@pytest.mark.parametrize("value", ["", 12, ["a"], {"x": 1}])
def test_a_fitxa_field_of_the_wrong_shape_is_refused(field: str, value: object) -> None:
    data = numeric("P1.01-I1").model_dump()
    with pytest.raises(ValidationError):
        Indicator.model_validate({**data, field: value})


@pytest.mark.parametrize("value", ["yearly", "trimestral", "", None, 4])
def test_a_periodicity_the_follow_up_cannot_read_is_refused(value: object) -> None:
    data = numeric("P1.01-I1").model_dump()
    with pytest.raises(ValidationError):
        Indicator.model_validate({**data, "periodicity": value})


# --- baselines that cannot exist ------------------------------------------------------------


@pytest.mark.parametrize("code", WITHOUT_BASELINE)
def test_no_baseline_precedes_what_it_measures(plan: Plan, code: str) -> None:
    ind = plan.indicator_by_code[code]
    assert ind.baseline is None
    assert ind.targets is not None and min(ind.targets) >= 2023  # measured once it exists


def test_the_complaints_system_is_measured_once_it_exists(plan: Plan) -> None:
    system = plan.indicator_by_code["P1.05-I1"].planned_completion_period
    answered = plan.indicator_by_code["P1.05-I2"]
    assert system is not None and answered.targets is not None
    assert min(answered.targets) >= system.year


def _complaints(baseline: Baseline | None, targets: dict[int, float]) -> Indicator:
    base = numeric("P1.05-I2", aggregation="mean")
    return base.model_copy(update={"baseline": baseline, "targets": targets, "unit": "%"})


def test_without_a_baseline_the_first_year_expects_its_target() -> None:
    old = make_plan([_complaints(Baseline(year=2021, value=68), {2022: 75, 2023: 85})])
    new = make_plan([_complaints(None, {2023: 85, 2024: 90, 2025: 95})])
    values = frame([("P1.05-I2", "2022-T4", 70.0), ("P1.05-I2", "2023-T1", 80.0)])
    # old: 2022 has a light made from a 2021 value that could not exist
    before = compute_status(old, values, "2022-T4").indicator("P1.05-I2")
    assert before.due and before.status is not Status.GREY
    # new: nothing is due before the system exists; 2023 expects its target from the start
    ahead = compute_status(new, values, "2022-T4").indicator("P1.05-I2")
    assert not ahead.due and ahead.status is Status.GREY
    first = compute_status(new, values, "2023-T1").indicator("P1.05-I2")
    assert first.due and first.expected == pytest.approx(85.0)
    assert first.achievement == pytest.approx(80 / 85)
    old_first = compute_status(old, values, "2023-T1").indicator("P1.05-I2")
    assert old_first.expected == pytest.approx(75 + (85 - 75) / 4)  # a path from 2022's 75


def test_a_measure_not_due_yet_is_not_missing_data() -> None:
    system = milestone("P1.05-I1", due="2023-T2", start="2022-T2")
    values = frame([("P1.05-I1", "2022-T4", "en_desenvolupament")])
    # old: a 2022 target for a system not yet in place: no value, half the objective missing
    old = make_plan([system, _complaints(Baseline(year=2021, value=68), {2022: 75, 2023: 85})])
    before = compute_status(old, values, "2022-T4").objective("P1.05")
    assert before.coverage == pytest.approx(0.5)  # and the levels above count it as missing
    # new: the measure is not due before its first target; the objective has its light
    new = make_plan([system, _complaints(None, {2023: 85, 2024: 90, 2025: 95})])
    after = compute_status(new, values, "2022-T4").objective("P1.05")
    assert after.coverage == pytest.approx(1.0) and after.status is not Status.GREY
    assert not compute_status(new, values, "2022-T4").indicator("P1.05-I2").due


def _copy_valid(tmp_path: Path) -> Path:
    target = tmp_path / "plan"
    shutil.copytree(FIXTURES / "valid", target)
    return target


def _edit_first_numeric(folder: Path, edit: dict[str, str | None]) -> None:
    """Rewrite keys (None: remove) of the fixture's numeric indicator P1.01-I1."""
    path = folder / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    begin = text.index("- code: P1.01-I1")
    end = text.index("\n- code:", begin)
    lines = text[begin:end].split("\n")
    kept = [ln for ln in lines if ln.split(":", 1)[0].strip() not in edit]
    added = [f"  {k}: {v}" for k, v in edit.items() if v is not None]
    path.write_text(text[:begin] + "\n".join([*kept, *added]) + text[end:], encoding="utf-8")


def test_a_numeric_indicator_may_have_no_baseline(tmp_path: Path) -> None:
    folder = _copy_valid(tmp_path)
    _edit_first_numeric(folder, {"baseline": None, "targets": "{2023: 60, 2024: 70, 2025: 80}"})
    plan = load_plan(folder / "plan.yaml")
    assert any(i.baseline is None for i in plan.indicators)


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        # with a baseline, every plan year needs a target (as before)
        ({"targets": "{2023: 60, 2024: 70, 2025: 80}"}, "2022"),
        # without one, a gap after the first target is still an error
        ({"baseline": None, "targets": "{2022: 50, 2024: 70, 2025: 80}"}, "2023"),
        # no baseline: no progress since it
        ({"baseline": None, "method": "progress"}, "target_share"),
    ],
)
def test_what_a_missing_baseline_does_not_excuse(
    tmp_path: Path, edit: dict[str, str | None], fragment: str
) -> None:
    folder = _copy_valid(tmp_path)
    _edit_first_numeric(folder, edit)
    with pytest.raises(PlanValidationError) as caught:
        load_plan(folder / "plan.yaml")
    assert fragment in str(caught.value)


# --- activity replaced by outcomes ----------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), sorted(REPLACED.items()))
def test_activity_is_replaced_by_the_objective_under_new_codes(
    plan: Plan, old: str, new: list[str]
) -> None:
    assert old not in plan.indicator_by_code  # the old code is not reused for another meaning
    for code in new:
        ind = plan.indicator_by_code[code]
        assert ind.kind is IndicatorKind.NUMERIC and ind.unit == "%"
        assert str(ind.direction) == "increase"


def test_p1_06_measures_reference_professionals_not_interviews(plan: Plan) -> None:
    names = " ".join(i.name.lower() for i in plan.indicators_of("P1.06"))
    assert "entrevist" not in names and "referència" in names


def test_p1_10_measures_the_protocol_working_not_a_rising_count(plan: Plan) -> None:
    # old: "Incidents d'agressió registrats", decrease, a count that rises when people report
    indicators = plan.indicators_of("P1.10")
    assert not any(i.direction is not None and str(i.direction) == "decrease" for i in indicators)
    handled = plan.indicator_by_code["P1.10-I3"]
    assert "72" in handled.name and "protocol" in (handled.formula or "")
    trained = plan.indicator_by_code["P1.10-I4"]
    assert "formats" in trained.name and trained.baseline is not None
    assert trained.baseline.value == 0  # nobody could be trained in a protocol not yet written


def test_a_demand_volume_is_context(plan: Plan) -> None:
    # old: requests processed with a rising target (fewer requests: red); new: context
    requests = plan.indicator_by_code["P5.08-I1"]
    assert requests.kind is IndicatorKind.CONTEXT and requests.targets is None


def test_values_of_replaced_indicators_are_ignored_not_an_error(plan: Plan) -> None:
    values = frame([("P1.06-I1", "2023-T2", 1800.0), ("P1.06-I3", "2023-T2", 81.0)])
    result = compute_status(plan, values, "2023-T2")
    assert result.indicator("P1.06-I3").value == pytest.approx(81.0)
    with pytest.raises(KeyError):
        result.indicator("P1.06-I1")


def test_values_delivered_by_direccio_still_count(plan: Plan) -> None:
    """Stored values keep their service (DIRECCIO): the engine reads (indicator, quarter)."""
    values = frame([("P1.07-I2", "2023-T2", 42.0)]).assign(service="DIRECCIO")
    result = compute_status(plan, values, "2023-T2")
    assert result.indicator("P1.07-I2").value == pytest.approx(42.0)
    assert result.indicator("P1.07-I2").service == "SISTEMES"


# --- the words ------------------------------------------------------------------------------

LOCALES = Path(__file__).resolve().parents[2] / "i18n" / "locales"
# variants replaced by the one word of each concept (issue 15), per language
FORBIDDEN = {
    "ca": [
        "Assolit / en bon camí",  # the status labels: «En bon camí», «Desviació lleu/greu»
        "Lleuger retard",
        "hem rebut",  # a delivery is «lliurar»: «ens heu lliurat»
        "pugeu",  # «lliureu la plantilla»
        "Pugeu",
        "trimestre del {year}",  # «de 2025»
    ],
    "es": [
        "Logrado / en buen camino",
        "Ligero retraso",
        "grado de logro",  # «grado de cumplimiento»
        "fichero",  # «archivo»
        "Fichero",
        "Fecha de subida",  # «entrega»
        "Enviar datos",
        "hemos recibido",
        "suba la plantilla",
        "suban la plantilla",
    ],
}
WHOLE_FORBIDDEN = {"ca": {"Retard", "Superat"}, "es": {"Retraso", "Superado"}}


def _messages(lang: str) -> list[tuple[str, str, str]]:
    from babel.messages.pofile import read_po

    found = []
    for path in sorted((LOCALES / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                ident = message.id if isinstance(message.id, str) else message.id[0]
                strings = message.string
                text = strings if isinstance(strings, str) else (strings[0] if strings else "")
                if ident and text:
                    found.append((path.name, ident, text))
    return found


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_no_message_uses_a_replaced_variant(lang: str) -> None:
    offending = [
        (name, ident, variant)
        for name, ident, text in _messages(lang)
        for variant in FORBIDDEN[lang]
        if variant in text
    ]
    offending += [
        (name, ident, text)
        for name, ident, text in _messages(lang)
        if text in WHOLE_FORBIDDEN[lang]
    ]
    assert offending == []


@pytest.mark.parametrize(
    ("msgid", "ca", "es"),
    [
        ("On track", "En bon camí", "En buen camino"),
        ("Slightly behind", "Desviació lleu", "Desviación leve"),
        ("Behind", "Desviació greu", "Desviación grave"),
        ("Slight deviation", "Desviació lleu", "Desviación leve"),
        ("Deviation", "Desviació greu", "Desviación grave"),
        ("Target exceeded", "Per sobre del previst", "Por encima de lo previsto"),
        ("Submit data", "Lliurar dades", "Entregar datos"),
    ],
)
def test_the_status_labels_speak_the_reference_vocabulary(msgid: str, ca: str, es: str) -> None:
    from i18n import gettext

    # old: «Assolit / en bon camí», «Lleuger retard», «Retard», «Superat»
    assert (gettext(msgid, "ca"), gettext(msgid, "es")) == (ca, es)


def test_catalan_dates_say_de_before_the_year() -> None:
    import datetime as dt

    from i18n import format_date

    day = dt.date(2026, 1, 30)
    # old: CLDR's «30 de gener del 2026»
    assert format_date(day, "ca", "long") == "30 de gener de 2026"
    assert format_date(dt.date(2025, 10, 1), "ca", "long") == "1 d’octubre de 2025"
    assert format_date(day, "ca", "full").endswith("30 de gener de 2026")
    assert format_date(day, "es", "long") == "30 de enero de 2026"
