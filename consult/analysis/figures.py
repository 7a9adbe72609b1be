"""Every figure the secretariat reads, computed in SQL (GROUP BY, window functions).

What counts: input of submitted responses, whatever its moderation state (the secretariat
reads everything; the public reads only what moderation published, through
``consult.readside``). Each function returns plain data for a template, a chart and a test to
compare with hand-computed values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.db import utcnow
from consult.extensions import db
from consult.i18n import TIMEZONE
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.responses.models import Channel
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sessions.models import Meeting


def submitted(consultation_id: int):
    """The conditions on Response for what counts in a consultation's figures."""
    return and_(
        Response.consultation_id == consultation_id, Response.state == ResponseState.SUBMITTED
    )


def reply_state():
    """A SQL expression for an input's reply state (new, in progress, drafted, approved).

    Labelled, so GROUP BY names the column: PostgreSQL does not see two renderings of the same
    CASE with separate bound parameters as one expression.
    """
    return case(
        (Reply.state == ReplyState.APPROVED, literal(ReplyState.APPROVED.value)),
        (Reply.state == ReplyState.DRAFTED, literal(ReplyState.DRAFTED.value)),
        (
            (Input.reply_id.is_not(None)) | (Input.assignee_id.is_not(None)),
            literal(ReplyState.IN_PROGRESS.value),
        ),
        else_=literal(ReplyState.NEW.value),
    ).label("reply_state")


# --- the dashboard -------------------------------------------------------------------------------


@dataclass
class Dashboard:
    responses: int
    inputs: int
    by_channel: list[tuple[str, int, int]]
    by_type: list[tuple[RespondentType | None, int, int]]
    by_municipality: list[tuple[Municipality | None, int]]
    by_cluster: list[tuple[HealthCluster | None, int]]
    per_day: list[tuple[date, int, int]]
    reply_states: dict[str, int]
    days_left: int | None
    #: item id -> stance -> inputs (every goal's positions, for the table of goals)
    goals: dict[int, dict[str | None, int]] = field(default_factory=dict)


def _per_day(
    consultation_id: int, opens_at: datetime, now: datetime
) -> list[tuple[date, int, int]]:
    """Responses and inputs per day in Copenhagen, from the opening to today.

    The database groups by hour in UTC (SQLite knows no time zones); the hours are then put
    on Copenhagen days, which never splits an hour. At most 24 rows a day reach Python.
    """
    hour = func.strftime("%Y-%m-%d %H", Response.submitted_at)
    if db.engine.dialect.name == "postgresql":
        hour = func.to_char(func.date_trunc("hour", Response.submitted_at), "YYYY-MM-DD HH24")
    rows = db.session.execute(
        select(hour, func.count(), func.sum(Response.input_count))
        .where(submitted(consultation_id))
        .group_by(hour)
    ).all()
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for stamp, responses, inputs in rows:
        utc_hour = datetime.strptime(stamp, "%Y-%m-%d %H").replace(tzinfo=UTC)
        day = utc_hour.astimezone(TIMEZONE).date()
        days[day][0] += responses
        days[day][1] += int(inputs)
    first = min([*days, opens_at.astimezone(TIMEZONE).date()])
    last = max([*days, now.astimezone(TIMEZONE).date()])
    out, day = [], first
    while day <= last:
        out.append((day, *days.get(day, (0, 0))))
        day += timedelta(days=1)
    return out


def _fold(rows, key: int, *values: int) -> dict:
    """Sum pre-aggregated rows by one of their columns (a GROUP BY cube read one way)."""
    out: dict = defaultdict(lambda: [0] * len(values))
    for row in rows:
        sums = out[row[key]]
        for n, column in enumerate(values):
            sums[n] += int(row[column] or 0)
    return out


def dashboard(consultation, now: datetime | None = None) -> Dashboard:
    """The consultation at a glance: who answered, how, from where, and when.

    Three scans whatever the size: the responses grouped by channel, respondent type,
    municipality and cluster at once (each breakdown is that small cube summed one way),
    the responses per hour, and the inputs per goal, stance and reply state.
    """
    now = now or utcnow()
    cid = consultation.id
    cube = db.session.execute(
        select(
            Response.channel,
            Respondent.respondent_type_id,
            Respondent.municipality_id,
            Respondent.cluster_id,
            func.count(),
            func.sum(Response.input_count),
        )
        .select_from(Response)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(submitted(cid))
        .group_by(
            Response.channel,
            Respondent.respondent_type_id,
            Respondent.municipality_id,
            Respondent.cluster_id,
        )
    ).all()
    goals = goals_overview(consultation)
    by_channel = _fold(cube, 0, 4, 5)
    by_type = _fold(cube, 1, 4, 5)
    by_municipality = _fold(cube, 2, 4)
    by_cluster = _fold(cube, 3, 4)
    types = _by_id(RespondentType, by_type)
    towns = _by_id(Municipality, by_municipality)
    clusters = _by_id(HealthCluster, by_cluster)
    days_left = None
    if consultation.closes_at > now:
        days_left = (
            consultation.closes_at.astimezone(TIMEZONE).date() - now.astimezone(TIMEZONE).date()
        ).days
    return Dashboard(
        responses=sum(int(r[4]) for r in cube),
        inputs=sum(int(r[5]) for r in cube),
        by_channel=sorted(
            ((c.value, n, i) for c, (n, i) in by_channel.items()),
            key=lambda r: list(Channel).index(Channel(r[0])),
        ),
        by_type=sorted(
            ((types.get(t), n, i) for t, (n, i) in by_type.items()),
            key=lambda r: (r[0] is None, r[0].position if r[0] else 0),
        ),
        by_municipality=sorted(
            ((towns.get(m), n) for m, (n,) in by_municipality.items()),
            key=lambda r: (r[0] is None, -r[1], r[0].name_da if r[0] else ""),
        ),
        by_cluster=sorted(
            ((clusters.get(c), n) for c, (n,) in by_cluster.items()),
            key=lambda r: (r[0] is None, r[0].position if r[0] else 0),
        ),
        per_day=_per_day(cid, consultation.opens_at, now),
        reply_states={s.value: goals.states.get(s.value, 0) for s in ReplyState},
        days_left=days_left,
        goals=goals.stances,
    )


@dataclass
class GoalsOverview:
    #: item id -> stance -> inputs
    stances: dict[int, dict[str | None, int]]
    #: reply state -> inputs, over every goal
    states: dict[str, int]


def goals_overview(consultation) -> GoalsOverview:
    """Stances per goal and reply states, from one scan of the inputs (GROUP BY all three)."""
    state = reply_state()
    stances: dict[int, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    states: dict[str, int] = defaultdict(int)
    for item_id, stance, reply, n in db.session.execute(
        select(Input.item_id, Input.stance, state, func.count())
        .join(Response, Response.id == Input.response_id)
        .outerjoin(Reply, Reply.id == Input.reply_id)
        .where(submitted(consultation.id))
        .group_by(Input.item_id, Input.stance, state)
    ):
        stances[item_id][stance.value if stance else None] += n
        states[reply] += n
    return GoalsOverview({k: dict(v) for k, v in stances.items()}, dict(states))


def _by_id(model, ids) -> dict:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(wanted)))}


# --- one goal ------------------------------------------------------------------------------


@dataclass
class Voices:
    """Who the input on a goal comes from: individuals, organisations, sessions."""

    individuals: int = 0
    organisations: int = 0
    organisation_names: int = 0
    sessions: int = 0
    meetings: int = 0
    people_in_sessions: int = 0


@dataclass
class GoalFigures:
    inputs: int
    voices_distinct: int
    stances: dict[str | None, int]
    by_type: list[tuple[RespondentType | None, dict[str | None, int]]]
    by_cluster: list[tuple[HealthCluster | None, dict[str | None, int]]]
    importance_mean: float | None
    importance_median: float | None
    importance_count: int
    alternatives: dict[int, int]
    voices: Voices
    campaign_inputs: int
    campaign_groups: int
    tags: list[tuple[Tag, int]]
    reply_states: dict[str, int] = field(default_factory=dict)


def _goal_inputs(consultation_id: int, item_id: int):
    return (
        select()
        .select_from(Input)
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Input.item_id == item_id, submitted(consultation_id))
    )


def _stances_by(base, column) -> dict:
    table: dict = defaultdict(dict)
    for key, stance, n in db.session.execute(
        base.add_columns(column, Input.stance, func.count()).group_by(column, Input.stance)
    ):
        table[key][stance.value if stance else None] = n
    return table


def median_importance(base) -> float | None:
    """The median importance, by window functions (the same SQL on SQLite and PostgreSQL)."""
    ranked = (
        base.add_columns(
            Input.importance.label("v"),
            func.row_number().over(order_by=Input.importance).label("rn"),
            func.count().over().label("cnt"),
        )
        .where(Input.importance.is_not(None))
        .subquery()
    )
    return db.session.scalar(
        select(func.avg(ranked.c.v)).where(
            # // is integer division on both databases (SQLAlchemy 2's / divides truly).
            ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2])
        )
    )


def goal(consultation, item_id: int) -> GoalFigures:
    """What every group thinks of one goal or initiative.

    Four scans of the goal's inputs whatever their number: one GROUP BY over everything the
    page breaks down by (a small cube, summed one way per table in ``_from_cube``), one for
    what must be counted distinct, the median, and the tags.
    """
    cid = consultation.id
    base = _goal_inputs(cid, item_id)
    state = reply_state()
    is_org = func.coalesce(RespondentType.is_organisation, False)
    is_campaign = func.coalesce(DuplicateGroup.is_campaign, False)
    keys = (
        Respondent.respondent_type_id,
        Respondent.cluster_id,
        Input.stance,
        Response.channel,
        Response.meeting_id,
        is_org,
        state,
        is_campaign,
        Input.preferred_alternative_id,
    )
    cube = db.session.execute(
        base.outerjoin(RespondentType, RespondentType.id == Respondent.respondent_type_id)
        .outerjoin(Reply, Reply.id == Input.reply_id)
        .outerjoin(DuplicateGroup, DuplicateGroup.id == Input.duplicate_group_id)
        .add_columns(*keys, func.count(), func.sum(Input.importance), func.count(Input.importance))
        .group_by(*keys)
    ).all()
    voices_distinct, organisation_names, campaign_groups = db.session.execute(
        base.outerjoin(RespondentType, RespondentType.id == Respondent.respondent_type_id)
        .outerjoin(DuplicateGroup, DuplicateGroup.id == Input.duplicate_group_id)
        .add_columns(
            func.count(distinct(Input.response_id)),
            func.count(distinct(func.lower(Respondent.organisation))).filter(
                RespondentType.is_organisation.is_(True), Response.channel != Channel.SESSION
            ),
            func.count(distinct(DuplicateGroup.id)).filter(DuplicateGroup.is_campaign.is_(True)),
        )
    ).one()
    tags = db.session.execute(
        base.join(input_tags, input_tags.c.input_id == Input.id)
        .join(Tag, Tag.id == input_tags.c.tag_id)
        .add_columns(Tag, func.count())
        .group_by(Tag.id)
        .order_by(func.count().desc(), Tag.name)
    ).all()
    figures = _from_cube(cube)
    meetings = {row[4] for row in cube if row[4] is not None}
    people = (
        db.session.scalar(
            select(func.coalesce(func.sum(Meeting.participant_count), 0)).where(
                Meeting.id.in_(meetings)
            )
        )
        if meetings
        else 0
    )
    figures.voices_distinct = voices_distinct
    figures.voices.organisation_names = organisation_names
    figures.voices.meetings = len(meetings)
    figures.voices.people_in_sessions = int(people or 0)
    figures.campaign_groups = campaign_groups
    figures.tags = [(t, n) for t, n in tags]
    median = median_importance(base)
    figures.importance_median = float(median) if median is not None else None
    return figures


def _from_cube(cube) -> GoalFigures:
    """Read a goal's grouped rows every way the page shows them (no row is an input)."""
    stances: dict = defaultdict(int)
    typed: dict = defaultdict(lambda: defaultdict(int))
    clustered: dict = defaultdict(lambda: defaultdict(int))
    alternatives: dict = defaultdict(int)
    states: dict = defaultdict(int)
    voices = Voices()
    inputs = importance_sum = importance_count = campaign_inputs = 0
    for (
        type_id,
        cluster_id,
        stance,
        channel,
        _meeting,
        org,
        state,
        campaign,
        alt,
        n,
        isum,
        icount,
    ) in cube:
        key = stance.value if stance else None
        inputs += n
        stances[key] += n
        typed[type_id][key] += n
        clustered[cluster_id][key] += n
        states[state] += n
        importance_sum += int(isum or 0)
        importance_count += icount
        if alt is not None:
            alternatives[alt] += n
        if campaign:
            campaign_inputs += n
        if channel is Channel.SESSION:
            voices.sessions += n
        elif org:
            voices.organisations += n
        else:
            voices.individuals += n
    types = _by_id(RespondentType, typed)
    clusters = _by_id(HealthCluster, clustered)
    return GoalFigures(
        inputs=inputs,
        voices_distinct=0,
        stances=dict(stances),
        by_type=sorted(
            ((types.get(k), dict(v)) for k, v in typed.items()),
            key=lambda r: (r[0] is None, r[0].position if r[0] else 0),
        ),
        by_cluster=sorted(
            ((clusters.get(k), dict(v)) for k, v in clustered.items()),
            key=lambda r: (r[0] is None, r[0].position if r[0] else 0),
        ),
        importance_mean=importance_sum / importance_count if importance_count else None,
        importance_median=None,
        importance_count=importance_count,
        alternatives=dict(alternatives),
        voices=voices,
        campaign_inputs=campaign_inputs,
        campaign_groups=0,
        tags=[],
        reply_states={s.value: states.get(s.value, 0) for s in ReplyState},
    )


def wordings(consultation, item_id: int):
    """A select of the inputs on a goal that propose a wording, newest first."""
    return (
        select(Input)
        .join(Response, Response.id == Input.response_id)
        .options(
            joinedload(Input.response)
            .joinedload(Response.respondent)
            .joinedload(Respondent.respondent_type)
        )
        .where(Input.item_id == item_id, submitted(consultation.id), Input.proposed_wording != "")
        .order_by(Input.id.desc())
    )
