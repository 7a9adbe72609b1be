"""One row per input, streamed from the database: the source of every export.

The full rows (for the secretariat) carry every field, the texts as staff read them (CPR
numbers masked, ``consult.readside.staff``); the public rows carry only what may be public
(``consult.readside.public``): published contributions of responses that allow it, their
frozen (redacted) text, a name only by the one naming rule, a reply only once approved.
Labels come from ``consult.readside.labels``. Rows are read ``BATCH`` at a time on a
streaming cursor, so memory stays flat whatever the number of inputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import aliased

from consult.analysis.figures import reply_state
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
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sessions.models import Meeting

BATCH = 2000

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


def _tags(input_ids: list[int]) -> dict[int, str]:
    tags: dict[int, list[str]] = {}
    for input_id, name in db.session.execute(
        select(input_tags.c.input_id, Tag.name)
        .join(Tag, Tag.id == input_tags.c.tag_id)
        .where(input_tags.c.input_id.in_(input_ids))
        .order_by(Tag.name)
    ):
        tags.setdefault(input_id, []).append(name)
    return {k: ", ".join(v) for k, v in tags.items()}


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def _query(consultation_id: int, public: bool, item_ids=None):
    area = aliased(Item)
    state = reply_state()
    query = (
        select(
            Input.id,
            Response.receipt_number,
            Input.item_id,
            Input.stance,
            Input.importance,
            Input.text,
            Input.proposed_wording,
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
            Response.channel,
            Response.consent,
            Meeting.title,
            Input.duplicate_group_id,
            DuplicateGroup.is_campaign,
            DuplicateGroup.label,
            state,
            Reply.disposition,
            Reply.text,
            Reply.reason,
            Contribution.state,
            Contribution.public_text,
            Contribution.public_wording,
            Contribution.reviewed_at,
            Response.submitted_at,
            Input.updated_at,
        )
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .join(Item, Item.id == Input.item_id)
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
        )
        .order_by(area.position, Item.position, Input.id)
    )
    if public:
        query = query.where(*published.visible())
    if item_ids is not None:
        query = query.where(Input.item_id.in_(list(item_ids)))
    return query


def stream(
    consultation_id: int,
    tree: Tree,
    labels: Labels,
    *,
    public: bool = False,
    lang: str = "da",
    item_ids=None,
) -> Iterator[dict]:
    """Return an iterator of one dict per input (the keys of FULL, or of PUBLIC), in reading
    order. What it needs of the draft is read now: a download streams after its view has
    returned and the session that loaded ``tree`` is gone."""
    paths = goal_paths(tree)
    alternatives = _alternatives(tree)
    query = _query(consultation_id, public, item_ids).execution_options(yield_per=BATCH)
    return _rows(query, paths, alternatives, labels, public=public, en=lang == "en")


def _rows(query, paths, alternatives, labels: Labels, *, public: bool, en: bool) -> Iterator[dict]:
    result = db.session.execute(query)
    for batch in result.partitions():
        tags = {} if public else _tags([row[0] for row in batch])
        for row in batch:
            (
                input_id, receipt, item_id, stance, importance, text, wording, alternative,
                type_da, type_en, is_org, organisation, name, town_da, town_en, cluster_da,
                cluster_en, channel, consent, session, group_id, is_campaign, group_label,
                state, disposition, reply, reason, moderation, public_text, public_wording,
                reviewed_at, submitted_at, updated_at,
            ) = row  # fmt: skip
            key, path, _place = paths.get(item_id, ("", "", (0, 0)))
            common = {
                "input_id": input_id,
                "goal_key": key,
                "goal": path,
                "stance": labels.of("stance", stance),
                "importance": importance,
                "preferred_alternative": alternatives.get(alternative, ""),
                "respondent_type": (type_en or type_da) if en else (type_da or ""),
                "cluster": (cluster_en or cluster_da) if en else (cluster_da or ""),
                "channel": labels.of("channel", channel),
                "session": session or "",
            }
            if public:
                approved = state == ReplyState.APPROVED.value
                yield {
                    **common,
                    "text": published.plain_public_text(public_text, labels.removed),
                    "proposed_wording": published.plain_public_text(public_wording, labels.removed),
                    "name_or_organisation": naming.shown_name(consent, is_org, organisation, name),
                    "disposition": labels.of("disposition", disposition) if approved else "",
                    "reply": (reply or "") if approved else "",
                    "published_at": _iso(reviewed_at),
                }
                continue
            yield {
                **common,
                "receipt": receipt or "",
                "text": staff.text(text),
                "proposed_wording": staff.text(wording),
                "organisation": organisation,
                "name": name,
                "municipality": (town_en or town_da) if en else (town_da or ""),
                "tags": tags.get(input_id, ""),
                "duplicate_group": group_id or "",
                "campaign": (group_label or "✓") if is_campaign else "",
                "reply_state": labels.of("reply_state", state),
                "disposition": labels.of("disposition", disposition),
                "reply": reply or "",
                "reply_reason": reason or "",
                "moderation_state": labels.of("moderation", moderation),
                "submitted_at": _iso(submitted_at),
                "updated_at": _iso(updated_at),
            }


def count(consultation_id: int, *, public: bool = False) -> int:
    query = _query(consultation_id, public).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(query)


def codes_for(lang: str) -> Labels:
    """Codes as they are ("support", "online"): for JSON, which programs read."""
    with force_locale(lang):
        return Labels({}, {}, {}, {}, {}, removed=str(words.REMOVED))


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
        )
