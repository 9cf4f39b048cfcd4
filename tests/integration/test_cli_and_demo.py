"""The command line drives the same services as the API; the demo loads once."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.organisations.tables import Organisation, Site
from neutrality.statements.tables import StatementVersion


def test_demo_load_creates_the_jiangsu_manufacturer_and_is_idempotent(app, db) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "lead@demo.neutrality.test" in result.output
    with db() as session:
        org = session.scalar(select(Organisation).where(Organisation.name == "苏辉光伏"))
        sites = session.scalars(select(Site).where(Site.organisation_id == org.id)).all()
        periods = session.scalars(
            select(ApplicationPeriodRow).where(ApplicationPeriodRow.organisation_id == org.id)
            .order_by(ApplicationPeriodRow.commitment_id, ApplicationPeriodRow.sequence)).all()
        standards = session.scalars(select(Commitment.standard).where(Commitment.organisation_id == org.id)).all()
    assert [s.region for s in sites] == ["CN-JS", "CN-JS"]
    assert {s.grid_region for s in sites} == {"CN-EAST"}
    assert standards == ["iso_14068_1_2023", "iso_14068_1_2023"]
    # Two factories, each with the 2024 and 2025 application periods.
    assert [(p.start_date.isoformat(), p.end_date.isoformat()) for p in periods] == [
        ("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-12-31")] * 2
    # Yancheng 2024's zero-carbon factory declaration is published, and readable by anyone
    yancheng_2024 = periods[0]
    address = f"http://127.0.0.1:5000/declarations/{org.id}/{yancheng_2024.id}"
    assert f"published: Yancheng 2024's zero-carbon factory declaration at {address}" in result.output
    with db() as session:
        declared = session.scalars(select(StatementVersion).where(StatementVersion.organisation_id == org.id)).all()
    assert [(v.period_id, v.kind, v.version, v.declaration, v.published_at is not None) for v in declared] == [
        (yancheng_2024.id, "cn_zero_carbon_factory", 1, "achievement", True)]
    assert declared[0].snapshot["published_at"] == address
    page = app.test_client().get(f"/declarations/{org.id}/{yancheng_2024.id}?lang=zh_Hans")
    assert page.status_code == 200 and "零碳工厂声明" in page.get_data(as_text=True)
    # Changzhou 2024 is not declared: nothing of it is public
    assert app.test_client().get(f"/declarations/{org.id}/{periods[2].id}").status_code == 404

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "already loaded" in again.output
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_cli_creates_an_organisation_from_a_json_file_with_the_api_schema(app, db, tmp_path) -> None:
    from tests.factories import organisation_payload

    path = tmp_path / "org.json"
    path.write_text(json.dumps(organisation_payload(name="From CLI")), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orgs", "create", "--json", str(path), "--output", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["name"] == "From CLI"


def test_cli_reports_a_domain_error_cleanly_and_writes_nothing(app, db, tmp_path, table_counts: Any) -> None:
    from tests.factories import organisation_payload

    path = tmp_path / "org.json"
    path.write_text(json.dumps(organisation_payload(country="ZZ")), encoding="utf-8")
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["orgs", "create", "--json", str(path)])
    assert result.exit_code == 1
    assert "invalid_input" in result.output and "country" in result.output
    assert "Traceback" not in result.output
    assert table_counts() == before


def test_cli_rejects_a_json_file_with_unknown_fields(app, db, tmp_path, table_counts: Any) -> None:
    from tests.factories import organisation_payload

    path = tmp_path / "org.json"
    path.write_text(json.dumps(organisation_payload(extra=1)), encoding="utf-8")
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["orgs", "create", "--json", str(path)])
    assert result.exit_code == 1 and "Unknown field" in result.output
    assert table_counts() == before


def test_the_demo_has_a_verified_2024_inventory_with_hand_checked_figures(app, db) -> None:
    from decimal import Decimal

    from neutrality.inventory.tables import Inventory

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        inventories = session.scalars(select(Inventory).order_by(Inventory.id)).all()
    # Per factory: 2024 verified (frozen), 2025 a draft still being filled in.
    assert [i.status for i in inventories] == ["verified", "draft", "verified", "draft"]
    # The lead recorded both verifications; the demo verifier confirmed Yancheng's only, with an
    # opinion of its own: Changzhou's is still the organisation's claim.
    from neutrality.access.tables import User
    from neutrality.inventory.tables import Verification
    from neutrality.verification.tables import VerificationOpinion

    with db() as session:
        verifier = session.scalar(select(User.id).where(User.email == "verifier@demo.neutrality.test"))
        verifications = session.scalars(select(Verification).order_by(Verification.inventory_id)).all()
        opinions = session.scalars(select(VerificationOpinion)).all()
    assert [(v.inventory_id, v.state, v.confirmed_by) for v in verifications] == [
        (inventories[0].id, "confirmed", verifier), (inventories[2].id, "claimed", None)]
    assert [(o.verification_id, o.recorded_by) for o in opinions] == [(verifications[0].id, verifier)]
    yancheng_2024 = inventories[0].frozen_result["location_based"]["by_scope"]
    # Scope 2: (72,000 + 75,500 + 78,800 + 74,200) MWh × 0.5500 t/MWh (East China grid 2023,
    # the latest published year for 2024) = 300,500 × 0.55 = 165,275 t.
    assert Decimal(yancheng_2024["2"]) == Decimal("165275")
    # Scope 3: silver paste 8,200 kg × 150 kg/kg = 1,230 t; freight (1,250,000 + 820,000 +
    # 540,000) t·km × 0.0538 kg = 140.418 t; landfill 1,480 t × 0.5 = 740 t; air travel
    # 910,000 p·km × 0.15 kg = 136.5 t → 2,246.918 t.
    assert Decimal(yancheng_2024["3"]) == Decimal("2246.918")


def test_cli_import_of_a_bad_file_names_row_and_column_and_writes_nothing(app, db, uow, tmp_path, table_counts: Any) -> None:
    from tests.factories import create_world

    world = create_world(uow)
    path = tmp_path / "gas.csv"
    path.write_text("site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date\n"
                    f"{world.site_a},Boiler,1,stationary_combustion,fuel,abc,m3,2025-01-01,2025-01-31\n",
                    encoding="utf-8")
    before = table_counts()
    result = app.test_cli_runner().invoke(
        args=["inventory", "import", str(world.org_a), str(world.inventory_draft), str(path)])
    assert result.exit_code == 1
    assert "import_rejected" in result.output and '"row": 2' in result.output and '"column": "quantity"' in result.output
    assert table_counts() == before


def test_the_demo_holds_instruments_bought_through_purchases_with_hand_checked_figures(app, db) -> None:
    import json
    from decimal import Decimal

    from neutrality.demo import DEMO_ORGANISATION
    from neutrality.inventory.tables import Inventory
    from neutrality.organisations.tables import Organisation

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        org = str(session.scalar(select(Organisation.id).where(Organisation.name == DEMO_ORGANISATION)))
    # every block bought, whatever it became since (the demo retires some for its periods)
    result = runner.invoke(args=["registry", "holdings", org, "--by", "scheme", "--status", "held,reserved,retired", "--json"])
    assert result.exit_code == 0, result.output
    lines = {line["key"]["scheme"]: line for line in json.loads(result.output)}
    # GECs: 2024, (12,000 PV + 14,000 wind) × 12 months = 312,000; 2025, (12,000 + 6,000) × 6 =
    # 108,000; 2,000 more of January 2024 bought later and never used → 422,000 MWh, at
    # 312,000 × CNY 5.00 + 108,000 × CNY 3.20 + 2,000 × CNY 4.00 = 1,560,000 + 345,600 + 8,000.
    assert (lines["GEC"]["quantity"], lines["GEC"]["unit"]) == (422_000, "MWh")
    assert Decimal(lines["GEC"]["cost"]["CNY"]) == Decimal("1913600")
    # I-RECs: 20,000 of 2024 at USD 0.45 = 9,000, and 2,000 of 2025 at USD 0.40 = 800
    assert lines["IREC"]["quantity"] == 22_000 and Decimal(lines["IREC"]["cost"]["USD"]) == Decimal("9800")
    # CCER 3,000 + 2,000 at CNY 85; VCUs of the Verra sample 15,000 + 29,813 + 10,000 at USD 4.80
    assert lines["CCER"]["quantity"] == 5_000 and Decimal(lines["CCER"]["cost"]["CNY"]) == Decimal("425000")
    assert lines["VCU"]["quantity"] == 54_813 and Decimal(lines["VCU"]["cost"]["USD"]) == Decimal("263102.40")
    assert all(line["units_without_price"] == 0 for line in lines.values())

    with db() as session:
        yancheng_2024 = session.scalars(select(Inventory).order_by(Inventory.id)).first()
    needs = json.loads(runner.invoke(args=["registry", "needs", org, str(yancheng_2024.period_id), "--json"]).output)
    # 300,500 MWh of grid electricity (see the test above), all covered by the GECs the demo
    # retired for the period: nothing more needed, nothing to buy
    [market] = needs["markets"]
    assert (market["market"], Decimal(market["electricity_mwh"]), Decimal(market["eac_retired_mwh"])) == (
        "CN", Decimal("300500"), Decimal("300500"))
    assert Decimal(market["eac_needed_mwh"]) == 0 and Decimal(market["eac_to_buy_mwh"]) == 0
    # With all electricity covered market-based Scope 2 is 0: the residual is Scope 1 + Scope 3,
    # and the 3,243 VCUs retired for it leave nothing needed.
    by_scope = yancheng_2024.frozen_result["market_based"]["by_scope"]
    assert Decimal(needs["credits"]["residual_tco2e"]) == Decimal(by_scope["1"]) + Decimal(by_scope["3"])
    assert Decimal(needs["credits"]["retired_tco2e"]) == 3_243 and Decimal(needs["credits"]["needed_tco2e"]) == 0
    assert needs["retirement_deadline"] == "2025-12-31"  # ISO 14068-1: 12 months after the period


def test_cli_registry_import_of_a_bad_file_names_the_row_and_writes_nothing(app, db, uow, tmp_path, table_counts: Any) -> None:
    from tests.factories import create_world

    world = create_world(uow)
    path = tmp_path / "gec.csv"
    code = "11320922230500012" + "202401" + "0000100" + "11"
    before_code = "11320922230500012" + "202401" + "0000001" + "11"
    # 100 GECs written as 99: the quantity does not match the range
    path.write_text("start_serial,end_serial,quantity,project_name,project_code,production_month,status\n"
                    f"{before_code},{code},99,PV,11320922230500012,2024-01,issued\n", encoding="utf-8")
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["registry", "import", str(world.org_a), str(path), "--json"])
    assert result.exit_code == 1
    assert '"row": 2' in result.output and "100" in result.output
    assert table_counts() == before


def test_the_demo_balances_are_right_by_hand(app, db) -> None:
    import json
    from decimal import Decimal

    from neutrality.commitments.tables import ApplicationPeriodRow
    from neutrality.demo import DEMO_ORGANISATION
    from neutrality.inventory.tables import Inventory
    from neutrality.organisations.tables import Organisation

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        org = session.scalar(select(Organisation.id).where(Organisation.name == DEMO_ORGANISATION))
        periods = session.scalars(select(ApplicationPeriodRow).where(ApplicationPeriodRow.organisation_id == org)
                                  .order_by(ApplicationPeriodRow.id)).all()
        frozen = {i.period_id: i.frozen_result for i in session.scalars(select(Inventory)) if i.frozen_result}

    def balance(period: ApplicationPeriodRow) -> dict:
        result = runner.invoke(args=["balance", "show", str(org), str(period.id), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    yancheng_2024, yancheng_2025, changzhou_2024, _ = periods
    # Yancheng 2024: GECs retired for all 300,500 MWh, so market-based Scope 2 is 0 and the
    # residual is Scope 1 + Scope 3 of the verified inventory; 3,243 VCUs retired against it.
    covered = balance(yancheng_2024)
    by_scope = frozen[yancheng_2024.id]["market_based"]["by_scope"]
    residual = Decimal(by_scope["1"]) + Decimal(by_scope["3"])
    assert Decimal(covered["eac_covered_mwh"]) == Decimal(covered["electricity_mwh"]) == 300_500
    assert Decimal(covered["residual_tco2e"]) == residual
    assert Decimal(covered["credits_retired_tco2e"]) == 3_243
    assert covered["verdict"] == "covered" and Decimal(covered["difference_tco2e"]) == 3_243 - residual
    # its verification confirmed by the demo verifier, no period rule blocks: declarable
    assert covered["verification_state"] == "confirmed"
    assert covered["claim"]["blocking_period_rules"] == []
    # Changzhou 2024: 11,500 GECs + 20,000 I-RECs = 31,500 of 49,900 MWh covered, which takes
    # 31,500 × 0.6096 (residual mix) = 19,202.4 t off the gross market-based total; 5,000 CCERs
    # and 100 VCUs (the ledger's arithmetic) against the rest leave it visibly short.
    short = balance(changzhou_2024)
    assert Decimal(short["eac_covered_mwh"]) == 31_500
    gross = Decimal(frozen[changzhou_2024.id]["market_based"]["tco2e"])
    assert Decimal(short["residual_tco2e"]) == gross - Decimal("19202.4")
    assert short["verdict"] == "short"
    assert Decimal(short["difference_tco2e"]) == 5_100 - (gross - Decimal("19202.4"))
    # Under the claim the 100 VCUs retired on 2026-02-10 do not count: ISO 14068-1 wants them
    # retired within 12 months after the period, by 2025-12-31 (ISO-21)
    [late] = short["claim"]["excluded"]
    assert (late["scheme"], late["quantity"], late["rules"]) == ("VCU", 100, ["ISO-21"])
    assert Decimal(short["claim"]["credits_counted_tco2e"]) == 5_000
    # and its verification, recorded by the lead, is not confirmed by the verifier (ISO-32)
    assert short["verification_state"] == "claimed"
    assert "ISO-32" in short["claim"]["blocking_period_rules"]
    # 2025 is in progress: a draft inventory, 36,000 GECs so far and 2,000 I-RECs of 2025
    # production, no credits. The claim refuses the I-RECs (from 2025, Chinese consumption takes
    # GECs only: CN-GEC-08; I-REC issuance for China ended with 2024 production: IREC-07) and
    # says the inventory is not verified yet (ISO-32)
    progress = balance(yancheng_2025)
    assert progress["provisional"] is True and Decimal(progress["eac_covered_mwh"]) == 38_000
    assert progress["verdict"] == "short"
    [irec] = progress["claim"]["excluded"]
    assert (irec["scheme"], irec["quantity"], irec["unit"]) == ("IREC", 2_000, "MWh")
    assert {"CN-GEC-08", "IREC-07"} <= set(irec["rules"])
    assert progress["claim"]["eac_counted_mwh_by_market"] == {"CN": "36000"}
    assert progress["claim"]["blocking_period_rules"] == ["ISO-32"]
    # The needs of Changzhou 2024 tell the same story from the other side: they assume all
    # 49,900 MWh of grid electricity covered, 49,900 × 0.6096 = 30,419.04 t off the gross
    # total (the balance took off only the 19,202.4 t of the certificates retired), and say so.
    needs = json.loads(runner.invoke(args=["registry", "needs", str(org), str(changzhou_2024.id), "--json"]).output)
    [market] = needs["markets"]
    assert (Decimal(market["electricity_mwh"]), Decimal(market["eac_needed_mwh"])) == (49_900, 49_900 - 31_500)
    assert Decimal(needs["credits"]["residual_tco2e"]) == gross - Decimal("30419.04")
    assert needs["residual_basis"] == "all_grid_electricity_covered"
    assert "retirement plan" in needs["residual_explanation"]
    # ... and count only what the claim counts: 5,000 CCERs of the 5,100 credits, the 100 late
    # VCUs listed apart with ISO-21
    assert Decimal(needs["credits"]["retired_tco2e"]) == 5_000
    assert [(n["scheme"], n["quantity"], n["rules"]) for n in needs["not_counted"]] == [("VCU", 100, ["ISO-21"])]
    # Changzhou 2024 is 18,400 MWh short of certificates, and 2,000 GECs of January 2024 are
    # held: valid two years from their production month, that month included, so until
    # 2025-12-31 (2024-01 + 23 months = 2025-12): the plan, made today, passes them over.
    planned = runner.invoke(args=["retire", "plan", str(org), str(changzhou_2024.id), "--json"])
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.output)
    [expired] = [g for g in plan["not_accepted"] if g["reason"].startswith("CN-GEC-04")]
    assert (expired["scheme"], expired["units"], expired["vintage_from"]) == ("GEC", 2_000, "2024-01-01")
    assert "expired on 2025-12-31" in expired["reason"]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_cli_plans_applies_and_imports_retirements(app, uow, tmp_path, table_counts: Any) -> None:
    from decimal import Decimal

    from tests.factories import HELD_VCU, create_world

    world = create_world(uow)
    runner = app.test_cli_runner()
    org, period = str(world.org_a), str(world.period_verified)
    # the world's period: 731.52 t market-based; its 100 VCUs retired for someone else count for
    # nothing under the claim (SANITY-02) → 732 units of block_a, planned
    # for the day they are retired (the rules judge credits as retired then: ISO-21 allows 12
    # months after the 2024 period, so a plan made today would refuse them once 2025 is over)
    planned = runner.invoke(args=["retire", "plan", org, period, "--retire-on", "2025-03-20", "--json"])
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.output)
    assert [(line["block_id"], line["quantity"]) for line in plan["lines"]] == [(world.block_a, 732)]
    (tmp_path / "plan.json").write_text(planned.output, encoding="utf-8")
    (tmp_path / "fields.json").write_text(json.dumps({
        "beneficiary_text": "Factory A", "purpose": "Factory A, 2024", "retired_on": "2025-03-20",
        "registry_reference": "BATCH-1"}), encoding="utf-8")
    (tmp_path / "statement.pdf").write_bytes(b"%PDF statement")
    applied = runner.invoke(args=["retire", "apply", org, period, "--plan", str(tmp_path / "plan.json"),
                                  "--json", str(tmp_path / "fields.json"), "--evidence", str(tmp_path / "statement.pdf"),
                                  "--output", "json"])
    assert applied.exit_code == 0, applied.output
    assert [e["quantity"] for e in json.loads(applied.output)] == [732]
    claim = json.loads(runner.invoke(args=["balance", "show", org, period, "--json"]).output)["claim"]
    # the claim counts the 732 credits just retired against 731.52 t: 0.48 t to spare
    assert (claim["verdict"], Decimal(claim["difference_tco2e"])) == ("covered", Decimal("0.48"))

    # a registry export retiring units of block_a that the plan already retired: refused, row named
    header = ("Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,"
              "Project Type,Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional "
              "Certifications,Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details")
    serial = HELD_VCU.replace("941412554", "941382751")  # its first 10 units, inside the 732 retired
    row = f"2023-05-10,,2022-01-01,2022-10-31,3005,Tongxu,China,Waste,ACM0010,10,10,{serial},,2025-03-01,A,V,D"
    (tmp_path / "export.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    before = table_counts()
    refused = runner.invoke(args=["retire", "import", org, period, str(tmp_path / "export.csv")])
    assert refused.exit_code == 1
    assert '"row": 2' in refused.output and "already in the ledger" in refused.output
    assert table_counts() == before


def test_cli_options_that_fail_their_schema_get_a_clean_error_and_write_nothing(app, uow, tmp_path,
                                                                               table_counts: Any) -> None:
    from tests.factories import create_world

    world = create_world(uow)
    runner = app.test_cli_runner()
    org, period = str(world.org_a), str(world.period_verified)
    export = tmp_path / "export.csv"
    export.write_text("ID,Name\n1,x\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text('["not", "an", "object"]', encoding="utf-8")
    purchase = tmp_path / "purchase.json"
    purchase.write_text(json.dumps({"scheme": "VCU", "supplier": "B", "contract_reference": "X",
                                    "contract_date": "2026-06-01", "quantity": "10", "unit_price": "7",
                                    "currency": "USD", "delivery_account": "Main"}), encoding="utf-8")
    before = table_counts()
    for args, says in (
        (["retire", "import", org, period, str(export), "--rows", "x"], "row numbers"),
        (["registry", "import", org, str(export), "--mapping", str(mapping)], "object of texts"),
        (["registry", "purchase", org, "--json", str(purchase), "--invoice", str(export), "--blocks", "1,x"],
         "block ids separated by commas"),
    ):
        result = runner.invoke(args=args)
        # a clean exit (click's usage or error exit), not an exception escaping the command
        assert result.exit_code in (1, 2) and isinstance(result.exception, SystemExit), (args, result.exception)
        assert says in result.output and "Traceback" not in result.output, (args, result.output)
    assert table_counts() == before


def test_a_verified_inventorys_disclosures_are_said_in_the_readers_language(app, db) -> None:
    # The demo's 2024 inventories were verified with the 2023 grid factor standing in for 2024's
    # (not yet published): the frozen report discloses it, and a Chinese reader reads it in Chinese.
    from neutrality.access.cli import cli_actor
    from neutrality.inventory import services as inventory
    from neutrality.inventory.tables import Inventory
    from neutrality.messages import say
    from neutrality.uow import UnitOfWork

    assert app.test_cli_runner().invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        verified = session.scalars(select(Inventory).where(Inventory.status == "verified")
                                   .order_by(Inventory.id)).first()
        organisation_id, inventory_id = verified.organisation_id, verified.id
    with app.app_context():
        report = inventory.inventory_report(UnitOfWork(db), cli_actor(), organisation_id, inventory_id)
    assert report["frozen"] and report["disclosures"]
    english = report["disclosures"][0]
    assert "the latest published year, 2023, is used" in english
    from babel.messages.pofile import read_po

    from neutrality.translations.catalogues import catalogue_path
    with catalogue_path("zh_Hans").open("rb") as file:
        catalogue = {m.id: m.string for m in read_po(file) if m.id and m.string}
    simplified = say(english, lambda msgid: catalogue.get(msgid, msgid), "zh_Hans")
    assert simplified != english and "2023" in simplified and "published year" not in simplified
