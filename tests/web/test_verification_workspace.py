"""The verifier's workspace (issue 16, item 5): review comments the lead answers, the appointed
verifier's opinion that confirms a verification the organisation only claimed, evidence
downloads checked against their recorded SHA-256, and the evidence pack of a period.

The world (tests/factories.py): organisation A's ``period_verified`` has a verified inventory
whose verification a site administrator recorded (so: claimed, not confirmed), with the
statement b"%PDF-1.4 statement" (statement.pdf), and ``retirement_a``, 100 VCUs retired with the
evidence b"%PDF certificate" (cert.pdf). ``activity_draft`` is a record of another period's
inventory (the draft 2025 one).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import text

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.verification import services as verification
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

A = "/api/v1/organisations/{w.org_a}"
STATEMENT = b"%PDF-1.4 statement"
CERTIFICATE = b"%PDF certificate"


def _api(w: World, path: str) -> str:
    return A.format(w=w) + path


def _member_of(uow: Any, organisation_id: int, role: Role) -> tuple[str, dict[str, str], int]:
    """A new member: its e-mail (to sign in), its token's header and its user id."""
    user = create_user(uow)
    access.add_member(uow(), ADMIN, organisation_id, email=user.email, role=role)
    _, plain = access.create_token(uow(), access.load_actor(uow(), user.id), name="test")
    return user.email, {"Authorization": f"Bearer {plain}"}, user.id


def _comment(uow: Any, w: World, body: str = "Where is the meter reading of March?") -> int:
    verifier = access.load_actor(uow(), w.users["verifier"])
    import datetime as dt
    return verification.open_comment(uow(), verifier, w.org_a, w.period_verified, body=body,
                                     as_of=dt.date(2026, 12, 5)).id


def _opinion_form(**overrides: Any) -> dict[str, Any]:
    return {"assurance_level": "reasonable", "conclusion": "The inventory is fairly stated.",
            "issued_on": "2025-04-01", "statement": (io.BytesIO(b"%PDF signed opinion"), "opinion.pdf"), **overrides}


# --- who verified ----------------------------------------------------------------------------


def test_a_verification_the_lead_recorded_stays_claimed_until_the_verifier_confirms_it(client, world) -> None:
    shown = client.get(_api(world, f"/inventories/{world.inventory_verified}/verification"),
                       headers=world.headers("lead")).get_json()
    assert (shown["state"], shown["confirmed_by"], shown["confirmed_at"]) == ("claimed", None, None)

    answer = client.post(_api(world, f"/inventories/{world.inventory_verified}/verification/confirmation"),
                         data=_opinion_form(), content_type="multipart/form-data", headers=world.headers("verifier"))
    assert answer.status_code == 200, answer.get_json()
    confirmed = answer.get_json()
    assert confirmed["state"] == "confirmed"
    assert confirmed["confirmed_by"] == world.users["verifier"]
    rows = client.get(_api(world, "/verification-workspace"), headers=world.headers("viewer")).get_json()
    assert {r["period_id"]: r["verification_state"] for r in rows}[world.period_verified] == "confirmed"


def test_the_lead_cannot_confirm_its_own_claim_and_nothing_is_written(client, world, table_counts) -> None:
    before = table_counts()
    answer = client.post(_api(world, f"/inventories/{world.inventory_verified}/verification/confirmation"),
                         data=_opinion_form(), content_type="multipart/form-data", headers=world.headers("lead"))
    assert answer.status_code == 403
    assert answer.get_json()["error"]["details"] == {"role": "lead", "permission": "verify"}
    assert table_counts() == before
    shown = client.get(_api(world, f"/inventories/{world.inventory_verified}/verification"),
                       headers=world.headers("lead")).get_json()
    assert shown["state"] == "claimed"


def test_a_verification_is_confirmed_once(client, world) -> None:
    url = _api(world, f"/inventories/{world.inventory_verified}/verification/confirmation")
    first = client.post(url, data=_opinion_form(), content_type="multipart/form-data", headers=world.headers("verifier"))
    assert first.status_code == 200
    again = client.post(url, data=_opinion_form(), content_type="multipart/form-data", headers=world.headers("verifier"))
    assert again.status_code == 409
    assert again.get_json()["error"]["details"] == {"inventory_id": ["confirmed"]}


# --- review comments -------------------------------------------------------------------------


def test_the_verifier_opens_the_lead_answers_and_the_verifier_closes_keeping_the_thread(client, world) -> None:
    opened = client.post(_api(world, f"/periods/{world.period_verified}/review-comments"), headers=world.headers("verifier"),
                         json={"body": "Why is this retirement not counted?", "retirement_id": world.retirement_a})
    assert opened.status_code == 201, opened.get_json()
    comment = opened.get_json()
    assert (comment["status"], comment["retirement_id"]) == ("open", world.retirement_a)
    cid = comment["id"]

    # the verifier may not answer as the lead: answering needs manage_inventory
    refused = client.post(_api(world, f"/review-comments/{cid}/answers"), headers=world.headers("verifier"),
                          json={"body": "Because I say so."})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"] == {"role": "verifier", "permission": "manage_inventory"}

    answered = client.post(_api(world, f"/review-comments/{cid}/answers"), headers=world.headers("lead"),
                           json={"body": "The registry names another beneficiary; recorded despite the rules."})
    assert answered.status_code == 201
    assert answered.get_json()["status"] == "answered"
    # the lead cannot close it: closing is the verifier's
    assert client.post(_api(world, f"/review-comments/{cid}/closure"), headers=world.headers("lead"),
                       json={}).status_code == 403
    closed = client.post(_api(world, f"/review-comments/{cid}/closure"), headers=world.headers("verifier"),
                         json={"body": "Accepted."})
    assert closed.status_code == 200
    thread = closed.get_json()
    assert thread["status"] == "closed" and thread["closed_by"] == world.users["verifier"]
    # the history: question, answer, last word, in that order and by those roles
    assert [(m["author_role"], m["body"]) for m in thread["messages"]] == [
        ("verifier", "Why is this retirement not counted?"),
        ("lead", "The registry names another beneficiary; recorded despite the rules."),
        ("verifier", "Accepted."),
    ]
    late = client.post(_api(world, f"/review-comments/{cid}/answers"), headers=world.headers("lead"), json={"body": "More."})
    assert late.status_code == 409
    assert late.get_json()["error"]["details"] == {"comment_id": ["closed"]}
    listed = client.get(_api(world, f"/periods/{world.period_verified}/review-comments"),
                        headers=world.headers("viewer")).get_json()
    assert [c["id"] for c in listed] == [cid] and len(listed[0]["messages"]) == 3


@pytest.mark.parametrize(("field", "value"), [
    ("activity_id", None),  # world.activity_draft: a record of the draft 2025 inventory, not this period's
    ("retirement_id", 999_999),
    ("finding", "NO-SUCH-RULE"),
])
def test_a_comment_on_a_record_the_period_does_not_hold_is_refused_with_the_field_named(
        client, world, table_counts, field, value) -> None:
    value = world.activity_draft if value is None else value
    before = table_counts()
    answer = client.post(_api(world, f"/periods/{world.period_verified}/review-comments"),
                         headers=world.headers("verifier"), json={"body": "About this one.", field: value})
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["details"] == {field: ["unknown"]}
    assert table_counts() == before


def test_the_lead_cannot_open_a_comment(client, world, table_counts) -> None:
    before = table_counts()
    answer = client.post(_api(world, f"/periods/{world.period_verified}/review-comments"),
                         headers=world.headers("lead"), json={"body": "Self-review."})
    assert answer.status_code == 403
    assert table_counts() == before


# --- evidence ----------------------------------------------------------------------------------


def _tamper_with_evidence(db: Any, backend: str, retirement_id: int, content: bytes) -> None:
    """Change the stored evidence behind the application's back: the ledger's triggers refuse an
    UPDATE, so they are dropped (SQLite) or disabled (PostgreSQL) inside the test's transaction,
    which rolls the change back with everything else."""
    with db() as session:
        if backend == "sqlite":
            session.execute(text("DROP TRIGGER retirements_no_update"))
        else:
            session.execute(text("ALTER TABLE retirements DISABLE TRIGGER retirements_append_only"))
        session.execute(text("UPDATE retirements SET evidence = :content WHERE id = :id"),
                        {"content": content, "id": retirement_id})
        session.commit()


def test_evidence_downloads_when_it_hashes_to_what_was_recorded(client, world) -> None:
    answer = client.get(_api(world, f"/retirements/{world.retirement_a}/evidence"), headers=world.headers("verifier"))
    assert answer.status_code == 200 and answer.data == CERTIFICATE
    assert answer.headers["X-Content-SHA256"] == hashlib.sha256(CERTIFICATE).hexdigest()


def test_tampered_evidence_is_refused_with_both_hashes(client, world, db, backend) -> None:
    tampered = b"%PDF forged certificate"
    _tamper_with_evidence(db, backend, world.retirement_a, tampered)
    answer = client.get(_api(world, f"/retirements/{world.retirement_a}/evidence"), headers=world.headers("verifier"))
    assert answer.status_code == 409
    error = answer.get_json()["error"]
    # recorded: the hash of the world's bytes; computed: the hash of what is stored now
    assert error["details"] == {"recorded_sha256": hashlib.sha256(CERTIFICATE).hexdigest(),
                                "computed_sha256": hashlib.sha256(tampered).hexdigest()}
    assert "changed after it was recorded" in error["message"]
    pack = client.get(_api(world, f"/periods/{world.period_verified}/evidence-pack.zip"), headers=world.headers("verifier"))
    assert pack.status_code == 409
    assert pack.get_json()["error"]["details"]["computed_sha256"] == hashlib.sha256(tampered).hexdigest()


def test_the_evidence_pack_holds_every_file_with_its_hash_in_the_manifest(client, world) -> None:
    answer = client.get(_api(world, f"/periods/{world.period_verified}/evidence-pack.zip"),
                        headers=world.headers("verifier"))
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    manifest = json.loads(archive.read("manifest.json"))
    listed = {f["name"]: f for f in manifest["files"]}
    evidence_name = f"retirements/{world.retirement_a}-cert.pdf"
    assert set(listed) == {"verification/statement.pdf", evidence_name, "retirements.csv"}
    assert set(archive.namelist()) == set(listed) | {"manifest.json"}
    # the files are the world's bytes, and the manifest's hashes are theirs (computed here from
    # the known bytes, not read back from the pack)
    assert archive.read("verification/statement.pdf") == STATEMENT
    assert archive.read(evidence_name) == CERTIFICATE
    assert listed["verification/statement.pdf"]["sha256"] == hashlib.sha256(STATEMENT).hexdigest()
    assert listed[evidence_name]["sha256"] == hashlib.sha256(CERTIFICATE).hexdigest()
    assert listed[evidence_name]["bytes"] == len(CERTIFICATE) == 16
    for name, entry in listed.items():  # and every file, the CSV included, matches its line
        assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"], name
    [row] = list(csv.DictReader(io.StringIO(archive.read("retirements.csv").decode())))
    # 100 VCUs: 950,000,100 − 950,000,001 + 1
    assert (row["id"], row["quantity"], row["serial_start"], row["serial_end"]) == (
        str(world.retirement_a), "100", "950000001", "950000100")
    assert row["evidence_file"] == evidence_name
    assert manifest["verification_state"] == "claimed"


# --- another organisation's verifier gets nothing -----------------------------------------------


def test_a_verifier_of_another_organisation_gets_nothing(client, uow, world, table_counts) -> None:
    cid = _comment(uow, world)
    email, headers, _ = _member_of(uow, world.org_b, Role.VERIFIER)
    before = table_counts()
    calls = [
        ("GET", "/verification-workspace", None),
        ("GET", f"/periods/{world.period_verified}/review-comments", None),
        ("POST", f"/periods/{world.period_verified}/review-comments", {"body": "Let me in."}),
        ("GET", f"/review-comments/{cid}", None),
        ("POST", f"/review-comments/{cid}/answers", {"body": "x"}),
        ("POST", f"/review-comments/{cid}/replies", {"body": "x"}),
        ("POST", f"/review-comments/{cid}/closure", {}),
        ("GET", f"/periods/{world.period_verified}/evidence-pack.zip", None),
        ("GET", f"/retirements/{world.retirement_a}/evidence", None),
    ]
    for method, path, body in calls:
        answer = client.open(_api(world, path), method=method, json=body, headers=headers)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert answer.get_json()["error"]["code"] == "not_found"
    confirm = client.post(_api(world, f"/inventories/{world.inventory_verified}/verification/confirmation"),
                          data=_opinion_form(), content_type="multipart/form-data", headers=headers)
    assert confirm.status_code == 404
    assert table_counts() == before

    sign_in(client, email)
    token = csrf(client.get("/").text)
    before = table_counts()  # the sign-in's session counted
    org = f"/organisations/{world.org_a}"
    review = f"{org}/periods/{world.period_verified}/review"
    for page in (f"{org}/verification", review):
        assert client.get(page).status_code == 404, page
    for post, fields in ((f"{review}/comments", {"body": "x"}), (f"{review}/comments/{cid}/answer", {"body": "x"}),
                         (f"{review}/comments/{cid}/reply", {"body": "x"}), (f"{review}/comments/{cid}/close", {}),
                         (f"{review}/opinion", _opinion_form())):
        answer = client.post(post, data={"csrf_token": token, **fields}, content_type="multipart/form-data")
        assert answer.status_code == 404, post
    assert table_counts() == before


# --- pages ---------------------------------------------------------------------------------------


def test_the_workspace_lists_the_periods_with_their_state_and_waiting_comments(client, uow, world) -> None:
    _comment(uow, world)
    sign_in(client, access.load_actor(uow(), world.users["verifier"]).label)
    page = client.get(f"/organisations/{world.org_a}/verification", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    row = page.text.split(f'id="period-{world.period_verified}"')[1].split("</tr>")[0]
    assert "claimed, not confirmed" in row
    assert '<td class="num">1</td>' in row  # the one comment waiting
    assert f"/periods/{world.period_verified}/evidence-pack.zip" in row
    assert f"/inventories/{world.inventory_verified}/trail" in page.text


def test_on_the_review_page_the_verifier_comments_and_confirms_and_the_lead_answers(client, uow, world) -> None:
    review = f"/organisations/{world.org_a}/periods/{world.period_verified}/review"
    lead_email, _, _ = _member_of(uow, world.org_a, Role.LEAD)
    verifier_email, _, verifier_id = _member_of(uow, world.org_a, Role.VERIFIER)

    sign_in(client, verifier_email)
    page = client.get(review, headers={"Accept-Language": "en"}).text
    assert f'action="{review}/opinion"' in page and f'action="{review}/comments"' in page
    token = csrf(page)
    opened = client.post(f"{review}/comments", data={"csrf_token": token, "body": "Explain the grid factor.",
                                                     "finding": "", "activity_id": "", "retirement_id": ""})
    assert opened.status_code == 302, opened.text
    unknown = client.post(f"{review}/comments", data={"csrf_token": token, "body": "And this?",
                                                      "retirement_id": "999999"}, headers={"Accept-Language": "en"})
    assert unknown.status_code == 422 and "retirement 999999 is not in the ledger" in unknown.text
    confirmed = client.post(f"{review}/opinion", data={"csrf_token": token, **_opinion_form()},
                            content_type="multipart/form-data")
    assert confirmed.status_code == 302
    [comment] = verification.list_comments(uow(), ADMIN, world.org_a, world.period_verified)
    assert verification.period_review(uow(), ADMIN, world.org_a, world.period_verified).row.verification.confirmed_by == verifier_id

    client.get("/")  # sign out and in as the lead
    client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})
    sign_in(client, lead_email)
    page = client.get(review, headers={"Accept-Language": "en"}).text
    assert f'action="{review}/opinion"' not in page and f'action="{review}/comments"' not in page
    assert f'action="{review}/comments/{comment.id}/answer"' in page
    assert "confirmed" in page
    answered = client.post(f"{review}/comments/{comment.id}/answer",
                           data={"csrf_token": csrf(page), "body": "It is the 2022 national grid factor."})
    assert answered.status_code == 302
    [comment] = verification.list_comments(uow(), ADMIN, world.org_a, world.period_verified)
    assert comment.status == "answered" and [m.author_role for m in comment.messages] == ["verifier", "lead"]
    # the lead's crafted close is refused, nothing changes
    closed = client.post(f"{review}/comments/{comment.id}/close", data={"csrf_token": csrf(page)})
    assert closed.status_code == 403
    [comment] = verification.list_comments(uow(), ADMIN, world.org_a, world.period_verified)
    assert comment.status == "answered"


def test_the_inventory_page_shows_the_lead_s_verification_as_claimed(client, uow, world) -> None:
    lead_email, _, _ = _member_of(uow, world.org_a, Role.LEAD)
    sign_in(client, lead_email)
    page = client.get(f"/organisations/{world.org_a}/inventories/{world.inventory_verified}",
                      headers={"Accept-Language": "en"}).text
    state = page.split('id="verification-state">')[1].split("</td>")[0]
    assert "claimed, not confirmed" in state
    assert f"/periods/{world.period_verified}/review" in state


def test_a_verification_the_appointed_verifier_records_itself_is_confirmed_at_once(client, uow, world) -> None:
    from neutrality.inventory import services as inventory
    from tests.factories import VERIFICATION

    verifier = access.load_actor(uow(), world.users["verifier"])
    recorded = inventory.verify_inventory(uow(), verifier, world.org_a, world.inventory_draft, details=VERIFICATION,
                                          statement=STATEMENT, statement_filename="statement.pdf")
    assert (recorded.state, recorded.confirmed_by) == ("confirmed", world.users["verifier"])
