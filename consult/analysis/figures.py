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
from sqlalchemy.orm import aliased
from sqlalchemy.orm import joinedload

from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.analysis.services import theme_replies_of_input
from consult.db import utcnow
from consult.extensions import db
from consult.i18n import TIMEZONE
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.responses.models import Channel
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sessions.models import Meeting


def submitted(consultation_id: int):
    """The conditions on Response for what counts in a consultation's figures."""
    return and_(
        Response.consultation_id == consultation_id, Response.state == ResponseState.SUBMITTED
    )


def on_goals():
    """The condition on Input for input on a goal or initiative: what per-goal figures count
    (a general comment or a letter answers the draft as a whole)."""
    return Input.kind == InputKind.GOAL


def theme_reply(*, public: bool = False):
    """A correlated subquery on ``Input``: the id of the reply to one of its themes (a tag of
    the input; the reply on its goal or on every goal), the furthest on first (approved, then
    drafted), the oldest of those; NULL when none. ``public``: approved replies only."""
    theme = aliased(Reply)
    query = (
        theme_replies_of_input(theme)
        .add_columns(theme.id)
        .order_by(_furthest(theme), theme.id)
        .limit(1)
    )
    if public:
        query = query.where(theme.state == ReplyState.APPROVED)
    return query.correlate(Input).scalar_subquery()


def _furthest(reply):
    return case(
        (reply.state == ReplyState.APPROVED, 0), (reply.state == ReplyState.DRAFTED, 1), else_=2
    )


def _state_word(reply):
    return case(
        (reply.state == ReplyState.APPROVED, literal(ReplyState.APPROVED.value)),
        (reply.state == ReplyState.DRAFTED, literal(ReplyState.DRAFTED.value)),
        else_=literal(ReplyState.IN_PROGRESS.value),
    )


def reply_state():
    """A SQL expression for an input's reply state (new, in progress, drafted, approved), on a
    query that outer-joins ``Reply`` on ``Input.reply_id``.

    The input's own reply decides; an input without one takes the state of the reply to one
    of its themes (``theme_reply``: approved if any is), so an input whose theme is answered
    is answered (as ``analysis.services.answered`` says); else an assignee makes it "in
    progress". Labelled, so GROUP BY names the column: PostgreSQL does not see two renderings
    of the same CASE with separate bound parameters as one expression.
    """
    theme = aliased(Reply)
    theme_state = (
        theme_replies_of_input(theme)
        .add_columns(_state_word(theme))
        .order_by(_furthest(theme))
        .limit(1)
        .correlate(Input)
        .scalar_subquery()
    )
    return case(
        (Reply.state == ReplyState.APPROVED, literal(ReplyState.APPROVED.value)),
        (Reply.state == ReplyState.DRAFTED, literal(ReplyState.DRAFTED.value)),
        (Input.reply_id.is_not(None), literal(ReplyState.IN_PROGRESS.value)),
        else_=func.coalesce(
            theme_state,
            case(
                (Input.assignee_id.is_not(None), literal(ReplyState.IN_PROGRESS.value)),
                else_=literal(ReplyState.NEW.value),
            ),
        ),
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
    #: General comments and letters, counted apart: ``inputs`` is input on goals only.
    comments: int = 0
    letters: int = 0


def _hours(consultation_id: int) -> list[list]:
    """Responses and inputs per hour in UTC (SQLite knows no time zones), as plain rows."""
    hour = func.strftime("%Y-%m-%d %H", Response.submitted_at)
    if db.engine.dialect.name == "postgresql":
        hour = func.to_char(func.date_trunc("hour", Response.submitted_at), "YYYY-MM-DD HH24")
    rows = db.session.execute(
        select(hour, func.count(), func.sum(Response.input_count))
        .where(submitted(consultation_id))
        .group_by(hour)
    ).all()
    return [[stamp, int(n), int(i or 0)] for stamp, n, i in rows]


def _per_day(hours: list, opens_at: datetime, now: datetime) -> list[tuple[date, int, int]]:
    """Responses and inputs per day in Copenhagen, from the opening to today.

    The hours (``_hours``) are put on Copenhagen days, which never splits an hour. At most 24
    rows a day reach Python.
    """
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for stamp, responses, inputs in hours:
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


def dashboard_rows(consultation_id: int) -> dict[str, list]:
    """The dashboard's small cubes, as plain rows (JSON values): what ``fold_dashboard`` reads.

    Four scans whatever the size: the responses grouped by channel, respondent type,
    municipality and cluster at once (each breakdown is that small cube summed one way),
    the responses per hour, the inputs per goal, stance and reply state, and the general
    comments and letters by kind.
    """
    responses = db.session.execute(
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
        .where(submitted(consultation_id))
        .group_by(
            Response.channel,
            Respondent.respondent_type_id,
            Respondent.municipality_id,
            Respondent.cluster_id,
        )
    ).all()
    return {
        "responses": [
            [_value(channel), t, m, c, int(n), int(i or 0)] for channel, t, m, c, n, i in responses
        ],
        "hours": _hours(consultation_id),
        "goals": _goals_rows(consultation_id),
        "statements": _statement_rows(consultation_id),
    }


def _statement_rows(consultation_id: int) -> list[list]:
    """General comments and letters of submitted responses, by kind."""
    return [
        [_value(kind), int(n)]
        for kind, n in db.session.execute(
            select(Input.kind, func.count())
            .join(Response, Response.id == Input.response_id)
            .where(submitted(consultation_id), ~on_goals())
            .group_by(Input.kind)
        )
    ]


def _value(enum):
    return enum.value if enum is not None else None


def dashboard(consultation, now: datetime | None = None) -> Dashboard:
    """The consultation at a glance, computed now: who answered, how, from where, and when."""
    return fold_dashboard(dashboard_rows(consultation.id), consultation, now)


def fold_dashboard(rows: dict[str, list], consultation, now: datetime | None = None) -> Dashboard:
    """Read the dashboard's cubes (``dashboard_rows``, live or stored) every way it shows them."""
    now = now or utcnow()
    cube = rows["responses"]
    goals = _fold_goals(rows["goals"])
    # A cube stored before comments and letters were inputs has no "statements": a rebuild
    # (queued on the next change, and hourly) brings them.
    statements = dict(rows.get("statements", []))
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
            ((c, n, i) for c, (n, i) in by_channel.items()),
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
        per_day=_per_day(rows["hours"], consultation.opens_at, now),
        reply_states={s.value: goals.states.get(s.value, 0) for s in ReplyState},
        days_left=days_left,
        goals=goals.stances,
        comments=statements.get(InputKind.COMMENT.value, 0),
        letters=statements.get(InputKind.LETTER.value, 0),
    )


@dataclass
class GoalsOverview:
    #: item id -> stance -> inputs
    stances: dict[int, dict[str | None, int]]
    #: reply state -> inputs, over every goal
    states: dict[str, int]


def goals_overview(consultation) -> GoalsOverview:
    """Stances per goal and reply states, from one scan of the inputs (GROUP BY all three)."""
    return _fold_goals(_goals_rows(consultation.id))


def _goals_rows(consultation_id: int) -> list[list]:
    state = reply_state()
    return [
        [item_id, _value(stance), reply, int(n)]
        for item_id, stance, reply, n in db.session.execute(
            select(Input.item_id, Input.stance, state, func.count())
            .join(Response, Response.id == Input.response_id)
            .outerjoin(Reply, Reply.id == Input.reply_id)
            .where(submitted(consultation_id), on_goals())
            .group_by(Input.item_id, Input.stance, state)
        )
    ]


def _fold_goals(rows) -> GoalsOverview:
    stances: dict[int, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    states: dict[str, int] = defaultdict(int)
    for item_id, stance, reply, n in rows:
        stances[item_id][stance] += n
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
    """Who the input on a goal comes from: its inputs and its *voices* by kind.

    **A voice is one submitted response** (docs/analysis.md, "Counting voices"): a person who
    answered online, one organisation's response, or one group that spoke in a moderated
    session. A goal's distinct voices are the distinct responses with input on it, so
    ``people + organisations + session_groups == total`` always, on every page, in the memo
    and in the exports. The participants a session represents are shown beside its groups,
    never added to the voices (a session's people did not each answer).
    """

    #: inputs (not voices) by kind: a session group may give several inputs on one goal
    individuals: int = 0
    organisations: int = 0
    sessions: int = 0
    #: voices by kind, and what sessions represent
    people: int = 0
    organisation_responses: int = 0
    session_groups: int = 0
    meetings: int = 0
    people_in_sessions: int = 0

    @property
    def total(self) -> int:
        return self.people + self.organisation_responses + self.session_groups


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


def _goal_inputs(consultation_id: int, item_id: int | None = None):
    """The inputs on one goal (or on every goal, ``item_id=None``) that count."""
    where = [submitted(consultation_id), on_goals()]
    if item_id is not None:
        where.append(Input.item_id == item_id)
    return (
        select()
        .select_from(Input)
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(*where)
    )


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


def median_of_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as value -> how often (the mean of the middle two)."""
    count = sum(histogram.values())
    if not count:
        return None
    wanted = [(count + 1) // 2, (count + 2) // 2]
    picked, seen = [], 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] <= seen:
            picked.append(value)
            wanted.pop(0)
    return sum(picked) / len(picked)


def voice_counts(is_org):
    """The distinct voices among the selected inputs, by kind: people, organisations, session
    groups (three COUNT DISTINCTs over the response ids; see ``Voices`` for the definition).

    :param is_org: the SQL truth of "the respondent is an organisation" (joined by the caller).
    """
    session = Response.channel == Channel.SESSION
    return (
        func.count(distinct(Input.response_id)).filter(~session, ~is_org),
        func.count(distinct(Input.response_id)).filter(~session, is_org),
        func.count(distinct(Input.response_id)).filter(session),
    )


def goal_rows(consultation_id: int, item_id: int | None = None) -> dict[str, list]:
    """A goal's small cubes (or every goal's, ``item_id=None``) as plain rows, each starting
    with the item id: what ``fold_goal`` reads.

    Four scans of the inputs whatever their number: one GROUP BY over everything the page
    breaks down by (summed one way per table in ``fold_goal``), one for what must be counted
    distinct, the importance answers per value (the median), and the tags.
    """
    base = _goal_inputs(consultation_id, item_id)
    state = reply_state()
    is_org = func.coalesce(RespondentType.is_organisation, False)
    is_campaign = func.coalesce(DuplicateGroup.is_campaign, False)
    keys = (
        Input.item_id,
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
    distinct_counts = db.session.execute(
        base.outerjoin(RespondentType, RespondentType.id == Respondent.respondent_type_id)
        .outerjoin(DuplicateGroup, DuplicateGroup.id == Input.duplicate_group_id)
        .add_columns(
            Input.item_id,
            *voice_counts(is_org),
            func.count(distinct(DuplicateGroup.id)).filter(DuplicateGroup.is_campaign.is_(True)),
        )
        .group_by(Input.item_id)
    ).all()
    importance = db.session.execute(
        base.add_columns(Input.item_id, Input.importance, func.count())
        .where(Input.importance.is_not(None))
        .group_by(Input.item_id, Input.importance)
    ).all()
    tags = db.session.execute(
        base.join(input_tags, input_tags.c.input_id == Input.id)
        .add_columns(Input.item_id, input_tags.c.tag_id, func.count())
        .group_by(Input.item_id, input_tags.c.tag_id)
    ).all()
    return {
        "cube": [
            [item, t, c, _value(stance), _value(channel), meeting, bool(org), st, bool(camp), alt]
            + [int(n), int(isum or 0), int(icount)]
            for item, t, c, stance, channel, meeting, org, st, camp, alt, n, isum, icount in cube
        ],
        "distinct": [[int(v) for v in row] for row in distinct_counts],
        "importance": [[int(v) for v in row] for row in importance],
        "tags": [[int(v) for v in row] for row in tags],
    }


def goal(consultation, item_id: int) -> GoalFigures:
    """What every group thinks of one goal or initiative, computed now."""
    return fold_goal(goal_rows(consultation.id, item_id), item_id)


def fold_goal(rows: dict[str, list], item_id: int) -> GoalFigures:
    """Read a goal's cubes (``goal_rows``, live or stored) every way the page shows them."""
    cube = [row[1:] for row in rows["cube"] if row[0] == item_id]
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
    for row in rows["distinct"]:
        if row[0] == item_id and len(row) == 5:  # a cube counted before voices had kinds: 4
            _, persons, organisations, groups, campaign_groups = row
            figures.voices.people = persons
            figures.voices.organisation_responses = organisations
            figures.voices.session_groups = groups
            figures.voices_distinct = figures.voices.total
            figures.campaign_groups = campaign_groups
    figures.voices.meetings = len(meetings)
    figures.voices.people_in_sessions = int(people or 0)
    counted = {tag: n for item, tag, n in rows["tags"] if item == item_id}
    tags = _by_id(Tag, counted)
    figures.tags = sorted(
        ((tags[t], n) for t, n in counted.items() if t in tags), key=lambda r: (-r[1], r[0].name)
    )
    figures.importance_median = median_of_histogram(
        {value: n for item, value, n in rows["importance"] if item == item_id}
    )
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
        key,
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
        if channel == Channel.SESSION.value:
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


#: How many proposed wordings the goal page lists (the newest); the input browser has them all.
WORDINGS_SHOWN = 50


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


def newest_wordings(consultation, item_id: int, limit: int = WORDINGS_SHOWN):
    """The newest ``limit`` proposed wordings on a goal, and whether there are more."""
    rows = db.session.scalars(wordings(consultation, item_id).limit(limit + 1)).unique().all()
    return rows[:limit], len(rows) > limit
