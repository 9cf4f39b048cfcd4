"""Retirements read from a registry's export and matched to the organisation's holdings.

The second way into the ledger (the first is recording one retirement by hand): the registry
already retired the units, and its export (Verra transactions, Gold Standard retirements, an
I-REC redemption statement, a GEC account export…) says so, with the beneficiary, reason,
details and date. Each retired row is matched to the blocks the organisation holds, or holds
as retired from an earlier import of its account, and recorded for one application period.

All or nothing, like every import: one row that cannot be matched cleanly (units partly held,
held by another status, partly in the ledger already, a date in the future, certificates for
a market without consumption) rejects the file with its row and column named. Rows whose
units the organisation never held are listed and left alone (a public export lists everyone's
retirements); rows already in the ledger with the same units are skipped, so importing the
same export twice records nothing more.

Every matched row is judged by the rules of the period's claim before anything is written, in
a preview too, so a preview names the rows the rules refuse. A refused row rejects the file,
unless the import gives ``despite_rules`` (a reason): the registry has retired those units
already and the ledger must say so, so they are recorded with the reason and their findings,
and the claim does not count them; the other rows are recorded as usual.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record
from neutrality.bulk import in_chunks
from neutrality.clock import utcnow
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.errors import NeutralityError
from neutrality.inventory.positions import PeriodCoverages
from neutrality.messages import Msg, Written, joined
from neutrality.registry import blocks as block_math
from neutrality.registry.exports import InstrumentRow, read_registry_file
from neutrality.registry.held_blocks import lock_holdings
from neutrality.registry.importing import CheckedRows, parse_instrument_rows
from neutrality.registry.model import Block, BlockStatus, InstrumentKind, SerialsContested
from neutrality.registry.retirement_rules import RetirementRules
from neutrality.registry.retirements import (
    period_open_for_retirement,
    retire_units,
)
from neutrality.registry.schemes import load_schemes
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.registry.tables import (
    InstrumentProject,
    RegistryImport,
    RetiredRange,
    Retirement,
    SerialBlock,
)
from neutrality.rules.model import Finding
from neutrality.sheet_limits import SheetLimits
from neutrality.spreadsheets import ImportRejected, RowError
from neutrality.uow import UnitOfWork

#: What became of each retired row of the export.
RECORDED, ALREADY_RECORDED, NOT_HELD = "recorded", "already_recorded", "not_held"
#: How many rows on units never held the outcome names (the rest are counted).
NOT_HELD_LISTED = 50
#: Units another organisation retired or holds, or in an open contest: the words a lead reads
#: whichever it is.
_CONTESTED = SerialsContested("be retired").message
#: Statuses of our blocks a registry retirement can be matched to.
_MATCHABLE = (BlockStatus.HELD.value, BlockStatus.RESERVED.value, BlockStatus.RETIRED.value)


@dataclass(frozen=True)
class _Piece:
    """Units of one of our blocks that a row retired."""

    block_id: int
    start: int
    end: int

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1


@dataclass
class RowMatch:
    row: int
    scheme: str
    serial: str
    quantity: int
    retired_on: dt.date | None
    beneficiary: str
    outcome: str  # RECORDED (or, in a preview, to be recorded), ALREADY_RECORDED, NOT_HELD
    blocks: list[int] = dataclasses.field(default_factory=list)
    retirement_ids: list[int] = dataclasses.field(default_factory=list)
    #: the blocking rules of the claim that refuse the row (a rule once, whichever of the row's
    #: blocks it refused): rule_set, rule_id, clause and the explanation in each language
    refusals: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def import_retirements(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, data: bytes, filename: str,
    max_bytes: int, as_of: dt.date, kind: str | None = None, mapping: Mapping[str, str] | None = None,
    encoding: str | None = None, rows: Sequence[int] | None = None, dry_run: bool = False,
    limits: SheetLimits, despite_rules: str = "",
) -> dict[str, Any]:
    """Record for ``period_id`` the retirements a registry export shows on units the
    organisation holds (only the spreadsheet ``rows`` given, when given).

    ``despite_rules``: why to record the rows a blocking rule of the claim refuses (without it,
    such a row rejects the file); a blank reason is no reason."""
    authorize(actor, Permission.RETIRE, organisation_id)
    despite = (despite_rules or "").strip()
    # The file is read with no transaction open: nobody waits while a long export is read.
    parsed = read_registry_file(data, filename, max_bytes=max_bytes, kind=kind, mapping=mapping,
                                encoding=encoding, limits=limits)
    if not parsed.ok:
        raise ImportRejected(filename, parsed.errors)
    wanted = set(rows) if rows is not None else None
    retired = [r for r in parsed.instruments
               if r.status == "retired" and (wanted is None or r.row in wanted)]
    if wanted is not None:
        missing = sorted(wanted - {r.row for r in retired})
        if missing:
            raise ImportRejected(filename, [
                RowError(n, None, Msg("is not a retired row of the file")) for n in missing])
    checked = parse_instrument_rows(retired, as_of)
    sha256 = hashlib.sha256(data).hexdigest()
    # a preview only reads; an import takes the write lock to match and record the rows
    with uow.reading() if dry_run else uow:
        session = uow.session
        if not dry_run:
            lock_holdings(session, organisation_id)
        period = period_open_for_retirement(session, organisation_id, period_id)
        matches, pieces, errors = _match(session, organisation_id, checked, as_of)
        markets = PeriodCoverages(session)
        errors = sorted(errors + _markets_without_consumption(session, period, matches, markets),
                        key=lambda e: (e.row or 0, e.column or ""))
        if errors:
            raise ImportRejected(filename, parsed.in_file_terms(errors))
        by_id = {row.row: row for row in retired}
        # the claim's rules, gathered once for the file; judged before anything is written, so a
        # preview refuses what the import would, and a refused row writes nothing
        judge = RetirementRules(session, markets, as_of)
        refused = _judge(session, judge, period, matches, pieces, by_id)
        if refused and not despite and not dry_run:
            raise RowsRefusedByRules(filename, refused)
        answer = {
            "status": "preview" if dry_run else "imported", "filename": filename, "sha256": sha256,
            "kind": parsed.kind, "period_id": period.id, "import_id": None,
            "rows_read": len(parsed.instruments), "retired_rows": len(retired),
            # a public export lists everyone's retirements: the rows on units never held are
            # counted, and the first of them named, rather than listed one by one
            "rows": [m for m in matches if m.outcome != NOT_HELD],
            "recorded": sum(1 for m in matches if m.outcome == RECORDED),
            "refused_by_rules": len(refused),
            # with a reason, the refused rows are (in a preview: would be) recorded on purpose
            "recorded_despite_rules": sorted(refused) if despite else [],
            "not_held": sum(1 for m in matches if m.outcome == NOT_HELD),
            "not_held_rows": [m.row for m in matches if m.outcome == NOT_HELD][:NOT_HELD_LISTED],
        }
        if dry_run or not any(m.outcome == RECORDED for m in matches):
            return answer
        batch = _registry_import(session, organisation_id, actor, parsed.kind, filename, sha256, parsed.encoding)
        for match in matches:
            if match.outcome != RECORDED:
                continue
            row = by_id[match.row]
            evidence = _row_evidence(row, filename, sha256)
            # the reason goes with every row: retire_units keeps it only where a rule refuses
            fields = {**_fields(row), "despite_rules": despite}
            for piece in pieces[match.row]:
                block = _holding(session, piece)
                try:
                    entry = retire_units(uow, actor, period, block, piece.start, piece.end, fields,
                                         evidence=evidence, evidence_filename=f"{filename}, row {row.row}",
                                         as_of=as_of, markets=markets, import_id=batch.id, judge=judge)
                except NeutralityError as problem:
                    raise ImportRejected(filename, parsed.in_file_terms(
                        [RowError(row.row, "serial", problem.message)])) from None
                match.retirement_ids.append(entry.id)
        record(session, actor, "registry.retirements.import", batch, organisation_id=organisation_id)
        uow.commit()
        answer["import_id"] = batch.id
        return answer


def _findings(findings: Sequence[Finding]) -> Written:
    """Each rule and why, in the reader's language: "ISO-21 (…); CN-GEC-04 (…)"."""
    def written(locale: str) -> str:
        between, opening, closing = ("; ", " (", ")") if locale == "en" else ("；", "（", "）")
        return between.join(f"{f.rule_id}{opening}{f.explanation.in_locale(locale)}{closing}" for f in findings)

    return Written(written("en"), zh_Hans=written("zh_Hans"), zh_Hant=written("zh_Hant"))


class RowsRefusedByRules(ImportRejected):
    """A file whose matched rows a blocking rule of the claim refuses, imported without a reason
    to record them anyway: one error per refused row, and a message naming the rules and the way
    to record them on purpose."""

    def __init__(self, filename: str, refused: Mapping[int, list[Finding]]):
        super().__init__(filename, [
            RowError(row, None, Msg("refused by the rules of the claim: {findings}", findings=_findings(findings)))
            for row, findings in sorted(refused.items())])
        rules = ", ".join(sorted({f.rule_id for findings in refused.values() for f in findings}))
        count = len(refused)
        refusal = (Msg("'{filename}': the rules of the claim refuse 1 row ({rules})", filename=filename, rules=rules)
                   if count == 1 else
                   Msg("'{filename}': the rules of the claim refuse {count} rows ({rules})", filename=filename,
                       count=count, rules=rules))
        self.message = Msg(
            "{refusal}; nothing was imported. If the registry has retired these units already, import the file "
            "with despite_rules (the reason; --despite-rules on the command line): those rows are recorded on "
            "purpose, stay in the ledger with the rules' findings, and the claim does not count them",
            refusal=refusal)
        self.args = (self.message,)


def _fields(row: InstrumentRow) -> dict[str, Any]:
    """What the registry's row says of its retirement, as the ledger records it (and as the rules
    judge it: :meth:`RetirementRules.refusals` reads the same fields)."""
    return {
        "beneficiary_text": row.beneficiary[:500],
        "purpose": row.details or row.reason or f"retired at the registry for {row.beneficiary}",
        "reason": row.reason, "retired_on": row.retirement_date,
        "registry_reference": row.extra.get("retirement_id") or row.serial[:200], "registry_link": "",
    }


def _judge(
    session: Session, judge: RetirementRules, period: ApplicationPeriodRow, matches: Sequence[RowMatch],
    pieces: Mapping[int, Sequence[_Piece]], by_id: Mapping[int, InstrumentRow],
) -> dict[int, list[Finding]]:
    """The blocking refusals of each row to be recorded, by row number (rows no rule refuses left
    out), each also set on its :class:`RowMatch`. Each of a row's pieces is judged as
    :func:`retire_units` will judge it: its block, its units, the row's fields, its market."""
    refused: dict[int, list[Finding]] = {}
    for match in matches:
        if match.outcome != RECORDED:
            continue
        fields = _fields(by_id[match.row])
        findings: dict[tuple[str, str], Finding] = {}
        for piece in pieces[match.row]:
            block = session.get(SerialBlock, piece.block_id)
            certificate = scheme_of(block.scheme).kind is InstrumentKind.EAC
            # a certificate covers the electricity of its own market (as retire_units records it)
            market = session.get(InstrumentProject, block.project_id).country if certificate else None
            for finding in judge.refusals(period, block, piece.quantity, fields, market, certificate):
                findings.setdefault((finding.rule_set, finding.rule_id), finding)
        if findings:
            refused[match.row] = list(findings.values())
            match.refusals = [
                {"rule_set": f.rule_set, "rule_id": f.rule_id, "clause": f.clause,
                 "explanation": f.explanation.as_dict()} for f in findings.values()]
    return refused


def _holding(session: Session, piece: _Piece) -> SerialBlock:
    """The block holding a piece's units now. It is the block matched, unless an earlier row of
    the file retired other units of that block: retire_units then narrowed it to those units and
    split the rest off as new blocks, one of which holds this piece (an organisation's blocks
    other than transferred out and void never overlap)."""
    block = session.get(SerialBlock, piece.block_id)
    if block.serial_start <= piece.start and piece.end <= block.serial_end:
        return block
    return session.scalars(select(SerialBlock).where(
        SerialBlock.organisation_id == block.organisation_id, SerialBlock.scheme == block.scheme,
        SerialBlock.issuance_key == block.issuance_key, SerialBlock.serial_start <= piece.start,
        SerialBlock.serial_end >= piece.end,
        SerialBlock.status != BlockStatus.TRANSFERRED_OUT.value, SerialBlock.status != BlockStatus.VOID.value,
    )).one()


def _match(
    session: Session, organisation_id: int,
    checked: tuple[CheckedRows, Sequence[RowError]], as_of: dt.date,
) -> tuple[list[RowMatch], dict[int, list[_Piece]], list[RowError]]:
    """Each retired row (its serial read: :func:`parse_instrument_rows`) matched to the ledger
    and to the organisation's blocks."""
    matches: list[RowMatch] = []
    pieces: dict[int, list[_Piece]] = {}
    values: list[tuple[InstrumentRow, Block]] = []
    good, errors = checked[0], list(checked[1])
    for row, _, serial in good:
        if row.retirement_date is None:
            errors.append(RowError(row.row, "retirement_date", Msg("is empty; a retired row needs its date")))
        elif row.retirement_date > as_of:
            errors.append(RowError(row.row, "retirement_date", Msg("{date} is in the future", date=row.retirement_date.isoformat())))
        values.append((row, Block(row.scheme, serial.issuance_key, serial.start, serial.end)))
    blocks = [value for _, value in values]
    for i, j in block_math.find_overlaps(blocks):
        errors.append(RowError(values[j][0].row, "serial", Msg("overlaps row {row} of the file", row=values[i][0].row)))
    in_ledger, held = _Ranges(), _Ranges()
    keys = sorted({(value.scheme, value.issuance_key) for _, value in values})
    for some in in_chunks(keys):
        schemes, issuances = {scheme for scheme, _ in some}, [key for _, key in some]
        in_ledger.add(session.execute(
            select(RetiredRange.scheme, RetiredRange.issuance_key, RetiredRange.serial_start, RetiredRange.serial_end,
                   Retirement.id, Retirement.organisation_id)
            .join(Retirement, Retirement.id == RetiredRange.retirement_id)
            .where(RetiredRange.scheme.in_(schemes), RetiredRange.issuance_key.in_(issuances))))
        # the organisation's blocks (every status but transferred out and void: they never overlap)
        held.add(session.execute(
            select(SerialBlock.scheme, SerialBlock.issuance_key, SerialBlock.serial_start, SerialBlock.serial_end,
                   SerialBlock.id, SerialBlock.status)
            .where(SerialBlock.organisation_id == organisation_id, SerialBlock.scheme.in_(schemes),
                   SerialBlock.issuance_key.in_(issuances),
                   SerialBlock.status != BlockStatus.TRANSFERRED_OUT.value,
                   SerialBlock.status != BlockStatus.VOID.value)))
    for row, value in values:
        match = RowMatch(row.row, row.scheme, row.serial, value.quantity, row.retirement_date, row.beneficiary,
                         NOT_HELD)
        matches.append(match)
        ledger = in_ledger.overlapping(value)
        if any(org == organisation_id and (start, end) == (value.start, value.end)
               for start, end, _, org in ledger):
            match.outcome = ALREADY_RECORDED
            continue
        ours = held.overlapping(value)
        if not ours:
            # one of everyone's retirements: whether another organisation here retired these
            # units is not this organisation's to learn
            continue
        if ledger:
            mine = [entry_id for _, _, entry_id, org in ledger if org == organisation_id]
            errors.append(RowError(row.row, "serial", (
                Msg("units of {start}–{end} are already in the ledger (retirement {ids}) with other serials",
                    start=value.start, end=value.end, ids=", ".join(map(str, mine))) if mine else _CONTESTED)))
            continue
        if any(status == BlockStatus.CONTESTED for _, _, _, status in ours):
            errors.append(RowError(row.row, "serial", _CONTESTED))
            continue
        unusable = [(block_id, status) for _, _, block_id, status in ours if status not in _MATCHABLE]
        if unusable:
            errors.append(RowError(row.row, "serial", joined((
                Msg("block {id} holding these units is {status}", id=block_id, status=status)
                for block_id, status in unusable), "; ")))
            continue
        units = sum(min(end, value.end) - max(start, value.start) + 1 for start, end, _, _ in ours)
        if units != value.quantity:
            errors.append(RowError(row.row, "serial", (
                Msg("only {units} of its {quantity} units ({start}–{end}) are in the "
                    "organisation's holdings; record the missing blocks first", units=format(units, ","),
                    quantity=format(value.quantity, ","), start=value.start, end=value.end))))
            continue
        match.outcome = RECORDED
        match.blocks = [block_id for _, _, block_id, _ in ours]
        pieces[row.row] = [_Piece(block_id, max(start, value.start), min(end, value.end))
                           for start, end, block_id, _ in ours]
    errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    return matches, pieces, errors


def _markets_without_consumption(
    session: Session, period: ApplicationPeriodRow, matches: Sequence[RowMatch], markets: PeriodCoverages,
) -> list[RowError]:
    """EAC rows whose market has no grid electricity in the period: found in a preview too."""
    schemes = load_schemes()
    errors = []
    for match in matches:
        if match.outcome != RECORDED or schemes[match.scheme].kind is not InstrumentKind.EAC:
            continue
        block = session.get(SerialBlock, match.blocks[0])
        market = session.get(InstrumentProject, block.project_id).country
        if markets.grid_mwh(period, market) <= 0:
            errors.append(RowError(match.row, "serial", (
                Msg("certificates of market {market}: the period has no grid electricity there to cover",
                    market=market))))
    return errors


class _Ranges:
    """Non-overlapping unit ranges per (scheme, issuance key), each with two facts, found by
    bisection: one query loads them for a whole file instead of two per row (a public export
    of 20,000 rows took 7 s with a probe per row)."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], list[tuple[int, int, Any, Any]]] = {}
        self._starts: dict[tuple[str, str], list[int]] = {}

    def add(self, rows: Iterable[Any]) -> None:
        for scheme, key, start, end, first, second in rows:
            self._by_key.setdefault((scheme, key), []).append((start, end, first, second))
        self._starts.clear()  # sorted again on the next look-up

    def _sorted(self, key: tuple[str, str]) -> tuple[list[tuple[int, int, Any, Any]], list[int]]:
        ranges = self._by_key.get(key, [])
        if key not in self._starts:
            ranges.sort(key=lambda r: r[0])
            self._starts[key] = [r[0] for r in ranges]
        return ranges, self._starts[key]

    def overlapping(self, block: Block) -> list[tuple[int, int, Any, Any]]:
        """The ranges sharing a unit with ``block``, lowest first. They do not overlap one
        another, so their ends rise with their starts: walk back from the last one starting at
        or before the block's end while they still reach its start."""
        ranges, starts = self._sorted((block.scheme, block.issuance_key))
        found = []
        index = bisect.bisect_right(starts, block.end) - 1
        while index >= 0 and ranges[index][1] >= block.start:
            found.append(ranges[index])
            index -= 1
        return found[::-1]


def _registry_import(
    session: Session, organisation_id: int, actor: Actor, kind: str, filename: str, sha256: str, encoding: str,
) -> RegistryImport:
    """The record of the export; the same file imported earlier as holdings is that record."""
    earlier = session.scalar(select(RegistryImport).where(
        RegistryImport.organisation_id == organisation_id, RegistryImport.sha256 == sha256))
    if earlier is not None:
        return earlier
    batch = RegistryImport(organisation_id=organisation_id, kind=kind, filename=filename, sha256=sha256,
                           encoding=encoding, block_count=0, project_count=0, created_at=utcnow(),
                           created_by=actor.label)
    session.add(batch)
    session.flush()
    return batch


def _row_evidence(row: InstrumentRow, filename: str, sha256: str) -> bytes:
    """The registry's own statement of one retirement: its row, with the file it came from (by
    name and SHA-256, recorded with the import)."""
    values = {
        "file": filename, "file_sha256": sha256, "row": row.row, "scheme": row.scheme, "serial": row.serial,
        "quantity": row.quantity, "project_id": row.project_id, "project_name": row.project_name,
        "retirement_date": row.retirement_date.isoformat() if row.retirement_date else None,
        "beneficiary": row.beneficiary, "reason": row.reason, "details": row.details, **dict(row.extra),
    }
    return json.dumps(values, ensure_ascii=False, indent=1, sort_keys=True).encode()
