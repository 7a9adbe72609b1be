"""What respondents ranked, as rows for every export: the figures of
``consult.analysis.rankings`` (mean rank, Borda score, top-k share) for everyone, by
respondent group and by health cluster, for the focus areas and for the goals within each.

The measures are rankings.py's, on the same rows: over submitted responses, a place at rank r
of a cap of k worth k - r + 1 Borda points, the top-k share of everyone who ranked at that
level (for goals: who ranked goals in that focus area) in that group. Each grouping is two
GROUP BYs per level (twelve queries in all, whatever the number of responses or groups); the
tests compare every number with rankings.py's own functions.

Only aggregates leave the platform, never one person's ranking. The open data leaves out a
figure that fewer than ``PUBLIC_MIN_RESPONDENTS`` people make up (a group of one would be that
person's ranking).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import null
from sqlalchemy import select

from consult.analysis.figures import submitted
from consult.analysis.rankings import TOP_K
from consult.drafts.services import Tree
from consult.extensions import db
from consult.i18n import localized
from consult.readside.labels import NOT_GIVEN
from consult.reference.models import HealthCluster
from consult.reference.models import RespondentType
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Respondent
from consult.responses.models import Response

#: In public files, a figure made up of fewer respondents than this is left out.
PUBLIC_MIN_RESPONDENTS = 5
LEVELS = ("focus_area", "goal")
GROUPINGS = ("all", "respondent_type", "cluster")
#: The keys of a ranking record in JSON, in order.
KEYS = (
    "level",
    "focus_area",
    "item",
    "group_by",
    "group",
    "respondents",
    "ranked_by",
    "mean_rank",
    "borda",
    "top_k",
    "top_share",
)


@dataclass
class Record:
    """One item's ranking among one group of respondents at one level."""

    level: str  # focus_area | goal
    area_id: int | None  # the focus area a goal was ranked within; None for focus areas
    item_id: int
    group_by: str  # all | respondent_type | cluster
    group: object | None  # the RespondentType or HealthCluster; None: everyone / not given
    respondents: int  # everyone in the group who ranked at this level (goals: in this area)
    ranked_by: int  # of them, how many placed this item
    mean_rank: float
    borda: int
    top_k: int
    top_share: float


def _cap(consultation, level: str) -> int:
    if level == "focus_area":
        return consultation.max_ranked_focus_areas
    return consultation.max_ranked_goals


def _level(consultation, level: str, group_by: str) -> list[Record]:
    """Every item's figures at one level for one grouping: two GROUP BYs."""
    model = FocusAreaRank if level == "focus_area" else GoalRank
    cap = _cap(consultation, level)
    k = min(TOP_K[level], cap)
    area = GoalRank.focus_area_id if level == "goal" else null()
    group = {
        "all": null(),
        "respondent_type": Respondent.respondent_type_id,
        "cluster": Respondent.cluster_id,
    }[group_by]
    ranks = (
        select(
            model.response_id.label("response_id"),
            area.label("area_id"),
            model.item_id.label("item_id"),
            model.rank.label("rank"),
            group.label("group_id"),
        )
        .join(Response, Response.id == model.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(submitted(consultation.id))
        .subquery()
    )
    everyone = {
        (area_id, group_id): n
        for area_id, group_id, n in db.session.execute(
            select(
                ranks.c.area_id, ranks.c.group_id, func.count(distinct(ranks.c.response_id))
            ).group_by(ranks.c.area_id, ranks.c.group_id)
        )
    }
    out = []
    for area_id, item_id, group_id, mean, borda, top, n in db.session.execute(
        select(
            ranks.c.area_id,
            ranks.c.item_id,
            ranks.c.group_id,
            func.avg(ranks.c.rank),
            func.sum(literal(cap + 1) - ranks.c.rank),
            func.count().filter(ranks.c.rank <= k),
            func.count(),
        ).group_by(ranks.c.area_id, ranks.c.item_id, ranks.c.group_id)
    ):
        total = everyone.get((area_id, group_id), 0)
        out.append(
            Record(
                level=level,
                area_id=area_id,
                item_id=item_id,
                group_by=group_by,
                group=group_id,
                respondents=total,
                ranked_by=n,
                mean_rank=float(mean),
                borda=int(borda),
                top_k=k,
                top_share=(top / total) if total else 0.0,
            )
        )
    return out


def records(consultation, *, public: bool = False) -> list[Record]:
    """Every ranking figure of the consultation: focus areas, then goals by focus area; within
    each, everyone, then each respondent group, then each cluster (in the reference data's
    order, "not given" last); within those, best Borda score first (as rankings.py sorts)."""
    groups = {
        "respondent_type": {t.id: t for t in db.session.scalars(select(RespondentType))},
        "cluster": {c.id: c for c in db.session.scalars(select(HealthCluster))},
    }
    out: list[Record] = []
    for level in LEVELS:
        for group_by in GROUPINGS:
            for record in _level(consultation, level, group_by):
                if group_by != "all" and record.group is not None:
                    record.group = groups[group_by].get(record.group)
                out.append(record)
    if public:
        out = [r for r in out if r.respondents >= PUBLIC_MIN_RESPONDENTS]

    def order(record: Record):
        group = record.group
        place = (0, 0, 0) if record.group_by == "all" else (
            (1, group.position, group.id) if group is not None else (2, 0, 0)
        )  # fmt: skip
        return (
            LEVELS.index(record.level),
            record.area_id or 0,
            GROUPINGS.index(record.group_by),
            place,
            -record.borda,
            record.mean_rank,
            record.item_id,
        )

    out.sort(key=order)
    return out


# --- as rows of a file -----------------------------------------------------------------------


def headings(lang: str) -> list[str]:
    """The column headings of the rankings sheet and CSV, in ``lang``."""
    with force_locale(lang):
        return [
            _("Level"),
            _("Focus area"),
            _("Key"),
            _("Focus area or goal"),
            _("Grouped by"),
            _("Group"),
            _("Respondents who ranked"),
            _("Placed it"),
            _("Mean rank"),
            _("Borda score"),
            _("Top k"),
            _("Top-k share (%)"),
        ]


class Words:
    """Keys, titles and the words of levels, groupings and groups in one language."""

    def __init__(self, tree: Tree, lang: str):
        self.lang = lang
        self.items: dict[int, tuple[str, str]] = {}
        with force_locale(lang):
            for area in tree.focus_areas:
                self.items[area.item.id] = (area.key, localized(area.revision, "title")[0])
                for node in area.children:
                    self.items[node.item.id] = (node.key, localized(node.revision, "title")[0])
            self.levels = {"focus_area": _("Focus area"), "goal": _("Goal")}
            self.groupings = {
                "all": _("Everyone"),
                "respondent_type": _("Respondent type"),
                "cluster": _("Health cluster"),
            }
            self.not_given = str(NOT_GIVEN)

    def item(self, item_id: int | None) -> tuple[str, str]:
        return self.items.get(item_id, ("", "")) if item_id is not None else ("", "")

    def group(self, record: Record) -> str:
        if record.group_by == "all":
            return ""
        if record.group is None:
            return self.not_given
        with force_locale(self.lang):
            return localized(record.group, "name")[0]


def table(consultation, tree: Tree, *, public: bool, lang: str) -> list[list]:
    """The rankings as rows of plain values (numbers as numbers, top-k share as a fraction),
    in the order of ``headings``: for the XLSX sheet and the CSV."""
    words = Words(tree, lang)
    rows = []
    for r in records(consultation, public=public):
        area_key, area_title = words.item(r.area_id if r.level == "goal" else r.item_id)
        key, title = words.item(r.item_id)
        rows.append(
            [
                words.levels[r.level],
                area_title,
                key,
                title,
                words.groupings[r.group_by],
                words.group(r),
                r.respondents,
                r.ranked_by,
                r.mean_rank,
                r.borda,
                r.top_k,
                r.top_share,
            ]
        )
    return rows


def csv_rows(consultation, tree: Tree, *, public: bool, lang: str) -> list[list[str]]:
    """The rankings for a CSV: numbers as ``lang`` writes them (a decimal comma in Danish, so
    Danish Excel reads them as numbers), the share in percent."""
    out = []
    with force_locale(lang):
        for row in table(consultation, tree, public=public, lang=lang):
            *head, mean, borda, top_k, share = row
            out.append(
                [
                    *head[:6],
                    str(head[6]),
                    str(head[7]),
                    format_decimal(mean, format="0.00"),
                    str(borda),
                    str(top_k),
                    format_decimal(share * 100, format="0.0"),
                ]
            )
    return out


def json_records(consultation, tree: Tree, *, public: bool) -> list[dict]:
    """The rankings as JSON records (``KEYS``): codes and keys, numbers as they are."""
    words = Words(tree, "da")
    out = []
    for r in records(consultation, public=public):
        out.append(
            {
                "level": r.level,
                "focus_area": words.item(r.area_id)[0] or None,
                "item": words.item(r.item_id)[0],
                "group_by": r.group_by,
                "group": None if r.group is None else r.group.code,
                "respondents": r.respondents,
                "ranked_by": r.ranked_by,
                "mean_rank": round(r.mean_rank, 4),
                "borda": r.borda,
                "top_k": r.top_k,
                "top_share": round(r.top_share, 4),
            }
        )
    return out
