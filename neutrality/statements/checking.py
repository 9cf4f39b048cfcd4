"""Checking a statement's PDF against the public record of a declaration: the file's SHA-256
looked for among the PDFs of every version published at the declaration's address.

Pure but for :func:`fetch_record`, which reads the record over HTTP(S). What anyone can check
without trusting this software: the PDF's SHA-256 (``sha256sum``), the record's hashes, and the
snapshot's canonical JSON hashing to the snapshot SHA-256 printed in the PDF's footer.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from neutrality.statements.snapshot import snapshot_sha256

#: A record holds the snapshots of every published version: a few MB for thousands of retirements.
MAX_RECORD_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 30


class Outcome(IntEnum):
    """The exit status of ``neutrality statement verify``."""

    IN_FORCE = 0  # the PDF is a version of the declaration in force
    NOT_FOUND = 1  # no published version has this PDF (or the record could not be read)
    # 2 is left to the command line's own refusals (a missing file, a wrong option)
    NOT_IN_FORCE = 3  # a genuine version, since superseded or withdrawn


class RecordUnreadable(Exception):
    """The address does not answer with a declaration's record."""


@dataclass(frozen=True)
class Verdict:
    sha256: str
    outcome: Outcome
    kind: str | None = None
    version: int | None = None
    locale: str | None = None
    status: str | None = None
    withdrawal_reason: str | None = None
    superseded_by_version: int | None = None
    snapshot_sha256: str | None = None
    snapshot_consistent: bool | None = None  # the record's snapshot hashes to its stated SHA-256


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record_url(url: str) -> str:
    """The JSON record of a declaration's page (``…/declarations/<org>/<period>`` → ``….json``);
    a URL naming the JSON already is kept. Only http and https."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RecordUnreadable(f"{url!r} is not the http(s) address of a declaration")
    path = parts.path.rstrip("/")
    if not path.endswith(".json"):
        path += ".json"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def fetch_record(url: str) -> dict[str, Any]:
    """The record at the declaration's address, read as JSON."""
    address = record_url(url)
    request = urllib.request.Request(address, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - scheme checked
            body = response.read(MAX_RECORD_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise RecordUnreadable(f"{address} answered {error.code}: no declaration is published there") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise RecordUnreadable(f"{address} could not be read: {getattr(error, 'reason', error)}") from error
    if len(body) > MAX_RECORD_BYTES:
        raise RecordUnreadable(f"{address} answered more than {MAX_RECORD_BYTES} bytes: not a declaration's record")
    try:
        record = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise RecordUnreadable(f"{address} did not answer JSON") from error
    if not isinstance(record, dict) or not isinstance(record.get("declarations"), list):
        raise RecordUnreadable(f"{address} did not answer a declaration's record")
    return record


def compare(sha256: str, record: Mapping[str, Any]) -> Verdict:
    """The verdict on a file of ``sha256`` against the record: which published version in which
    language it is, and whether that version is the one in force."""
    sha256 = sha256.lower()
    for declaration in record.get("declarations", ()):
        for version in declaration.get("versions", ()):
            for document in version.get("documents", ()):
                if str(document.get("sha256", "")).lower() != sha256:
                    continue
                snapshot = version.get("snapshot")
                consistent = (snapshot_sha256(snapshot) == version.get("snapshot_sha256")
                              if isinstance(snapshot, dict) else None)
                status = version.get("status")
                return Verdict(
                    sha256=sha256, outcome=Outcome.IN_FORCE if status == "published" else Outcome.NOT_IN_FORCE,
                    kind=declaration.get("kind"), version=version.get("version"), locale=document.get("locale"),
                    status=status, withdrawal_reason=version.get("withdrawal_reason"),
                    superseded_by_version=version.get("superseded_by_version"),
                    snapshot_sha256=version.get("snapshot_sha256"), snapshot_consistent=consistent)
    return Verdict(sha256=sha256, outcome=Outcome.NOT_FOUND)
