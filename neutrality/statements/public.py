"""What the public sees of an organisation's statements: the versions that were published, read
without signing in, and the same content as JSON for machines.

A version is public from the moment it is published, and stays so: superseded by a later version,
it is history; withdrawn, it is shown withdrawn with its reason. A version that was never
published (issued, or withdrawn before publication) does not exist for the public: asking for it,
or for a period without a published version, is 404 like an unknown address.

The public pages of a period and of an organisation change only when a version is published,
superseded or withdrawn: :func:`period_state` and :func:`organisation_state` read those stamps
alone (one indexed query), so a page rendered once can be served again while they are unchanged.

Who may: anyone. Nothing here reads a row that is not part of a published version, and the
organisation's current details are not shown: the page states what the snapshot froze.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.errors import NotFound
from neutrality.messages import Msg
from neutrality.statements.content import StatementKind
from neutrality.statements.rendering import LOCALES
from neutrality.statements.snapshot import statement_from_snapshot
from neutrality.statements.tables import StatementDocument, StatementVersion
from neutrality.statements.versions import VersionStatus, checked_pdf, status_of
from neutrality.uow import UnitOfWork

#: The stamps that change what the public sees of a version; (id, published, superseded by, withdrawn).
State = tuple[tuple[int, str, int | None, str | None], ...]


@dataclass(frozen=True)
class PublicDocument:
    locale: str
    sha256: str
    size: int


@dataclass(frozen=True)
class PublicVersion:
    """A published version as the public sees it: its status, its stamps, its PDFs' hashes and
    its snapshot (everything it states)."""

    id: int
    organisation_id: int
    period_id: int
    kind: StatementKind
    version: int
    declaration: str
    status: VersionStatus
    issued_at: dt.datetime
    published_at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str | None
    superseded_by: int | None  # the version number that replaced it
    changes: str | None
    snapshot_sha256: str
    documents: tuple[PublicDocument, ...]
    snapshot: Mapping[str, Any]

    @property
    def statement(self) -> Any:
        return statement_from_snapshot(self.snapshot)


@dataclass(frozen=True)
class KindHistory:
    """The public versions of one kind of statement for a period, newest first; ``current`` is
    the newest (published, or withdrawn with its reason)."""

    kind: StatementKind
    versions: tuple[PublicVersion, ...]

    @property
    def current(self) -> PublicVersion:
        return self.versions[0]


@dataclass(frozen=True)
class PublicPeriod:
    organisation_id: int
    period_id: int
    kinds: tuple[KindHistory, ...]

    @property
    def current(self) -> PublicVersion:
        """The version the page leads with: a standing declaration before a withdrawn one, the
        newest first."""
        standing = [k.current for k in self.kinds if k.current.status is VersionStatus.PUBLISHED]
        candidates = standing or [k.current for k in self.kinds]
        return max(candidates, key=lambda v: v.published_at)


# --- state: what a cached page depends on ---------------------------------------------------------


def _published(query: Any) -> Any:
    return query.where(StatementVersion.published_at.is_not(None))


def _state(rows: Iterable[Any]) -> State:
    return tuple((r.id, r.published_at.isoformat(), r.superseded_by_id,
                  None if r.withdrawn_at is None else r.withdrawn_at.isoformat()) for r in rows)


def _stamps(uow: UnitOfWork, organisation_id: int, period_id: int | None) -> State:
    columns = (StatementVersion.id, StatementVersion.published_at, StatementVersion.superseded_by_id,
               StatementVersion.withdrawn_at)
    query = _published(select(*columns)).where(StatementVersion.organisation_id == organisation_id)
    if period_id is not None:
        query = query.where(StatementVersion.period_id == period_id)
    with uow.reading():
        return _state(uow.session.execute(query.order_by(StatementVersion.id)))


def period_state(uow: UnitOfWork, organisation_id: int, period_id: int) -> State:
    """The stamps of the period's published versions; empty when none was published."""
    return _stamps(uow, organisation_id, period_id)


def organisation_state(uow: UnitOfWork, organisation_id: int) -> State:
    """The stamps of all the organisation's published versions; empty when none was published."""
    return _stamps(uow, organisation_id, None)


# --- reading --------------------------------------------------------------------------------------


def _public_versions(session: Session, rows: list[StatementVersion]) -> list[PublicVersion]:
    numbers = {r.id: r.version for r in rows}
    missing = {r.superseded_by_id for r in rows if r.superseded_by_id and r.superseded_by_id not in numbers}
    if missing:
        numbers.update(session.execute(select(StatementVersion.id, StatementVersion.version)
                                       .where(StatementVersion.id.in_(missing))).tuples())
    return [PublicVersion(
        id=r.id, organisation_id=r.organisation_id, period_id=r.period_id, kind=StatementKind(r.kind),
        version=r.version, declaration=r.declaration, status=status_of(r), issued_at=r.issued_at,
        published_at=r.published_at, withdrawn_at=r.withdrawn_at, withdrawal_reason=r.withdrawal_reason,
        superseded_by=numbers.get(r.superseded_by_id) if r.superseded_by_id else None, changes=r.changes,
        snapshot_sha256=r.snapshot_sha256,
        documents=tuple(PublicDocument(d.locale, d.sha256, d.size) for d in r.documents), snapshot=r.snapshot)
        for r in rows]


def _histories(versions: Iterable[PublicVersion]) -> tuple[KindHistory, ...]:
    by_kind: dict[StatementKind, list[PublicVersion]] = {}
    for v in versions:
        by_kind.setdefault(v.kind, []).append(v)
    order = list(StatementKind)
    return tuple(KindHistory(kind, tuple(sorted(vs, key=lambda v: -v.version)))
                 for kind, vs in sorted(by_kind.items(), key=lambda item: order.index(item[0])))


def public_period(uow: UnitOfWork, organisation_id: int, period_id: int) -> PublicPeriod:
    """The period's published versions by kind; 404 when none was ever published."""
    with uow.reading():
        session = uow.session
        rows = list(session.scalars(_published(select(StatementVersion)).where(
            StatementVersion.organisation_id == organisation_id, StatementVersion.period_id == period_id)))
        if not rows:
            raise NotFound(Msg("no declaration is published at this address"))
        return PublicPeriod(organisation_id, period_id, _histories(_public_versions(session, rows)))


def public_index(uow: UnitOfWork, organisation_id: int) -> list[PublicPeriod]:
    """The organisation's periods with a published version, the latest period first; 404 when
    it published nothing (an organisation's existence is not disclosed either)."""
    with uow.reading():
        session = uow.session
        rows = list(session.scalars(_published(select(StatementVersion)).where(
            StatementVersion.organisation_id == organisation_id)))
        if not rows:
            raise NotFound(Msg("no declaration is published at this address"))
        by_period: dict[int, list[PublicVersion]] = {}
        for v in _public_versions(session, rows):
            by_period.setdefault(v.period_id, []).append(v)
    periods = [PublicPeriod(organisation_id, pid, _histories(vs)) for pid, vs in by_period.items()]
    return sorted(periods, key=lambda p: (p.current.snapshot["period"]["end"], p.period_id), reverse=True)


def _published_row(session: Session, organisation_id: int, period_id: int, version_id: int) -> StatementVersion:
    """The version, when it is a published one of this period; 404 otherwise (unpublished,
    another period's: the same answer as an unknown address)."""
    version = session.get(StatementVersion, version_id)
    if (version is None or version.organisation_id != organisation_id or version.period_id != period_id
            or version.published_at is None):
        raise NotFound(Msg("no declaration is published at this address"))
    return version


def public_version(uow: UnitOfWork, organisation_id: int, period_id: int, version_id: int) -> PublicVersion:
    """One published version of the period."""
    with uow.reading():
        session = uow.session
        return _public_versions(session, [_published_row(session, organisation_id, period_id, version_id)])[0]


def public_pdf(uow: UnitOfWork, organisation_id: int, period_id: int, version_id: int, locale: str) -> bytes:
    """The stored PDF of a published version, its SHA-256 computed again (409 if it no longer
    matches the one recorded at issue: never served)."""
    if locale not in LOCALES:
        raise NotFound(Msg("no declaration is published at this address"))
    with uow.reading():
        session = uow.session
        _published_row(session, organisation_id, period_id, version_id)
        document = session.scalar(select(StatementDocument).where(
            StatementDocument.version_id == version_id, StatementDocument.locale == locale))
        if document is None:
            raise NotFound(Msg("no declaration is published at this address"))
        return checked_pdf(document)


@dataclass(frozen=True)
class Match:
    """A PDF found in the public record: which published version, in which language."""

    version: PublicVersion
    locale: str


def find_document(uow: UnitOfWork, sha256: str) -> Match | None:
    """The published version whose PDF has this SHA-256, if any (a version never published is
    not found, whatever its PDFs)."""
    sha256 = sha256.strip().lower()
    with uow.reading():
        session = uow.session
        found = session.execute(
            select(StatementVersion, StatementDocument.locale)
            .join(StatementDocument, StatementDocument.version_id == StatementVersion.id)
            .where(StatementDocument.sha256 == sha256, StatementVersion.published_at.is_not(None))
            .order_by(StatementVersion.id).limit(1)).first()
        if found is None:
            return None
        version, locale = found
        return Match(_public_versions(session, [version])[0], locale)


# --- JSON for machines ----------------------------------------------------------------------------


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def version_json(version: PublicVersion, pdf_url: Callable[[PublicVersion, str], str]) -> dict[str, Any]:
    """A published version as the JSON of the public record: its status and stamps, the claim,
    the balance, the verification, the retirements, its PDFs with their SHA-256 and where they
    are, and the whole snapshot (whose canonical JSON hashes to ``snapshot_sha256``). Figures
    are exact decimal strings."""
    s = version.statement
    b = s.balance
    return {
        "id": version.id, "kind": version.kind.value, "version": version.version, "status": version.status.value,
        "declaration": version.declaration, "issued_at": _text(version.issued_at),
        "published_at": _text(version.published_at), "withdrawn_at": _text(version.withdrawn_at),
        "withdrawal_reason": version.withdrawal_reason, "superseded_by_version": version.superseded_by,
        "changes": version.changes,
        "wording": {"en": str(s.wording), **dict(s.wording.by_locale)},
        "follows_withdrawn_specification": s.follows_withdrawn_specification,
        "entity": {"name": s.entity.name, "legal_name": s.entity.legal_name},
        "subject": s.boundary.subject, "standard": s.standard,
        "period": {"start": _text(s.period_start), "end": _text(s.period_end)},
        "balance": {
            "gross_location_tco2e": _text(b.gross_location_tco2e), "gross_market_tco2e": _text(b.gross_market_tco2e),
            "certificates_tco2e": _text(b.certificates_tco2e), "residual_tco2e": _text(b.residual_tco2e),
            "credits_retired_tco2e": _text(b.credits_retired_tco2e),
            "credits_counted_tco2e": _text(b.credits_counted_tco2e), "net_tco2e": _text(b.net_tco2e),
            "achieved_reduction_tco2e": _text(s.achieved_reduction_tco2e), "verdict": b.verdict},
        "verification": {
            "type": s.validation.type.value, "body": s.validation.body, "accreditation": s.validation.accreditation,
            "standard": s.validation.standard, "assurance_level": s.validation.assurance_level,
            "opinion": s.validation.opinion, "verified_on": _text(s.validation.verified_on),
            "state": s.validation.state or None},
        "retirements": [{
            "scheme": r.scheme, "unit": r.unit, "project": r.project, "project_id": r.project_id,
            "country": r.country, "vintage_start": _text(r.vintage_start), "vintage_end": _text(r.vintage_end),
            "serial_start": r.serial_start, "serial_end": r.serial_end, "quantity": r.quantity,
            "registry": r.registry, "retired_on": _text(r.retired_on), "reference": r.reference,
            "link": r.link or None, "evidence_sha256": r.evidence_sha256, "counted": r.counted}
            for r in s.retirements],
        "snapshot_sha256": version.snapshot_sha256,
        "documents": [{"locale": d.locale, "sha256": d.sha256, "size": d.size, "url": pdf_url(version, d.locale)}
                      for d in version.documents],
        "snapshot": dict(version.snapshot),
    }


def period_json(period: PublicPeriod, pdf_url: Callable[[PublicVersion, str], str]) -> dict[str, Any]:
    """The period's public record: each kind's versions, newest first."""
    return {"organisation_id": period.organisation_id, "period_id": period.period_id,
            "declarations": [{"kind": k.kind.value, "versions": [version_json(v, pdf_url) for v in k.versions]}
                             for k in period.kinds]}
