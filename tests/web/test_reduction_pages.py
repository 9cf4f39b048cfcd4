"""Reduction measures and targets in the browser: the register ranked by the organisation's
weights, a measure's page with the calculation of its expected reduction and its evidence, the
lead's forms (a measure, the weights, an evidence file, a target, a period's output), and a
target's progress with its chart. Bad input is refused next to its field in the reader's
language with nothing written; a reader sees no form and a write crafted by one is refused 403;
another organisation's measure or target is not found.

The world (tests/factories.py): organisation A with a site, a verified 2024 inventory and a
draft 2025 one (1,200 MWh of grid electricity each) and an external 2026 one holding nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.reductions import services as measures
from neutrality.reductions import target_services as targets
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
TRANSLATIONS = Path(__file__).resolve().parents[2] / "neutrality" / "translations"

#: seed 000's pump: 200 MWh a year at efficiency 0.70, raised to 0.85, grid 0.5 t/MWh.
PUMP = {"change_kind": "efficiency", "efficiency_energy_mwh": "200", "efficiency_efficiency_before": "0.70",
        "efficiency_efficiency_after": "0.85", "efficiency_factor_t_per_mwh": "0.5",
        "efficiency_factor_source": "grid 2024"}
SCORES = {"feasibility_score": "4", "impact_score": "5", "cost_benefit_score": "3",
          "stakeholder_expectations_score": "3", "compliance_score": "4", "innovation_score": "2"}


@cache
def _catalogue(locale: str) -> dict[str, str]:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return {m.id: m.string for m in read_po(file, locale=locale) if isinstance(m.id, str) and m.string}


def zh(text: str, **values: Any) -> str:
    """``text`` as 简体 readers read it (the catalogue's translation, its placeholders filled)."""
    translated = _catalogue("zh_Hans")[text]
    return translated.format(**values) if values else translated


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _org(world: World) -> str:
    return f"/organisations/{world.org_a}"


def _measure_fields(world: World, **fields: str) -> dict[str, str]:
    return {"title_en": "Pump VSD", "title_zh_hans": "水泵变频改造", "title_zh_hant": "", "category": "energy_efficiency",
            "scope": "", "source": "", "site_id": str(world.site_a), "status": "planned", "horizon": "quick_win",
            "start_date": "2025-03-01", "end_date": "", "cost_amount": "120000", "cost_currency": "CNY",
            **SCORES, **PUMP, **fields}


def _post(client: Any, path: str, fields: dict[str, Any], headers: dict[str, str] = EN, page: str = "") -> Any:
    token = csrf(client.get(page or path, headers=headers).text)
    return client.post(path, data={"csrf_token": token, **fields}, headers=headers,
                       content_type="multipart/form-data")


def _error(page: str, field: str) -> str:
    found = re.search(rf'<span class="field-error" id="{re.escape(field)}-error">([^<]*)</span>', page)
    assert found, f"no error next to {field}"
    return found.group(1)


# --- measures ----------------------------------------------------------------------------------


def test_the_lead_adds_a_pump_measure_in_simplified_chinese_and_reads_its_calculation(
        client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, f"{_org(world)}/measures/new", _measure_fields(world), ZH)
    assert answer.status_code == 302, answer.text[-3000:]
    assert table_counts()["reduction_measures"] == before["reduction_measures"] + 1
    [view] = [v for v in measures.list_measures(uow(), ADMIN, world.org_a).measures if v.row.title_en == "Pump VSD"]
    assert answer.headers["Location"].endswith(f"{_org(world)}/measures/{view.row.id}")
    page = client.get(answer.headers["Location"], headers=ZH).text
    # 200 × 0.70 / 0.85 = 164.70588… MWh after; 200 − 164.70588… = 35.29411… MWh saved;
    # × 0.5 t/MWh = 17.64705… t, shown to 3 decimals
    assert "<h1>水泵变频改造</h1>" in page
    assert ">17.647</span> tCO2e" in page and ">35.294</span> MWh" in page
    assert zh("new energy = {energy} MWh × {before} / {after} = {new} MWh",
              energy="200", before="0.7", after="0.85", new="≈164.706") in page
    assert zh("reduction = {saving} MWh × {factor} tCO2e/MWh = {tonnes} tCO2e",
              saving="≈35.294", factor="0.5", tonnes="≈17.647") in page
    # the category and the status in the reader's language; scores 4+5+3+3+4+2 = 21 at equal weights
    assert zh("Energy efficiency") in page and zh("Planned") in page
    assert ">21.00</span>" in page
    register = client.get(f"{_org(world)}/measures", headers=ZH).text
    assert "水泵变频改造" in register and ">17.647</span>" in register and ">35.294</span> MWh" in register


def test_the_register_ranks_by_the_weights_and_filters_by_status(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    # LED lighting: 5 on feasibility, 1 elsewhere (total 10); heat pump: 1 on feasibility, 5 on
    # impact, 2 elsewhere (total 14). Equal weights: heat pump first. Feasibility weighted 10,
    # the rest 1: LED 50 + 5 = 55, heat pump 10 + 5 + 8 = 23: LED first.
    led = {"feasibility": 5, "impact": 1, "cost_benefit": 1, "stakeholder_expectations": 1, "compliance": 1,
           "innovation": 1}
    pump = {"feasibility": 1, "impact": 5, "cost_benefit": 2, "stakeholder_expectations": 2, "compliance": 2,
            "innovation": 2}
    measures.create_measure(uow(), ADMIN, world.org_a, {"title_en": "LED lighting", "category": "lighting",
                                                        "scores": led, "status": "in_progress"})
    measures.create_measure(uow(), ADMIN, world.org_a, {"title_en": "Heat pump", "category": "energy_efficiency",
                                                        "scores": pump})
    page = client.get(f"{_org(world)}/measures", headers=EN).text
    assert page.index(">Heat pump<") < page.index(">LED lighting<")
    weights = {"feasibility_weight": "10", "impact_weight": "1", "cost_benefit_weight": "1",
               "stakeholder_expectations_weight": "1", "compliance_weight": "1", "innovation_weight": "1"}
    answer = _post(client, f"{_org(world)}/measure-weights", weights, page=f"{_org(world)}/measures")
    assert answer.status_code == 302
    page = client.get(f"{_org(world)}/measures", headers=EN).text
    assert page.index(">LED lighting<") < page.index(">Heat pump<")
    assert ">55.00</span>" in page and ">23.00</span>" in page
    only = client.get(f"{_org(world)}/measures?status=in_progress", headers=EN).text
    assert ">LED lighting<" in only and ">Heat pump<" not in only


def test_evidence_is_kept_with_its_name_and_sha256_and_the_same_file_twice_is_refused(
        client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    view = measures.create_measure(uow(), ADMIN, world.org_a, {"title_en": "LED lighting", "category": "lighting"})
    path = f"{_org(world)}/measures/{view.row.id}"
    quote = b"%PDF-1.4 quotation for 400 LED panels"
    answer = _post(client, f"{path}/evidence", {"evidence": (io.BytesIO(quote), "报价单.pdf")}, page=path)
    assert answer.status_code == 302
    page = client.get(path, headers=EN).text
    assert "报价单.pdf" in page and hashlib.sha256(quote).hexdigest() in page
    before = table_counts()
    again = _post(client, f"{path}/evidence", {"evidence": (io.BytesIO(quote), "again.pdf")}, page=path)
    assert again.status_code == 409
    assert _error(again.text, "evidence") == "this file is already kept with the measure"
    assert table_counts() == before


def test_the_edit_form_starts_from_the_measure_and_a_done_measure_needs_its_end(
        client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    assert _post(client, f"{_org(world)}/measures/new", _measure_fields(world)).status_code == 302
    [view] = [v for v in measures.list_measures(uow(), ADMIN, world.org_a).measures if v.row.title_en == "Pump VSD"]
    edit = f"{_org(world)}/measures/{view.row.id}/edit"
    form = client.get(edit, headers=EN).text
    assert 'value="Pump VSD"' in form and 'value="0.85"' in form and 'value="120000"' in form
    before = table_counts()
    refused = _post(client, edit, _measure_fields(world, status="done"))
    assert refused.status_code == 422
    assert _error(refused.text, "end_date") == "a done measure has the date it was completed"
    assert table_counts() == before
    saved = _post(client, edit, _measure_fields(world, status="done", end_date="2025-09-30"))
    assert saved.status_code == 302
    assert measures.get_measure(uow(), ADMIN, world.org_a, view.row.id).row.status == "done"


#: (what, the fields changed, the field refused, its words in 简体)
BAD_MEASURES = [
    ("score 6", {"feasibility_score": "6"}, "feasibility_score",
     lambda: zh("the score {score} is outside 1 to 5", score="6")),
    ("efficiency above 1", {"efficiency_efficiency_after": "1.2"}, "efficiency_efficiency_after",
     lambda: zh("an efficiency is a fraction above 0 and at most 1 (0.85 for 85 %)")),
    ("negative cost", {"cost_amount": "-5"}, "cost_amount", lambda: zh("An amount of 0 or more, such as 120000.")),
]


@pytest.mark.parametrize(("what", "fields", "field", "words"), BAD_MEASURES, ids=[b[0] for b in BAD_MEASURES])
def test_a_bad_measure_is_refused_next_to_its_field_in_the_reader_s_language(
        client, uow, world, table_counts, what, fields, field, words) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    refused = _post(client, f"{_org(world)}/measures/new", _measure_fields(world, **fields), ZH)
    assert refused.status_code == 422, what
    assert _error(refused.text, field) == words()
    assert 'aria-invalid="true"' in refused.text
    assert table_counts() == before


def test_weights_all_zero_are_refused_with_the_weights_named(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    zero = {f"{c}_weight": "0" for c in ("feasibility", "impact", "cost_benefit", "stakeholder_expectations",
                                          "compliance", "innovation")}
    before = table_counts()
    refused = _post(client, f"{_org(world)}/measure-weights", zero, ZH, page=f"{_org(world)}/measures")
    assert refused.status_code == 422
    assert _error(refused.text, "weights") == zh("the weights add up to zero: at least one must be above 0")
    assert table_counts() == before


# --- targets -----------------------------------------------------------------------------------


def _target_fields(**fields: Any) -> dict[str, Any]:
    return {"commitment_id": "", "kind": "absolute", "scopes": ["2"], "scope2_basis": "location_based",
            "base_year": "2024", "base_value": "1000", "target_year": "2030", "reduction_percent": "42",
            "output_unit": "", "base_output": "", "term": "near_term", "set_on": "", "coverage_percent": "",
            **fields}


def test_the_lead_sets_a_target_and_reads_its_progress_with_the_chart(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, f"{_org(world)}/targets", _target_fields(), page=f"{_org(world)}/targets")
    assert answer.status_code == 302, answer.text[-3000:]
    assert table_counts()["emission_targets"] == before["emission_targets"] + 1
    [target] = [t for t in targets.list_targets(uow(), ADMIN, world.org_a) if t.base_value == 1000]
    assert answer.headers["Location"].endswith(f"{_org(world)}/targets/{target.id}")
    page = client.get(answer.headers["Location"], headers=EN).text
    progress = targets.target_progress(uow(), ADMIN, world.org_a, target.id)
    # 1,000 t in 2024, 42 % less by 2030: 580 t, 70 t less a year; 2025 allows 930 t
    assert [(p.year, p.position.allowed) for p in progress.periods] == [(2024, 1000), (2025, 930)]
    for p in progress.periods:
        assert f'title="{p.position.actual}"' in page
    assert '<span class="figure" title="930">930.000</span>' in page
    assert f'src="{_org(world)}/targets/{target.id}/progress.svg"' in page
    assert "base year 2024: 1,000.00 tCO2e; target year 2030: 580.00 tCO2e" in page  # the chart's alt
    # 2024 → 2025: the same 1,200 MWh of grid electricity each year; the change is the service's,
    # split into activity and factor parts that add up to it
    [change] = progress.changes
    assert (change["from_year"], change["to_year"]) == (2024, 2025) and "2024 → 2025" in page
    assert change["due_to_activity"] + change["due_to_factor"] == change["change"]
    for part in ("change", "due_to_activity", "due_to_factor"):
        assert f'title="{change[part]}"' in page
    chart = client.get(f"{_org(world)}/targets/{target.id}/progress.svg", headers=ZH)
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert "基准年 2024：1,000.00 tCO2e；目标年 2030：580.00 tCO2e" in chart.text
    listing = client.get(f"{_org(world)}/targets", headers=EN).text
    assert f'href="{_org(world)}/targets/{target.id}"' in listing


def test_a_target_states_its_term_the_day_it_was_set_and_its_coverage(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    answer = _post(client, f"{_org(world)}/targets", _target_fields(
        term="long_term", set_on="2025-03-01", coverage_percent="96", target_year="2050", reduction_percent="90"),
        page=f"{_org(world)}/targets")
    assert answer.status_code == 302, answer.text[-3000:]
    [target] = [t for t in targets.list_targets(uow(), ADMIN, world.org_a) if t.target_year == 2050]
    assert (target.term, target.set_on.isoformat(), target.coverage_percent) == ("long_term", "2025-03-01", 96)
    listing = client.get(f"{_org(world)}/targets", headers=EN).text
    assert "Long-term (net zero)" in listing and "covers 96.0\xa0%" in listing


def test_an_intensity_target_follows_the_periods_with_output_and_names_those_without(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    answer = _post(client, f"{_org(world)}/targets", _target_fields(
        kind="intensity", base_value="0.6", output_unit="MWh", base_output="2000"), page=f"{_org(world)}/targets")
    assert answer.status_code == 302, answer.text[-3000:]
    progress_page = answer.headers["Location"]
    missing = client.get(progress_page, headers=EN).text
    assert 'id="missing-output"' in missing
    recorded = _post(client, f"{_org(world)}/period-output", {"period_id": str(world.period_verified),
                                                               "quantity": "2400", "unit": "MWh"},
                     page=f"{_org(world)}/targets")
    assert recorded.status_code == 302
    page = client.get(progress_page, headers=EN).text
    target_id = int(progress_page.rsplit("/", 1)[1])
    [first] = targets.target_progress(uow(), ADMIN, world.org_a, target_id).periods
    # 2024: the inventory's tCO2e ÷ 2,400 MWh, and the absolute tCO2e beside it
    assert first.year == 2024 and first.position.output == 2400
    assert f'title="{first.position.actual}"' in page and f'title="{first.position.tco2e}"' in page
    assert "Absolute reduction" in page


BAD_TARGETS = [
    ("target year before the base year", {"target_year": "2020"}, "target_year",
     lambda: zh("the target year ({target}) must come after the base year ({base})", target="2020", base="2024")),
    ("intensity without its unit", {"kind": "intensity", "base_output": "100"}, "output_unit",
     lambda: zh("an intensity target needs the unit of output it is counted per")),
    ("a coverage of nothing", {"coverage_percent": "0"}, "coverage_percent",
     lambda: zh("the coverage is a percentage above 0 and up to 100, not {value}", value="0")),
    ("set in the future", {"set_on": "2999-01-01"}, "set_on",
     lambda: zh("the day a target was set ({day}) cannot be after today", day="2999-01-01")),
]


@pytest.mark.parametrize(("what", "fields", "field", "words"), BAD_TARGETS, ids=[b[0] for b in BAD_TARGETS])
def test_a_bad_target_is_refused_next_to_its_field_in_the_reader_s_language(
        client, uow, world, table_counts, what, fields, field, words) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    refused = _post(client, f"{_org(world)}/targets", _target_fields(**fields), ZH, page=f"{_org(world)}/targets")
    assert refused.status_code == 422, what
    assert _error(refused.text, field) == words()
    assert table_counts() == before


def test_an_output_of_zero_is_refused_next_to_its_field(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    refused = _post(client, f"{_org(world)}/period-output", {"period_id": str(world.period_verified),
                                                              "quantity": "0", "unit": "MWh"},
                    page=f"{_org(world)}/targets")
    assert refused.status_code == 422
    assert _error(refused.text, "quantity") == "the output must be more than zero to give an intensity"
    assert table_counts() == before


# --- who sees and does what --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.VIEWER], ids=str)
def test_a_reader_reads_every_page_without_a_form(client, uow, world, role) -> None:
    view = measures.create_measure(uow(), ADMIN, world.org_a, {"title_en": "LED lighting", "category": "lighting"})
    target = targets.create_target(uow(), ADMIN, world.org_a, {"kind": "absolute", "scopes": [1], "base_year": 2024,
                                                               "base_value": "10", "target_year": 2030,
                                                               "reduction_percent": "50"})
    sign_in(client, _member(uow, world, role))
    for path in ("/measures", f"/measures/{view.row.id}", "/targets", f"/targets/{target.id}"):
        page = client.get(_org(world) + path, headers=EN)
        assert page.status_code == 200, path
        assert 'method="post" action="/organisations' not in page.text.split("</header>", 1)[1], path
        assert "/measures/new" not in page.text and "/edit" not in page.text, path
    for path in ("/measures/new", f"/measures/{view.row.id}/edit"):
        assert client.get(_org(world) + path, headers=EN).status_code == 403, path


def _crafted(world: World, measure_id: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{_org(world)}/measures/new", _measure_fields(world)),
        (f"{_org(world)}/measures/{measure_id}/edit", _measure_fields(world)),
        (f"{_org(world)}/measures/{measure_id}/evidence", {"evidence": (io.BytesIO(b"%PDF"), "q.pdf")}),
        (f"{_org(world)}/measure-weights", {"feasibility_weight": "2", "impact_weight": "1", "cost_benefit_weight": "1",
                                            "stakeholder_expectations_weight": "1", "compliance_weight": "1",
                                            "innovation_weight": "1"}),
        (f"{_org(world)}/targets", _target_fields()),
        (f"{_org(world)}/period-output", {"period_id": str(world.period_verified), "quantity": "1", "unit": "MWh"}),
    ]


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.VIEWER, Role.PROCUREMENT], ids=str)
def test_a_write_crafted_by_another_role_is_refused_403_and_nothing_is_written(
        client, uow, world, table_counts, role) -> None:
    view = measures.create_measure(uow(), ADMIN, world.org_a, {"title_en": "LED lighting", "category": "lighting"})
    sign_in(client, _member(uow, world, role))
    token = csrf(client.get(_org(world)).text)  # the session's token, from the sign-out form
    before = table_counts()
    for path, fields in _crafted(world, view.row.id):
        answer = client.post(path, data={"csrf_token": token, **fields}, content_type="multipart/form-data",
                             headers=EN)
        assert answer.status_code == 403, path
    assert table_counts() == before


def test_another_organisation_s_measure_and_target_are_not_found(client, uow, world) -> None:
    theirs = measures.create_measure(uow(), ADMIN, world.org_b, {"title_en": "Theirs", "category": "lighting"})
    target = targets.create_target(uow(), ADMIN, world.org_b, {"kind": "absolute", "scopes": [1], "base_year": 2024,
                                                               "base_value": "10", "target_year": 2030,
                                                               "reduction_percent": "50"})
    sign_in(client, _member(uow, world, Role.LEAD))
    for path in (f"/measures/{theirs.row.id}", f"/measures/{theirs.row.id}/edit", f"/targets/{target.id}",
                 f"/targets/{target.id}/progress.svg"):
        assert client.get(_org(world) + path, headers=EN).status_code == 404, path
    # and organisation B's own pages, to a member of A only
    assert client.get(f"/organisations/{world.org_b}/measures", headers=EN).status_code == 404
    assert client.get(f"/organisations/{world.org_b}/targets/{target.id}", headers=EN).status_code == 404


def test_the_dashboard_links_to_the_measures_and_the_targets(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(_org(world), headers=EN).text
    assert f'href="{_org(world)}/measures"' in page and f'href="{_org(world)}/targets"' in page


# --- reductions achieved, read from the inventories -------------------------------------------------


def test_the_achieved_reductions_page_of_a_first_period_and_an_unknown_comparison(client, uow, world) -> None:
    # The world's commitment B begins with its verified 2024 period: nothing before it to compare
    sign_in(client, _member(uow, world, Role.VIEWER))
    url = f"/organisations/{world.org_a}/periods/{world.period_verified}/reductions"
    first = client.get(url)
    assert first.status_code == 200
    assert "There is nothing to compare this period with." in first.get_data(as_text=True)  # 2024 is the first
    unknown = client.get(url + "?against=last-year")
    assert unknown.status_code == 422 and "last-year" in unknown.get_data(as_text=True)
    elsewhere = client.get(f"/organisations/{world.org_b}/periods/{world.period_verified}/reductions")
    assert elsewhere.status_code in (403, 404)
