"""The secretariat's figures under /staff/consultations/<slug>/analysis: the dashboard, one
goal, the focus-area ranking, and their charts (SVG beside a table of the same numbers)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response as HTTPResponse
from flask import abort
from flask import render_template
from flask import request
from flask_babel import format_date
from flask_babel import format_decimal
from flask_babel import format_percent
from flask_babel import gettext as _

from consult.analysis import figures
from consult.analysis import rankings
from consult.analysis.browser import BrowseFilter
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.drafts.services import Tree
from consult.extensions import db
from consult.i18n import localized
from consult.permissions import can_analyse
from consult.permissions import requires
from consult.readside.labels import stance_series
from consult.reference.models import HealthCluster
from consult.reference.models import RespondentType
from consult.reference.services import entries

bp = Blueprint("analysis", __name__, url_prefix="/staff/consultations/<slug>/analysis")

PER_PAGE = 50


def consultation_and_tree(slug: str) -> tuple[Consultation, Tree]:
    consultation = drafts.get_consultation(slug)
    if consultation is None:
        abort(404)
    version = drafts.current_version(consultation)
    if version is None:
        abort(404)
    return consultation, drafts.load_tree(version)


def _name(obj, fallback: str) -> str:
    return localized(obj, "name")[0] if obj is not None else fallback


@bp.route("/")
@requires(can_analyse)
def dashboard(slug: str):
    consultation, tree = consultation_and_tree(slug)
    return render_template(
        "analysis/dashboard.html",
        consultation=consultation,
        tree=tree,
        d=figures.dashboard(consultation),
    )


def _goal_node(tree: Tree, key: str):
    node = tree.by_key.get(key)
    if node is None or not node.kind.takes_input:
        abort(404)
    return node


@bp.route("/goals/<key>")
@requires(can_analyse)
def show_goal(slug: str, key: str):
    consultation, tree = consultation_and_tree(slug)
    node = _goal_node(tree, key)
    page = db.paginate(
        figures.wordings(consultation, node.item.id),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "analysis/goal.html",
        consultation=consultation,
        tree=tree,
        node=node,
        f=figures.goal(consultation, node.item.id),
        wordings=page,
        name=_name,
        browse_args=BrowseFilter(item=node.item.id).to_args(),
    )


@bp.route("/ranking")
@requires(can_analyse)
def ranking(slug: str):
    consultation, tree = consultation_and_tree(slug)
    types = entries(RespondentType, active_only=False)
    clusters = entries(HealthCluster, active_only=False)
    type_id, cluster_id = _ranking_filters(types, clusters)
    return render_template(
        "analysis/ranking.html",
        consultation=consultation,
        tree=tree,
        areas=rankings.ranking(consultation, type_id=type_id, cluster_id=cluster_id),
        goals=rankings.goal_rankings(consultation, type_id=type_id, cluster_id=cluster_id),
        by_type=rankings.breakdown(consultation, "type"),
        by_cluster=rankings.breakdown(consultation, "cluster"),
        types=types,
        clusters=clusters,
        type_id=type_id,
        cluster_id=cluster_id,
    )


def _ranking_filters(types, clusters) -> tuple[int | None, int | None]:
    """The group and cluster asked for, when they exist (anything else means everyone)."""
    type_id = request.args.get("type", type=int)
    cluster_id = request.args.get("cluster", type=int)
    return (
        type_id if type_id in {t.id for t in types} else None,
        cluster_id if cluster_id in {c.id for c in clusters} else None,
    )


# --- charts ------------------------------------------------------------------------------------


def _charts():
    """The chart module, imported on first use: matplotlib costs a second at start-up."""
    from consult.analysis import charts

    return charts


def _svg(svg: bytes) -> HTTPResponse:
    response = HTTPResponse(svg, mimetype="image/svg+xml")
    # Drawn with style attributes; shown through <img>, where an SVG can never run script.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _stacked(rows, title: str) -> bytes:
    return _charts().stacked_chart(
        [(label, {k or "": v for k, v in counts.items()}) for label, counts in rows],
        stance_series(),
        title=title,
        value_format=lambda share: format_percent(share),
        empty_text=_("No input yet."),
    )


@bp.route("/charts/participation.svg")
@requires(can_analyse)
def chart_participation(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    d = figures.dashboard(consultation)
    return _svg(
        _charts().time_chart(
            [(day, {"responses": n, "inputs": i}) for day, n, i in d.per_day],
            [("responses", _("Responses")), ("inputs", _("Inputs"))],
            title=_("Responses and inputs per day"),
            value_format=lambda n: format_decimal(n),
            date_format=lambda day: format_date(day, "d MMM"),
            empty_text=_("No responses yet."),
        )
    )


@bp.route("/goals/<key>/charts/<by>.svg")
@requires(can_analyse)
def chart_goal(slug: str, key: str, by: str):
    consultation, tree = consultation_and_tree(slug)
    node = _goal_node(tree, key)
    f = figures.goal(consultation, node.item.id)
    if by == "type":
        rows = [(_("All"), f.stances)] + [
            (_name(t, _("Several groups (session)")), s) for t, s in f.by_type
        ]
        return _svg(_stacked(rows, _("Positions by respondent group")))
    if by == "cluster":
        rows = [(_("All"), f.stances)] + [(_name(c, _("Not given")), s) for c, s in f.by_cluster]
        return _svg(_stacked(rows, _("Positions by health cluster")))
    abort(404)


@bp.route("/charts/ranking.svg")
@requires(can_analyse)
def chart_ranking(slug: str):
    consultation, tree = consultation_and_tree(slug)
    type_id, cluster_id = _ranking_filters(
        entries(RespondentType, active_only=False), entries(HealthCluster, active_only=False)
    )
    rows = rankings.ranking(consultation, type_id=type_id, cluster_id=cluster_id).rows
    return _svg(
        _charts().bar_chart(
            [(localized(tree.node(r.item_id).revision, "title")[0], r.borda) for r in rows],
            title=_("Borda score per focus area"),
            value_label=_("points"),
            value_format=lambda n: format_decimal(n),
            empty_text=_("No one has ranked yet."),
        )
    )
