"""Site administration in the browser: organisations (list, create), accounts (list, create,
disable and enable) and each organisation's members (add an account, invite an address, change a
role, remove).

Site administrators only: anyone else signed in is refused (403) before a page is read. The
views call the services the API calls (neutrality.organisations.services,
neutrality.accounts.services and .invitations), which check the same rule again and say what is
wrong with a request; their refusals are shown on the page, next to the field they name.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from neutrality.access.model import Role, require_admin
from neutrality.accounts import invitations
from neutrality.accounts import services as accounts
from neutrality.errors import NeutralityError
from neutrality.organisations import services as organisations
from neutrality.organisations.model import ConsolidationApproach, NatureOfEnterprise
from neutrality.pagination import Page
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.frame import ButtonForm
from neutrality.web.labels import label
from neutrality.web.pages import guard_page_ids, storable

bp = Blueprint("admin_pages", __name__, url_prefix="/admin")
guard_page_ids(bp)

#: Roles as a page names them.
ROLE_NAMES = {Role.LEAD: _l("Lead"), Role.PROCUREMENT: _l("Procurement"),
              Role.VERIFIER: _l("Verifier"), Role.VIEWER: _l("Viewer")}

_PER_PAGE = 100


@bp.before_request
def _administrators_only() -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    require_admin(actor())  # 403 for everyone else, whatever the page
    return None


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, str(name)) for role, name in ROLE_NAMES.items()]


def _required(max_length: int) -> list[Any]:
    return [DataRequired(), storable, Length(max=max_length)]


def _optional(max_length: int) -> list[Any]:
    return [Optional(), storable, Length(max=max_length)]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=_required(200))
    legal_name = StringField(_l("Legal name"), validators=_required(300))
    english_name = StringField(_l("English name"), validators=_optional(300))
    unified_social_credit_code = StringField(_l("Unified social credit code"), validators=[
        Optional(), storable, Length(min=18, max=18)])
    nature_of_enterprise = SelectField(_l("Nature of enterprise"), validators=[DataRequired()])
    legal_representative = StringField(_l("Legal representative"), validators=_required(200))
    registered_address = StringField(_l("Registered address"), validators=_required(500))
    production_address = StringField(_l("Production address"), validators=_required(500))
    industry_category = StringField(_l("Industry"), validators=_required(200))
    industry_code = StringField(_l("Industry code"), validators=_optional(20))
    contact_person = StringField(_l("Contact person"), validators=_required(200))
    contact_phone = StringField(_l("Contact phone"), validators=_optional(50))
    contact_email = EmailField(_l("Contact e-mail"), validators=_optional(254))
    country = StringField(_l("Country (ISO 3166 code, e.g. CN)"), default="CN",
                          validators=[DataRequired(), storable, Length(min=2, max=2)])
    consolidation_approach = SelectField(_l("Consolidation approach"), validators=[DataRequired()])
    consolidation_justification = TextAreaField(_l("Why this approach"), validators=_required(2000))
    lead_email = EmailField(_l("E-mail of its first lead (an existing account; optional)"),
                            validators=_optional(254))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nature_of_enterprise.choices = [
            SelectChoice(n.value, label(n.value, "nature")) for n in NatureOfEnterprise]
        self.consolidation_approach.choices = [
            SelectChoice(a.value, label(a.value, "approach")) for a in ConsolidationApproach]

    def payload(self) -> dict[str, Any]:
        """What the service takes, as the API's body would hold it (a blank optional: none)."""
        data = {name: (field.data or "").strip() or None for name, field in self._fields.items()
                if name != "csrf_token"}
        data["country"] = (data["country"] or "").upper()
        return data


class AccountForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=_required(254))
    display_name = StringField(_l("Name"), validators=_required(200))
    password = PasswordField(_l("Password"), validators=[DataRequired(), storable, Length(max=200)])
    is_admin = BooleanField(_l("Site administrator"))


class MemberForm(FlaskForm):
    email = EmailField(_l("E-mail of the account"), validators=_required(254))
    role = SelectField(_l("Role"), validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class InviteForm(MemberForm):
    email = EmailField(_l("E-mail address to invite"), validators=_required(254))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


def _problems(refused: NeutralityError | None) -> dict[str, Any]:
    """A refusal's details by field name, to show next to the fields they concern."""
    details = refused.details if refused is not None else None
    return dict(details) if isinstance(details, dict) else {}


def _crumbs(*more: Crumb) -> list[Crumb]:
    return [Crumb(str(_l("Site administration")), url_for("admin_pages.organisations")), *more]


def _page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


# --- organisations -----------------------------------------------------------------------------


@bp.get("")
def index() -> Any:
    return redirect(url_for("admin_pages.organisations"))


@bp.route("/organisations", methods=["GET", "POST"], endpoint="organisations")
def organisations_page() -> Any:
    """Every organisation, and the form that creates one."""
    form = OrganisationForm()
    refused, status = None, 200
    if form.validate_on_submit():
        try:
            created = organisations.create_organisation(uow(), actor(), form.payload())
        except NeutralityError as problem:
            refused, status = problem, problem.http_status
        else:
            return redirect(url_for("admin_pages.members", organisation_id=created.id))
    elif request.method == "POST":
        status = 422
    number = _page_number()
    listed = organisations.list_organisations(uow(), actor(), Page(number, _PER_PAGE))
    return render_template("admin/organisations.html", form=form, organisations=listed, page=number,
                           refused=refused, problems=_problems(refused),
                           crumbs=_crumbs(Crumb(str(_l("Organisations"))))), status


# --- accounts ----------------------------------------------------------------------------------


def _accounts_page(form: AccountForm, refused: NeutralityError | None = None, status: int = 200) -> Any:
    number = _page_number()
    listed = accounts.list_users(uow(), actor(), Page(number, _PER_PAGE))
    return render_template("admin/accounts.html", form=form, users=listed, page=number, button=ButtonForm(),
                           refused=refused, problems=_problems(refused),
                           crumbs=_crumbs(Crumb(str(_l("Accounts"))))), status


@bp.route("/accounts", methods=["GET", "POST"])
def accounts_page() -> Any:
    """Every account, the form that creates one, and the buttons that disable or enable them."""
    form = AccountForm()
    if not form.validate_on_submit():
        return _accounts_page(form, status=422 if request.method == "POST" else 200)
    try:
        user = accounts.create_user(uow(), actor(), email=form.email.data, display_name=form.display_name.data.strip(),
                                    password=form.password.data, is_admin=form.is_admin.data)
    except NeutralityError as refused:
        return _accounts_page(form, refused, refused.http_status)
    return redirect(url_for("admin_pages.accounts_page") + f"#account-{user.id}")


def _set_active(user_id: int, *, active: bool) -> Any:
    if not ButtonForm().validate_on_submit():
        return _accounts_page(AccountForm(formdata=None), status=400)
    try:
        accounts.set_user_active(uow(), actor(), user_id, active=active)
    except NeutralityError as refused:
        return _accounts_page(AccountForm(formdata=None), refused, refused.http_status)
    return redirect(url_for("admin_pages.accounts_page") + f"#account-{user_id}")


@bp.post("/accounts/<int:user_id>/disable")
def disable_account(user_id: int) -> Any:
    """The account can no longer sign in; its sessions end and its API tokens stop working."""
    return _set_active(user_id, active=False)


@bp.post("/accounts/<int:user_id>/enable")
def enable_account(user_id: int) -> Any:
    return _set_active(user_id, active=True)


# --- members of an organisation -------------------------------------------------------------------


def _members_page(organisation_id: int, *, member: MemberForm | None = None, invite: InviteForm | None = None,
                  refused: NeutralityError | None = None, link: str | None = None, status: int = 200) -> Any:
    """The page, with the form sent (``member`` or ``invite``) as it was filled in, and the
    refusal shown above the table and next to that form's fields."""
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    members = accounts.list_members(uow(), actor(), organisation_id)
    pending = invitations.list_invitations(uow(), actor(), organisation_id, Page(1, _PER_PAGE)).items
    return render_template(
        "admin/members.html", org=org, members=members, invitations=pending,
        member=member or MemberForm(formdata=None, prefix="member"),
        invite=invite or InviteForm(formdata=None, prefix="invite"), sent="member" if member else "invite",
        role_form=RoleForm(formdata=None), button=ButtonForm(), roles=ROLE_NAMES, link=link,
        refused=refused, problems=_problems(refused),
        crumbs=_crumbs(Crumb(str(_l("Organisations")), url_for("admin_pages.organisations")),
                       Crumb(org.name)),
    ), status


@bp.get("/organisations/<int:organisation_id>/members")
def members(organisation_id: int) -> Any:
    """The organisation's members with their roles, its invitations, and the forms that change them."""
    return _members_page(organisation_id)


def _back_to_members(organisation_id: int) -> Any:
    return redirect(url_for("admin_pages.members", organisation_id=organisation_id) + "#members")


@bp.post("/organisations/<int:organisation_id>/members")
def add_member(organisation_id: int) -> Any:
    """Give an existing account a role at once."""
    form = MemberForm(prefix="member")
    if not form.validate_on_submit():
        return _members_page(organisation_id, member=form, status=422)
    try:
        accounts.add_member(uow(), actor(), organisation_id, email=form.email.data, role=Role(form.role.data))
    except NeutralityError as refused:
        return _members_page(organisation_id, member=form, refused=refused, status=refused.http_status)
    return _back_to_members(organisation_id)


@bp.post("/organisations/<int:organisation_id>/invitations")
def invite(organisation_id: int) -> Any:
    """Invite an address to a role; the link is shown this once, to hand to the person."""
    form = InviteForm(prefix="invite")
    if not form.validate_on_submit():
        return _members_page(organisation_id, invite=form, status=422)
    try:
        _, token = invitations.invite(uow(), actor(), organisation_id, email=form.email.data,
                                      role=Role(form.role.data))
    except NeutralityError as refused:
        return _members_page(organisation_id, invite=form, refused=refused, status=refused.http_status)
    return _members_page(organisation_id, link=url_for("pages.invitation", token=token, _external=True),
                         status=201)


@bp.post("/organisations/<int:organisation_id>/members/<int:user_id>/role")
def change_role(organisation_id: int, user_id: int) -> Any:
    form = RoleForm()
    if not form.validate_on_submit():
        return _members_page(organisation_id, status=422)
    try:
        accounts.change_role(uow(), actor(), organisation_id, user_id, Role(form.role.data))
    except NeutralityError as refused:
        return _members_page(organisation_id, refused=refused, status=refused.http_status)
    return _back_to_members(organisation_id)


@bp.post("/organisations/<int:organisation_id>/members/<int:user_id>/remove")
def remove_member(organisation_id: int, user_id: int) -> Any:
    if not ButtonForm().validate_on_submit():
        return _members_page(organisation_id, status=400)
    try:
        accounts.remove_member(uow(), actor(), organisation_id, user_id)
    except NeutralityError as refused:
        return _members_page(organisation_id, refused=refused, status=refused.http_status)
    return _back_to_members(organisation_id)
