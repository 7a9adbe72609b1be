"""Staff pages for versions: preview a version, compare it with the one before, publish the
working copy, load it from a YAML file, and write why an item changed (the decision trail).

The routes are in ROUTES at the bottom; ``staff_views`` adds them to the staff blueprint.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.audit.services import record
from consult.drafts import diff
from consult.drafts import editing
from consult.drafts import services
from consult.drafts import staff_items as items
from consult.drafts import trail as trails
from consult.drafts import workflow
from consult.drafts.importer import DraftFormatError
from consult.drafts.importer import ParentChangeError
from consult.drafts.importer import import_working_copy
from consult.drafts.models import Consultation
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.drafts.staff_forms import KIND_LABELS
from consult.drafts.staff_forms import STATUS_LABELS
from consult.drafts.staff_forms import ActionForm
from consult.drafts.staff_forms import ChangeForm
from consult.drafts.staff_forms import DraftUploadForm
from consult.extensions import db
from consult.i18n import localized
from consult.permissions import can_edit_drafts
from consult.permissions import requires
from consult.readside import staff as staff_text
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import ResponseState


def version_or_404(consultation: Consultation, number: int) -> Version:
    version = services.get_version(consultation, number)
    if version is None:
        abort(404)
    return version


@requires(can_edit_drafts)
def preview_version(slug: str, number: int):
    consultation, _editable = items.consultation_or_404(slug)
    version = version_or_404(consultation, number)
    return render_template(
        "drafts/version_show.html",
        consultation=consultation,
        tree=services.load_tree(version),
        version=version,
        preview=True,
        the_trail=trails.trail(consultation, version, public=False),
    )


def changes_context(consultation: Consultation, version: Version, *, public: bool) -> dict:
    """What a page comparing ``version`` with the one before needs (staff and public alike)."""
    before = services.version_before(version)
    diffs = diff.compare(
        services.load_tree(before) if before is not None else None, services.load_tree(version)
    )
    return {
        "consultation": consultation,
        "version": version,
        "before": before,
        "diffs": diffs,
        "changed": [d for d in diffs if d.change is not diff.ChangeKind.UNCHANGED],
        "unchanged": [d for d in diffs if d.change is diff.ChangeKind.UNCHANGED],
        "field_labels": diff.field_labels(),
        "kind_labels": KIND_LABELS,
        "the_trail": trails.trail(consultation, version, public=public),
    }


@requires(can_edit_drafts)
def compare_version(slug: str, number: int):
    consultation, _editable = items.consultation_or_404(slug)
    version = version_or_404(consultation, number)
    return render_template(
        "staff/version_changes.html",
        **changes_context(consultation, version, public=False),
        action=ActionForm(),
        state=workflow.describe(consultation),
        status_labels=STATUS_LABELS,
    )


@requires(can_edit_drafts)
def publish_version(slug: str, number: int):
    consultation, _editable = items.consultation_or_404(slug)
    version = version_or_404(consultation, number)
    if not ActionForm().validate_on_submit():
        return items.outline(slug)
    if not version.is_working_copy:
        flash(_("This version is already published."), "info")
        return items.outline(slug)
    try:
        if consultation.status is Status.DRAFT:
            workflow.publish_draft_copy(consultation, current_user)
        elif consultation.status is Status.APPROVAL:
            workflow.move(
                consultation, Status.PUBLISHED, current_user, news_link=news_link(consultation)
            )
        else:
            raise editing.EditError("needs_approval")
    except editing.EditError as error:
        flash(items.message(error), "error")
        return redirect(url_for("staff.compare_version", slug=slug, number=number))
    db.session.commit()
    flash(
        _("%(version)s is published.", version=_label(version)),
        "success",
    )
    return items.outline(slug)


def _label(version: Version) -> str:
    return localized(version, "label")[0]


def news_link(consultation: Consultation) -> str:
    """The public address the news e-mails link to: what changed in the version published."""
    version = services.editable_version(consultation)
    if version is None:
        return url_for("drafts.list_versions", slug=consultation.slug, _external=True)
    return url_for(
        "drafts.show_changes", slug=consultation.slug, number=version.number, _external=True
    )


def format_error(error: DraftFormatError) -> str:
    """What a refused file says: the parser's words, or a translated one for a moved item."""
    if not isinstance(error, ParentChangeError):
        return str(error)
    where = _("line %(line)d: ", line=error.line) if error.line else ""
    if error.kind is ItemKind.INITIATIVE:
        what = _(
            "Initiative %(key)s cannot move to another focus area (from %(old)s to %(new)s); "
            "give it a new key instead.",
            key=error.key,
            old=error.old,
            new=error.new,
        )
    else:
        what = _(
            "Goal %(key)s cannot move to another focus area (from %(old)s to %(new)s); "
            "give it a new key instead.",
            key=error.key,
            old=error.old,
            new=error.new,
        )
    return where + what


@requires(can_edit_drafts)
def import_version(slug: str):
    consultation, _editable = items.consultation_or_404(slug)
    form = DraftUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            form.file.errors.append(_("The file is not saved as UTF-8 text."))
        else:
            try:
                version = import_working_copy(consultation, source)
            except DraftFormatError as error:
                form.file.errors.append(
                    _("The file was not imported: %(error)s", error=format_error(error))
                )
            else:
                record(
                    current_user,
                    "drafts.import_version",
                    "version",
                    version.id,
                    consultation_id=consultation.id,
                    number=version.number,
                )
                items.commit_edit(consultation)
                flash(
                    _(
                        "The file is loaded as %(version)s, a working copy.",
                        version=_label(version),
                    ),
                    "success",
                )
                return redirect(url_for("staff.compare_version", slug=slug, number=version.number))
    return render_template(
        "staff/version_import.html",
        form=form,
        consultation=consultation,
        working_copy=services.working_copy(consultation),
    )


def _input_choices(consultation: Consultation, item_id: int, before: int):
    """The submitted inputs on an item given on earlier versions, as staff read them."""
    rows = db.session.execute(
        select(Input, Response.receipt_number)
        .join(Response, Response.id == Input.response_id)
        .join(ItemRevision, ItemRevision.id == Input.revision_id)
        .join(Version, Version.id == ItemRevision.version_id)
        .where(
            Input.item_id == item_id,
            Response.consultation_id == consultation.id,
            Response.state == ResponseState.SUBMITTED,
            Version.number < before,
        )
        .order_by(Input.id)
    ).all()
    return [(i, receipt, staff_text.text(i.text)) for i, receipt in rows]


def _tag_choices(consultation: Consultation):
    return db.session.execute(
        select(Tag, func.count(input_tags.c.input_id))
        .outerjoin(input_tags, input_tags.c.tag_id == Tag.id)
        .where(Tag.consultation_id == consultation.id)
        .group_by(Tag.id)
        .order_by(Tag.name)
    ).all()


@requires(can_edit_drafts)
def edit_change(slug: str, item_id: int):
    consultation, version = items.consultation_or_404(slug)
    if not version.is_working_copy:
        flash(_("Start a new version first: the reasons for a change are written in it."), "info")
        return items.outline(slug)
    item, revision = items.item_or_404(consultation, version, item_id)
    change = trails.get_change(version, item)
    inputs = _input_choices(consultation, item.id, version.number)
    tags = _tag_choices(consultation)
    form = ChangeForm(obj=change)
    form.inputs.choices = [SelectChoice(i.id, str(i.id)) for i, _r, _t in inputs]
    form.tags.choices = [SelectChoice(t.id, t.name) for t, _n in tags]
    if change is not None and not form.is_submitted():
        form.inputs.data = [i.id for i in change.inputs]
        form.tags.data = [t.id for t in change.tags]
    if form.validate_on_submit():
        try:
            trails.save_change(
                current_user,
                consultation,
                version,
                item,
                reason_da=form.reason_da.data,
                reason_en=form.reason_en.data,
                input_ids=form.inputs.data or [],
                tag_ids=form.tags.data or [],
            )
        except trails.TrailError as error:
            form.reason_da.errors.append(
                _("Write why in Danish too: Danish is required, English optional.")
                if error.code == "reason_da"
                else _("This version is published: its reasons can no longer change.")
            )
        else:
            items.commit_edit(consultation)
            flash(_("Saved."), "success")
            return redirect(url_for("staff.edit_change", slug=slug, item_id=item.id))
    before = services.version_before(version)
    old = services.load_tree(before).node(item.id) if before is not None else None
    fields = diff.compare(_single(old), _single(services.load_tree(version).node(item.id)))
    return render_template(
        "staff/change_form.html",
        form=form,
        consultation=consultation,
        version=version,
        item=item,
        revision=revision,
        inputs=inputs,
        tags=tags,
        item_diff=fields[0] if fields else None,
        field_labels=diff.field_labels(),
        kind_labels=KIND_LABELS,
    )


def _single(node):
    """A one-node tree, to compare one item with the diff that compares versions."""
    if node is None:
        return None
    copy = services.Node(item=node.item, revision=node.revision)
    return services.Tree(version=node.revision.version, roots=[copy], by_key={node.key: copy})


#: The routes of these views; staff_views adds them to the staff blueprint.
ROUTES = [
    ("/consultations/<slug>/versions/<int:number>/preview", preview_version, ["GET"]),
    ("/consultations/<slug>/versions/<int:number>/changes", compare_version, ["GET"]),
    ("/consultations/<slug>/versions/<int:number>/publish", publish_version, ["POST"]),
    ("/consultations/<slug>/versions/import", import_version, ["GET", "POST"]),
    ("/consultations/<slug>/items/<int:item_id>/change", edit_change, ["GET", "POST"]),
]
