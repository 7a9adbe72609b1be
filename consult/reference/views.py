"""The secretariat's pages for reference data, under /staff/reference."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.extensions import db
from consult.permissions import can_edit_reference_data
from consult.permissions import requires
from consult.reference import services
from consult.reference.forms import MunicipalityForm
from consult.reference.forms import ReferenceForm
from consult.reference.forms import RespondentTypeForm
from consult.reference.forms import ToggleForm
from consult.reference.models import KINDS
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import Region
from consult.reference.models import RespondentType

bp = Blueprint("reference", __name__, url_prefix="/staff/reference")

TITLES = {
    "regions": _l("Regions"),
    "clusters": _l("Health clusters"),
    "municipalities": _l("Municipalities"),
    "respondent-types": _l("Respondent types"),
}
FORMS = {Municipality: MunicipalityForm, RespondentType: RespondentTypeForm}
EXTRA_FIELDS = {
    Municipality: ("region_id",),
    RespondentType: ("is_organisation", "asks_sector"),
}


def _model(kind: str):
    model = KINDS.get(kind)
    if model is None:
        abort(404)
    return model


def _form(model, entry=None):
    form = FORMS.get(model, ReferenceForm)(obj=entry)
    if model is Municipality:
        form.region_id.choices = services.choices(Region)
        form.cluster_ids.choices = services.choices(HealthCluster)
        if entry is not None and not form.is_submitted():
            form.cluster_ids.data = [c.id for c in entry.clusters]
    return form


def _save(kind: str, model, form, entry):
    """Validate, save and redirect; or return None to show the form again."""
    if not form.validate_on_submit():
        return None
    if services.code_taken(model, form.code.data, entry):
        form.code.errors.append(_("Another entry has this code."))
        return None
    names = ("name_da", "name_en", "code", "position", *EXTRA_FIELDS.get(model, ()))
    services.save_entry(
        entry if entry is not None else model(),
        {name: getattr(form, name).data for name in names},
        cluster_ids=form.cluster_ids.data if model is Municipality else None,
    )
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("reference.list_entries", kind=kind))


@bp.route("/")
@requires(can_edit_reference_data)
def index():
    return redirect(url_for("reference.list_entries", kind="municipalities"))


@bp.route("/<kind>/")
@requires(can_edit_reference_data)
def list_entries(kind: str):
    model = _model(kind)
    return render_template(
        "reference/entry_list.html",
        kind=kind,
        titles=TITLES,
        entries=services.entries(model),
        toggle=ToggleForm(),
    )


@bp.route("/<kind>/new", methods=["GET", "POST"])
@requires(can_edit_reference_data)
def new_entry(kind: str):
    model = _model(kind)
    form = _form(model)
    return _save(kind, model, form, None) or render_template(
        "reference/entry_form.html", kind=kind, titles=TITLES, form=form, entry=None
    )


@bp.route("/<kind>/<int:entry_id>/edit", methods=["GET", "POST"])
@requires(can_edit_reference_data)
def edit_entry(kind: str, entry_id: int):
    model = _model(kind)
    entry = db.session.get(model, entry_id)
    if entry is None:
        abort(404)
    form = _form(model, entry)
    return _save(kind, model, form, entry) or render_template(
        "reference/entry_form.html", kind=kind, titles=TITLES, form=form, entry=entry
    )


@bp.route("/<kind>/<int:entry_id>/active", methods=["POST"])
@requires(can_edit_reference_data)
def toggle_entry(kind: str, entry_id: int):
    model = _model(kind)
    entry = db.session.get(model, entry_id)
    if entry is None:
        abort(404)
    if ToggleForm().validate_on_submit():
        entry.is_active = not entry.is_active
        db.session.commit()
        flash(
            _("Retired: it is no longer offered.") if not entry.is_active else _("Offered again."),
            "success",
        )
    return redirect(url_for("reference.list_entries", kind=kind))
