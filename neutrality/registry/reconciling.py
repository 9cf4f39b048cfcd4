"""Use case: reconcile the organisation's retirement ledger with a registry retirement export.

A verifier (read-only on the organisations that appoint it) uploads the registry's export
(Verra transactions, Gold Standard retirements, or one of our templates for registries without
a public export) and gets every difference from the ledger: units not shown retired, other
ranges, another beneficiary, dates, the ISO 14068-1 deadline, units another organisation of
this system also holds retired, and retirements for the organisation the ledger lacks. The
comparison itself is pure (:mod:`neutrality.registry.reconciliation`); this module reads the
file and the database and writes nothing: not the file, not an audit entry (reading is not
audited elsewhere either).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.bulk import in_chunks
from neutrality.clock import today
from neutrality.commitments.model import retirement_deadline
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.messages import Msg
from neutrality.organisations.tables import Organisation
from neutrality.registry.exports import RegistryFile, read_registry_file
from neutrality.registry.importing import parse_instrument_rows
from neutrality.registry.ledger import in_force_only
from neutrality.registry.model import BlockStatus
from neutrality.registry.reconciliation import (
    LedgerEntry,
    Mismatch,
    RegistryRetirement,
    RetiredElsewhere,
    reconcile,
)
from neutrality.registry.tables import RetiredRange, Retirement, SerialBlock, SerialContest
from neutrality.sheet_limits import SheetLimits
from neutrality.spreadsheets import ImportRejected, RowError
from neutrality.uow import UnitOfWork


def reconcile_export(
    uow: UnitOfWork, actor: Actor, organisation_id: int, *, data: bytes, filename: str, max_bytes: int,
    period_id: int | None = None, kind: str | None = None, encoding: str | None = None,
    limits: SheetLimits,
) -> dict[str, Any]:
    """Compare the organisation's retirements in force (of one period, or all) with the retired
    rows of a registry export; read-only.

    An unreadable file, or a retired row whose serial cannot be read or does not match its
    quantity, is refused as an import would be (:class:`ImportRejected`, every row
    named): a range misread would report mismatches that are not there, or hide real ones.
    """
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    if period_id is not None:
        with uow.reading():
            get_period_row(uow.session, organisation_id, period_id)
    # The file is read with no transaction open; the ledger is read in one snapshot after it.
    parsed = read_registry_file(data, filename, max_bytes=max_bytes, kind=kind, encoding=encoding,
                                limits=limits)
    if not parsed.ok:
        raise ImportRejected(filename, parsed.errors)
    if parsed.projects:
        raise ImportRejected(filename, [RowError(
            None, None, Msg("this is a project list ({kind}); reconciliation needs the registry's "
                            "transactions or retirements export", kind=parsed.kind))])
    rows = _registry_retirements(parsed)
    with uow.reading():
        session = uow.session
        ledger = _ledger(session, organisation_id)
        checked = [e for e in ledger if period_id is None or e.period_id == period_id]
        elsewhere = [e for e in ledger if period_id is not None and e.period_id != period_id]
        organisation = session.get(Organisation, organisation_id)
        names = [n for n in (organisation.name, organisation.legal_name, organisation.english_name) if n]
        report = reconcile(checked, rows, names, _retired_by_others(session, organisation_id, checked),
                           recorded_elsewhere=elsewhere)
        summary = report.summary
        return {
            "organisation_id": organisation_id,
            "period_id": period_id,
            "filename": filename,
            "sha256": parsed.sha256,
            "kind": parsed.kind,
            "encoding": parsed.encoding,
            "claimant_names": names,
            "summary": {
                "entries_checked": summary.entries_checked,
                "registry_rows": len(parsed.instruments),
                "registry_retired_rows": summary.registry_retired_rows,
                "entries_matched": summary.entries_matched,
                "unrelated_rows": summary.unrelated_rows,
                "rows_for_other_periods": summary.rows_for_other_periods,
                "mismatches": len(report.mismatches),
                "mismatches_by_kind": dict(summary.mismatches_by_kind),
            },
            "mismatches": [_mismatch(m) for m in report.mismatches],
        }


def _registry_retirements(parsed: RegistryFile) -> list[RegistryRetirement]:
    """The retired rows, serials decoded and checked as an import checks them (issued and
    cancelled rows are not claims: they are not read further)."""
    good, errors = parse_instrument_rows((row for row in parsed.instruments if row.status == "retired"), today())
    if errors:
        raise ImportRejected(parsed.filename, parsed.in_file_terms(errors))
    return [RegistryRetirement(row.row, scheme.code, serial.issuance_key, serial.start, serial.end,
                               row.retirement_date, row.beneficiary) for row, scheme, serial in good]


def _ledger(session: Session, organisation_id: int) -> list[LedgerEntry]:
    """The organisation's retirements in force (:func:`neutrality.registry.ledger.in_force_only`,
    over all periods in one query), each with its period's retirement deadline."""
    rows = session.execute(in_force_only(
        select(Retirement.id, Retirement.period_id, Retirement.scheme, Retirement.issuance_key,
               Retirement.serial_start, Retirement.serial_end, Retirement.retired_on,
               ApplicationPeriodRow.end_date, Commitment.standard)
        .join(ApplicationPeriodRow, ApplicationPeriodRow.id == Retirement.period_id)
        .join(Commitment, Commitment.id == ApplicationPeriodRow.commitment_id),
        organisation_id=organisation_id,
    ).order_by(Retirement.id))
    return [
        LedgerEntry(entry_id, period, scheme, key, start, end, retired_on, retirement_deadline(standard, period_end))
        for entry_id, period, scheme, key, start, end, retired_on, period_end, standard in rows
    ]


def _retired_by_others(session: Session, organisation_id: int, entries: Sequence[LedgerEntry]) -> list[RetiredElsewhere]:
    """Units of the issuances of ``entries`` that other organisations hold retired: their
    retirements in force (the guard ranges) and their blocks with the status "retired" (from
    their own imports, with the registry's beneficiary when the file gave one)."""
    numberings = {(e.scheme, e.issuance_key) for e in entries}
    schemes = sorted({scheme for scheme, _ in numberings})
    keys = sorted({key for _, key in numberings})
    found: list[RetiredElsewhere] = []
    for some in in_chunks(keys):
        for scheme, key, start, end in session.execute(
            select(RetiredRange.scheme, RetiredRange.issuance_key, RetiredRange.serial_start, RetiredRange.serial_end)
            .join(Retirement, Retirement.id == RetiredRange.retirement_id)
            .where(Retirement.organisation_id != organisation_id, RetiredRange.scheme.in_(schemes),
                   RetiredRange.issuance_key.in_(some))
        ):
            if (scheme, key) in numberings:
                found.append(RetiredElsewhere(scheme, key, start, end))
        for scheme, key, start, end, details in session.execute(
            select(SerialBlock.scheme, SerialBlock.issuance_key, SerialBlock.serial_start, SerialBlock.serial_end,
                   SerialBlock.details)
            .outerjoin(SerialContest, SerialContest.block_id == SerialBlock.id)
            .where(SerialBlock.organisation_id != organisation_id,
                   # a block entered as retired while another organisation held the units is
                   # contested, and claims them retired all the same
                   or_(SerialBlock.status == BlockStatus.RETIRED.value,
                       and_(SerialBlock.status == BlockStatus.CONTESTED.value,
                            SerialContest.claimed_status == BlockStatus.RETIRED.value)),
                   SerialBlock.scheme.in_(schemes), SerialBlock.issuance_key.in_(some))
        ):
            if (scheme, key) in numberings:
                # a block with no beneficiary on record counts as a claim: nothing says whose it is
                found.append(RetiredElsewhere(scheme, key, start, end, (details or {}).get("beneficiary", "")))
    return found


def _mismatch(mismatch: Mismatch) -> dict[str, Any]:
    return {
        "kind": mismatch.kind.value,
        "sentence": mismatch.sentence,
        "retirement_id": mismatch.retirement_id,
        "registry_row": mismatch.registry_row,
        "scheme": mismatch.scheme,
        "issuance_key": mismatch.issuance_key,
        "serial_start": mismatch.start,
        "serial_end": mismatch.end,
        "quantity": mismatch.quantity,
        "details": dict(mismatch.details),
    }
