"""The evidence pack of a period as one zip: its files, a manifest of their SHA-256 and a CSV
of the period's retirements.

Pure: standard library only (zipfile, csv, json, hashlib); the service gathers the files.
The pack is built in memory: a period's evidence is some hundred files of ~200 KiB (a registry
certificate each), tens of MiB at most, which a request may hold.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The columns of retirements.csv, in order.
RETIREMENT_COLUMNS = (
    "id", "kind", "reverses_id", "scheme", "issuance_key", "serial_start", "serial_end", "quantity", "unit",
    "retired_on", "registry_reference", "beneficiary_text", "evidence_file", "evidence_sha256",
)


@dataclass(frozen=True)
class PackFile:
    name: str  # the path inside the zip
    content: bytes
    what: str  # "verification statement", "verifier opinion", "retirement evidence"…


def safe_name(name: str) -> str:
    """A file name as a path part inside the zip: no folder, nothing a reader's unzip would
    take for a path of its own (``..``, a drive, a slash)."""
    cleaned = "".join(ch if ch.isprintable() and ch not in '/\\:"' else "_" for ch in name).strip(". ")
    return cleaned or "file"


def retirements_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RETIREMENT_COLUMNS)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row[c]) for c in RETIREMENT_COLUMNS])
    return out.getvalue().encode("utf-8")


def build_pack(files: Sequence[PackFile], about: Mapping[str, Any],
               recorded_only: Sequence[Mapping[str, Any]] = ()) -> bytes:
    """The zip: every file, and manifest.json naming each with its SHA-256 and size (the
    manifest itself cannot name its own hash). ``recorded_only``: files whose hash was recorded
    but whose bytes were not kept (an organisation's factor evidence), listed as such."""
    manifest = {
        **about,
        "files": [{"name": f.name, "what": f.what, "bytes": len(f.content),
                   "sha256": hashlib.sha256(f.content).hexdigest()} for f in files],
        "recorded_only": list(recorded_only),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.writestr(f.name, f.content)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return buffer.getvalue()
