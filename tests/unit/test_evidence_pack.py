"""The evidence pack as built from its files (neutrality.verification.pack), and the decisions
of a review thread (neutrality.verification.model)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from neutrality.errors import Conflict
from neutrality.verification.model import (
    Author,
    CommentStatus,
    VerificationState,
    after_message,
    close,
    verification_state,
)
from neutrality.verification.pack import PackFile, build_pack, retirements_csv, safe_name

#: SHA-256 of b"abc": the test vector of FIPS 180-2, appendix B.1
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_the_manifest_names_each_file_with_its_sha256_and_size() -> None:
    data = build_pack([PackFile("retirements/1-cert.pdf", b"abc", "retirement evidence")], {"period_id": 7},
                      [{"factor": "steam v1", "name": "letter.pdf", "sha256": ABC}])
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["manifest.json", "retirements/1-cert.pdf"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["period_id"] == 7
    assert manifest["files"] == [{"name": "retirements/1-cert.pdf", "what": "retirement evidence", "bytes": 3,
                                  "sha256": ABC}]
    assert manifest["recorded_only"][0]["name"] == "letter.pdf"


@pytest.mark.parametrize(("name", "kept"), [
    ("../../etc/passwd", "_.._etc_passwd"),  # no folder of its own: the slashes become _
    ("C:\\boot.ini", "C__boot.ini"),
    ("证书 2024.pdf", "证书 2024.pdf"),  # CJK names stay readable
    ("..", "file"),
])
def test_a_file_name_cannot_leave_its_folder_in_the_zip(name: str, kept: str) -> None:
    assert safe_name(name) == kept


def test_the_retirements_csv_has_a_header_and_one_line_per_entry() -> None:
    text = retirements_csv([{"id": 3, "kind": "retirement", "quantity": 100, "reverses_id": None}]).decode()
    header, line, end = text.split("\n")
    assert header.startswith("id,kind,reverses_id,scheme") and end == ""
    assert line.startswith("3,retirement,,,") and ",100," in line


def test_a_thread_waits_for_the_other_side_and_a_closed_one_takes_nothing() -> None:
    assert after_message(CommentStatus.OPEN, Author.LEAD, 1) is CommentStatus.ANSWERED
    assert after_message(CommentStatus.ANSWERED, Author.VERIFIER, 1) is CommentStatus.OPEN
    assert close(CommentStatus.ANSWERED, 1) is CommentStatus.CLOSED
    with pytest.raises(Conflict) as refused:
        after_message(CommentStatus.CLOSED, Author.LEAD, 4)
    assert refused.value.details == {"comment_id": ["closed"]}
    with pytest.raises(Conflict):
        close(CommentStatus.CLOSED, 4)


def test_a_verification_is_none_claimed_or_confirmed() -> None:
    assert verification_state(False, False) is VerificationState.NONE
    assert verification_state(True, False) is VerificationState.CLAIMED
    assert verification_state(True, True) is VerificationState.CONFIRMED
