"""The audit chain checked for one organisation, on the verifier's audit page and in the API.

The log is one hash chain through every organisation's entries (neutrality/audit/chain.py). The
check walks all of it but names only the organisation's own entries. Entries are tampered with
the way someone with database access would: an UPDATE or DELETE in SQL, with the append-only
triggers set aside inside the test's transaction (rolled back at its end).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.organisations import services as organisations
from tests.browser import sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _ids(db: Any, organisation_id: int) -> list[int]:
    with db() as session:
        return list(session.scalars(text(
            "SELECT id FROM audit_entries WHERE organisation_id = :o ORDER BY id"), {"o": organisation_id}))


def _hashes(db: Any, entry_id: int) -> tuple[str, str]:
    with db() as session:
        row = session.execute(text("SELECT previous_hash, entry_hash FROM audit_entries WHERE id = :i"),
                              {"i": entry_id}).one()
        return row.previous_hash, row.entry_hash


def _tamper(db: Any, backend: str, statement: str, entry_id: int) -> None:
    """Run an UPDATE or DELETE on audit_entries past the triggers that refuse it."""
    with db() as session:
        if backend == "postgresql":
            session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
        else:
            session.execute(text("DROP TRIGGER audit_entries_no_update"))
            session.execute(text("DROP TRIGGER audit_entries_no_delete"))
        session.execute(text(statement), {"id": entry_id})
        session.commit()


def _check(client: Any, world: World, organisation_id: int | None = None) -> Any:
    return client.get(f"/organisations/{organisation_id or world.org_a}/audit", query_string={"check": "1"},
                      headers={"Accept-Language": "en"})


def test_an_untouched_log_is_intact_up_to_the_organisations_last_entry(client, uow, world, db) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    ids = _ids(db, world.org_a)  # including the membership just given to the verifier
    page = _check(client, world)
    assert page.status_code == 200
    assert '<span class="badge covered">intact</span>' in page.text
    assert (f"The chain holds up to this organisation's last entry, #{ids[-1]}: "
            f"its {len(ids)} entries are as they were written.") in page.text
    answer = client.get(f"/api/v1/organisations/{world.org_a}/audit/chain", headers=world.headers("lead"))
    assert answer.status_code == 200
    assert answer.json == {"organisation_id": world.org_a, "intact": True, "entries": len(ids),
                           "intact_entries": len(ids), "last_intact_id": ids[-1], "own_break": None,
                           "first_unvouched_id": None, "breaks_later": False}


def test_the_page_checks_the_chain_only_when_asked(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    page = client.get(f"/organisations/{world.org_a}/audit", headers={"Accept-Language": "en"}).text
    assert "Check the hash chain" in page and "badge covered" not in page


def test_an_entry_altered_in_sql_is_reported_broken_at_that_entry(client, uow, world, db, backend) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    ids = _ids(db, world.org_a)
    altered = ids[2]
    _, kept = _hashes(db, altered)
    _tamper(db, backend, "UPDATE audit_entries SET actor_label = 'someone else' WHERE id = :id", altered)
    page = _check(client, world)
    assert page.status_code == 200
    assert '<span class="badge short">broken</span>' in page.text
    assert (f"Broken at entry #{altered}: its content no longer matches its hash, so the entry was "
            "changed after it was written.") in page.text
    assert f"<code>{kept}</code>" in page.text  # the hash it keeps, beside the one its content has now
    # the entries before it are vouched for: ids[0] and ids[1]
    assert f"Entries of this organisation the chain vouches for: 2, up to #{ids[1]}." in page.text
    report = client.get(f"/api/v1/organisations/{world.org_a}/audit/chain", headers=world.headers("lead")).json
    assert report["intact"] is False and report["intact_entries"] == 2 and report["last_intact_id"] == ids[1]
    assert report["own_break"]["entry_id"] == altered and report["own_break"]["kind"] == "altered"
    assert report["own_break"]["stored"] == kept and report["own_break"]["expected"] != kept
    assert report["first_unvouched_id"] is None


def test_an_entry_removed_in_sql_breaks_the_link_of_the_entry_after_it(client, uow, world, db, backend) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    ids = _ids(db, world.org_a)
    # two consecutive entries of organisation A in the chain: remove the first
    removed, after = next((a, b) for a, b in zip(ids, ids[1:], strict=False) if b == a + 1)
    before_removed, removed_hash = _hashes(db, removed)
    _tamper(db, backend, "DELETE FROM audit_entries WHERE id = :id", removed)
    report = client.get(f"/api/v1/organisations/{world.org_a}/audit/chain", headers=world.headers("lead")).json
    # the entry after it still names the removed entry's hash; the entry now before it has the
    # hash the removed entry named as its previous
    assert report["own_break"] == {"entry_id": after, "kind": "unlinked", "stored": removed_hash,
                                   "expected": before_removed}
    page = _check(client, world)
    assert f"Broken at entry #{after}: the previous hash it keeps is not the hash of the entry now before it" in page.text
    assert report["entries"] == len(ids) - 1


def test_a_break_in_another_organisations_entry_is_shown_without_its_content(
        client, uow, world, db, backend) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    ids_a, ids_b = _ids(db, world.org_a), _ids(db, world.org_b)
    altered = ids_b[0]  # organisation B's creation, before most of A's entries
    first_after = next(i for i in ids_a if i > altered)
    _, kept = _hashes(db, altered)
    _tamper(db, backend, "UPDATE audit_entries SET action = 'organisation.rename' WHERE id = :id", altered)
    page = _check(client, world)
    assert '<span class="badge short">broken</span>' in page.text
    assert f"Broken before entry #{first_after}: an entry of no concern to this organisation does not hold" in page.text
    assert kept not in page.text and f"#{altered}" not in page.text  # nothing of B's entry
    report = client.get(f"/api/v1/organisations/{world.org_a}/audit/chain", headers=world.headers("lead")).json
    vouched = [i for i in ids_a if i < altered]
    assert report == {"organisation_id": world.org_a, "intact": False, "entries": len(ids_a),
                      "intact_entries": len(vouched), "last_intact_id": vouched[-1] if vouched else None,
                      "own_break": None, "first_unvouched_id": first_after, "breaks_later": False}


def test_a_break_after_the_organisations_last_entry_leaves_its_entries_intact(
        client, uow, world, db, backend) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    ids_a = _ids(db, world.org_a)
    organisations.update_organisation(uow(), ADMIN, world.org_b, {"contact_person": "王五"})
    last_b = _ids(db, world.org_b)[-1]
    assert last_b > ids_a[-1]
    _tamper(db, backend, "UPDATE audit_entries SET actor_label = 'someone else' WHERE id = :id", last_b)
    page = _check(client, world)
    assert '<span class="badge covered">intact</span>' in page.text
    assert "The log breaks after this organisation's last entry" in page.text
    report = client.get(f"/api/v1/organisations/{world.org_a}/audit/chain", headers=world.headers("lead")).json
    assert report["intact"] is True and report["breaks_later"] is True and report["intact_entries"] == len(ids_a)


def test_the_chain_check_is_refused_to_a_viewer_and_to_another_organisation(client, world) -> None:
    viewer = client.get(f"/api/v1/organisations/{world.org_a}/audit/chain", headers=world.headers("viewer"))
    assert viewer.status_code == 403 and viewer.json["error"]["code"] == "forbidden"
    outsider = client.get(f"/api/v1/organisations/{world.org_a}/audit/chain", headers=world.headers("outsider"))
    assert outsider.status_code == 404
