"""A published declaration says the same in its three public forms: the page, its JSON and the
PDF stored at issue (read back as text). Yancheng 2024's zero-carbon factory declaration of the
demo, issued (PDFs rendered for real) and published."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal

import pypdfium2
from sqlalchemy import select

from neutrality.access.cli import cli_actor
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.statements import versions
from neutrality.statements.services import public_url
from neutrality.uow import UnitOfWork
from neutrality.web import declaration_pages


def _shown(value: str) -> str:
    """An exact figure as the page and the English PDF show it: to 3 places, half up, grouped."""
    return f"{abs(Decimal(value)).quantize(Decimal('0.001'), rounding=ROUND_HALF_UP):,}"


def test_the_page_the_json_and_the_pdf_agree(app, db, client) -> None:  # type: ignore[no-untyped-def]
    declaration_pages.RENDERED.clear()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with db() as session:
        period = session.scalars(select(ApplicationPeriodRow).order_by(ApplicationPeriodRow.id)).first()
        organisation_id, period_id = period.organisation_id, period.id
    with app.app_context():
        unit = UnitOfWork(db)
        existing = [v for v in versions.list_versions(unit, cli_actor(), organisation_id, period_id)
                    if v.published_at is not None and v.withdrawn_at is None]
        if not existing:  # the demo publishes it; issued here when it does not
            address = public_url(app.extensions["neutrality.settings"].public_url, organisation_id, period_id)
            issued = versions.issue_statement(unit, cli_actor(), organisation_id, period_id, "cn_zero_carbon_factory",
                                              issued_on=dt.date(2026, 12, 5), published_at=address)
            versions.publish_version(unit, cli_actor(), organisation_id, issued.id)

    record = client.get(f"/declarations/{organisation_id}/{period_id}.json").get_json()
    (declaration, *_) = record["declarations"]
    shown = declaration["versions"][0]
    page = client.get(f"/declarations/{organisation_id}/{period_id}?lang=en").get_data(as_text=True)
    document = next(d for d in shown["documents"] if d["locale"] == "en")
    pdf = client.get(document["url"].removeprefix("http://localhost")).data
    assert hashlib.sha256(pdf).hexdigest() == document["sha256"]
    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(pdf))
    flat = text.replace("\r\n", "").replace("\n", "").replace("\ufffe", "-")  # narrow columns break words

    # the snapshot's hash: in the PDF's footer, on the page, in the JSON
    assert shown["snapshot_sha256"] in flat and shown["snapshot_sha256"] in page
    # the balance: the exact figures of the JSON, rounded for reading, in the page and the PDF
    balance = shown["balance"]
    assert Decimal(balance["net_tco2e"]) == (Decimal(balance["residual_tco2e"])
                                             - Decimal(balance["credits_counted_tco2e"]))
    for name in ("gross_market_tco2e", "residual_tco2e", "credits_counted_tco2e", "net_tco2e"):
        assert _shown(balance[name]) in page, name
        assert _shown(balance[name]) in flat, name
    # the verifier and every retirement, with its registry reference and evidence hash
    assert shown["verification"]["body"] in page and shown["verification"]["body"] in flat
    assert shown["retirements"]
    for r in shown["retirements"]:
        assert r["reference"] in page and r["reference"] in flat
        if r["evidence_sha256"]:
            assert r["evidence_sha256"] in page and r["evidence_sha256"] in flat
    # the claim's wording
    assert shown["wording"]["en"][:40] in flat
    # the public address printed in the PDF is the page's
    assert f"/declarations/{organisation_id}/{period_id}" in flat
