"""Use cases of the verifier's workspace: the organisation's periods as the verifier sees them,
review comments (the verifier opens and closes, the lead answers), the verifier's opinion that
confirms a verification, and the evidence pack of a period.

Who may: reading needs membership (view_organisation); opening and closing a comment and giving
an opinion need ``verify`` (the appointed verifier); answering needs ``manage_inventory`` (the
lead). A member of another organisation learns nothing (404, as everywhere).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.claims.eligibility import findings_in
from neutrality.clock import utcnow
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.db import owned_row
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.inventory.services import latest_inventory_of
from neutrality.inventory.tables import ActivityRecord, Inventory, OrganisationFactor, Verification
from neutrality.messages import Msg
from neutrality.organisations.tables import Subject
from neutrality.registry.retirements import checked_evidence
from neutrality.registry.tables import Retirement
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.uow import UnitOfWork
from neutrality.verification import model
from neutrality.verification.model import Author, CommentStatus, VerificationState
from neutrality.verification.pack import PackFile, build_pack, retirements_csv, safe_name
from neutrality.verification.tables import ReviewComment, ReviewMessage, VerificationOpinion


@dataclass(frozen=True)
class WorkspacePeriod:
    """One period as the verifier's workspace lists it."""

    period: ApplicationPeriodRow
    subject_name: str
    inventory: Inventory | None
    verification: Verification | None
    state: VerificationState
    open_comments: int


# --- reading ---------------------------------------------------------------------------------


def workspace(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[WorkspacePeriod]:
    """Every period of the organisation with its inventory (the verified version, else the
    newest), the state of its verification and how many comments wait (open or answered)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        session = uow.session
        periods = session.execute(
            select(ApplicationPeriodRow, Subject.name).join(Commitment, Commitment.id == ApplicationPeriodRow.commitment_id)
            .join(Subject, Subject.id == Commitment.subject_id)
            .where(ApplicationPeriodRow.organisation_id == organisation_id)
            .order_by(Subject.name, ApplicationPeriodRow.start_date, ApplicationPeriodRow.id)).all()
        waiting = dict(session.execute(
            select(ReviewComment.period_id, func.count()).where(
                ReviewComment.organisation_id == organisation_id, ReviewComment.status != CommentStatus.CLOSED)
            .group_by(ReviewComment.period_id)).all())
        rows = []
        for period, subject_name in periods:
            inventory = latest_inventory_of(session, period.id)
            verification = (session.scalar(select(Verification).where(Verification.inventory_id == inventory.id))
                            if inventory is not None else None)
            state = model.verification_state(verification is not None,
                                             verification is not None and verification.confirmed_at is not None)
            rows.append(WorkspacePeriod(period, subject_name, inventory, verification, state,
                                        waiting.get(period.id, 0)))
        return rows


def list_comments(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int) -> list[ReviewComment]:
    """The period's review comments, oldest first, each with its whole thread."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        get_period_row(uow.session, organisation_id, period_id)
        return list(uow.session.scalars(select(ReviewComment).where(
            ReviewComment.organisation_id == organisation_id, ReviewComment.period_id == period_id)
            .order_by(ReviewComment.id)))


def inventory_under_review(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int) -> int:
    """The id of the inventory a review of the period is about: its verified version, else its
    newest; refused while the period has none."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        return _under_review(uow.session, organisation_id, period_id).id


def _under_review(session: Session, organisation_id: int, period_id: int) -> Inventory:
    get_period_row(session, organisation_id, period_id)
    inventory = latest_inventory_of(session, period_id)
    if inventory is None:
        raise Conflict(Msg("period {id} has no inventory to review yet", id=period_id),
                       {"period_id": ["no inventory"]})
    return inventory


def get_comment(uow: UnitOfWork, actor: Actor, organisation_id: int, comment_id: int) -> ReviewComment:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        return _comment(uow.session, organisation_id, comment_id)


def _comment(session: Session, organisation_id: int, comment_id: int) -> ReviewComment:
    return owned_row(session, ReviewComment, organisation_id, comment_id, what="review comment")


# --- the thread ------------------------------------------------------------------------------


def open_comment(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, body: str,
    activity_id: int | None = None, retirement_id: int | None = None, finding: str | None = None,
    as_of: dt.date,
) -> ReviewComment:
    """The verifier's comment on the period's inventory, about one of its records if named. A
    record that is not the period's is refused, the field named, before anything is written."""
    authorize(actor, Permission.VERIFY, organisation_id)
    _require_text(body)
    named = [n for n, v in (("activity_id", activity_id), ("retirement_id", retirement_id), ("finding", finding))
             if v not in (None, "")]
    if len(named) > 1:
        raise InvalidInput(Msg("a comment names at most one record: an activity record, a retirement or a finding"),
                           {n: ["only one record"] for n in named})
    with uow:
        session = uow.session
        inventory = _under_review(session, organisation_id, period_id)
        if activity_id is not None and session.scalar(select(ActivityRecord.id).where(
                ActivityRecord.id == activity_id, ActivityRecord.inventory_id == inventory.id)) is None:
            raise InvalidInput(Msg("activity record {id} is not in the inventory of period {period}",
                                   id=activity_id, period=period_id), {"activity_id": ["unknown"]})
        if retirement_id is not None and session.scalar(select(Retirement.id).where(
                Retirement.id == retirement_id, Retirement.organisation_id == organisation_id,
                Retirement.period_id == period_id)) is None:
            raise InvalidInput(Msg("retirement {id} is not in the ledger of period {period}",
                                   id=retirement_id, period=period_id), {"retirement_id": ["unknown"]})
        if finding:
            found = findings_in(session, organisation_id, period_id, as_of=as_of, catalogue=shipped_catalogue())
            if finding not in {f.rule_id for f in found.findings}:
                raise InvalidInput(Msg("rule {rule} has no finding for period {period}", rule=finding, period=period_id),
                                   {"finding": ["unknown"]})
        now = utcnow()
        comment = ReviewComment(
            organisation_id=organisation_id, period_id=period_id, inventory_id=inventory.id,
            activity_id=activity_id, retirement_id=retirement_id, finding=finding or None,
            status=CommentStatus.OPEN.value, opened_by=actor.user_id, opened_at=now)
        session.add(comment)
        uow.flush()
        session.add(_message(comment, actor, Author.VERIFIER, body, now))
        record(session, actor, "review_comment.open", comment, organisation_id=organisation_id)
        uow.commit()
        session.refresh(comment)
        return comment


def answer_comment(uow: UnitOfWork, actor: Actor, organisation_id: int, comment_id: int, *, body: str) -> ReviewComment:
    """The lead's answer: the comment waits for the verifier again."""
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    return _write(uow, actor, organisation_id, comment_id, Author.LEAD, body)


def reply_comment(uow: UnitOfWork, actor: Actor, organisation_id: int, comment_id: int, *, body: str) -> ReviewComment:
    """The verifier asks again in the same thread: the comment waits for the lead."""
    authorize(actor, Permission.VERIFY, organisation_id)
    return _write(uow, actor, organisation_id, comment_id, Author.VERIFIER, body)


def close_comment(uow: UnitOfWork, actor: Actor, organisation_id: int, comment_id: int, *, body: str = "") -> ReviewComment:
    """The verifier closes the thread, with a last word if it has one."""
    authorize(actor, Permission.VERIFY, organisation_id)
    with uow:
        session = uow.session
        comment = _comment(session, organisation_id, comment_id)
        before = snapshot(comment)
        now = utcnow()
        comment.status = model.close(CommentStatus(comment.status), comment.id).value
        comment.closed_by, comment.closed_at = actor.user_id, now
        if body.strip():
            session.add(_message(comment, actor, Author.VERIFIER, body, now))
        record(session, actor, "review_comment.close", comment, before=before, organisation_id=organisation_id)
        uow.commit()
        session.refresh(comment)
        return comment


def _write(uow: UnitOfWork, actor: Actor, organisation_id: int, comment_id: int, author: Author,
           body: str) -> ReviewComment:
    _require_text(body)
    with uow:
        session = uow.session
        comment = _comment(session, organisation_id, comment_id)
        before = snapshot(comment)
        comment.status = model.after_message(CommentStatus(comment.status), author, comment.id).value
        session.add(_message(comment, actor, author, body, utcnow()))
        record(session, actor, f"review_comment.{'answer' if author is Author.LEAD else 'reply'}", comment,
               before=before, organisation_id=organisation_id)
        uow.commit()
        session.refresh(comment)
        return comment


def _message(comment: ReviewComment, actor: Actor, author: Author, body: str, at: dt.datetime) -> ReviewMessage:
    return ReviewMessage(comment_id=comment.id, author_id=actor.user_id, author_label=actor.label,
                         author_role=author.value, body=body.strip(), created_at=at)


def _require_text(body: str) -> None:
    if not body or not body.strip():
        raise InvalidInput(Msg("write the comment"), {"body": ["empty"]})


# --- the opinion ------------------------------------------------------------------------------


def confirm_verification(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, *, assurance_level: str,
    conclusion: str, issued_on: dt.date, statement: bytes, statement_filename: str,
) -> Verification:
    """The appointed verifier's opinion on the inventory's recorded verification, with its
    signed statement: the verification is confirmed from now on. Only ``verify`` may; the lead
    who recorded the verification cannot confirm its own claim."""
    authorize(actor, Permission.VERIFY, organisation_id)
    if not statement:
        raise InvalidInput(Msg("the signed statement file is empty"), {"statement": ["empty"]})
    if issued_on > utcnow().date():
        raise InvalidInput(Msg("an opinion cannot be dated in the future"), {"issued_on": ["in the future"]})
    if not conclusion.strip():
        raise InvalidInput(Msg("write the opinion's conclusion"), {"conclusion": ["empty"]})
    with uow:
        session = uow.session
        owned_row(session, Inventory, organisation_id, inventory_id, what="inventory")
        verification = session.scalar(select(Verification).where(Verification.inventory_id == inventory_id))
        if verification is None:
            raise NotFound(Msg("inventory {id} has no verification", id=inventory_id))
        if verification.confirmed_at is not None:
            raise Conflict(Msg("the verification of inventory {id} is confirmed already", id=inventory_id),
                           {"inventory_id": ["confirmed"]})
        before = snapshot(verification)
        now = utcnow()
        opinion = VerificationOpinion(
            verification_id=verification.id, assurance_level=assurance_level, conclusion=conclusion.strip(),
            issued_on=issued_on, statement_filename=statement_filename,
            statement_sha256=hashlib.sha256(statement).hexdigest(), statement=statement,
            recorded_by=actor.user_id, recorded_at=now)
        session.add(opinion)
        verification.confirmed_by, verification.confirmed_at = actor.user_id, now
        uow.flush()
        record(session, actor, "verification_opinion.create", opinion, organisation_id=organisation_id)
        record(session, actor, "verification.confirm", verification, before=before, organisation_id=organisation_id)
        uow.commit()
        return verification


def opinion_of(uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int) -> VerificationOpinion | None:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        owned_row(uow.session, Inventory, organisation_id, inventory_id, what="inventory")
        return uow.session.scalar(select(VerificationOpinion).join(
            Verification, Verification.id == VerificationOpinion.verification_id)
            .where(Verification.inventory_id == inventory_id))


# --- the evidence pack ------------------------------------------------------------------------


def evidence_pack(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int) -> bytes:
    """A zip of the period's evidence: the verification statement and the verifier's signed
    opinion, every retirement's evidence file (each hash checked: a changed file refuses the
    pack, 409), retirements.csv and manifest.json. Factor evidence is listed by its recorded
    hash only: the organisation's factors keep the hash, not the file."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        session = uow.session
        period = get_period_row(session, organisation_id, period_id)
        files: list[PackFile] = []
        inventory = latest_inventory_of(session, period.id)
        verification = (session.scalar(select(Verification).where(Verification.inventory_id == inventory.id))
                        if inventory is not None else None)
        if verification is not None:
            files.append(PackFile(f"verification/{safe_name(verification.statement_filename)}",
                                  _checked(verification.statement, verification.statement_sha256, "statement"),
                                  "verification statement"))
            opinion = session.scalar(select(VerificationOpinion).where(
                VerificationOpinion.verification_id == verification.id))
            if opinion is not None:
                files.append(PackFile(f"verification/opinion-{safe_name(opinion.statement_filename)}",
                                      _checked(opinion.statement, opinion.statement_sha256, "statement"),
                                      "verifier opinion"))
        entries = list(session.scalars(select(Retirement).where(
            Retirement.organisation_id == organisation_id, Retirement.period_id == period.id).order_by(Retirement.id)))
        rows: list[dict[str, Any]] = []
        for entry in entries:
            name = f"retirements/{entry.id}-{safe_name(entry.evidence_filename)}"
            files.append(PackFile(name, checked_evidence(entry), "retirement evidence"))
            rows.append({c: getattr(entry, c, None) for c in (
                "id", "kind", "reverses_id", "scheme", "issuance_key", "serial_start", "serial_end", "quantity",
                "unit", "retired_on", "registry_reference", "beneficiary_text", "evidence_sha256")}
                | {"evidence_file": name})
        files.append(PackFile("retirements.csv", retirements_csv(rows), "retirements of the period"))
        factors = _factor_evidence(session, organisation_id, inventory)
        about = {"organisation_id": organisation_id, "period_id": period.id,
                 "period": f"{period.start_date.isoformat()}/{period.end_date.isoformat()}",
                 "inventory_id": inventory.id if inventory else None,
                 "verification_state": model.verification_state(
                     verification is not None, verification is not None and verification.confirmed_at is not None).value,
                 "generated_at": utcnow().isoformat()}
        return build_pack(files, about, factors)


def _checked(content: bytes, recorded: str, field: str) -> bytes:
    computed = hashlib.sha256(content).hexdigest()
    if computed != recorded:
        raise Conflict(Msg("the verification statement was changed after it was recorded: its SHA-256 is "
                           "{computed}, {recorded} was recorded", computed=computed, recorded=recorded),
                       {"recorded_sha256": recorded, "computed_sha256": computed, "file": field})
    return content


def _factor_evidence(session: Session, organisation_id: int, inventory: Inventory | None) -> Sequence[dict[str, Any]]:
    """The organisation's own factors the inventory used (frozen at verification, else every
    current one of the organisation), with the evidence hash recorded for each."""
    used: set[str] | None = None
    if inventory is not None and inventory.frozen_factors:
        used = set(inventory.frozen_factors)
    factors = session.scalars(select(OrganisationFactor).where(
        OrganisationFactor.organisation_id == organisation_id).order_by(OrganisationFactor.key, OrganisationFactor.version))
    return [{"factor": f"{f.key} v{f.version}", "name": f.evidence_filename, "sha256": f.evidence_sha256,
             "what": "factor evidence (hash recorded, file not kept)"}
            for f in factors if used is None or f.key in used or f"org:{f.key}" in used]


@dataclass(frozen=True)
class PeriodReview:
    """What the period's review page shows: its row of the workspace, the verifier's opinion
    if given, and the comment threads."""

    row: WorkspacePeriod
    opinion: VerificationOpinion | None
    comments: list[ReviewComment]


def period_review(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int) -> PeriodReview:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    comments = list_comments(uow, actor, organisation_id, period_id)
    row = next(r for r in workspace(uow, actor, organisation_id) if r.period.id == period_id)
    opinion = None
    if row.verification is not None:
        with uow.reading():
            opinion = uow.session.scalar(select(VerificationOpinion).where(
                VerificationOpinion.verification_id == row.verification.id))
    return PeriodReview(row, opinion, comments)
