"""Theme suggestions under /staff/consultations/<slug>/themes: asking for them, reviewing a
run (accept, rename, merge, split, reject), one suggestion's inputs, and seeded themes.

Nothing is tagged without a person: the engine's answer is stored as suggestions, and only
the buttons here turn one into a tag. Every decision is audited (``consult.themes.service``).
"""

from __future__ import annotations

import re

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from consult import jobs
from consult.analysis.forms import EmptyForm
from consult.analysis.views import consultation_and_tree
from consult.extensions import db
from consult.i18n import localized
from consult.permissions import can_analyse
from consult.permissions import requires
from consult.reference.models import RespondentType
from consult.reference.services import entries
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.themes import service
from consult.themes.forms import MergeForm
from consult.themes.forms import NameForm
from consult.themes.forms import RunForm
from consult.themes.forms import SplitForm
from consult.themes.models import SuggestionState
from consult.themes.models import ThemeRun
from consult.themes.models import ThemeSuggestion

bp = Blueprint("themes", __name__, url_prefix="/staff/consultations/<slug>/themes")

PER_PAGE = 50
#: Ranked inputs a seeded page shows at first, and at most (with "show more").
SEED_SHOWN = 50
SEED_SHOWN_MAX = 2000
#: Example ids a seeded theme takes.
EXAMPLES_MAX = 50


def error_message(error: service.ThemeError) -> str:
    return {
        "scope": _("Choose a goal or focus area of this consultation."),
        "k": _("Choose a number of themes from the list."),
        "empty": _("There is no input with text to look at there yet."),
        "decided": _("Someone has already decided on this suggestion."),
        "name": _("Give the theme a name."),
        "tag_taken": _("There is a tag with that name already."),
        "too_small": _("There are too few inputs to split it into that many."),
        "busy": _("The engine is still working on this run; try again when it is done."),
        "merge_two": _("Tick two or more open suggestions to merge them."),
        "examples": _("Mark at least one example input."),
        "example_scope": _("An example is not among the inputs looked at."),
        "nothing": _("Tick the inputs to tag."),
    }.get(error.code, _("That could not be done."))


def _run(consultation, run_id: int) -> ThemeRun:
    run = db.session.get(ThemeRun, run_id)
    if run is None or run.consultation_id != consultation.id:
        abort(404)
    return run


def _suggestion(consultation, suggestion_id: int) -> ThemeSuggestion:
    suggestion = db.session.get(ThemeSuggestion, suggestion_id)
    if suggestion is None or suggestion.run.consultation_id != consultation.id:
        abort(404)
    return suggestion


def _scope_choices(tree) -> list[tuple]:
    choices = [("", _("The whole consultation"))]
    for area in tree.focus_areas:
        area_title = _text(area)
        choices.append((area.item.id, _("Focus area: %(title)s", title=area_title)))
        for node in area.children:
            if node.kind.takes_input:
                choices.append((node.item.id, "— " + _text(node)))
    return choices


def _text(node) -> str:
    return localized(node.revision, "title")[0]


def _ids(values, limit: int) -> list[int]:
    """Input ids from form values: ticked boxes, or numbers typed with spaces between."""
    out = [
        int(part)
        for value in values
        for part in re.split(r"[\s,;]+", value)
        if part.isdigit() and len(part) < 12
    ]
    return list(dict.fromkeys(out))[:limit]


def _run_page(run: ThemeRun, slug: str):
    return redirect(url_for("themes.show_run", slug=slug, run_id=run.id))


# --- runs


@bp.route("/", methods=["GET", "POST"])
@requires(can_analyse)
def list_runs(slug: str):
    consultation, tree = consultation_and_tree(slug)
    form = RunForm(scope=request.args.get("item", type=int))
    form.scope.choices = [SelectChoice(value, label) for value, label in _scope_choices(tree)]
    if form.validate_on_submit():
        try:
            run = service.request_run(
                consultation, current_user, item_id=form.scope.data, k=form.k.data
            )
        except service.ThemeError as error:
            form.scope.errors.append(error_message(error))
        else:
            db.session.commit()
            return _run_page(run, slug)
    counts = dict(
        db.session.execute(
            select(ThemeSuggestion.run_id, func.count())
            .join(ThemeRun, ThemeRun.id == ThemeSuggestion.run_id)
            .where(
                ThemeRun.consultation_id == consultation.id,
                ThemeSuggestion.state == SuggestionState.OPEN,
            )
            .group_by(ThemeSuggestion.run_id)
        ).all()
    )
    runs = db.session.scalars(
        select(ThemeRun)
        .where(ThemeRun.consultation_id == consultation.id)
        .options(joinedload(ThemeRun.job), joinedload(ThemeRun.requested_by))
        .order_by(ThemeRun.id.desc())
        .limit(100)
    ).all()
    return render_template(
        "analysis/themes/run_list.html",
        consultation=consultation,
        tree=tree,
        form=form,
        runs=runs,
        open_counts=counts,
    )


@bp.route("/runs/<int:run_id>")
@requires(can_analyse)
def show_run(slug: str, run_id: int):
    consultation, tree = consultation_and_tree(slug)
    run = _run(consultation, run_id)
    suggestions = service.suggestions_of(run)
    ids = [s.id for s in suggestions]
    types = {t.id: t for t in entries(RespondentType, active_only=False)}
    return render_template(
        "analysis/themes/run_show.html",
        consultation=consultation,
        tree=tree,
        run=run,
        job=jobs.latest(service.KIND, service.topic(run)),
        suggestions=suggestions,
        groups=service.by_group(ids),
        quotes=service.quotes_of(ids),
        types=types,
        name_forms={
            s.id: NameForm(formdata=None, prefix=f"s{s.id}", name=s.name or s.words.split(", ")[0])
            for s in suggestions
        },
        split_forms={s.id: SplitForm(formdata=None, prefix=f"s{s.id}") for s in suggestions},
        merge_form=MergeForm(formdata=None, prefix="merge"),
        action=EmptyForm(formdata=None),
        scope_title=_text(tree.node(run.item_id)) if tree.node(run.item_id) else None,
    )


@bp.route("/runs/<int:run_id>/merge", methods=["POST"])
@requires(can_analyse)
def merge_suggestions(slug: str, run_id: int):
    consultation, _tree = consultation_and_tree(slug)
    run = _run(consultation, run_id)
    form = MergeForm(prefix="merge")
    if form.validate_on_submit():
        ids = _ids(request.form.getlist("merge_ids"), 100)
        chosen = db.session.scalars(
            select(ThemeSuggestion).where(
                ThemeSuggestion.id.in_(ids), ThemeSuggestion.run_id == run.id
            )
        ).all()
        try:
            merged = service.merge(list(chosen), current_user, form.name.data or "")
        except service.ThemeError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Merged into one suggestion of %(num)d input.",
                    "Merged into one suggestion of %(num)d inputs.",
                    merged.size,
                ),
                "success",
            )
    return _run_page(run, slug)


# --- one suggestion


@bp.route("/suggestions/<int:suggestion_id>")
@requires(can_analyse)
def show_suggestion(slug: str, suggestion_id: int):
    consultation, tree = consultation_and_tree(slug)
    suggestion = _suggestion(consultation, suggestion_id)
    page = db.paginate(
        service.members_page(suggestion).options(
            joinedload(Input.response)
            .joinedload(Response.respondent)
            .joinedload(Respondent.respondent_type)
        ),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "analysis/themes/suggestion_show.html",
        consultation=consultation,
        tree=tree,
        s=suggestion,
        page=page,
        scores=service.scores(suggestion, [i.id for i in page.items]),
        action=EmptyForm(formdata=None),
    )


def _decide(slug: str, suggestion_id: int, act):
    consultation, _tree = consultation_and_tree(slug)
    suggestion = _suggestion(consultation, suggestion_id)
    run = suggestion.run
    try:
        message = act(suggestion)
    except service.ThemeError as error:
        flash(error_message(error), "error")
    else:
        if message:
            db.session.commit()
            flash(message, "success")
    return _run_page(run, slug)


@bp.route("/suggestions/<int:suggestion_id>/accept", methods=["POST"])
@requires(can_analyse)
def accept_suggestion(slug: str, suggestion_id: int):
    def act(suggestion):
        form = NameForm(prefix=f"s{suggestion.id}")
        if not form.validate_on_submit():
            return None
        n = service.accept(suggestion, current_user, form.name.data or "")
        return ngettext(
            "Accepted: the tag »%(name)s« is on %(num)d more input.",
            "Accepted: the tag »%(name)s« is on %(num)d more inputs.",
            n,
            name=suggestion.name,
        )

    return _decide(slug, suggestion_id, act)


@bp.route("/suggestions/<int:suggestion_id>/rename", methods=["POST"])
@requires(can_analyse)
def rename_suggestion(slug: str, suggestion_id: int):
    def act(suggestion):
        form = NameForm(prefix=f"s{suggestion.id}")
        if not form.validate_on_submit():
            return None
        service.rename(suggestion, current_user, form.name.data or "")
        return _("The name is saved.")

    return _decide(slug, suggestion_id, act)


@bp.route("/suggestions/<int:suggestion_id>/reject", methods=["POST"])
@requires(can_analyse)
def reject_suggestion(slug: str, suggestion_id: int):
    def act(suggestion):
        if not EmptyForm().validate_on_submit():
            return None
        service.reject(suggestion, current_user)
        return _("Rejected: nothing was tagged.")

    return _decide(slug, suggestion_id, act)


@bp.route("/suggestions/<int:suggestion_id>/split", methods=["POST"])
@requires(can_analyse)
def split_suggestion(slug: str, suggestion_id: int):
    def act(suggestion):
        form = SplitForm(prefix=f"s{suggestion.id}")
        if not form.validate_on_submit():
            return None
        service.request_split(suggestion, current_user, form.k.data or 2)
        return _("The engine is splitting the suggestion.")

    return _decide(slug, suggestion_id, act)


# --- seeded


def _seed_args(name: str, ids: list[int], item: int | None) -> dict:
    args = {"name": name, "ids": ids}
    if item:
        args["item"] = item
    return args


@bp.route("/seed")
@requires(can_analyse)
def seed(slug: str):
    consultation, tree = consultation_and_tree(slug)
    name = " ".join((request.args.get("name") or "").split())[: service.NAME_MAX]
    ids = _ids(request.args.getlist("ids"), EXAMPLES_MAX)
    item = request.args.get("item", type=int)
    scopes = _scope_choices(tree)
    item = item if item in {value for value, _label in scopes} else None
    shown = min(max(request.args.get("shown", SEED_SHOWN, type=int), SEED_SHOWN), SEED_SHOWN_MAX)
    result, error = None, None
    if name and ids:
        try:
            result = service.seed_matches(consultation.id, name, ids, item)
        except service.ThemeError as exc:
            error = error_message(exc)
    elif request.args.get("name") is not None or ids:
        error = error_message(service.ThemeError("name" if not name else "examples"))
    examples = (
        db.session.scalars(
            select(Input)
            .join(Response, Response.id == Input.response_id)
            .where(Input.id.in_(ids), Response.consultation_id == consultation.id)
            .order_by(Input.id)
        ).all()
        if ids
        else []
    )
    rows = []
    if result is not None:
        top = result.matches[:shown]
        by_id = {
            i.id: i
            for i in db.session.scalars(
                select(Input)
                .where(Input.id.in_([m.id for m in top]))
                .options(
                    joinedload(Input.response)
                    .joinedload(Response.respondent)
                    .joinedload(Respondent.respondent_type)
                )
            )
        }
        rows = [(m, by_id[m.id]) for m in top if m.id in by_id]
    return render_template(
        "analysis/themes/seed.html",
        consultation=consultation,
        tree=tree,
        name=name,
        ids=ids,
        item=item,
        scopes=scopes,
        examples=examples,
        result=result,
        rows=rows,
        shown=shown,
        more=min(shown * 2, SEED_SHOWN_MAX) if result and len(result.matches) > shown else None,
        error=error,
        action=EmptyForm(formdata=None),
        args=_seed_args(name, ids, item),
    )


@bp.route("/seed/examples", methods=["POST"])
@requires(can_analyse)
def pick_examples(slug: str):
    """Ticked rows of the input browser or a suggestion's page, as a named theme's examples."""
    consultation_and_tree(slug)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("themes.seed", slug=slug))
    name = " ".join((request.form.get("name") or "").split())[: service.NAME_MAX]
    ids = _ids(request.form.getlist("ids"), EXAMPLES_MAX)
    return redirect(url_for("themes.seed", slug=slug, **_seed_args(name, ids, None)))


@bp.route("/seed/apply", methods=["POST"])
@requires(can_analyse)
def apply_seed(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    name = " ".join((request.form.get("name") or "").split())[: service.NAME_MAX]
    examples = _ids(request.form.getlist("examples"), EXAMPLES_MAX)
    item = request.form.get("item", type=int)
    back = url_for("themes.seed", slug=slug, **_seed_args(name, examples, item))
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    ticked = _ids(request.form.getlist("ids"), SEED_SHOWN_MAX)
    try:
        tag, n = service.apply_seeded(consultation.id, current_user, name, examples + ticked)
    except service.ThemeError as error:
        flash(error_message(error), "error")
        return redirect(back)
    db.session.commit()
    flash(
        ngettext(
            "The tag »%(name)s« is on %(num)d more input.",
            "The tag »%(name)s« is on %(num)d more inputs.",
            n,
            name=tag.name,
        ),
        "success",
    )
    return redirect(url_for("inputs.browse", slug=slug, tag=tag.id))
