"""General comments and letters as records of their own in every export (the XLSX sheets
"General comments" and "Letters", the JSON arrays ``comments`` and ``letters``, and a CSV file
each): one row per comment or letter (a response has at most one of each).

They read the same query as the inputs on goals (``rows._query`` with the input's kind), so
consent, moderation, masking, tags and replies (a theme's reply too) follow the same rules:

- the secretariat's rows: the text as staff read it (CPR numbers masked; stored masked text
  when the input has one); for a letter, the text read out of the PDF, staff only;
- the public rows: a general comment's published (frozen, redacted) text only, of a response
  whose consent allows it (``public.visible()``); a letter only as its sender (by the naming
  rule) and its file name once a moderator published it, never its text.

Written by Python on both databases (they are few), on a streaming cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator

from consult.analysis.models import ReplyState
from consult.exports import rows as exports
from consult.extensions import db
from consult.readside import naming
from consult.readside import public as published
from consult.responses.models import InputKind

KINDS = ("comments", "letters")
_COMMON = (
    "input_id",
    "receipt",
    "name_or_organisation",
    "respondent_type",
    "organisation",
    "municipality",
    "cluster",
    "channel",
    "consent",
    "moderation_state",
)
_REPLY = ("tags", "reply_state", "disposition", "reply", "reply_reason", "submitted_at")
#: The columns of each record type: the secretariat's (FULL) and the open data's (PUBLIC).
FULL = {
    "comments": (*_COMMON, "text", *_REPLY),
    "letters": (*_COMMON, "filename", "size_bytes", "text", *_REPLY),
}
PUBLIC = {
    "comments": (
        "input_id",
        "name_or_organisation",
        "respondent_type",
        "cluster",
        "channel",
        "text",
        "disposition",
        "reply",
        "published_at",
    ),
    "letters": (
        "input_id",
        "name_or_organisation",
        "respondent_type",
        "cluster",
        "channel",
        "filename",
        "disposition",
        "reply",
        "published_at",
    ),
}
_KIND = {"comments": InputKind.COMMENT, "letters": InputKind.LETTER}


def columns(kind: str, public: bool) -> tuple[str, ...]:
    return (PUBLIC if public else FULL)[kind]


def stream(
    consultation_id: int,
    kind: str,
    labels: exports.Labels,
    *,
    public: bool = False,
    lang: str = "da",
    safe: Callable[[str], str] | None = None,
) -> Iterator[tuple]:
    """Yield one tuple per general comment (``kind`` "comments") or letter ("letters") of the
    consultation's submitted responses, in the order they came, the values of ``columns``."""
    cell = safe or exports._same
    en = lang == "en"
    letters = kind == "letters"
    query = exports._query(consultation_id, public, labels=labels, kind=_KIND[kind])
    removed = labels.removed
    approved_state = ReplyState.APPROVED.value
    result = db.session.connection().execute(
        query, execution_options={"stream_results": True, "yield_per": exports.BATCH}
    )
    for batch in result.partitions(exports.BATCH):
        for row in batch:
            (
                input_id, receipt, _item_id, _stance, _importance, text, _wording, _alternative,
                type_da, type_en, is_org, organisation, name, town_da, town_en, cluster_da,
                cluster_en, channel, consent, _session, _group_id, _is_campaign, _group_label,
                state, disposition, reply, reason, moderation, frozen_text, _frozen_wording,
                reviewed_at, submitted_at, _updated_at, tag_names, *letter,
            ) = row  # fmt: skip
            filename, size = letter if letters else ("", None)
            type_name = cell((type_en or type_da) if en else (type_da or ""))
            cluster = cell((cluster_en or cluster_da) if en else (cluster_da or ""))
            channel_word = labels.of("channel", channel)
            shown = cell(naming.shown_name(consent, is_org, organisation, name))
            if public:
                approved = state == approved_state
                yield (
                    input_id,
                    shown,
                    type_name,
                    cluster,
                    channel_word,
                    # A letter: its file name only, never the text read out of it.
                    cell(filename or "")
                    if letters
                    else cell(published.plain_public_text(frozen_text, removed)),
                    labels.of("disposition", disposition) if approved else "",
                    cell(reply or "") if approved else "",
                    reviewed_at or "",
                )
                continue
            yield (
                input_id,
                receipt or "",
                shown,
                type_name,
                cell(organisation),
                cell((town_en or town_da) if en else (town_da or "")),
                cluster,
                channel_word,
                labels.of("consent", consent),
                labels.of("moderation", moderation),
                *((cell(filename or ""), size) if letters else ()),
                cell(text),
                cell(exports._tags(tag_names)),
                labels.of("reply_state", state),
                labels.of("disposition", disposition),
                cell(reply or ""),
                cell(reason or ""),
                submitted_at or "",
            )
        exports.tick(len(batch))
