"""Staff pages for writing drafts: the consultations, their status and their versions.

Every view: validate the form -> call a service in ``editing`` -> commit once -> redirect with a
flash; on a refused change the page is shown again with what the person typed. The pages for
items, alternatives and political goals are in ``staff_items``; their routes are added below.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from flask import flash
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select

from consult.audit.services import record
from consult.drafts import editing
from consult.drafts import services
from consult.drafts import staff_items as items
from consult.drafts import staff_versions
from consult.drafts import workflow
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemChange
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import Version
from consult.drafts.staff_forms import KIND_LABELS
from consult.drafts.staff_forms import PHASE_LABELS
from consult.drafts.staff_forms import STATUS_LABELS
from consult.drafts.staff_forms import ActionForm
from consult.drafts.staff_forms import ConsultationForm
from consult.drafts.staff_forms import StatusForm
from consult.drafts.staff_forms import parse_status
from consult.drafts.staff_forms import status_choices
from consult.drafts.staff_versions import news_link
from consult.extensions import db
from consult.forms import to_local
from consult.forms import to_utc
from consult.permissions import can_edit_drafts
from consult.permissions import requires

bp = Blueprint("staff", __name__, url_prefix="/staff")

for _rule, _view, _methods in (*items.ROUTES, *staff_versions.ROUTES):
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)

CONSULTATION_FIELDS = (
    "slug",
    "title_da",
    "title_en",
    "summary_da",
    "summary_en",
    "max_ranked_focus_areas",
    "max_ranked_goals",
)


@dataclass
class ConsultationRow:
    """A line of the staff home: the consultation, its newest version, its items by kind."""

    consultation: Consultation
    version: Version
    counts: dict[ItemKind, int]


def list_for_staff() -> list[ConsultationRow]:
    """Every consultation, any status, with its newest version and item counts (two queries)."""
    newest = (
        select(Version.consultation_id, func.max(Version.number).label("number"))
        .group_by(Version.consultation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Consultation, Version)
        .join(newest, newest.c.consultation_id == Consultation.id)
        .join(
            Version,
            (Version.consultation_id == Consultation.id) & (Version.number == newest.c.number),
        )
        .order_by(Consultation.closes_at.desc(), Consultation.id.desc())
    ).all()
    counts: dict[int, dict[ItemKind, int]] = {version.id: {} for _, version in rows}
    if counts:
        for version_id, kind, n in db.session.execute(
            select(ItemRevision.version_id, Item.kind, func.count())
            .join(Item, Item.id == ItemRevision.item_id)
            .where(ItemRevision.version_id.in_(list(counts)))
            .group_by(ItemRevision.version_id, Item.kind)
        ):
            counts[version_id][kind] = n
    return [ConsultationRow(c, v, counts[v.id]) for c, v in rows]


def trail_changes(version: Version) -> list[ItemChange]:
    return list(db.session.scalars(select(ItemChange).where(ItemChange.version_id == version.id)))


# --- consultations -----------------------------------------------------------------------------


@bp.route("/")
@requires(can_edit_drafts)
def list_consultations():
    return render_template(
        "staff/consultation_list.html",
        rows=list_for_staff(),
        status_labels=STATUS_LABELS,
        phase_labels=PHASE_LABELS,
        kinds=ItemKind,
    )


def _times(form: ConsultationForm) -> dict:
    return {"opens_at": to_utc(form.opens_at.data), "closes_at": to_utc(form.closes_at.data)}


@bp.route("/consultations/new", methods=["GET", "POST"])
@requires(can_edit_drafts)
def new_consultation():
    form = ConsultationForm()
    del form.status  # a new consultation starts as a draft
    if form.validate_on_submit():
        try:
            consultation = editing.create_consultation(
                **{f: getattr(form, f).data for f in CONSULTATION_FIELDS}, **_times(form)
            )
        except editing.EditError as error:
            form.slug.errors.append(items.message(error))
        else:
            db.session.commit()
            flash(
                _("The consultation is created as a draft. Add its items, then open it."), "success"
            )
            return items.outline(consultation.slug)
    return render_template("staff/consultation_form.html", form=form, consultation=None)


@bp.route("/consultations/<slug>/edit", methods=["GET", "POST"])
@requires(can_edit_drafts)
def edit_consultation(slug: str):
    consultation, _version = items.consultation_or_404(slug)
    form = ConsultationForm(obj=consultation)
    form.status.choices = status_choices(consultation.status, include_current=True)
    if request.method == "GET":
        form.opens_at.data = to_local(consultation.opens_at)
        form.closes_at.data = to_local(consultation.closes_at)
    if form.validate_on_submit():
        new_status = parse_status(form.status.data)
        if new_status is None:
            form.status.errors.append(_("Choose a status from the list."))
        else:
            try:
                editing.check_status(consultation, new_status)
            except editing.EditError as error:
                form.status.errors.append(items.message(error))
        if not form.status.errors:
            try:
                editing.update_consultation(
                    consultation,
                    **{f: getattr(form, f).data for f in CONSULTATION_FIELDS},
                    **_times(form),
                )
            except editing.EditError as error:
                form.slug.errors.append(items.message(error))
            else:
                try:
                    workflow.move(
                        consultation, new_status, current_user, news_link=news_link(consultation)
                    )
                except editing.EditError as error:
                    form.status.errors.append(items.message(error))
                else:
                    db.session.commit()
                    flash(_("Saved."), "success")
                    return items.outline(consultation.slug)
    return render_template("staff/consultation_form.html", form=form, consultation=consultation)


@bp.route("/consultations/<slug>/")
@requires(can_edit_drafts)
def show_consultation(slug: str):
    consultation, version = items.consultation_or_404(slug)
    tree = services.load_tree(version)
    status_form = StatusForm()
    status_form.status.choices = status_choices(consultation.status, include_current=False)
    return render_template(
        "staff/consultation_show.html",
        consultation=consultation,
        tree=tree,
        state=workflow.describe(consultation),
        published_versions=services.published_versions(consultation),
        changes={c.item_id for c in trail_changes(version)},
        inputs=editing.input_counts(version),
        status_form=status_form,
        action=ActionForm(),
        status_labels=STATUS_LABELS,
        phase_labels=PHASE_LABELS,
        kind_labels=KIND_LABELS,
    )


@bp.route("/consultations/<slug>/status", methods=["POST"])
@requires(can_edit_drafts)
def change_status(slug: str):
    consultation, _version = items.consultation_or_404(slug)
    form = StatusForm()
    if form.validate_on_submit():
        new_status = parse_status(form.status.data)
        if new_status is None:
            flash(_("Choose a status from the list."), "error")
            return items.outline(slug)
        try:
            workflow.move(consultation, new_status, current_user, news_link=news_link(consultation))
        except editing.EditError as error:
            flash(items.message(error), "error")
        else:
            db.session.commit()
            flash(
                _("The status is now: %(status)s.", status=STATUS_LABELS[consultation.status]),
                "success",
            )
    return items.outline(slug)


@bp.route("/consultations/<slug>/versions", methods=["POST"])
@requires(can_edit_drafts)
def new_version(slug: str):
    consultation, version = items.consultation_or_404(slug)
    if ActionForm().validate_on_submit():
        try:
            created = editing.start_new_version(consultation, version)
        except editing.EditError as error:
            flash(items.message(error), "error")
            return items.outline(slug)
        record(
            current_user,
            "drafts.start_version",
            "version",
            created.id,
            consultation_id=consultation.id,
            number=created.number,
        )
        items.commit_edit(consultation)
        flash(
            _(
                "Version %(n)d is started as a working copy of version %(old)d. Edits now "
                "change version %(n)d only; the public reads version %(old)d until you publish.",
                n=created.number,
                old=version.number,
            ),
            "success",
        )
    return items.outline(slug)
