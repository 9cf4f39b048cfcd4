"""The lead's forms for the organisation: particulars, sites and subjects of claims, and the
commitment's edit form. Each saves through the use case the API calls; a refusal shows next to
its field and writes nothing; a viewer's crafted POST is refused (403) and writes nothing.

The world (tests/factories.py): organisation A with one site (in Jiangsu, CN-JS, so on the East
China grid, CN-EAST) and a factory subject of it; its commitments both have periods.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.clock import today
from neutrality.commitments import services as commitments
from neutrality.organisations import services as organisations
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, commitment_payload, create_user, site_payload

pytestmark = pytest.mark.shared_world

EN = {"Accept-Language": "en"}
HANS = {"Accept-Language": "zh-CN"}
#: The world's organisation chose its approach today: a change takes effect after that.
TOMORROW = today() + dt.timedelta(days=1)


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _lead(client: Any, uow: Any, world: World) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))


def _fields(html: str) -> dict[str, str]:
    """The values a browser would send back from the page's form (text inputs, selects,
    textareas), as the page filled them."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        attributes = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
        if attributes.get("type") in ("checkbox", "file", "submit", "hidden") or "name" not in attributes:
            continue
        values[attributes["name"]] = attributes.get("value", "")
    for name, body in re.findall(r'<select[^>]*?name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        if chosen:
            values[name] = chosen.group(1) or chosen.group(2)
    for name, text in re.findall(r'<textarea[^>]*?name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = text.strip("\r\n")
    return values


def _particulars(client: Any, world: World, headers: dict[str, str] = EN, **changes: str) -> Any:
    url = f"/organisations/{world.org_a}/particulars/edit"
    page = client.get(url, headers=headers).text
    form = {**_fields(page), **changes, "csrf_token": csrf(page)}
    return client.post(url, data=form, headers=headers)


# --- particulars -------------------------------------------------------------------------------


def test_the_lead_renames_the_organisation_and_the_particulars_page_shows_it(client, uow, world) -> None:
    _lead(client, uow, world)
    answer = _particulars(client, world, name="苏辉光伏（常州）", contact_phone="0519-8888 0000")
    assert answer.status_code == 302, answer.text[-1500:]
    org = organisations.get_organisation(uow(), ADMIN, world.org_a)
    assert (org.name, org.contact_phone) == ("苏辉光伏（常州）", "0519-8888 0000")
    assert org.legal_name.startswith("测试光伏有限公司")  # the fields not changed stay as they were
    assert "苏辉光伏（常州）" in client.get(f"/organisations/{world.org_a}/particulars").text


def test_a_wrong_credit_code_is_refused_next_to_its_field_and_nothing_is_written(
        client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before, org_before = table_counts(), organisations.get_organisation(uow(), ADMIN, world.org_a)
    # 91320000MA1XXXXX0Y: 18 characters of the alphabet, but the check character of the first
    # 17 is not Y, so the use case refuses it (GB 32100-2015 附录 A)
    answer = _particulars(client, world, name="Renamed", unified_social_credit_code="91320000MA1XXXXX0Y")
    assert answer.status_code == 422
    error = re.search(r'<span class="field-error" id="unified_social_credit_code-error">([^<]*)</span>', answer.text)
    assert error is not None and "check character" in error.group(1)
    assert 'id="unified_social_credit_code" aria-describedby=' in answer.text or 'aria-invalid="true"' in answer.text
    assert table_counts() == before
    assert organisations.get_organisation(uow(), ADMIN, world.org_a).name == org_before.name


def test_an_emptied_required_field_is_refused_in_chinese_next_to_it(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _particulars(client, world, HANS, legal_representative="")
    assert answer.status_code == 422
    assert '<span class="field-error" id="legal_representative-error">此项为必填项。</span>' in answer.text
    assert '<label for="legal_representative">法定代表人</label>' in answer.text
    assert table_counts() == before


def test_a_viewer_is_refused_the_form_and_a_crafted_post(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    page = client.get(f"/organisations/{world.org_a}/particulars/edit", headers=EN).text
    fields = {**_fields(page), "name": "Taken over"}
    client.post("/logout", data={"csrf_token": csrf(page)})
    sign_in(client, _member(uow, world, Role.VIEWER))
    token = csrf(client.get(f"/organisations/{world.org_a}/particulars").text)
    before = table_counts()
    assert client.get(f"/organisations/{world.org_a}/particulars/edit").status_code == 403
    answer = client.post(f"/organisations/{world.org_a}/particulars/edit", data={**fields, "csrf_token": token})
    assert answer.status_code == 403
    assert client.post(f"/organisations/{world.org_a}/sites/new", data={
        "csrf_token": token, "name": "Viewer's site", "country": "CN", "address": "x"}).status_code == 403
    assert client.post(f"/organisations/{world.org_a}/subjects/{world.subject_a}/edit", data={
        "csrf_token": token, "name": "Viewer's subject"}).status_code == 403
    assert table_counts() == before
    assert organisations.get_organisation(uow(), ADMIN, world.org_a).name != "Taken over"


def test_the_particulars_page_offers_the_forms_to_the_lead_only(client, uow, world) -> None:
    _lead(client, uow, world)
    page = client.get(f"/organisations/{world.org_a}/particulars", headers=EN).text
    assert f'href="/organisations/{world.org_a}/particulars/edit"' in page
    assert f'href="/organisations/{world.org_a}/sites/{world.site_a}/edit"' in page
    assert f'href="/organisations/{world.org_a}/commitments/{world.commitment_a}/edit"' in page
    assert f'href="/organisations/{world.org_a}/factors"' in page
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(f"/organisations/{world.org_a}/particulars", headers=EN).text
    assert "/edit" not in page and "/sites/new" not in page and "/factors" not in page


# --- sites -------------------------------------------------------------------------------------


def _site_form(client: Any, url: str, headers: dict[str, str] = EN, **values: str) -> Any:
    page = client.get(url, headers=headers).text
    return client.post(url, data={**_fields(page), **values, "csrf_token": csrf(page)}, headers=headers)


def test_a_new_site_takes_its_provinces_grid(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _site_form(client, f"/organisations/{world.org_a}/sites/new", name="广州工厂", country="CN",
                        region="广东", address="广州市黄埔区 3 号")
    assert answer.status_code == 302, answer.text[-1500:]
    assert table_counts()["sites"] == before["sites"] + 1
    site = next(s for s in organisations.list_sites(uow(), ADMIN, world.org_a, _page()).items if s.name == "广州工厂")
    # 广东 is CN-GD, on the China Southern grid
    assert (site.region, site.grid_region) == ("CN-GD", "CN-SOUTH")
    assert answer.headers["Location"].endswith(f"/particulars#site-{site.id}")


def test_a_region_of_another_country_is_refused_next_to_the_field(client, uow, world, table_counts) -> None:
    # the use case names the field and how it is wrong; the page shows that next to the field
    _lead(client, uow, world)
    before = table_counts()
    answer = _site_form(client, f"/organisations/{world.org_a}/sites/new", name="Somewhere", country="CN",
                        region="US-CA", address="1 Main St")
    assert answer.status_code == 422
    assert re.search(r'id="region-error">&#39;US-CA&#39; is not a subdivision of CN \(e\.g\. CN-', answer.text)
    assert table_counts() == before


def test_a_site_is_renamed_and_keeps_its_grid(client, uow, world) -> None:
    _lead(client, uow, world)
    url = f"/organisations/{world.org_a}/sites/{world.site_a}/edit"
    answer = _site_form(client, url, name="常州工厂")
    assert answer.status_code == 302, answer.text[-1500:]
    site = organisations.get_site(uow(), ADMIN, world.org_a, world.site_a)
    assert (site.name, site.region, site.grid_region) == ("常州工厂", "CN-JS", "CN-EAST")


def test_a_site_name_already_used_is_refused_next_to_the_name(client, uow, world, table_counts) -> None:
    other = organisations.create_site(uow(), ADMIN, world.org_a, site_payload(name="Second factory"))
    _lead(client, uow, world)
    before = table_counts()
    answer = _site_form(client, f"/organisations/{world.org_a}/sites/{other.id}/edit",
                        name=organisations.get_site(uow(), ADMIN, world.org_a, world.site_a).name)
    assert answer.status_code == 409
    assert re.search(r'id="name-error">[^<]*already used', answer.text)
    assert table_counts() == before
    assert organisations.get_site(uow(), ADMIN, world.org_a, other.id).name == "Second factory"


def test_markup_in_a_site_name_shows_as_text(client, uow, world) -> None:
    _lead(client, uow, world)
    answer = _site_form(client, f"/organisations/{world.org_a}/sites/new", name="<b>Bold</b> works",
                        country="CN", region="CN-JS", address="<i>x</i>")
    assert answer.status_code == 302
    page = client.get(f"/organisations/{world.org_a}/particulars").text
    assert "&lt;b&gt;Bold&lt;/b&gt; works" in page and "<b>Bold</b>" not in page


def _page() -> Any:
    from neutrality.pagination import Page

    return Page(1, 200)


# --- subjects ----------------------------------------------------------------------------------


def test_an_organisation_subject_over_two_sites(client, uow, world, table_counts) -> None:
    other = organisations.create_site(uow(), ADMIN, world.org_a, site_payload())
    _lead(client, uow, world)
    url = f"/organisations/{world.org_a}/subjects/new"
    page = client.get(url, headers=EN).text
    assert '<label for="site_ids-0">' in page
    answer = client.post(url, data={"csrf_token": csrf(page), "name": "Whole organisation", "kind": "organisation",
                                    "site_id": "0", "site_ids": [str(world.site_a), str(other.id)],
                                    "description": ""})
    assert answer.status_code == 302, answer.text[-1500:]
    subject = next(s for s in organisations.list_subjects(uow(), ADMIN, world.org_a) if s.name == "Whole organisation")
    assert sorted(s.id for s in subject.included_sites) == sorted([world.site_a, other.id])


def test_an_organisation_subject_without_sites_is_refused_next_to_the_sites(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    url = f"/organisations/{world.org_a}/subjects/new"
    before = table_counts()
    answer = client.post(url, data={"csrf_token": csrf(client.get(url).text), "name": "Nothing in it",
                                    "kind": "organisation", "site_id": "0"}, headers=EN)
    assert answer.status_code == 422
    assert re.search(r'id="site_ids-error">[^<]*at least one site', answer.text)
    assert table_counts() == before


def test_a_subject_is_renamed_and_markup_in_its_name_shows_as_text(client, uow, world) -> None:
    _lead(client, uow, world)
    url = f"/organisations/{world.org_a}/subjects/{world.subject_a}/edit"
    page = client.get(url, headers=EN).text
    answer = client.post(url, data={"csrf_token": csrf(page), "name": "<script>x</script>工厂", "description": "d"})
    assert answer.status_code == 302, answer.text[-1500:]
    assert organisations.get_subject(uow(), ADMIN, world.org_a, world.subject_a).name == "<script>x</script>工厂"
    shown = client.get(f"/organisations/{world.org_a}/particulars").text
    assert "&lt;script&gt;x&lt;/script&gt;工厂" in shown and "<script>x</script>" not in shown


def test_the_subject_form_in_chinese_labels_every_field(client, uow, world) -> None:
    _lead(client, uow, world)
    page = client.get(f"/organisations/{world.org_a}/subjects/new", headers=HANS).text
    assert '<label for="name">名称</label>' in page
    assert "新的声明主体" in page
    for field in ("kind", "site_id", "description"):
        assert f'<label for="{field}">' in page


# --- commitments -------------------------------------------------------------------------------


def _commitment_form(client: Any, url: str, action: str, headers: dict[str, str] = EN, **values: Any) -> Any:
    page = client.get(url, headers=headers).text
    fields = _fields(page)
    fields.pop("zero_carbon_factory", None)
    return client.post(url, data={**fields, "action": action, **values, "csrf_token": csrf(page)}, headers=headers)


def test_a_commitment_with_periods_changes_its_statement_but_not_its_dates(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    url = f"/organisations/{world.org_a}/commitments/{world.commitment_a}/edit"
    page = client.get(url, headers=EN).text
    assert 'name="baseline_date"' not in page  # frozen: shown, not offered
    answer = _commitment_form(client, url, "save", statement="We commit the Changzhou factory.",
                              neutrality_deadline="2030-12-31", frameworks=["re100"])
    assert answer.status_code == 302, answer.text[-2000:]
    saved = commitments.get_commitment(uow(), ADMIN, world.org_a, world.commitment_a)
    assert (saved.statement, saved.neutrality_deadline, saved.frameworks) == (
        "We commit the Changzhou factory.", dt.date(2030, 12, 31), ["re100"])
    assert saved.baseline_date == dt.date(2024, 1, 1)
    # a crafted date for a frozen commitment is not even read
    before = table_counts()
    crafted = _commitment_form(client, url, "save", baseline_date="2020-01-01")
    assert crafted.status_code == 302
    assert commitments.get_commitment(uow(), ADMIN, world.org_a, world.commitment_a).baseline_date == dt.date(2024, 1, 1)
    assert table_counts()["application_periods"] == before["application_periods"]


def test_a_commitment_without_periods_previews_its_new_dates_before_saving(client, uow, world, table_counts) -> None:
    fresh = commitments.create_commitment(uow(), ADMIN, world.org_a, commitment_payload(world.subject_a))
    _lead(client, uow, world)
    url = f"/organisations/{world.org_a}/commitments/{fresh.id}/edit"
    before = table_counts()
    preview = _commitment_form(client, url, "preview", baseline_date="2025-01-01",
                               first_qualification_date="2026-01-01")
    assert preview.status_code == 200
    # 2025-01-01 to 2026-01-01 makes 2025 the first period, then 12 months each
    assert "<td>Jan 1, 2025</td><td>Dec 31, 2025</td>" in preview.text
    assert "<td>Jan 1, 2027</td><td>Dec 31, 2027</td>" in preview.text
    assert commitments.get_commitment(uow(), ADMIN, world.org_a, fresh.id).baseline_date == dt.date(2024, 1, 1)
    saved = _commitment_form(client, url, "save", baseline_date="2025-01-01", first_qualification_date="2026-01-01")
    assert saved.status_code == 302
    assert commitments.get_commitment(uow(), ADMIN, world.org_a, fresh.id).baseline_date == dt.date(2025, 1, 1)
    assert table_counts()["application_periods"] == before["application_periods"]  # editing makes no period


def test_a_qualification_before_the_baseline_is_refused_next_to_it(client, uow, world, table_counts) -> None:
    fresh = commitments.create_commitment(uow(), ADMIN, world.org_a, commitment_payload(world.subject_a))
    _lead(client, uow, world)
    before = table_counts()
    answer = _commitment_form(client, f"/organisations/{world.org_a}/commitments/{fresh.id}/edit", "save",
                              baseline_date="2025-01-01", first_qualification_date="2024-06-01")
    assert answer.status_code == 422
    assert re.search(r'id="first_qualification_date-error">[^<]*must come after the baseline', answer.text)
    assert table_counts() == before
    assert commitments.get_commitment(uow(), ADMIN, world.org_a, fresh.id).baseline_date == dt.date(2024, 1, 1)


def test_a_viewer_cannot_edit_a_commitment(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    url = f"/organisations/{world.org_a}/commitments/{world.commitment_a}/edit"
    token = csrf(client.get(f"/organisations/{world.org_a}/particulars").text)
    before = table_counts()
    assert client.get(url).status_code == 403
    answer = client.post(url, data={"csrf_token": token, "standard": "iso_14068_1_2023", "statement": "Mine now",
                                    "action": "save"})
    assert answer.status_code == 403
    assert table_counts() == before
    assert commitments.get_commitment(uow(), ADMIN, world.org_a, world.commitment_a).statement != "Mine now"


def test_the_dashboard_leads_the_lead_to_the_forms_and_the_viewer_to_none(client, uow, world) -> None:
    from neutrality.inventory import services as inventory

    draft_period = inventory.get_inventory(uow(), ADMIN, world.org_a, world.inventory_draft).period_id
    _lead(client, uow, world)
    dashboard = client.get(f"/organisations/{world.org_a}", headers=EN).text
    assert f'href="/organisations/{world.org_a}/particulars/edit"' in dashboard
    assert f'href="/organisations/{world.org_a}/factors"' in dashboard
    assert f'href="/organisations/{world.org_a}/commitments/{world.commitment_b}/edit"' in dashboard
    period = client.get(f"/organisations/{world.org_a}/periods/{draft_period}", headers=EN).text
    assert f'href="/organisations/{world.org_a}/inventories/{world.inventory_draft}#verification"' in period
    sign_in(client, _member(uow, world, Role.VIEWER))
    dashboard = client.get(f"/organisations/{world.org_a}", headers=EN).text
    assert "/edit" not in dashboard and "/factors" not in dashboard
    period = client.get(f"/organisations/{world.org_a}/periods/{draft_period}", headers=EN).text
    assert "#verification" not in period


def test_a_refusal_of_the_use_case_is_said_in_traditional_chinese(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _site_form(client, f"/organisations/{world.org_a}/sites/new", {"Accept-Language": "zh-TW"},
                        name="高雄廠", country="CN", region="US-CA", address="x")
    assert answer.status_code == 422
    assert re.search(r'id="region-error">「US-CA」不是 CN 的行政區劃', answer.text)
    assert '<label for="grid_region">電網區域（留空：依省份決定）</label>' in answer.text
    assert table_counts() == before


def test_a_contact_address_is_checked_as_the_api_checks_it(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    refused = _particulars(client, world, contact_email="not an address")
    assert refused.status_code == 422
    assert '<span class="field-error" id="contact_email-error">An e-mail address, such as name@example.com.</span>' \
        in refused.text
    assert table_counts() == before
    assert _particulars(client, world, contact_email="esg@suhui.example.cn").status_code == 302
    assert organisations.get_organisation(uow(), ADMIN, world.org_a).contact_email == "esg@suhui.example.cn"


# --- the consolidation approach and a subject's boundary ---------------------------------------


def _consolidation(client: Any, world: World, **fields: str) -> Any:
    url = f"/organisations/{world.org_a}/consolidation-approach"
    token = csrf(client.get(url, headers=EN).text)
    return client.post(url, data={"csrf_token": token, "approach": "financial_control",
                                  "justification": "The group's finance controls every site.",
                                  "effective_from": TOMORROW.isoformat(), "reason": "Acquired by a holding", **fields},
                       headers=EN)


def test_the_consolidation_approach_changes_from_a_date_with_a_reason(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _consolidation(client, world)
    assert answer.status_code == 302, answer.text[-1500:]
    assert organisations.get_organisation(uow(), ADMIN, world.org_a).consolidation_approach == "financial_control"
    history = organisations.list_consolidation_history(uow(), ADMIN, world.org_a)
    assert [(h.approach, h.effective_from) for h in history][-1] == ("financial_control", TOMORROW)
    assert table_counts()["consolidation_approach_changes"] == before["consolidation_approach_changes"] + 1


def test_the_same_approach_again_is_refused_next_to_it(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _consolidation(client, world, approach="operational_control")
    assert answer.status_code == 409
    assert re.search(r'id="approach-error">the organisation already uses the operational_control approach', answer.text)
    assert table_counts() == before


def test_a_change_dated_before_the_current_approach_is_refused_next_to_its_date(
        client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _consolidation(client, world, effective_from="2000-01-01")
    assert answer.status_code == 422
    assert re.search(r'id="effective_from-error">a change must take effect after the current approach did', answer.text)
    assert table_counts() == before


def _exclusion(client: Any, world: World, **fields: str) -> Any:
    url = f"/organisations/{world.org_a}/subjects/{world.subject_a}/edit"
    page = client.get(url, headers=EN).text
    return client.post(f"/organisations/{world.org_a}/subjects/{world.subject_a}/exclusions", headers=EN, data={
        "exclusion-csrf_token": csrf(page), "exclusion-item": "Staff canteen LPG", "exclusion-reason": "immaterial",
        "exclusion-estimated_share_percent": "0.3", **fields})


def test_an_item_is_left_out_of_the_boundary_and_brought_back(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _exclusion(client, world)
    assert answer.status_code == 302, answer.text[-1500:]
    subject = organisations.get_subject(uow(), ADMIN, world.org_a, world.subject_a)
    [added] = [e for e in subject.exclusions if e.item == "Staff canteen LPG"]
    assert added.estimated_share_percent == Decimal("0.3")
    page = client.get(f"/organisations/{world.org_a}/subjects/{world.subject_a}/edit", headers=EN).text
    assert "Staff canteen LPG" in page
    removed = client.post(f"/organisations/{world.org_a}/subjects/{world.subject_a}/exclusions/{added.id}/remove",
                          data={"csrf_token": csrf(page)})
    assert removed.status_code == 302
    # the item is back in the boundary; the audit log keeps both changes
    assert {**table_counts(), "audit_entries": 0} == {**before, "audit_entries": 0}
    assert table_counts()["audit_entries"] == before["audit_entries"] + 2


def test_a_share_over_100_per_cent_is_refused_next_to_it(client, uow, world, table_counts) -> None:
    _lead(client, uow, world)
    before = table_counts()
    answer = _exclusion(client, world, **{"exclusion-estimated_share_percent": "150"})
    assert answer.status_code == 422
    assert re.search(r'<span class="field-error" id="exclusion-estimated_share_percent-error">', answer.text)
    assert table_counts() == before


def test_a_viewer_cannot_change_the_approach_nor_the_boundary(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    token = csrf(client.get(f"/organisations/{world.org_a}/particulars").text)
    before = table_counts()
    assert client.post(f"/organisations/{world.org_a}/consolidation-approach", data={
        "csrf_token": token, "approach": "financial_control", "justification": "x", "effective_from": "2026-01-01",
        "reason": "x"}).status_code == 403
    assert client.post(f"/organisations/{world.org_a}/subjects/{world.subject_a}/exclusions", data={
        "exclusion-csrf_token": token, "exclusion-item": "x", "exclusion-reason": "x",
        "exclusion-estimated_share_percent": "1"}).status_code == 403
    assert client.post(f"/organisations/{world.org_a}/subjects/{world.subject_a}/exclusions/{world.exclusion_a}/remove",
                       data={"csrf_token": token}).status_code == 403
    assert table_counts() == before


def test_a_site_of_another_organisation_or_beyond_any_id_is_not_a_choice(client, uow, world, table_counts) -> None:
    elsewhere = organisations.create_site(uow(), ADMIN, world.org_b, site_payload())
    _lead(client, uow, world)
    url = f"/organisations/{world.org_a}/subjects/new"
    before = table_counts()
    for crafted in (str(elsewhere.id), str(2**70)):
        answer = client.post(url, data={"csrf_token": csrf(client.get(url).text), "name": "Crafted",
                                        "kind": "organisation", "site_id": "0", "site_ids": [crafted]}, headers=EN)
        assert answer.status_code == 422
        assert re.search(r'<span class="field-error" id="site_ids-error">', answer.text)
    assert table_counts() == before
