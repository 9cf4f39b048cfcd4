"""The guided import of an activity file in the browser: upload → preview (every row error, or
each row's tCO2e) → confirm; the report of the inventory; undo an import.

The world (tests/factories.py): inventory_draft is commitment B's 2025 inventory, a draft with
one electricity record at site_a; a lead may import into it, a viewer may not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.web.inventory_pages import PENDING_KEY
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

DIESEL = "cnguide2015:gas_diesel_oil:combustion"
IPCC_DIESEL = "ipcc2006:gas_diesel_oil:stationary"  # CO2, CH4 and N2O
HEADER = "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key"


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _page(world: World) -> str:
    return f"/organisations/{world.org_a}/inventories/{world.inventory_draft}"


def _upload(client: Any, world: World, rows: list[str], name: str = "diesel.csv") -> Any:
    token = csrf(client.get(f"{_page(world)}/import").text)
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    return client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "overlap": "refuse", "csrf_token": token})


def _confirm(client: Any, world: World) -> Any:
    token = csrf(client.get(_page(world)).text)
    return client.post(f"{_page(world)}/import/confirm", data={"csrf_token": token})


def _pending(app: Flask) -> list[Path]:
    return sorted((Path(app.instance_path) / "pending-imports").glob("*.upload"))


def test_a_file_with_errors_is_refused_row_by_row_and_nothing_is_stored(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,200,L,2025-01-01,2025-01-31,{DIESEL}",
                                     f"{world.site_a},Diesel,1,stationary_combustion,fuel,-3,L,2025-02-01,2025-02-28,{DIESEL}"])
    assert answer.status_code == 422
    # row 3 of the file (the header is row 1) has a negative quantity
    assert '<td class="num">3</td><td>quantity</td><td>&#39;-3&#39; is negative</td>' in answer.text
    assert table_counts() == before


def test_a_preview_shows_each_rows_tco2e_and_the_confirmation_stores_exactly_that_file(
        app, client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before, waiting_before = table_counts(), set(_pending(app))
    answer = _upload(client, world, [f"{world.site_a},Diesel generator,1,stationary_combustion,fuel,1000,L,2025-01-01,2025-01-31,{DIESEL}"])
    assert answer.status_code == 200, answer.text[-2000:]
    assert "Preview of diesel.csv" in answer.text and "Diesel generator" in answer.text
    # one row: its tCO2e is what the file adds in all (exact values in the titles)
    exact = re.findall(r'class="figure" title="([0-9.]+)"', answer.text)
    total, row = exact[0], exact[-1]
    assert Decimal(total) == Decimal(row) > 0
    assert table_counts() == before  # a preview stores nothing
    [waiting] = set(_pending(app)) - waiting_before
    stored = _confirm(client, world)
    assert (stored.status_code, stored.headers["Location"]) == (302, f"{_page(world)}#imports")
    assert table_counts()["activity_records"] == before["activity_records"] + 1
    assert not waiting.exists()
    page = client.get(_page(world)).text
    assert "diesel.csv" in page and "Undo this import" in page
    # confirming again imports nothing more: the waiting file is gone with its confirmation
    _confirm(client, world)
    assert table_counts()["activity_records"] == before["activity_records"] + 1


def test_an_import_is_undone_from_the_inventory_page(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,10,L,2025-03-01,2025-03-31,{DIESEL}"])
    _confirm(client, world)
    imports = client.get(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports").get_json()
    newest = max(imports["items"], key=lambda i: i["id"])["id"]
    token = csrf(client.get(_page(world)).text)
    undone = client.post(f"{_page(world)}/imports/{newest}/undo", data={"csrf_token": token})
    assert undone.status_code == 302
    assert table_counts()["activity_records"] == before["activity_records"]


def test_a_viewer_may_read_the_inventory_but_not_import(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(_page(world)).status_code == 200
    before = table_counts()
    answer = _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,10,L,2025-03-01,2025-03-31,{DIESEL}"])
    assert answer.status_code == 403
    assert table_counts() == before


def test_the_import_page_in_chinese_labels_every_field(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    page = client.get(f"{_page(world)}/import", headers={"Accept-Language": "zh-CN"}).text
    assert '<label for="file">' in page and '<label for="overlap">' in page


def test_a_confirmation_without_a_preview_stores_nothing(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _confirm(client, world)
    assert answer.headers["Location"] == f"{_page(world)}/import"
    assert table_counts() == before


def test_a_preview_of_one_inventory_cannot_be_confirmed_into_another(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,10,L,2025-03-01,2025-03-31,{DIESEL}"])
    with client.session_transaction() as session:
        assert session[PENDING_KEY]["inventory_id"] == world.inventory_draft
    before = table_counts()
    other = f"/organisations/{world.org_a}/inventories/{world.inventory_verified}/import/confirm"
    token = csrf(client.get(_page(world)).text)
    assert client.post(other, data={"csrf_token": token}).status_code == 302
    assert table_counts() == before


def test_an_upload_without_a_file_is_refused_next_to_its_field(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    token = csrf(client.get(f"{_page(world)}/import").text)
    answer = client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                         data={"csrf_token": token, "overlap": "refuse"})
    assert answer.status_code == 422
    assert '<span class="field-error">Choose the file to import.</span>' in answer.text
    assert table_counts() == before


# --- a ledger of its own layout: its columns mapped on the page ---------------------------------

#: A German plant's diesel ledger: five columns nobody named as we do, two that we know.
OWN_HEADER = "Werk,Quelle,Menge,Von,Bis,scope1_subtype,factor_key"


def _own_ledger(client: Any, world: World, quantity: str, month: str, name: str) -> Any:
    token = csrf(client.get(f"{_page(world)}/import").text)
    data = (f"{OWN_HEADER}\n{world.site_a},Notstromaggregat,{quantity},2025-{month}-01,2025-{month}-28,"
            f"stationary_combustion,{DIESEL}\n").encode()
    return client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "overlap": "refuse", "csrf_token": token})


def _map(client: Any, world: World, **choices: str) -> Any:
    token = csrf(client.get(_page(world)).text)
    return client.post(f"{_page(world)}/import/mapping", data={"csrf_token": token, **choices})


MAPPED = {"column-0": "site", "column-1": "source", "column-2": "quantity", "column-3": "start_date",
          "column-4": "end_date", "fixed-scope": "1", "fixed-activity_type": "fuel", "fixed-unit": "L"}


def test_a_ledger_of_its_own_layout_is_mapped_on_the_page_and_the_mapping_kept_for_the_next(
        client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    refused = _own_ledger(client, world, "1000", "04", "werk-april.csv")
    assert refused.status_code == 422
    # the columns are asked for, each with its header as the label of its choice; the known
    # ones already chosen, the unknown ones not
    assert '<details class="panel" id="mapping" open>' in refused.text
    assert '<label for="column-0">Werk</label>' in refused.text
    assert re.search(r'id="column-5".*?<option value="scope1_subtype" selected>', refused.text, re.S)
    assert re.search(r'id="column-0"[^>]*>\s*<option value="" selected>', refused.text)
    assert table_counts() == before

    preview = _map(client, world, **MAPPED)
    assert preview.status_code == 200, preview.text[-1500:]
    assert "Preview of werk-april.csv" in preview.text and "Notstromaggregat" in preview.text
    assert table_counts() == before  # still a preview
    assert _confirm(client, world).status_code == 302
    after = table_counts()
    assert after["activity_records"] == before["activity_records"] + 1
    assert after["column_mappings"] == before["column_mappings"] + 1

    # May's file of the same layout is read with the mapping saved in April: a preview at once
    may = _own_ledger(client, world, "800", "05", "werk-mai.csv")
    assert may.status_code == 200 and "Preview of werk-mai.csv" in may.text
    assert "Read with the column mapping saved for this layout." in may.text


def test_a_field_chosen_for_two_columns_is_refused_with_both_named_and_nothing_stored(
        client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    _own_ledger(client, world, "1000", "06", "werk-juni.csv")
    answer = _map(client, world, **{**MAPPED, "column-1": "quantity"})
    assert answer.status_code == 422
    assert "&#39;Quelle&#39; and &#39;Menge&#39; both map to &#39;quantity&#39;" in answer.text or \
        "&#39;Menge&#39; and &#39;Quelle&#39; both map to &#39;quantity&#39;" in answer.text
    # the choices made are shown again, to be corrected rather than made again
    assert re.search(r'id="column-1".*?<option value="quantity" selected>', answer.text, re.S)
    assert table_counts() == before
    # and the refused file cannot be confirmed as it is
    assert _confirm(client, world).status_code == 302
    assert table_counts() == before


def test_the_mapping_step_is_in_chinese_for_a_chinese_reader(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    token = csrf(client.get(f"{_page(world)}/import").text)
    data = f"{OWN_HEADER}\n{world.site_a},X,1,2025-07-01,2025-07-28,stationary_combustion,{DIESEL}\n".encode()
    page = client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                       headers={"Accept-Language": "zh-CN"},
                       data={"file": (io.BytesIO(data), "w.csv"), "overlap": "refuse", "csrf_token": token}).text
    assert "忽略此列" in page and "每一行相同的值" in page
# --- the calculation trail of a figure ---------------------------------------------------------


def _trail(client: Any, world: World, inventory_id: int, **query: str) -> Any:
    url = f"/organisations/{world.org_a}/inventories/{inventory_id}/trail"
    return client.get(url, query_string=query, headers={"Accept-Language": "en"})


def _exact(html: str, heading: str) -> Decimal:
    """The exact value of the figure in the row headed ``heading`` of the trail's summary."""
    found = re.search(rf'<th scope="row">{heading}</th><td class="num"><span class="figure" title="([-0-9.]+)"', html)
    assert found is not None, heading
    return Decimal(found.group(1))


def test_each_figure_of_the_report_links_to_its_calculation_trail(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))  # reading the trail is reading the report
    page = client.get(_page(world)).text
    trail = f"{_page(world)}/trail?figure="
    for link in ("scope&amp;key=1&amp;basis=location", "scope&amp;key=2&amp;basis=market",
                 "total&amp;basis=location", f"site&amp;key={world.site_a}&amp;basis=market",
                 "gas&amp;key=CO2&amp;basis=location"):
        assert f'href="{trail}{link}"' in page, link


def test_the_trail_of_scope_2_goes_down_to_the_record_and_its_grid_factor(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    answer = _trail(client, world, world.inventory_draft, figure="scope", key="2", basis="location")
    assert answer.status_code == 200
    # the draft's one record: 1,200 MWh in 2025 at a site in Jiangsu, on the East China grid,
    # whose 2023 factor (the latest published) is 0.5500 tCO2/MWh: 1200 × 0.55 = 660 tCO2e
    assert "mee:grid:CN-EAST:2023" in answer.text and "CO2 0.5500 t/MWh" in answer.text
    assert "MEE/NBS" in answer.text  # the factor's source
    assert "CO2: 1200 MWh × 0.5500 t/MWh = 660 t × GWP 1 (AR6) = 660 tCO2e" in answer.text
    assert _exact(answer.text, "The figure in the report") == _exact(answer.text, "Its records added up") == 660
    # market-based, with no certificate applied, the residual mix (national, excluding market-
    # traded non-fossil electricity, 0.6096 t/MWh): 1200 × 0.6096 = 731.52 tCO2e
    market = _trail(client, world, world.inventory_draft, figure="scope", key="2", basis="market")
    assert _exact(market.text, "Its records added up") == Decimal("731.52")
    assert "mee:grid_residual:CN:2023" in market.text


def test_a_figure_takes_only_its_own_records_and_they_add_up_to_the_report(client, uow, world) -> None:
    from neutrality.inventory import activities

    activities.add_activities(uow(), ADMIN, world.org_a, world.inventory_draft, [{
        "site_id": world.site_a, "source": "Diesel generator", "scope": 1, "scope1_subtype": "stationary_combustion",
        "activity_type": "fuel", "quantity": Decimal("1000"), "unit": "L", "start_date": dt.date(2025, 1, 1),
        "end_date": dt.date(2025, 1, 31), "factor_key": IPCC_DIESEL}])
    sign_in(client, _member(uow, world, Role.LEAD))
    scope1 = _trail(client, world, world.inventory_draft, figure="scope", key="1", basis="location").text
    assert "Diesel generator" in scope1 and "Grid electricity" not in scope1
    assert IPCC_DIESEL in scope1 and "CH4 3 kg/TJ" in scope1 and "N2O 0.6 kg/TJ" in scope1
    # 1000 L × 0.837 t/m3 = 0.837 t × 43.0 GJ/t = 35.991 GJ = 0.035991 TJ; per TJ the factor
    # emits 74,100 kg CO2, 3 kg CH4 and 0.6 kg N2O (GWP AR6 as the library has them: 1, 27.9,
    # 273): 2.6669331 + 0.000107973 × 27.9 + 0.0000215946 × 273
    # = 2.6669331 + 0.0030124467 + 0.0058953258 = 2.6758408725 tCO2e
    assert _exact(scope1, "Its records added up") == Decimal("2.6758408725")
    # the report sums records per group, the trail one by one: the same figure both ways
    assert _exact(scope1, "The figure in the report") == _exact(scope1, "Its records added up")
    total = _trail(client, world, world.inventory_draft, figure="total", basis="location").text
    assert "Diesel generator" in total and "Grid electricity" in total
    assert _exact(total, "The figure in the report") == _exact(total, "Its records added up")
    # 660 tCO2e of the electricity (above) and the diesel's Scope 1
    assert _exact(total, "Its records added up") == 660 + _exact(scope1, "Its records added up")
    methane = _trail(client, world, world.inventory_draft, figure="gas", key="CH4", basis="location").text
    assert "Diesel generator" in methane and "Grid electricity" not in methane
    assert _exact(methane, "Its records added up") == Decimal("0.0030124467")  # its CH4 only
    assert _exact(methane, "The figure in the report") == _exact(methane, "Its records added up")


def test_a_verified_inventorys_trail_adds_up_to_its_frozen_report(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    answer = _trail(client, world, world.inventory_verified, figure="site", key=str(world.site_a), basis="location")
    assert answer.status_code == 200
    assert "figures frozen at verification" in answer.text
    assert _exact(answer.text, "The figure in the report") == _exact(answer.text, "Its records added up") > 0


def test_a_figure_the_report_does_not_have_is_refused(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    answer = _trail(client, world, world.inventory_draft, figure="scope", key="7", basis="location")
    assert answer.status_code == 422
    assert "no such figure of the inventory report: scope 7" in answer.text
    assert _trail(client, world, world.inventory_draft, figure="scope", key="1", basis="sideways").status_code == 422


def test_an_inventory_made_elsewhere_has_no_records_under_its_figures(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    answer = _trail(client, world, world.inventory_external, figure="total", basis="location")
    assert answer.status_code == 200
    assert "made with another tool" in answer.text


def test_the_trail_in_chinese(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    url = f"/organisations/{world.org_a}/inventories/{world.inventory_draft}/trail"
    page = client.get(url, query_string={"figure": "scope", "key": "2", "basis": "location"},
                      headers={"Accept-Language": "zh-CN"}).text
    assert "计算过程" in page and "报告中的数值" in page


# --- recording the verification ----------------------------------------------------------------


def _verification(client: Any, world: World, headers: dict[str, str] | None = None, **fields: Any) -> Any:
    token = csrf(client.get(_page(world)).text)
    form = {"csrf_token": token, "body": "中环联合认证中心", "accreditation": "CNAS", "standard": "ISO 14064-3:2019",
            "assurance_level": "reasonable", "materiality_percent": "5", "opinion": "Unmodified opinion.",
            "verified_on": "2026-03-01", "statement": (io.BytesIO(b"%PDF-1.4 signed statement"), "核查声明.pdf"),
            **fields}
    return client.post(f"{_page(world)}/verification", content_type="multipart/form-data", data=form,
                       headers=headers or {"Accept-Language": "en"})


def test_the_lead_records_the_verification_and_the_inventory_is_frozen(client, uow, world, table_counts) -> None:
    from neutrality.inventory import services as inventory

    sign_in(client, _member(uow, world, Role.LEAD))
    assert 'action="' + _page(world) + '/verification"' in client.get(_page(world)).text
    before = table_counts()
    answer = _verification(client, world)
    assert answer.status_code == 302, answer.text[-2000:]
    assert answer.headers["Location"].endswith("#verification")
    assert table_counts()["verifications"] == before["verifications"] + 1
    recorded = inventory.get_verification(uow(), ADMIN, world.org_a, world.inventory_draft)
    # the statement is kept as the API keeps it: its name and the SHA-256 of its bytes
    assert recorded.statement_filename == "核查声明.pdf"
    assert recorded.statement_sha256 == hashlib.sha256(b"%PDF-1.4 signed statement").hexdigest()
    assert inventory.get_inventory(uow(), ADMIN, world.org_a, world.inventory_draft).status == "verified"
    page = client.get(_page(world)).text
    assert "中环联合认证中心" in page and 'action="' + _page(world) + '/verification"' not in page


def test_a_verification_dated_in_the_future_is_refused_next_to_its_date(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _verification(client, world, verified_on="2099-01-01")
    assert answer.status_code == 422
    assert re.search(r'id="verified_on-error">[^<]*cannot be in the future', answer.text)
    assert table_counts() == before


def test_a_verification_without_its_statement_is_refused_in_chinese(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _verification(client, world, headers={"Accept-Language": "zh-CN"}, statement=None)
    assert answer.status_code == 422
    assert '<label for="statement">' in answer.text and '<label for="opinion">' in answer.text
    assert re.search(r'id="statement-error">请附上', answer.text)
    assert table_counts() == before


def test_a_viewers_crafted_verification_is_refused(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert f'{_page(world)}/verification"' not in client.get(_page(world)).text
    before = table_counts()
    assert _verification(client, world).status_code == 403
    assert table_counts() == before


def test_markup_in_the_verifiers_opinion_shows_as_text(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    assert _verification(client, world, body="<em>Body</em>", opinion="<script>alert(1)</script>").status_code == 302
    page = client.get(_page(world)).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;em&gt;Body&lt;/em&gt;" in page


def test_a_long_trail_is_shown_a_page_at_a_time_and_still_adds_up_every_record(client, uow, world) -> None:
    from neutrality.inventory import activities

    activities.add_activities(uow(), ADMIN, world.org_a, world.inventory_draft, [{
        "site_id": world.site_a, "source": f"Forklift {n}", "scope": 1, "scope1_subtype": "mobile_combustion",
        "activity_type": "fuel", "quantity": Decimal("10"), "unit": "L", "start_date": dt.date(2025, 2, 1),
        "end_date": dt.date(2025, 2, 28), "factor_key": IPCC_DIESEL} for n in range(1, 61)])
    sign_in(client, _member(uow, world, Role.LEAD))
    first = _trail(client, world, world.inventory_draft, figure="scope", key="1", basis="location").text
    second = _trail(client, world, world.inventory_draft, figure="scope", key="1", basis="location", page="2").text
    # 60 records, 50 a page: 50 then 10, each page stating the figure of all 60
    assert first.count('<tr id="record-') == 50 and second.count('<tr id="record-') == 10
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    # each record: 10 L, a hundredth of the 1,000 L worked out above, 0.026758408725 tCO2e; × 60
    assert _exact(first, "Its records added up") == _exact(second, "Its records added up") == Decimal("1.6055045235")
    assert _exact(first, "The figure in the report") == Decimal("1.6055045235")
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_a_crafted_choice_that_is_no_field_leaves_the_column_unknown(client, uow, world, table_counts) -> None:
    # a value the form never offers ("id", markup) counts as no choice: the column stays unknown
    # and the file is refused as before, nothing stored
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    _own_ledger(client, world, "1000", "08", "werk-august.csv")
    answer = _map(client, world, **{**MAPPED, "column-1": "<b>id</b>"})
    assert answer.status_code == 422
    assert re.search(r'id="column-1"[^>]*>\s*<option value="" selected>', answer.text)
    assert "<b>id</b>" not in answer.text
    assert table_counts() == before
