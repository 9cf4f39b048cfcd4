"""Public declarations, read by someone who is not signed in: the page of a period in three
languages, its JSON, the stored PDFs, an organisation's index, checking a PDF (page, lookup and
``neutrality statement verify``), and what the public must not see.

The demo's Yancheng 2024 period is issued and published here (fixtures in conftest.py), with a
small stand-in PDF per language, distinct per version: each test issues in milliseconds and the
hashes are still real.
"""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from neutrality.inventory.tables import ActivityRecord, Inventory
from neutrality.organisations.tables import Organisation
from neutrality.statements.checking import compare
from neutrality.statements.snapshot import snapshot_sha256
from tests.declaring import CN, ISO, documents, issue, publish, withdraw


def test_the_period_page_shows_the_claim_balance_verification_retirements_and_pdfs(app, db, client, published) -> None:
    organisation_id, period_id, version = published
    snapshot = version.snapshot
    page = client.get(f"/declarations/{organisation_id}/{period_id}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # the frame carries nothing of the reader: no session cookie is set, no token is written
    assert "Set-Cookie" not in page.headers and "csrf_token" not in html
    assert "claims carbon neutrality of" in html and "ISO 14068-1:2023" in html
    # the balance as the snapshot froze it: residual − credits counted, shown to 3 places
    residual = Decimal(snapshot["balance"]["residual_tco2e"])
    counted = Decimal(snapshot["balance"]["credits_counted_tco2e"])
    assert f"{residual - counted:,.3f}".replace("-", "") in html
    # the verifier's opinion, every retirement's registry reference and evidence hash
    assert snapshot["validation"]["body"] in html
    for r in snapshot["retirements"]:
        assert r["reference"] in html
        assert r["evidence_sha256"] is None or r["evidence_sha256"] in html
    # every PDF with its SHA-256 and the snapshot's
    for sha256 in documents(db, version.id).values():
        assert sha256 in html
    assert version.snapshot_sha256 in html


@pytest.mark.parametrize(("lang", "accept", "words"), [
    ("zh_Hans", None, "碳中和"), ("zh_Hant", None, "碳中和"), (None, "zh-TW", "聲明"), (None, "zh-CN", "声明"),
])
def test_the_page_reads_in_the_language_asked_for(client, published, lang, accept, words) -> None:
    organisation_id, period_id, _ = published
    query = f"?lang={lang}" if lang else ""
    headers = {"Accept-Language": accept} if accept else {}
    html = client.get(f"/declarations/{organisation_id}/{period_id}{query}", headers=headers).get_data(as_text=True)
    assert words in html
    expected = (lang or {"zh-TW": "zh_Hant", "zh-CN": "zh_Hans"}[accept]).replace("_", "-")
    assert f'<html lang="{expected}">' in html


def test_the_json_says_what_the_page_says_and_its_snapshot_hashes_to_the_stated_sha256(client, published) -> None:
    organisation_id, period_id, version = published
    record = client.get(f"/declarations/{organisation_id}/{period_id}.json")
    assert record.status_code == 200 and record.headers["Access-Control-Allow-Origin"] == "*"
    body = record.get_json()
    (declaration,) = body["declarations"]
    (shown,) = declaration["versions"]
    assert (declaration["kind"], shown["version"], shown["status"]) == (ISO, 1, "published")
    # Yancheng's verification was confirmed by the demo's appointed verifier
    assert shown["verification"]["state"] == "confirmed"
    # the snapshot as served hashes to the SHA-256 printed in the PDF's footer
    assert snapshot_sha256(shown["snapshot"]) == shown["snapshot_sha256"] == version.snapshot_sha256
    # figures are exact strings, and agree with the snapshot
    assert shown["balance"]["net_tco2e"] == str(Decimal(version.snapshot["balance"]["residual_tco2e"])
                                                - Decimal(version.snapshot["balance"]["credits_counted_tco2e"]))
    # each PDF's address serves the bytes whose SHA-256 is listed
    for document in shown["documents"]:
        pdf = client.get(document["url"].removeprefix("http://localhost"))
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert hashlib.sha256(pdf.data).hexdigest() == document["sha256"]
        assert len(pdf.data) == document["size"]
    page = client.get(f"/declarations/{organisation_id}/{period_id}").get_data(as_text=True)
    assert shown["wording"]["en"] in page.replace("&#34;", '"').replace("&#39;", "'")


def test_unpublished_periods_and_versions_are_invisible(app, db, client, declarations_demo) -> None:
    organisation_id, changzhou_2024 = declarations_demo[2]
    issued = issue(app, db, organisation_id, changzhou_2024, CN)  # issued, never published
    sha256 = documents(db, issued.id)["en"]
    for path in (f"/declarations/{organisation_id}/{changzhou_2024}",
                 f"/declarations/{organisation_id}/{changzhou_2024}.json",
                 f"/declarations/{organisation_id}/{changzhou_2024}/statements/{issued.id}/en.pdf",
                 f"/declarations/{organisation_id}", f"/declarations/{organisation_id}.json"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/declarations/documents/{sha256}.json").get_json() == {"sha256": sha256, "found": False}
    # withdrawn before it was ever published: still invisible
    withdraw(app, db, organisation_id, issued.id, "issued by mistake")
    assert client.get(f"/declarations/{organisation_id}/{changzhou_2024}").status_code == 404


def test_a_published_version_of_another_period_is_not_served_under_this_one(client, published, declarations_demo) -> None:
    organisation_id, period_id, version = published
    other_period = declarations_demo[1][1]
    assert client.get(f"/declarations/{organisation_id}/{other_period}/statements/{version.id}/en.pdf").status_code == 404
    assert client.get(f"/declarations/{organisation_id + 1000}/{period_id}").status_code == 404
    assert client.get(f"/declarations/{organisation_id}/{period_id}/statements/{version.id}/fr.pdf").status_code == 404


def test_a_withdrawn_declaration_says_so_with_its_reason_and_keeps_its_history(app, db, client, published) -> None:
    organisation_id, period_id, version = published
    first = client.get(f"/declarations/{organisation_id}/{period_id}?lang=en")
    assert "This declaration was withdrawn" not in first.get_data(as_text=True)
    withdraw(app, db, organisation_id, version.id, "Credits of project X found double-issued <b>")
    page = client.get(f"/declarations/{organisation_id}/{period_id}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # the page rendered before the withdrawal is not served again: the state changed
    assert page.headers["ETag"] != first.headers["ETag"]
    assert "This declaration was withdrawn on" in html
    assert "Credits of project X found double-issued &lt;b&gt;" in html  # the reason, as text
    # its PDFs stay downloadable and listed, as history
    assert all(sha256 in html for sha256 in documents(db, version.id).values())
    shown = client.get(f"/declarations/{organisation_id}/{period_id}.json").get_json()["declarations"][0]["versions"][0]
    assert (shown["status"], shown["withdrawal_reason"]) == ("withdrawn", "Credits of project X found double-issued <b>")
    zh = client.get(f"/declarations/{organisation_id}/{period_id}?lang=zh_Hans").get_data(as_text=True)
    assert "撤回" in zh


def test_a_later_version_leads_and_the_earlier_one_is_history(app, db, client, published) -> None:
    organisation_id, period_id, first = published
    with db() as session:  # the data change: every activity of the period's inventory ×1.5
        for record in session.scalars(select(ActivityRecord).join(Inventory, Inventory.id == ActivityRecord.inventory_id)
                                      .where(Inventory.period_id == period_id)):
            record.quantity = record.quantity * Decimal("1.5")
        session.commit()
    second = issue(app, db, organisation_id, period_id, changes="Activity data corrected")
    publish(app, db, organisation_id, second.id)
    record = client.get(f"/declarations/{organisation_id}/{period_id}.json").get_json()
    shown = record["declarations"][0]["versions"]
    assert [(v["version"], v["status"], v["superseded_by_version"]) for v in shown] == [
        (2, "published", None), (1, "superseded", 2)]
    html = client.get(f"/declarations/{organisation_id}/{period_id}?lang=en").get_data(as_text=True)
    assert "version 2 · Published" in html and "Activity data corrected" in html and "by version 2" in html
    # an old PDF is genuine but no longer in force
    old = documents(db, first.id)["zh_Hant"]
    verdict = compare(old, record)
    assert (verdict.version, verdict.locale, verdict.status, verdict.superseded_by_version) == (1, "zh_Hant", "superseded", 2)
    assert int(verdict.outcome) == 3


def test_a_stored_pdf_changed_afterwards_is_not_served(client, published, forge_statement_pdf) -> None:
    organisation_id, period_id, version = published
    forge_statement_pdf(version.id, "en", b"%PDF forged")
    refused = client.get(f"/declarations/{organisation_id}/{period_id}/statements/{version.id}/en.pdf")
    assert refused.status_code == 409 and b"%PDF" not in refused.data
    assert hashlib.sha256(b"%PDF forged").hexdigest() in refused.get_data(as_text=True)


def test_an_organisation_name_with_markup_is_shown_as_text(app, db, client, declarations_demo) -> None:
    organisation_id, period_id = declarations_demo[0]
    with db() as session:
        session.execute(update(Organisation).where(Organisation.id == organisation_id)
                        .values(name='<script>alert("x")</script>', legal_name="<img src=x onerror=alert(1)>"))
        session.commit()
    version = issue(app, db, organisation_id, period_id)
    publish(app, db, organisation_id, version.id)
    for path in (f"/declarations/{organisation_id}/{period_id}", f"/declarations/{organisation_id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html or "&lt;img src=x" in html


def test_the_index_lists_the_published_declarations_latest_period_first(app, db, client, declarations_demo) -> None:
    organisation_id, y2024 = declarations_demo[0]
    y2025 = declarations_demo[1][1]
    one = issue(app, db, organisation_id, y2024, CN)
    publish(app, db, organisation_id, one.id)
    two = issue(app, db, organisation_id, y2025, ISO)
    publish(app, db, organisation_id, two.id)
    withdraw(app, db, organisation_id, two.id, "restated")
    listed = client.get(f"/declarations/{organisation_id}.json").get_json()["periods"]
    assert [(p["period_id"], p["declarations"][0]["status"]) for p in listed] == [(y2025, "withdrawn"), (y2024, "published")]
    html = client.get(f"/declarations/{organisation_id}?lang=zh_Hans").get_data(as_text=True)
    assert html.index(f"/declarations/{organisation_id}/{y2025}") < html.index(f"/declarations/{organisation_id}/{y2024}")
    assert "restated" in html


def test_an_unchanged_page_is_answered_304(client, published) -> None:
    organisation_id, period_id, _ = published
    first = client.get(f"/declarations/{organisation_id}/{period_id}?lang=en")
    again = client.get(f"/declarations/{organisation_id}/{period_id}?lang=en",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # another language is another page
    other = client.get(f"/declarations/{organisation_id}/{period_id}?lang=zh_Hant",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


# --- checking a PDF -------------------------------------------------------------------------------


def _csrf(client: Any) -> str:
    html = client.get("/declarations/check").get_data(as_text=True)
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_the_check_page_finds_a_genuine_pdf_and_refuses_a_changed_one(app, db, client, published) -> None:
    organisation_id, period_id, version = published
    pdf = client.get(f"/declarations/{organisation_id}/{period_id}/statements/{version.id}/zh_Hans.pdf").data
    token = _csrf(client)
    found = client.post("/declarations/check?lang=en", data={
        "csrf_token": token, "document": (io.BytesIO(pdf), "statement.pdf")}, content_type="multipart/form-data")
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and hashlib.sha256(pdf).hexdigest() in html
    assert "This PDF is genuine: it is version 1 of a published statement, in 简体中文." in html
    assert "It is the declaration in force." in html
    changed = client.post("/declarations/check", data={
        "csrf_token": token, "document": (io.BytesIO(pdf + b"\n"), "statement.pdf")}, content_type="multipart/form-data")
    assert "This PDF is not in the public record" in changed.get_data(as_text=True)
    # without the form's token nothing is checked
    bare = client.post("/declarations/check", data={"document": (io.BytesIO(pdf), "s.pdf")},
                       content_type="multipart/form-data")
    assert bare.status_code == 400


def test_the_lookup_by_fingerprint_answers_json(client, published, db) -> None:
    organisation_id, period_id, version = published
    sha256 = documents(db, version.id)["zh_Hant"]
    found = client.get(f"/declarations/documents/{sha256.upper()}.json").get_json()
    assert found["found"] is True and (found["version"], found["locale"], found["status"]) == (1, "zh_Hant", "published")
    assert found["url"].endswith(f"/declarations/{organisation_id}/{period_id}")
    for wrong in ("abc", "g" * 64, "0" * 63):
        answer = client.get(f"/declarations/documents/{wrong}.json")
        assert answer.status_code == 404 and answer.is_json


def test_statement_verify_checks_a_file_against_the_public_record(app, client, published, db, tmp_path, monkeypatch) -> None:
    organisation_id, period_id, version = published
    from neutrality.statements import checking

    def served(url: str) -> dict[str, Any]:  # the record as this application serves it
        path = checking.record_url(url).split("localhost", 1)[1]
        answer = client.get(path)
        if answer.status_code != 200:
            raise checking.RecordUnreadable(f"{path} answered {answer.status_code}")
        return json.loads(answer.data)

    monkeypatch.setattr(checking, "fetch_record", served)
    url = f"http://localhost/declarations/{organisation_id}/{period_id}"
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(client.get(f"/declarations/{organisation_id}/{period_id}/statements/{version.id}/en.pdf").data)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["statement", "verify", str(genuine), url])
    assert ok.exit_code == 0, ok.output
    assert f"FOUND: {ISO} version 1, in en" in ok.output and version.snapshot_sha256 in ok.output
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(genuine.read_bytes().replace(b"stand-in", b"stand_in"))
    refused = runner.invoke(args=["statement", "verify", str(forged), url + "/"])
    assert refused.exit_code == 1 and "NOT FOUND" in refused.output
    withdraw(app, db, organisation_id, version.id, "superseded by a restatement")
    withdrawn = runner.invoke(args=["statement", "verify", str(genuine), url + ".json"])
    assert withdrawn.exit_code == 3 and "WITHDRAWN: superseded by a restatement" in withdrawn.output
    nowhere = runner.invoke(args=["statement", "verify", str(genuine), f"http://localhost/declarations/{organisation_id}/999999"])
    assert nowhere.exit_code == 1 and "not checked" in nowhere.output
    # a file that is not there is the command's own refusal (2), unlike any verdict
    missing = runner.invoke(args=["statement", "verify", str(tmp_path / "none.pdf"), url])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_the_balance_chart_is_served_for_a_published_version_only(app, db, client, published, declarations_demo) -> None:
    organisation_id, period_id, version = published
    chart = client.get(f"/declarations/{organisation_id}/{period_id}/statements/{version.id}/balance.svg?lang=zh_Hans")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<svg" in chart.data
    changzhou_2024 = declarations_demo[2][1]
    unpublished = issue(app, db, organisation_id, changzhou_2024, CN)
    for path in (f"/declarations/{organisation_id}/{changzhou_2024}/statements/{unpublished.id}/balance.svg",
                 f"/declarations/{organisation_id}/{changzhou_2024}/statements/{version.id}/balance.svg"):
        assert client.get(path).status_code == 404, path


def test_a_pdf_larger_than_the_request_limit_is_refused_unread(app, client, published, table_counts, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    token = _csrf(client)
    before = table_counts()
    refused = client.post("/declarations/check", data={
        "csrf_token": token, "document": (io.BytesIO(b"%PDF" + b"0" * 8192), "big.pdf")},
        content_type="multipart/form-data")
    assert refused.status_code == 413
    assert table_counts() == before
