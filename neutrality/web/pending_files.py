"""Files a page previewed, waiting for the user's confirmation.

A guided import reads a file twice: once to preview it (nothing stored), once to import it when
the user confirms. The browser does not send the file again: it waits in the instance folder
under a random name, for an hour at most, and only the session that previewed it knows the
name; the confirmation imports exactly the bytes previewed, then the file is removed.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from flask import current_app, session

#: How long a previewed file waits for its confirmation.
PENDING_SECONDS = 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "pending-imports"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.upload"):  # previews never confirmed do not stay
        if time.time() - old.stat().st_mtime > PENDING_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def keep(key: str, data: bytes, **facts: Any) -> None:
    """Keep ``data`` for this session under ``key`` (one pending file per key), with ``facts``
    (what was previewed: the filename, the options) to check at the confirmation."""
    discard(key)
    facts.pop("token", None)  # the facts of an earlier keep carry its token: a new one is made
    token = secrets.token_urlsafe(24)
    (_folder() / f"{token}.upload").write_bytes(data)
    session[key] = {"token": token, **facts}


def pending(key: str) -> tuple[dict[str, Any], bytes] | None:
    """The facts and bytes kept under ``key`` for this session, if they are still there."""
    facts = session.get(key)
    if not facts:
        return None
    stored = _folder() / f"{facts['token']}.upload"
    if not stored.exists():
        session.pop(key, None)
        return None
    return dict(facts), stored.read_bytes()


def discard(key: str) -> None:
    facts = session.pop(key, None)
    if facts:
        (_folder() / f"{facts['token']}.upload").unlink(missing_ok=True)
