"""The input browser's filters: read from the URL through an allow-list, turned into one query.

Every filter and the sort live in the query string, so a view can be shared as a link; a
value that is not allowed is dropped, never passed to SQL.
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from consult.analysis import search
from consult.analysis.figures import reply_state
from consult.analysis.figures import submitted
from consult.analysis.figures import theme_reply
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import input_tags
from consult.extensions import db
from consult.responses.models import Channel
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import Stance

SORTS = {
    "newest": (Response.submitted_at.desc(), Input.id.desc()),
    "oldest": (Response.submitted_at.asc(), Input.id.asc()),
    "importance": (Input.importance.desc().nulls_last(), Input.id.desc()),
    # General comments and letters (no goal) after the goals.
    "goal": (Input.item_id.asc().nulls_last(), Input.id.asc()),
}
QUERY_MAX = 200


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


#: What the browser lists (``what=``): input on goals, general comments, letters; none: all.
WHATS = tuple(k.value for k in InputKind)


@dataclass
class BrowseFilter:
    what: str | None = None
    item: int | None = None
    stance: str | None = None
    type: int | None = None
    cluster: int | None = None
    channel: str | None = None
    tag: int | None = None
    state: str | None = None
    group: int | None = None
    assignee: int | None = None
    wording: bool = False
    q: str = ""
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> BrowseFilter:
        """Read the filters from a query string, keeping only allowed values."""
        stance = args.get("stance")
        channel = args.get("channel")
        state = args.get("state")
        sort = args.get("sort")
        what = args.get("what")
        return cls(
            what=what if what in WHATS else None,
            item=_int(args.get("item")),
            stance=stance if stance in {s.value for s in Stance} else None,
            type=_int(args.get("type")),
            cluster=_int(args.get("cluster")),
            channel=channel if channel in {c.value for c in Channel} else None,
            tag=_int(args.get("tag")),
            state=state if state in {s.value for s in ReplyState} else None,
            group=_int(args.get("group")),
            assignee=_int(args.get("assignee")),
            wording=args.get("wording") == "1",
            q=" ".join((args.get("q") or "").split())[:QUERY_MAX],
            sort=sort if sort in SORTS else "newest",
        )

    def to_args(self) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out)."""
        out = {}
        for key, value in asdict(self).items():
            if key == "sort" and value == "newest":
                continue
            if key == "wording":
                if value:
                    out[key] = "1"
            elif value not in (None, ""):
                out[key] = str(value)
        return out

    @property
    def is_filtered(self) -> bool:
        return bool({k for k in self.to_args() if k != "sort"})


def conditions(consultation_id: int, f: BrowseFilter) -> list:
    """The WHERE conditions for a filter (on Input joined to Response and Respondent)."""
    where = [submitted(consultation_id)]
    if f.what:
        where.append(Input.kind == InputKind(f.what))
    if f.item:
        where.append(Input.item_id == f.item)
    if f.stance:
        where.append(Input.stance == Stance(f.stance))
    if f.type:
        where.append(Respondent.respondent_type_id == f.type)
    if f.cluster:
        where.append(Respondent.cluster_id == f.cluster)
    if f.channel:
        where.append(Response.channel == Channel(f.channel))
    if f.tag:
        where.append(
            exists().where(input_tags.c.input_id == Input.id, input_tags.c.tag_id == f.tag)
        )
    if f.group:
        where.append(Input.duplicate_group_id == f.group)
    if f.assignee:
        where.append(Input.assignee_id == f.assignee)
    if f.wording:
        where.append(Input.proposed_wording != "")
    if f.state:
        where.append(reply_state() == f.state)
    if f.q and (match := search.matches(f.q)) is not None:
        where.append(match)
    return where


def _joined(query):
    return (
        query.join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .outerjoin(Reply, Reply.id == Input.reply_id)
    )


def browse(consultation_id: int, f: BrowseFilter):
    """A select of the inputs a filter finds, sorted, with what a row shows loaded alongside."""
    return (
        _joined(select(Input))
        .where(*conditions(consultation_id, f))
        .options(
            joinedload(Input.response)
            .joinedload(Response.respondent)
            .joinedload(Respondent.respondent_type),
            joinedload(Input.response).joinedload(Response.letter),
            joinedload(Input.reply),
            joinedload(Input.assignee),
            joinedload(Input.duplicate_group),
            selectinload(Input.tags),
        )
        .order_by(*SORTS[f.sort])
    )


def matching_ids(consultation_id: int, f: BrowseFilter):
    """A select of the ids a filter finds: for acting on a whole selection in SQL."""
    return _joined(select(Input.id)).where(*conditions(consultation_id, f))


def theme_replies_of(input_ids: list[int]) -> dict[int, Reply]:
    """The reply to a theme that answers each of these inputs without a reply of their own
    (``figures.theme_reply``, the one ``reply_state`` takes), with its tag: one query a page."""
    if not input_ids:
        return {}
    rows = db.session.execute(
        select(Input.id, Reply)
        .join(Reply, Reply.id == theme_reply())
        .where(Input.id.in_(input_ids), Input.reply_id.is_(None))
        .options(joinedload(Reply.tag))
    ).all()
    return {input_id: reply for input_id, reply in rows}
