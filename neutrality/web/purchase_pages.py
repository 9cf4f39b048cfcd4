"""Procurement's purchases in the browser: the organisation's purchases with their invoices, and
a form to record one with its invoice file, through the use case the API calls
(:func:`neutrality.registry.purchases.record_purchase`). Only those who manage instruments see
the form; the use case refuses anyone else whatever they post."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from neutrality.access.model import Permission
from neutrality.errors import Forbidden, NeutralityError
from neutrality.messages import Msg
from neutrality.organisations import services as organisations
from neutrality.pagination import Page, paginate_list
from neutrality.registry import purchases
from neutrality.registry.schemes import load_schemes
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.pages import guard_page_ids, storable
from neutrality.web.uploads import uploaded_file

bp = Blueprint("purchase_pages", __name__)
guard_page_ids(bp)

#: Purchases shown a page.
PURCHASES_PER_PAGE = 50
_BLOCK_IDS = re.compile(r"\s*(\d{1,18}\s*(,\s*\d{1,18}\s*)*)?")


def _block_ids(_form: FlaskForm, field: Any) -> None:
    if not _BLOCK_IDS.fullmatch(field.data or ""):
        raise ValidationError(_l("Write block numbers separated by commas, e.g. 12, 14."))


class _Worded:
    """A field whose value that cannot be read is refused in the words given (``unreadable``),
    in the reader's language, rather than in WTForms' own."""

    def __init__(self, *args: Any, unreadable: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.unreadable = unreadable

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            raise ValueError(self.unreadable) from None


class _Date(_Worded, DateField):
    pass


class _Integer(_Worded, IntegerField):
    pass


class _Decimal(_Worded, DecimalField):
    pass


class PurchaseForm(FlaskForm):
    """The fields of the API's purchase form (PurchaseFormSchema), with the same limits."""

    scheme = SelectField(_l("Scheme"), validators=[InputRequired(_l("Choose the scheme."))])
    supplier = StringField(_l("Supplier"), validators=[DataRequired(_l("Name the supplier.")), storable,
                                                       Length(max=300)])
    contract_reference = StringField(_l("Contract reference"), validators=[
        DataRequired(_l("Give the contract's reference.")), storable, Length(max=200)])
    contract_date = _Date(_l("Contract date"), unreadable=_l("Give the contract's date."),
                          validators=[InputRequired(_l("Give the contract's date."))])
    quantity = _Integer(_l("Units bought"), unreadable=_l("Give the number of units bought."), validators=[
        InputRequired(_l("Give the number of units bought.")),
        NumberRange(min=1, max=10**15, message=_l("From 1 to 10¹⁵ units."))])
    unit_price = _Decimal(_l("Price per unit"), places=None, unreadable=_l("Give the price per unit."), validators=[
        InputRequired(_l("Give the price per unit.")),
        NumberRange(min=0, max=10**9, message=_l("From 0 to 1,000,000,000 a unit."))])
    currency = StringField(_l("Currency (ISO 4217, e.g. CNY)"), validators=[
        InputRequired(_l("Give the currency.")), Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters, e.g. CNY."))])
    delivery_account = StringField(_l("Account the units are delivered to"), validators=[
        DataRequired(_l("Name the delivery account.")), storable, Length(max=200)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), storable, Length(max=2000)])
    block_ids = StringField(_l("Blocks delivered (numbers, optional)"), validators=[Optional(), _block_ids])
    invoice = FileField(_l("Invoice (PDF, image or spreadsheet)"), validators=[FileRequired(_l("Attach the invoice."))])


def _context(organisation_id: int) -> dict[str, Any]:
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    crumbs = [Crumb(str(_l("Organisations")), url_for("pages.home")),
              Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
              Crumb(str(_l("Holdings")), url_for("holdings_pages.holdings_page", organisation_id=org.id)),
              Crumb(str(_l("Purchases")))]
    return {"org": org, "crumbs": crumbs}


def _form() -> PurchaseForm:
    form = PurchaseForm()
    form.scheme.choices = [("", "—")] + [(code, f"{code} · {s.name}") for code, s in sorted(load_schemes().items())]
    return form


def _render(organisation_id: int, form: PurchaseForm | None, status: int = 200, refused: Any = None) -> Any:
    context = _context(organisation_id)
    number = max(1, request.args.get("page", 1, type=int) or 1)
    found = paginate_list(purchases.list_purchases(uow(), actor(), organisation_id), Page(number, PURCHASES_PER_PAGE))
    may_record = actor().can(Permission.MANAGE_INSTRUMENTS, organisation_id)
    return render_template("purchases/purchases.html", found=found, form=form if may_record else None,
                           refused=refused, **context), status


@bp.get("/organisations/<int:organisation_id>/purchases")
def purchases_page(organisation_id: int) -> Any:
    """The purchases, newest last, with the form to record one for those who may."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.full_path))
    return _render(organisation_id, _form())


@bp.post("/organisations/<int:organisation_id>/purchases")
def record_purchase(organisation_id: int) -> Any:
    """Record a purchase with its invoice; the form again, with its problems, when refused."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    _context(organisation_id)  # 404 for an organisation the visitor is not a member of
    if not actor().can(Permission.MANAGE_INSTRUMENTS, organisation_id):
        raise Forbidden(Msg("only those who manage the organisation's instruments record purchases"))
    form = _form()
    if not form.validate_on_submit():
        return _render(organisation_id, form, 422)
    try:
        invoice, filename = uploaded_file("invoice")
        data = {name: getattr(form, name).data for name in (
            "scheme", "supplier", "contract_reference", "contract_date", "quantity", "unit_price", "currency",
            "delivery_account")}
        data["note"] = form.note.data or ""
        block_ids = [int(n) for n in re.findall(r"\d+", form.block_ids.data or "")]
        purchases.record_purchase(uow(), actor(), organisation_id, data, invoice=invoice,
                                  invoice_filename=filename, block_ids=block_ids)
    except NeutralityError as refused:
        if isinstance(refused, Forbidden):
            raise
        # the refusal beside the field it names (the invoice: empty, its name too long…), else above the form
        field = next((form[name] for name in (refused.details or {}) if name in form), None)
        if field is None:
            return _render(organisation_id, form, refused.http_status, refused)
        field.errors = [*field.errors, refused.message]
        return _render(organisation_id, form, refused.http_status)
    return redirect(url_for("purchase_pages.purchases_page", organisation_id=organisation_id))


@bp.get("/organisations/<int:organisation_id>/purchases/<int:purchase_id>/invoice")
def invoice(organisation_id: int, purchase_id: int) -> Any:
    """The invoice file as recorded, under the name it was uploaded with."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.full_path))
    purchase, data = purchases.invoice_of(uow(), actor(), organisation_id, purchase_id)
    response = send_file(io.BytesIO(data), mimetype="application/octet-stream", as_attachment=True,
                         download_name=purchase.invoice_filename)
    response.headers["X-Content-SHA256"] = purchase.invoice_sha256
    return response
