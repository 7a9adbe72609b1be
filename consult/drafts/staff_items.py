"""Staff pages for a draft's items, alternatives and political goals; lookups all staff views share.

The routes are listed in ROUTES at the bottom; ``staff_views`` adds them to the staff blueprint,
so the endpoints are ``staff.<view>`` like the rest.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from consult.approvals import services as approvals
from consult.drafts import editing
from consult.drafts import services
from consult.drafts.models import STATUS_TRANSITIONS
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import Version
from consult.drafts.staff_forms import KIND_LABELS
from consult.drafts.staff_forms import STATUS_LABELS
from consult.drafts.staff_forms import ActionForm
from consult.drafts.staff_forms import ItemForm
from consult.drafts.staff_forms import LineForm
from consult.extensions import db
from consult.i18n import localized
from consult.i18n import quote
from consult.permissions import can_edit_drafts
from consult.permissions import requires

REVISION_FIELDS = ("title_da", "title_en", "body_da", "body_en")
FUNDS_FIELDS = ("funds_dkk", "funds_note_da", "funds_note_en")

#: What a refused change says, by EditError code.
EDIT_MESSAGES = {
    "slug_taken": _l("Another consultation has this web address."),
    "key_taken": _l("Another item in this consultation has this key."),
    "needs_focus_area": _l("Choose the focus area it belongs to."),
    "has_input": _l(
        "People have already given input on this text. To change it, start a new version: "
        "their input keeps pointing at the words they answered."
    ),
    "working_copy_exists": _l(
        "A new version is already being written. Edit it, or publish it first."
    ),
    "needs_approval": _l(
        "The consultation is public, so a new version is published through the sign-off: move "
        "it to approval, and publish once every party has approved."
    ),
    "no_working_copy": _l("There is no working copy to publish."),
    "published_version": _l(
        "This version is published: its items and their order stay as the public read them. "
        "Start a new version to change them."
    ),
}


def message(error: editing.EditError) -> str:
    if error.code == "missing":
        return " ".join(str(m) for m in error.details["missing"])
    if error.code == "transition":
        old, new = error.details["old"], error.details["new"]
        allowed = STATUS_TRANSITIONS[old]
        return _(
            "A consultation cannot go from “%(old)s” to “%(new)s”. From “%(old)s” it can go to: "
            "%(allowed)s.",
            old=STATUS_LABELS[old],
            new=STATUS_LABELS[new],
            allowed=", ".join(quote(str(STATUS_LABELS[s])) for s in allowed),
        )
    return str(EDIT_MESSAGES[error.code])


def consultation_or_404(slug: str) -> tuple[Consultation, Version]:
    consultation = services.get_consultation(slug)
    if consultation is None:
        abort(404)
    version = services.editable_version(consultation)
    if version is None:
        abort(404)
    return consultation, version


def commit_edit(consultation: Consultation) -> None:
    """Commit a change to the document; approvals given on the text before it are reset."""
    approvals.reset_stale(consultation, current_user)
    db.session.commit()


def item_or_404(
    consultation: Consultation, version: Version, item_id: int
) -> tuple[Item, ItemRevision]:
    """Return an item of the consultation with its revision in ``version``, or 404."""
    row = db.session.execute(
        select(Item, ItemRevision)
        .join(ItemRevision, ItemRevision.item_id == Item.id)
        .where(
            Item.id == item_id,
            Item.consultation_id == consultation.id,
            ItemRevision.version_id == version.id,
        )
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def outline(slug: str, anchor: str | None = None):
    return redirect(url_for("staff.show_consultation", slug=slug, _anchor=anchor))


def title(revision: ItemRevision) -> str:
    return localized(revision, "title")[0]


# --- items -------------------------------------------------------------------------------------


@requires(can_edit_drafts)
def new_item(slug: str):
    consultation, version = consultation_or_404(slug)
    tree = services.load_tree(version)
    form = ItemForm()
    form.parent.choices = [
        ("", _("— none (top level) —")),
        *((str(n.item.id), title(n.revision)) for n in tree.focus_areas),
    ]
    if request.method == "GET":
        form.kind.data = request.args.get("kind", ItemKind.GOAL.value)
        form.parent.data = request.args.get("parent", "")
    if form.validate_on_submit():
        kind = ItemKind(form.kind.data)
        parent = next(
            (n.item for n in tree.focus_areas if str(n.item.id) == form.parent.data), None
        )
        funds_given = any(getattr(form, f).data not in (None, "") for f in FUNDS_FIELDS)
        if kind.is_top_level and parent is not None:
            form.parent.errors.append(
                _(
                    "A %(kind)s stands at the top level: choose no focus area.",
                    kind=KIND_LABELS[kind],
                )
            )
        elif kind is not ItemKind.INITIATIVE and funds_given:
            form.funds_dkk.errors.append(
                _("Only initiatives have funds: choose the kind Initiative, or clear the funds.")
            )
        else:
            text = {f: getattr(form, f).data for f in (*REVISION_FIELDS, *FUNDS_FIELDS)}
            try:
                revision = editing.add_item(
                    consultation, version, kind=kind, parent=parent, key=form.key.data, **text
                )
            except editing.EditError as error:
                target = form.key if error.code == "key_taken" else form.parent
                target.errors.append(message(error))
            else:
                commit_edit(consultation)
                flash(_("Added: %(title)s.", title=title(revision)), "success")
                return outline(slug, revision.item.key)
    return render_template(
        "staff/item_form.html",
        form=form,
        errors_form=form,
        consultation=consultation,
        version=version,
        item=None,
        kind_labels=KIND_LABELS,
    )


def _item_page(consultation, version, item, revision, *, form=None, line_form=None, line_id=None):
    """Render an item's edit page.

    ``form``, or ``line_form`` (the new line's when ``line_id`` is None), carries what was typed
    into a form that failed, so it is shown again with its errors.
    """
    locked = editing.has_input(revision)
    if form is None:
        form = ItemForm(obj=revision, formdata=None)
        del form.kind, form.parent, form.key
    line_kind = {ItemKind.GOAL: "alternatives", ItemKind.INITIATIVE: "political-goals"}.get(
        item.kind
    )
    rows = editing.lines_of(revision, line_kind) if line_kind else []
    line_forms = {
        line.id: LineForm(obj=line, prefix=f"line{line.id}", formdata=None) for line in rows
    }
    new_line = LineForm(prefix="new", formdata=None)
    if line_form is not None and line_id is None:
        new_line = line_form
    elif line_form is not None:
        line_forms[line_id] = line_form
    return render_template(
        "staff/item_form.html",
        form=form,
        errors_form=line_form if line_form is not None else form,
        consultation=consultation,
        version=version,
        item=item,
        revision=revision,
        locked=locked,
        line_kind=line_kind,
        lines=rows,
        line_forms=line_forms,
        new_line=new_line,
        kind_labels=KIND_LABELS,
    )


@requires(can_edit_drafts)
def edit_item(slug: str, item_id: int):
    consultation, version = consultation_or_404(slug)
    item, revision = item_or_404(consultation, version, item_id)
    if request.method == "GET":
        return _item_page(consultation, version, item, revision)
    form = ItemForm(obj=revision)  # a field left out of the post keeps its text
    # Kind, place and key are set when an item is made; reordering moves it.
    del form.kind, form.parent, form.key
    if form.validate_on_submit():
        fields = REVISION_FIELDS + (FUNDS_FIELDS if item.kind is ItemKind.INITIATIVE else ())
        try:
            editing.update_revision(revision, **{f: getattr(form, f).data for f in fields})
        except editing.EditError as error:
            form.form_errors.append(message(error))
        else:
            commit_edit(consultation)
            flash(_("Saved."), "success")
            return redirect(url_for("staff.edit_item", slug=slug, item_id=item.id))
    return _item_page(consultation, version, item, revision, form=form)


@requires(can_edit_drafts)
def move_item(slug: str, item_id: int):
    consultation, version = consultation_or_404(slug)
    item, revision = item_or_404(consultation, version, item_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    if ActionForm().validate_on_submit():
        try:
            moved = editing.move_item(consultation, version, item, step)
        except editing.EditError as error:
            flash(message(error), "error")
            return outline(slug, item.key)
        if moved:
            commit_edit(consultation)
            flash(
                _("Moved up: %(title)s.", title=title(revision))
                if step < 0
                else _("Moved down: %(title)s.", title=title(revision)),
                "success",
            )
    return outline(slug, item.key)


@requires(can_edit_drafts)
def delete_item(slug: str, item_id: int):
    consultation, version = consultation_or_404(slug)
    item, revision = item_or_404(consultation, version, item_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            editing.remove_item(consultation, version, item)
        except editing.EditError as error:
            flash(message(error), "error")
            return outline(slug, item.key)
        commit_edit(consultation)
        flash(
            _(
                "Removed from %(version)s: %(title)s.",
                version=localized(version, "label")[0],
                title=title(revision),
            ),
            "success",
        )
        return outline(slug)
    plan = editing.plan_removal(consultation, version, item)
    return render_template(
        "staff/item_delete.html",
        form=form,
        consultation=consultation,
        version=version,
        item=item,
        revision=revision,
        plan=plan,
        kind_labels=KIND_LABELS,
    )


# --- alternatives and political goals ------------------------------------------------------------


def _line_context(slug: str, item_id: int, line_kind: str):
    if line_kind not in editing.LINE_MODELS:
        abort(404)
    consultation, version = consultation_or_404(slug)
    item, revision = item_or_404(consultation, version, item_id)
    if item.kind is not editing.LINE_KINDS[line_kind]:
        abort(404)
    return consultation, version, item, revision


def _lines_anchor(slug: str, item: Item):
    return redirect(url_for("staff.edit_item", slug=slug, item_id=item.id, _anchor="lines"))


@requires(can_edit_drafts)
def add_line(slug: str, item_id: int, line_kind: str):
    consultation, version, item, revision = _line_context(slug, item_id, line_kind)
    form = LineForm(prefix="new")
    if form.validate_on_submit():
        try:
            editing.add_line(revision, line_kind, form.text_da.data, form.text_en.data)
        except editing.EditError as error:
            form.form_errors.append(message(error))
        else:
            commit_edit(consultation)
            flash(_("Added."), "success")
            return _lines_anchor(slug, item)
    return _item_page(consultation, version, item, revision, line_form=form)


@requires(can_edit_drafts)
def update_line(slug: str, item_id: int, line_kind: str, line_id: int):
    consultation, version, item, revision = _line_context(slug, item_id, line_kind)
    line = next(
        (each for each in editing.lines_of(revision, line_kind) if each.id == line_id), None
    )
    if line is None:
        abort(404)
    action = request.form.get("action", "save")
    if action == "save":
        form = LineForm(prefix=f"line{line_id}")
        if form.validate_on_submit():
            try:
                editing.update_line(revision, line, form.text_da.data, form.text_en.data)
            except editing.EditError as error:
                form.form_errors.append(message(error))
            else:
                commit_edit(consultation)
                flash(_("Saved."), "success")
                return _lines_anchor(slug, item)
        return _item_page(consultation, version, item, revision, line_form=form, line_id=line.id)
    if action not in ("up", "down", "delete"):
        abort(400)
    if ActionForm().validate_on_submit():
        try:
            if action == "delete":
                editing.delete_line(revision, line)
                done = _("Deleted.")
            else:
                editing.move_line(revision, line, -1 if action == "up" else 1)
                done = _("Moved up.") if action == "up" else _("Moved down.")
        except editing.EditError as error:
            flash(message(error), "error")
        else:
            commit_edit(consultation)
            flash(done, "success")
    return _lines_anchor(slug, item)


#: The routes of these views; staff_views adds them to the staff blueprint.
ROUTES = [
    ("/consultations/<slug>/items/new", new_item, ["GET", "POST"]),
    ("/consultations/<slug>/items/<int:item_id>/edit", edit_item, ["GET", "POST"]),
    ("/consultations/<slug>/items/<int:item_id>/move", move_item, ["POST"]),
    ("/consultations/<slug>/items/<int:item_id>/delete", delete_item, ["GET", "POST"]),
    ("/consultations/<slug>/items/<int:item_id>/<line_kind>", add_line, ["POST"]),
    ("/consultations/<slug>/items/<int:item_id>/<line_kind>/<int:line_id>", update_line, ["POST"]),
]
