"""Use cases of issued statements: issue a version (its snapshot frozen, its PDFs rendered and
hashed), publish it as the period's public declaration, withdraw it, and read them back.

An issued version never changes when the period's data change later: its snapshot, its PDFs and
their hashes are written once, and only the publication, supersession and withdrawal stamps are
set afterwards, each once (this module is their only writer; the database's triggers refuse any
other change, and any deletion: migration 0026). Issuing records what the rules allow: the
declaration is the statement's own (an achievement only when the balance is covered with no
blocking finding), and an achievement asked for when the rules do not allow it is refused.

Who may: reading needs membership (view_organisation); issuing, publishing and withdrawing need
``manage_commitments``. A member of another organisation learns nothing (404, as everywhere).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import Commitment
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.messages import Msg
from neutrality.statements.content import DeclarationType, Statement, StatementKind
from neutrality.statements.rendering import LOCALES, statement_pdf
from neutrality.statements.services import (
    BuiltStatement,
    as_commitment,
    build_statement,
    require_kind_allowed,
)
from neutrality.statements.snapshot import snapshot_sha256
from neutrality.statements.tables import StatementDocument, StatementVersion
from neutrality.uow import UnitOfWork

#: What a snapshot holds about the issuing rather than the period: left out when comparing two
#: versions, so that issuing the same facts on another day is still "nothing changed".
_ISSUING_KEYS = frozenset({"version", "prepared_on", "published_at"})


class VersionStatus(StrEnum):
    ISSUED = "issued"  # not public yet
    PUBLISHED = "published"  # the period's public declaration
    SUPERSEDED = "superseded"  # was public until a later version was published: history
    WITHDRAWN = "withdrawn"  # with its reason, still shown


def status_of(version: StatementVersion) -> VersionStatus:
    if version.withdrawn_at is not None:
        return VersionStatus.WITHDRAWN
    if version.superseded_by_id is not None:
        return VersionStatus.SUPERSEDED
    if version.published_at is not None:
        return VersionStatus.PUBLISHED
    return VersionStatus.ISSUED


def content_sha256(snapshot_data: dict[str, Any]) -> str:
    """The hash of what the snapshot says about the period (its issuing keys left out)."""
    return snapshot_sha256({k: v for k, v in snapshot_data.items() if k not in _ISSUING_KEYS})


def blocking_findings(statement: Statement) -> list[str]:
    """The rule ids of the statement's blocking failures, in its order, each once."""
    seen: list[str] = []
    for f in statement.findings:
        if f.outcome == "fail" and f.severity == "blocking" and f.rule_id not in seen:
            seen.append(f.rule_id)
    return seen


# --- reading ---------------------------------------------------------------------------------


def list_versions(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int,
                  kind: StatementKind | str | None = None) -> list[StatementVersion]:
    """The period's issued versions (of ``kind`` if named), by kind and version."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        get_period_row(uow.session, organisation_id, period_id)
        query = select(StatementVersion).where(StatementVersion.organisation_id == organisation_id,
                                               StatementVersion.period_id == period_id)
        if kind is not None:
            query = query.where(StatementVersion.kind == StatementKind(kind).value)
        return list(uow.session.scalars(query.order_by(StatementVersion.kind, StatementVersion.version)))


def get_version(uow: UnitOfWork, actor: Actor, organisation_id: int, version_id: int) -> StatementVersion:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        return _version(uow.session, organisation_id, version_id)


def _version(session: Session, organisation_id: int, version_id: int) -> StatementVersion:
    version = session.get(StatementVersion, version_id)
    if version is None or version.organisation_id != organisation_id:
        raise NotFound(Msg("statement {id} not found", id=version_id))
    return version


def version_pdf(uow: UnitOfWork, actor: Actor, organisation_id: int, version_id: int, locale: str) -> bytes:
    """The PDF stored when the version was issued, in ``locale``; its SHA-256 computed again: a
    file that no longer matches the hash recorded at issue is refused (409), never served."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    if locale not in LOCALES:
        raise InvalidInput(Msg("unknown language {lang}", lang=locale), {"lang": ["unknown"]})
    with uow.reading():
        session = uow.session
        _version(session, organisation_id, version_id)
        document = session.scalar(select(StatementDocument).where(
            StatementDocument.version_id == version_id, StatementDocument.locale == locale))
        if document is None:
            raise NotFound(Msg("statement {id} has no PDF in {lang}", id=version_id, lang=locale))
        return checked_pdf(document)


def checked_pdf(document: StatementDocument) -> bytes:
    """The document's PDF, refused (409) when its bytes no longer hash to the SHA-256 recorded
    at issue: a changed file is never served."""
    content = document.pdf
    computed = hashlib.sha256(content).hexdigest()
    if computed != document.sha256:
        raise Conflict(Msg("the PDF of statement {id} was changed after it was issued: its SHA-256 is "
                           "{computed}, {recorded} was recorded", id=document.version_id, computed=computed,
                           recorded=document.sha256),
                       {"recorded_sha256": document.sha256, "computed_sha256": computed,
                        "locale": document.locale})
    return content


# --- issuing ---------------------------------------------------------------------------------


def _latest(session: Session, period_id: int, kind: StatementKind) -> StatementVersion | None:
    return session.scalar(select(StatementVersion).where(
        StatementVersion.period_id == period_id, StatementVersion.kind == kind.value)
        .order_by(StatementVersion.version.desc()).limit(1))


def issue_statement(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, kind: StatementKind | str, *,
    issued_on: dt.date, published_at: str, changes: str | None = None,
    declaration: DeclarationType | str | None = None,
) -> StatementVersion:
    """Issue the next version of the period's statement of ``kind``: its snapshot as of
    ``issued_on`` frozen with its hash, its PDF in every locale (the version number in the
    footer) stored with its SHA-256. ``declaration``: the statement's own unless named; an
    achievement the rules do not allow is refused, naming the blocking findings. Refused too: a
    kind the period's claim is not made under (:func:`neutrality.statements.services.kinds_allowed`),
    a version identical to the latest (nothing changed), and a later version without ``changes``.
    ``published_at``: the public address printed in every page's footer
    (:func:`neutrality.statements.services.public_url`): required, an issued statement says where
    it is published. Nothing is written when refused."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    if not published_at.startswith(("http://", "https://")):
        raise ValueError(f"an issued statement needs its public address, not {published_at!r}")
    kind = StatementKind(kind)
    wanted = DeclarationType(declaration) if declaration not in (None, "") else None
    changes = (changes or "").strip() or None
    with uow.reading():
        period = get_period_row(uow.session, organisation_id, period_id)
        # a kind the claim is not made under is refused first, whatever else the request says
        require_kind_allowed(kind, uow.session.get(Commitment, period.commitment_id), period_id)
        latest = _latest(uow.session, period_id, kind)
        latest_number, latest_content = (latest.version, latest.content_sha256) if latest else (0, None)
    number = latest_number + 1
    if number > 1 and changes is None:
        raise InvalidInput(Msg("say what changed since version {version}", version=latest_number),
                           {"changes": ["required from version 2"]})
    built = build_statement(uow, actor, organisation_id, period_id, kind, prepared_on=issued_on,
                            published_at=published_at, version=number)
    allowed = built.statement.declaration
    if wanted is DeclarationType.ACHIEVEMENT and allowed is not DeclarationType.ACHIEVEMENT:
        blocking = blocking_findings(built.statement)
        raise Conflict(Msg("period {period} cannot be declared an achievement: the balance is not covered "
                           "under the rules (blocking findings: {findings})", period=period_id,
                           findings=", ".join(blocking) or "none"),
                       {"declaration": ["not allowed"], "findings": blocking})
    if wanted is DeclarationType.COMMITMENT and allowed is not DeclarationType.COMMITMENT:
        built = as_commitment(built)  # a commitment may always be declared, even when an achievement could be
    content = content_sha256(built.snapshot)
    if content == latest_content:
        raise Conflict(Msg("nothing changed since version {version}: it states the same facts",
                           version=latest_number), {"version": latest_number})
    documents = _render(built)
    with uow:
        session = uow.session
        current = _latest(session, period_id, kind)
        if (current.version if current else 0) != latest_number:
            # another version was issued while this one was being rendered
            raise Conflict(Msg("another version of this statement was issued meanwhile: issue again"),
                           {"version": ["issued meanwhile"]})
        version = StatementVersion(
            organisation_id=organisation_id, period_id=period_id, kind=kind.value, version=number,
            declaration=built.statement.declaration.value, snapshot=built.snapshot,
            snapshot_sha256=built.sha256, content_sha256=content, issued_at=utcnow(), issued_by=actor.user_id,
            changes=changes)
        session.add(version)
        uow.flush()
        stored = [StatementDocument(version_id=version.id, locale=locale, pdf=pdf,
                                    sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf))
                  for locale, pdf in documents.items()]
        session.add_all(stored)
        # the entry keeps what was issued: the version's columns, its whole snapshot among them,
        # and the fingerprint of each PDF (the database refuses to change either afterwards)
        entry = record(session, actor, "statement_version.issue", version, organisation_id=organisation_id)
        entry.after = {**entry.after, "documents": [
            {"locale": d.locale, "sha256": d.sha256, "size": d.size} for d in stored]}
        uow.commit()
        session.refresh(version)
        return version


def _render(built: BuiltStatement) -> dict[str, bytes]:
    return {locale: statement_pdf(built.statement, locale, sha256=built.sha256) for locale in LOCALES}


# --- publication and withdrawal --------------------------------------------------------------


def publish_version(uow: UnitOfWork, actor: Actor, organisation_id: int, version_id: int) -> StatementVersion:
    """Make the version the period's public declaration of its kind. The one published before
    (an earlier version) is superseded: still shown, as history. Publishing an earlier version
    than the public one, or a withdrawn one, is refused."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    with uow:
        session = uow.session
        version = _version(session, organisation_id, version_id)
        status = status_of(version)
        if status is not VersionStatus.ISSUED:
            raise Conflict(Msg("statement {id} is {status}: only an issued version is published",
                               id=version_id, status=status.value), {"status": status.value})
        public = session.scalar(select(StatementVersion).where(
            StatementVersion.period_id == version.period_id, StatementVersion.kind == version.kind,
            StatementVersion.published_at.is_not(None), StatementVersion.superseded_by_id.is_(None),
            StatementVersion.withdrawn_at.is_(None)))
        if public is not None and public.version > version.version:
            raise Conflict(Msg("version {later} is published already: an earlier version cannot replace it",
                               later=public.version), {"published_version": public.version})
        before = snapshot(version)
        version.published_at, version.published_by = utcnow(), actor.user_id
        if public is not None:
            public_before = snapshot(public)
            public.superseded_by_id = version.id
            uow.flush()
            record(session, actor, "statement_version.supersede", public, before=public_before,
                   organisation_id=organisation_id)
        record(session, actor, "statement_version.publish", version, before=before, organisation_id=organisation_id)
        uow.commit()
        session.refresh(version)
        return version


def withdraw_version(uow: UnitOfWork, actor: Actor, organisation_id: int, version_id: int, *,
                     reason: str) -> StatementVersion:
    """Withdraw the version, saying why: it stays shown, marked withdrawn with its reason. A
    withdrawn public declaration leaves the period without one (the version it superseded does
    not come back)."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(Msg("say why the statement is withdrawn"), {"reason": ["empty"]})
    with uow:
        session = uow.session
        version = _version(session, organisation_id, version_id)
        if version.withdrawn_at is not None:
            raise Conflict(Msg("statement {id} is withdrawn already", id=version_id), {"status": "withdrawn"})
        before = snapshot(version)
        version.withdrawn_at, version.withdrawn_by, version.withdrawal_reason = utcnow(), actor.user_id, reason
        record(session, actor, "statement_version.withdraw", version, before=before, organisation_id=organisation_id)
        uow.commit()
        session.refresh(version)
        return version

