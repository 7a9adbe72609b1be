"""What respondents ranked: the focus areas, and the goals within each chosen focus area.

Three measures per item, each over the respondents who ranked at that level (for goals: who
ranked goals in that focus area), computed in SQL:

- **mean rank** (1 is first; lower is better), over those who placed the item at all;
- **Borda score**: a place at rank r of a cap of k is worth k - r + 1 points, so it rewards
  both how many chose the item and how high;
- **top-k share**: the share of everyone who ranked at that level who put the item in their
  first k places (k = 3 for focus areas, 1 for goals: "first choice").

The same figures by respondent group and by health cluster come from one GROUP BY each, so
the page and the exports stay one query per table whatever the number of responses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select

from consult.analysis.figures import submitted
from consult.extensions import db
from consult.reference.models import HealthCluster
from consult.reference.models import RespondentType
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Respondent
from consult.responses.models import Response

#: How many first places count as "top" for each level.
TOP_K = {"focus_area": 3, "goal": 1}


@dataclass
class RankRow:
    item_id: int
    mean_rank: float
    borda: int
    top_share: float
    ranked_by: int


@dataclass
class Ranking:
    """One level's result: who ranked, the cap and k, and the rows, best Borda first."""

    everyone: int
    cap: int
    top_k: int
    rows: list[RankRow]


@dataclass
class GroupCell:
    mean_rank: float
    borda: int
    ranked_by: int


@dataclass
class Breakdown:
    """Per item, per group (respondent type or cluster; None = not given), and who ranked."""

    groups: list[object | None]
    everyone: dict[int | None, int]
    cells: dict[int, dict[int | None, GroupCell]]


def _ranks(consultation, level: str, focus_area_id: int | None, type_id, cluster_id):
    """A subquery of (response, item, rank, type, cluster) for one level, with the filters."""
    model = FocusAreaRank if level == "focus_area" else GoalRank
    query = (
        select(
            model.response_id,
            model.item_id,
            model.rank,
            Respondent.respondent_type_id.label("type_id"),
            Respondent.cluster_id.label("cluster_id"),
        )
        .join(Response, Response.id == model.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(submitted(consultation.id))
    )
    if level == "goal" and focus_area_id is not None:
        query = query.where(GoalRank.focus_area_id == focus_area_id)
    if type_id is not None:
        query = query.where(Respondent.respondent_type_id == type_id)
    if cluster_id is not None:
        query = query.where(Respondent.cluster_id == cluster_id)
    return query.subquery()


def _cap(consultation, level: str) -> int:
    if level == "focus_area":
        return consultation.max_ranked_focus_areas
    return consultation.max_ranked_goals


def ranking(
    consultation,
    level: str = "focus_area",
    *,
    focus_area_id: int | None = None,
    type_id: int | None = None,
    cluster_id: int | None = None,
) -> Ranking:
    """The ranking at one level (goals: within ``focus_area_id``), optionally for one group."""
    cap = _cap(consultation, level)
    k = min(TOP_K[level], cap)
    ranks = _ranks(consultation, level, focus_area_id, type_id, cluster_id)
    everyone = db.session.scalar(select(func.count(distinct(ranks.c.response_id)))) or 0
    rows = db.session.execute(
        select(
            ranks.c.item_id,
            func.avg(ranks.c.rank),
            func.sum(literal(cap + 1) - ranks.c.rank),
            func.count().filter(ranks.c.rank <= k),
            func.count(),
        ).group_by(ranks.c.item_id)
    ).all()
    out = [
        RankRow(
            item_id=item_id,
            mean_rank=float(mean),
            borda=int(borda),
            top_share=(top / everyone) if everyone else 0.0,
            ranked_by=n,
        )
        for item_id, mean, borda, top, n in rows
    ]
    out.sort(key=lambda r: (-r.borda, r.mean_rank, r.item_id))
    return Ranking(everyone=everyone, cap=cap, top_k=k, rows=out)


def goal_rankings(consultation, *, type_id=None, cluster_id=None) -> dict[int, Ranking]:
    """The goal ranking within every focus area, by focus area id, in two queries."""
    cap = _cap(consultation, "goal")
    k = min(TOP_K["goal"], cap)
    ranks = (
        select(
            GoalRank.response_id,
            GoalRank.focus_area_id,
            GoalRank.item_id,
            GoalRank.rank,
        )
        .join(Response, Response.id == GoalRank.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(submitted(consultation.id))
    )
    if type_id is not None:
        ranks = ranks.where(Respondent.respondent_type_id == type_id)
    if cluster_id is not None:
        ranks = ranks.where(Respondent.cluster_id == cluster_id)
    ranks = ranks.subquery()
    everyone = dict(
        db.session.execute(
            select(ranks.c.focus_area_id, func.count(distinct(ranks.c.response_id))).group_by(
                ranks.c.focus_area_id
            )
        ).all()
    )
    result = {area: Ranking(everyone=n, cap=cap, top_k=k, rows=[]) for area, n in everyone.items()}
    for area, item_id, mean, borda, top, n in db.session.execute(
        select(
            ranks.c.focus_area_id,
            ranks.c.item_id,
            func.avg(ranks.c.rank),
            func.sum(literal(cap + 1) - ranks.c.rank),
            func.count().filter(ranks.c.rank <= k),
            func.count(),
        ).group_by(ranks.c.focus_area_id, ranks.c.item_id)
    ):
        total = everyone.get(area, 0)
        result[area].rows.append(
            RankRow(
                item_id=item_id,
                mean_rank=float(mean),
                borda=int(borda),
                top_share=(top / total) if total else 0.0,
                ranked_by=n,
            )
        )
    for ranking_ in result.values():
        ranking_.rows.sort(key=lambda r: (-r.borda, r.mean_rank, r.item_id))
    return result


def breakdown(consultation, by: str, level: str = "focus_area") -> Breakdown:
    """Mean rank and Borda per item and respondent group (``by="type"``) or health cluster
    (``by="cluster"``), in two queries. Groups with nobody who ranked are left out."""
    cap = _cap(consultation, level)
    ranks = _ranks(consultation, level, None, None, None)
    column = ranks.c.type_id if by == "type" else ranks.c.cluster_id
    everyone = dict(
        db.session.execute(
            select(column, func.count(distinct(ranks.c.response_id))).group_by(column)
        ).all()
    )
    cells: dict[int, dict[int | None, GroupCell]] = defaultdict(dict)
    for item_id, group, mean, borda, n in db.session.execute(
        select(
            ranks.c.item_id,
            column,
            func.avg(ranks.c.rank),
            func.sum(literal(cap + 1) - ranks.c.rank),
            func.count(),
        ).group_by(ranks.c.item_id, column)
    ):
        cells[item_id][group] = GroupCell(mean_rank=float(mean), borda=int(borda), ranked_by=n)
    model = RespondentType if by == "type" else HealthCluster
    known = db.session.scalars(
        select(model).where(model.id.in_([g for g in everyone if g is not None]))
    ).all()
    known.sort(key=lambda g: (g.position, g.id))
    groups: list[object | None] = list(known) + ([None] if None in everyone else [])
    return Breakdown(groups=groups, everyone=everyone, cells=dict(cells))
