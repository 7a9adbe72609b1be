"""One row per input, streamed from the database: the source of every export.

The full rows (for the secretariat) carry every field, the texts as staff read them (CPR
numbers masked, ``consult.readside.staff``); the public rows carry only what may be public
(``consult.readside.public``): published contributions of responses that allow it, their
frozen (redacted) text, a name only by the one naming rule, a reply only once approved.
Labels come from ``consult.readside.labels``. Rows are read ``BATCH`` at a time on a
streaming cursor, so memory stays flat whatever the number of inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import String
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import type_coerce
from sqlalchemy.orm import aliased

from consult.analysis.figures import reply_state
from consult.analysis.figures import theme_reply
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.drafts.models import Item
from consult.drafts.services import Tree
from consult.extensions import db
from consult.i18n import localized
from consult.moderation.models import Contribution
from consult.readside import labels as words
from consult.readside import naming
from consult.readside import public as published
from consult.readside import staff
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Letter
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sessions.models import Meeting

BATCH = 2000

#: Told how many rows have been read so far (a job's progress); see ``counting``.
_COUNTER: ContextVar[_Counter | None] = ContextVar("consult_export_counter", default=None)


class _Counter:
    def __init__(self, callback: Callable[[int], None]):
        self.done = 0
        self.callback = callback

    def add(self, n: int) -> None:
        self.done += n
        self.callback(self.done)


@contextmanager
def counting(callback: Callable[[int], None]) -> Iterator[None]:
    """Call ``callback(rows read so far)`` after every batch of every stream made inside."""
    token = _COUNTER.set(_Counter(callback))
    try:
        yield
    finally:
        _COUNTER.reset(token)


def tick(n: int) -> None:
    """Count ``n`` more rows done for the ``counting`` block around this, if any."""
    counter = _COUNTER.get()
    if counter is not None:
        counter.add(n)


#: The columns of the secretariat's export, in order (CSV header, XLSX columns, JSON keys).
FULL = (
    "input_id",
    "receipt",
    "goal_key",
    "goal",
    "stance",
    "importance",
    "text",
    "proposed_wording",
    "preferred_alternative",
    "respondent_type",
    "organisation",
    "name",
    "municipality",
    "cluster",
    "channel",
    "session",
    "tags",
    "duplicate_group",
    "campaign",
    "reply_state",
    "disposition",
    "reply",
    "reply_reason",
    "moderation_state",
    "submitted_at",
    "updated_at",
)
#: The columns of the open data: nothing a respondent did not agree to publish.
PUBLIC = (
    "input_id",
    "goal_key",
    "goal",
    "stance",
    "importance",
    "text",
    "proposed_wording",
    "preferred_alternative",
    "respondent_type",
    "name_or_organisation",
    "cluster",
    "channel",
    "session",
    "disposition",
    "reply",
    "published_at",
)


@dataclass
class Labels:
    """How codes read in the export's language (codes themselves go to JSON)."""

    stance: dict[str, str]
    channel: dict[str, str]
    disposition: dict[str, str]
    reply_state: dict[str, str]
    moderation: dict[str, str]
    removed: str
    #: Before and after the theme's name in "Answered through the theme “X”: " (a reply to
    #: a theme answering an input without a reply of its own).
    theme: tuple[str, str] = ("", " ")
    #: Consent (general comments and letters say it; codes in JSON).
    consent: dict[str, str] = field(default_factory=dict)

    def of(self, table: str, code) -> str:
        if code is None:
            return ""
        value = getattr(code, "value", code)
        return getattr(self, table).get(value, value)


def goal_paths(tree: Tree) -> dict[int, tuple[str, str, tuple[int, int]]]:
    """Every goal and initiative: its key, "Focus area › Goal", and its place in reading order."""
    out = {}
    for a, area in enumerate(tree.focus_areas):
        for g, node in enumerate(area.children):
            path = (
                f"{localized(area.revision, 'title')[0]} › {localized(node.revision, 'title')[0]}"
            )
            out[node.item.id] = (node.key, path, (a, g))
    return out


def _alternatives(tree: Tree) -> dict[int, str]:
    return {
        alt.id: f"{alt.letter}: {localized(alt, 'text')[0]}"
        for node in tree.by_key.values()
        for alt in node.revision.alternatives
    }


#: Between tag names inside the query; the names are sorted and joined with ", " here.
_TAG_SEPARATOR = "\x1f"


def _tag_names():
    """The input's tag names, in one column (a correlated subquery on the primary key)."""
    aggregate = func.string_agg if db.engine.dialect.name == "postgresql" else func.group_concat
    return (
        select(aggregate(Tag.name, _TAG_SEPARATOR))
        .select_from(input_tags.join(Tag, Tag.id == input_tags.c.tag_id))
        .where(input_tags.c.input_id == Input.id)
        .scalar_subquery()
    )


def _tags(names: str | None) -> str:
    return ", ".join(sorted(names.split(_TAG_SEPARATOR))) if names else ""


def _iso(column):
    """The timestamp as ISO 8601 in UTC to the second ("2026-10-05T12:34:56+00:00"), written by
    the database: parsing a million datetimes in Python only to print them again costs more
    than reading the rows. Columns hold naive UTC (``consult.db.UTCDateTime``)."""
    if db.engine.dialect.name == "postgresql":
        text = func.to_char(column, literal_column("""'YYYY-MM-DD"T"HH24:MI:SS'"""), type_=String)
    else:
        text = func.strftime("%Y-%m-%dT%H:%M:%S", column, type_=String)
    return (text + "+00:00").label(None)


def _raw(column):
    """The stored value without its Python type (an enum's value, not the enum)."""
    return type_coerce(column, String)


def theme_reply_columns(labels: Labels, *, public: bool):
    """The reply's disposition, text and reason as an export shows them, and the joins they
    need: the input's own reply, or where it has none, the reply to one of its themes
    (``figures.theme_reply``; public: approved only), its text after "Answered through the
    theme “…”:". ``pg_copy`` writes the same cells from the same expressions."""
    theme = aliased(Reply, name="theme_reply")
    theme_tag = aliased(Tag, name="theme_tag")
    joins = [
        (theme, Input.reply_id.is_(None) & (theme.id == theme_reply(public=public))),
        (theme_tag, theme_tag.id == theme.tag_id),
    ]
    before, after = labels.theme
    disposition = func.coalesce(_raw(Reply.disposition), _raw(theme.disposition))
    text = case(
        (
            theme.id.is_not(None),
            literal(before, String) + theme_tag.name + literal(after, String) + theme.text,
        ),
        else_=Reply.text,
    )
    reason = func.coalesce(Reply.reason, theme.reason)
    return disposition, text, reason, joins


def _query(
    consultation_id: int,
    public: bool,
    item_ids=None,
    *,
    labels: Labels | None = None,
    kind: InputKind = InputKind.GOAL,
):
    area = aliased(Item)
    state = reply_state()
    disposition, reply_text, reason, joins = theme_reply_columns(
        labels or codes_for("da"), public=public
    )
    letter = (Letter.filename, Letter.size_bytes) if kind is InputKind.LETTER else ()
    # As staff read them: stored with CPR numbers masked (no guard per row).
    text, wording = staff.text_columns()
    query = (
        select(
            Input.id,
            Response.receipt_number,
            Input.item_id,
            _raw(Input.stance),
            Input.importance,
            text,
            wording,
            Input.preferred_alternative_id,
            RespondentType.name_da,
            RespondentType.name_en,
            RespondentType.is_organisation,
            Respondent.organisation,
            Respondent.name,
            Municipality.name_da,
            Municipality.name_en,
            HealthCluster.name_da,
            HealthCluster.name_en,
            _raw(Response.channel),
            _raw(Response.consent),
            Meeting.title,
            Input.duplicate_group_id,
            DuplicateGroup.is_campaign,
            DuplicateGroup.label,
            state,
            disposition,
            reply_text,
            reason,
            _raw(Contribution.state),
            Contribution.public_text,
            Contribution.public_wording,
            _iso(Contribution.reviewed_at),
            _iso(Response.submitted_at),
            _iso(Input.updated_at),
            _tag_names() if not public else literal(None),
            *letter,
        )
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        # Outer joins from the input: an input on no item (item_id NULL) is still a row.
        .outerjoin(Item, Item.id == Input.item_id)
        .outerjoin(area, area.id == Item.parent_id)
        .outerjoin(RespondentType, RespondentType.id == Respondent.respondent_type_id)
        .outerjoin(Municipality, Municipality.id == Respondent.municipality_id)
        .outerjoin(HealthCluster, HealthCluster.id == Respondent.cluster_id)
        .outerjoin(Meeting, Meeting.id == Response.meeting_id)
        .outerjoin(DuplicateGroup, DuplicateGroup.id == Input.duplicate_group_id)
        .outerjoin(Reply, Reply.id == Input.reply_id)
        .outerjoin(Contribution, Contribution.input_id == Input.id)
        .where(
            Response.consultation_id == consultation_id,
            Response.state == ResponseState.SUBMITTED,
            # Input on goals, or (``statements``) the general comments or the letters: said
            # here, not left to a join.
            Input.kind == kind,
        )
        .order_by(area.position.nulls_last(), Item.position.nulls_last(), Input.id)
    )
    for target, on in joins:
        query = query.outerjoin(target, on)
    if letter:
        query = query.outerjoin(Letter, Letter.response_id == Response.id)
    if public:
        query = query.where(*published.visible())
    if item_ids is not None:
        query = query.where(Input.item_id.in_(list(item_ids)))
    return query


def columns(public: bool) -> tuple[str, ...]:
    """The columns of a row: PUBLIC or FULL."""
    return PUBLIC if public else FULL


def stream(
    consultation_id: int,
    tree: Tree,
    labels: Labels,
    *,
    public: bool = False,
    lang: str = "da",
    item_ids=None,
    safe: Callable[[str], str] | None = None,
) -> Iterator[tuple]:
    """Return an iterator of one tuple per input (the values of FULL, or of PUBLIC, in that
    order), in reading order. What it needs of the draft is read now: a download streams
    after its view has returned and the session that loaded ``tree`` is gone.

    ``safe`` (``tabular.safe_cell`` for spreadsheets) is applied to every text that people
    wrote (input, names, replies, titles, reference names), not to the codes, labels,
    numbers and dates this module writes itself."""
    cell = safe or _same
    paths = {k: (key, cell(path), place) for k, (key, path, place) in goal_paths(tree).items()}
    alternatives = {k: cell(v) for k, v in _alternatives(tree).items()}
    query = _query(consultation_id, public, item_ids, labels=labels)
    return _rows(query, paths, alternatives, labels, cell, public=public, en=lang == "en")


def _same(value):
    return value


def _rows(
    query, paths, alternatives, labels: Labels, cell, *, public: bool, en: bool
) -> Iterator[tuple]:
    # One tight loop for a million rows: locals, plain dict lookups, a tuple per row.
    stance_of, channel_of = labels.stance, labels.channel
    disposition_of, reply_state_of = labels.disposition, labels.reply_state
    moderation_of, removed = labels.moderation, labels.removed
    no_path = ("", "", (0, 0))
    public_text = published.plain_public_text
    shown_name = naming.shown_name
    approved_state = ReplyState.APPROVED.value
    # Core, not the ORM: plain rows, a server-side cursor on PostgreSQL, BATCH rows at a time.
    # (Options for this statement only: Connection.execution_options() would change the
    # session's connection for good.)
    result = db.session.connection().execute(
        query, execution_options={"stream_results": True, "yield_per": BATCH}
    )
    for batch in result.partitions(BATCH):
        for row in batch:
            (
                input_id, receipt, item_id, stance, importance, text, wording, alternative,
                type_da, type_en, is_org, organisation, name, town_da, town_en, cluster_da,
                cluster_en, channel, consent, session, group_id, is_campaign, group_label,
                state, disposition, reply, reason, moderation, frozen_text, frozen_wording,
                reviewed_at, submitted_at, updated_at, tag_names,
            ) = row  # fmt: skip
            key, path, _place = paths.get(item_id, no_path)
            stance_word = "" if stance is None else stance_of.get(stance, stance)
            type_name = cell((type_en or type_da) if en else (type_da or ""))
            cluster = cell((cluster_en or cluster_da) if en else (cluster_da or ""))
            channel_word = "" if channel is None else channel_of.get(channel, channel)
            preferred = alternatives.get(alternative, "")
            if public:
                approved = state == approved_state
                yield (
                    input_id,
                    key,
                    path,
                    stance_word,
                    importance,
                    cell(public_text(frozen_text, removed)),
                    cell(public_text(frozen_wording, removed)),
                    preferred,
                    type_name,
                    cell(shown_name(consent, is_org, organisation, name)),
                    cluster,
                    channel_word,
                    cell(session or ""),
                    disposition_of.get(disposition, disposition)
                    if approved and disposition is not None
                    else "",
                    cell(reply or "") if approved else "",
                    reviewed_at or "",
                )
                continue
            yield (
                input_id,
                receipt or "",
                key,
                path,
                stance_word,
                importance,
                cell(text),
                cell(wording),
                preferred,
                type_name,
                cell(organisation),
                cell(name),
                cell((town_en or town_da) if en else (town_da or "")),
                cluster,
                channel_word,
                cell(session or ""),
                cell(_tags(tag_names)),
                group_id or "",
                cell(group_label or "✓") if is_campaign else "",
                "" if state is None else reply_state_of.get(state, state),
                "" if disposition is None else disposition_of.get(disposition, disposition),
                cell(reply or ""),
                cell(reason or ""),
                "" if moderation is None else moderation_of.get(moderation, moderation),
                submitted_at or "",
                updated_at or "",
            )
        tick(len(batch))


def count(consultation_id: int, *, public: bool = False) -> int:
    """How many rows ``stream`` yields. The secretariat's count comes from the responses alone
    (``Response.input_count``, kept by the ORM on every input, with a covering index), not from
    the export's join: a job counts before it starts, and a million-row join costs seconds."""
    if not public:
        return db.session.scalar(
            select(func.coalesce(func.sum(Response.input_count), 0)).where(
                Response.consultation_id == consultation_id,
                Response.state == ResponseState.SUBMITTED,
            )
        )
    query = _query(consultation_id, public).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(query)


def codes_for(lang: str) -> Labels:
    """Codes as they are ("support", "online"): for JSON, which programs read."""
    with force_locale(lang):
        return Labels({}, {}, {}, {}, {}, removed=str(words.REMOVED), theme=_through_theme())


def labels_for(lang: str) -> Labels:
    """The words for codes in ``lang``: the labels every page and the memo use."""
    with force_locale(lang):
        return Labels(
            stance=words.words(words.STANCE),
            channel=words.words(words.CHANNEL),
            disposition=words.words(words.DISPOSITION),
            reply_state=words.words(words.REPLY_STATE),
            moderation=words.words(words.MODERATION_STATE),
            removed=str(words.REMOVED),
            theme=_through_theme(),
            consent=words.words(words.CONSENT),
        )


def _through_theme() -> tuple[str, str]:
    """The words around a theme's name before a theme reply's text, in the current language."""
    marker = "\x00"
    words_ = _("Answered through the theme “%(theme)s”:", theme=marker)
    before, _marker, after = words_.partition(marker)
    return before, after + " "
