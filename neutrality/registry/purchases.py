"""Use cases of purchases: a purchase with its invoice, linked to the blocks it delivered; the
check that the blocks delivered do not exceed what was bought."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record
from neutrality.clock import utcnow
from neutrality.errors import Conflict, InvalidInput
from neutrality.messages import Msg
from neutrality.registry.model import Scheme
from neutrality.registry.repository import get_block_row, get_purchase_row
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.registry.tables import Purchase, SerialBlock
from neutrality.uow import UnitOfWork


def record_purchase(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    data: Mapping[str, Any],
    *,
    invoice: bytes,
    invoice_filename: str,
    block_ids: Sequence[int] = (),
) -> Purchase:
    """A purchase with its invoice (kept with its SHA-256), linked to the blocks it delivered."""
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    if not invoice:
        raise InvalidInput(Msg("the invoice file is empty"), {"invoice": ["empty"]})
    with uow:
        session = uow.session
        scheme = scheme_of(data["scheme"])
        purchase = Purchase(
            organisation_id=organisation_id,
            scheme=scheme.code,
            supplier=data["supplier"],
            contract_reference=data["contract_reference"],
            contract_date=data["contract_date"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            currency=data["currency"].upper(),
            delivery_account=data["delivery_account"],
            note=data.get("note", ""),
            invoice_filename=invoice_filename,
            invoice_sha256=hashlib.sha256(invoice).hexdigest(),
            invoice=invoice,
            created_at=utcnow(),
            created_by=actor.label,
        )
        session.add(purchase)
        uow.flush()
        for block_id in block_ids:
            block = get_block_row(session, organisation_id, block_id)
            if block.scheme != scheme.code:
                raise InvalidInput(
                    Msg("block {id} is {scheme}, the purchase {purchase}", id=block_id, scheme=block.scheme,
                        purchase=scheme.code),
                    {"block_ids": [f"block {block_id}: another scheme"]},
                )
            if block.purchase_id is not None:
                raise Conflict(Msg("block {id} was delivered by purchase {purchase}", id=block_id, purchase=block.purchase_id))
            block.purchase_id = purchase.id
        uow.flush()
        check_purchase_quantity(session, purchase)
        record(
            session, actor, "registry.purchase.record", purchase, organisation_id=organisation_id
        )
        uow.commit()
        return purchase


def check_purchase_quantity(session: Session, purchase: Purchase) -> None:
    """Refuse blocks that deliver more units than the purchase bought."""
    delivered = session.scalar(
        select(func.coalesce(func.sum(SerialBlock.quantity), 0)).where(
            SerialBlock.purchase_id == purchase.id
        )
    )
    if delivered > purchase.quantity:
        raise InvalidInput(
            Msg("the blocks delivered hold {delivered} units, more than the {bought} bought",
                delivered=format(delivered, ","), bought=format(purchase.quantity, ",")),
            {"block_ids": ["more than the purchase"]},
        )


def purchase_for(
    session: Session, organisation_id: int, purchase_id: int | None, scheme: Scheme
) -> Purchase | None:
    """The purchase named as delivering blocks of ``scheme`` (None when none is named); a
    purchase of another scheme is refused."""
    if purchase_id is None:
        return None
    purchase = get_purchase_row(session, organisation_id, purchase_id)
    if purchase.scheme != scheme.code:
        raise InvalidInput(
            Msg("purchase {id} is of {scheme}, not {expected}", id=purchase_id, scheme=purchase.scheme,
                expected=scheme.code),
            {"purchase_id": ["another scheme"]},
        )
    return purchase


def list_purchases(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[Purchase]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return list(
            uow.session.scalars(
                select(Purchase)
                .where(Purchase.organisation_id == organisation_id)
                .order_by(Purchase.id)
            )
        )


def invoice_of(
    uow: UnitOfWork, actor: Actor, organisation_id: int, purchase_id: int
) -> tuple[Purchase, bytes]:
    """A purchase with its invoice file (deferred: only this use case loads it)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        purchase = get_purchase_row(uow.session, organisation_id, purchase_id)
        return purchase, purchase.invoice


def get_purchase(uow: UnitOfWork, actor: Actor, organisation_id: int, purchase_id: int) -> Purchase:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_purchase_row(uow.session, organisation_id, purchase_id)
