"""CSV on PostgreSQL by ``COPY (SELECT …) TO STDOUT``: the server writes the rows, ten times
faster than fetching them into Python, with the same columns, words and rules as ``rows.py``.

What Python does there, the query does here, from the same sources:

- the words for codes (stance, channel, reply state, disposition, moderation) are the
  ``Labels`` of ``rows.labels_for``, and the goal paths and alternatives come from the draft:
  each is a small ``VALUES`` list in the query, joined (a hash join over a few rows costs
  less per row than a CASE of many branches);
- staff read CPR numbers masked (``readside.staff``): the masked text is stored on the input
  when its text is set (``Input.masked_text``), so the query reads stored text and runs no
  pattern over it;
- the tags of every input come from one grouped subquery, joined once;
- the public read only what ``readside.public.visible()`` allows, the frozen text with the
  removed mark as the word, and a name only by ``naming.shown_name``'s rule;
- every text people wrote is made safe for spreadsheets as ``tabular.safe_cell`` does:
  control characters removed, an apostrophe before = + - @, tab or carriage return.

Rows end with a line feed (PostgreSQL's CSV), where Python's writer ends them with CR LF;
every spreadsheet and CSV reader takes both.
"""

from __future__ import annotations

from typing import IO

from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import case
from sqlalchemy import column
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy import type_coerce
from sqlalchemy import values
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from consult.analysis.figures import reply_state
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.drafts.models import Item
from consult.drafts.services import Tree
from consult.exports import rows
from consult.exports.tabular import FORMULA_START
from consult.exports.tabular import safe_cell
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.readside import public as published
from consult.readside import staff
from consult.readside.public import REDACTED
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sessions.models import Meeting

#: Bytes of rows from COPY joined into one write (and one count for the progress).
CHUNK = 1 << 16


def available() -> bool:
    """Whether this database can COPY (PostgreSQL)."""
    return db.engine.dialect.name == "postgresql"


#: The characters ``tabular.CONTROL`` removes that PostgreSQL text can hold (it holds no NUL
#: and no lone surrogate), as a bracket expression.
_CONTROL_CLASS = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]"


class _Safe:
    """A text people wrote: made safe for spreadsheets in the outer query (``_cleaned``)."""

    def __init__(self, value):
        self.value = value


def _safe(value) -> _Safe:
    return _Safe(value)


def _cleaned(value, dirty):
    """``tabular.safe_cell`` in SQL; NULL for an empty text (written as nothing, as Python
    writes ""; PostgreSQL would write an empty string as ""). ``dirty``: the row holds a
    control character somewhere (one pattern test a row: almost none does, and a test or
    a regexp_replace on every cell costs more than the rest of the query)."""
    cleaned = case((dirty, func.regexp_replace(value, _CONTROL_CLASS, "", "g")), else_=value)
    starts = func.left(cleaned, 1).in_([literal(s) for s in FORMULA_START])
    return func.nullif(case((starts, literal("'") + cleaned), else_=cleaned), literal(""))


def _plain(value):
    return func.nullif(value, literal(""))


def _lookup(name: str, key_type, pairs):
    """A small table of (key, word) written into the query (``VALUES …``), to join: a hash
    join with a few rows costs less per row than a CASE of many branches. Keys are unique
    (dict keys), so the join adds no row; a last row of NULLs keeps the list valid when
    there is nothing in it, and matches no key."""
    return values(column("key", key_type), column("word", Text), name=name).data(
        [*pairs, (None, None)]
    )


def _words(name: str, value, words: dict[str, str]):
    """A code as its word (an unknown code as itself), NULL for none; and what to join."""
    if not words:
        return value, None
    table = _lookup(name, String, words.items())
    return func.coalesce(table.c.word, value), (table, table.c.key == value)


def _named(da, en, english: bool):
    return func.coalesce(func.nullif(en, ""), da) if english else da


def _iso(value):
    stamp = func.to_char(value, literal_column("""'YYYY-MM-DD"T"HH24:MI:SS'"""), type_=String)
    return stamp + "+00:00"


def _tag_names(consultation_id: int):
    """Every tagged input's tag names, sorted by code point (as Python's sorted()), joined by
    ", ": one grouped subquery over the consultation's tags, joined once (not a subquery per
    row)."""
    ordered = aggregate_order_by(literal(", "), Tag.name.collate("C"))
    return (
        select(input_tags.c.input_id, func.string_agg(Tag.name, ordered).label("names"))
        .select_from(input_tags.join(Tag, Tag.id == input_tags.c.tag_id))
        .where(Tag.consultation_id == consultation_id)
        .group_by(input_tags.c.input_id)
        .subquery("input_tag_names")
    )


def _query(consultation_id: int, tree: Tree, labels: rows.Labels, *, public: bool, en: bool):
    area = aliased(Item)
    paths = rows.goal_paths(tree)
    goals = values(
        column("item_id", Integer), column("key", Text), column("title", Text), name="goal_words"
    ).data(
        [
            *((item_id, key, safe_cell(path)) for item_id, (key, path, _place) in paths.items()),
            (None, None, None),
        ]
    )
    alternatives = _lookup(
        "alternative_words",
        Integer,
        ((k, safe_cell(v)) for k, v in rows._alternatives(tree).items()),
    )
    joins = [
        (goals, goals.c.item_id == Input.item_id),
        (alternatives, alternatives.c.key == Input.preferred_alternative_id),
    ]

    def word(name, value, words):
        expression, join = _words(name, value, words)
        if join is not None:
            joins.append(join)
        return expression

    stance = word("stance_words", type_coerce(Input.stance, String), labels.stance)
    channel = word("channel_words", type_coerce(Response.channel, String), labels.channel)
    # The own reply, or the reply to one of the input's themes: rows.py's expressions.
    raw_disposition, reply_text, reply_reason, theme_joins = rows.theme_reply_columns(
        labels, public=public
    )
    joins.extend(theme_joins)
    disposition = word("disposition_words", raw_disposition, labels.disposition)
    state = reply_state()
    common_head = [
        Input.id,
        *([] if public else [_plain(Response.receipt_number)]),
        goals.c.key,
        goals.c.title,
        _plain(stance),
        Input.importance,
    ]
    tail_reference = [
        _safe(_named(RespondentType.name_da, RespondentType.name_en, en)),
    ]
    tags = None
    if public:
        approved = state == ReplyState.APPROVED.value
        removed = literal(labels.removed)
        shown = case(
            (
                type_coerce(Response.consent, String) == Consent.NAMED.value,
                case(
                    (RespondentType.is_organisation, Respondent.organisation),
                    else_=Respondent.name,
                ),
            ),
            else_=literal(""),
        )
        columns = [
            *common_head,
            _safe(func.replace(Contribution.public_text, REDACTED, removed)),
            _safe(func.replace(Contribution.public_wording, REDACTED, removed)),
            alternatives.c.word,
            *tail_reference,
            _safe(shown),
            _safe(_named(HealthCluster.name_da, HealthCluster.name_en, en)),
            _plain(channel),
            _safe(Meeting.title),
            case((approved, _plain(disposition)), else_=null()),
            _safe(case((approved, reply_text), else_=null())),
            _iso(Contribution.reviewed_at),
        ]
    else:
        staff_text, staff_wording = staff.text_columns()
        tags = _tag_names(consultation_id)
        joins.append((tags, tags.c.input_id == Input.id))
        columns = [
            *common_head,
            _safe(staff_text),
            _safe(staff_wording),
            alternatives.c.word,
            *tail_reference,
            _safe(Respondent.organisation),
            _safe(Respondent.name),
            _safe(_named(Municipality.name_da, Municipality.name_en, en)),
            _safe(_named(HealthCluster.name_da, HealthCluster.name_en, en)),
            _plain(channel),
            _safe(Meeting.title),
            _safe(tags.c.names),
            Input.duplicate_group_id,
            _safe(
                case(
                    (
                        DuplicateGroup.is_campaign,
                        func.coalesce(func.nullif(DuplicateGroup.label, ""), "✓"),
                    ),
                    else_=null(),
                )
            ),
            _plain(word("reply_state_words", state, labels.reply_state)),
            _plain(disposition),
            _safe(reply_text),
            _safe(reply_reason),
            _plain(
                word("moderation_words", type_coerce(Contribution.state, String), labels.moderation)
            ),
            _iso(Response.submitted_at),
            _iso(Input.updated_at),
        ]
    order = (area.position, Item.position, Input.id)
    inner = (
        select(
            *(
                (c.value if isinstance(c, _Safe) else c).label(f"c{n}")
                for n, c in enumerate(columns)
            ),
            *(o.label(f"o{n}") for n, o in enumerate(order)),
        )
        .select_from(Input)
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
            Input.kind == InputKind.GOAL,  # as rows.py: input on goals only, said here
        )
    )
    for target, on in joins:
        inner = inner.outerjoin(target, on)
    if public:
        inner = inner.where(*published.visible())
    keys = [f"o{n}" for n in range(len(order))]
    # Three levels, so the sort handles the stored values only and each row's tests run once
    # after it: the rows sorted (OFFSET 0 keeps each level a subquery of its own) ...
    ordered = (
        inner.order_by(*(literal_column(k).nulls_last() for k in keys)).offset(0).subquery("sorted")
    )
    safe = [n for n, c in enumerate(columns) if isinstance(c, _Safe)]
    # ... one control-character test per row over all its texts (almost none has one; a test
    # or a regexp_replace on every cell costs more than the rest of the query) ...
    tested = (
        select(
            *ordered.c,
            func.concat_ws("\n", *(ordered.c[f"c{n}"] for n in safe))
            .regexp_match(_CONTROL_CLASS)
            .label("dirty"),
        )
        .order_by(*(ordered.c[k].nulls_last() for k in keys))
        .offset(0)
        .subquery("export")
    )
    # ... and the cells made safe. The outer ORDER BY is the sorted level's own order, so
    # PostgreSQL sorts once (the plan has one Sort, under the subqueries).
    return select(
        *(
            _cleaned(tested.c[f"c{n}"], tested.c.dirty) if n in safe else tested.c[f"c{n}"]
            for n in range(len(columns))
        )
    ).order_by(*(tested.c[k].nulls_last() for k in keys))


def write_csv(
    out: IO[bytes],
    consultation_id: int,
    tree: Tree,
    labels: rows.Labels,
    *,
    public: bool,
    lang: str,
    delimiter: str,
) -> None:
    """Write the CSV (BOM, header, rows) to ``out`` with COPY; count rows for the progress."""
    query = _query(consultation_id, tree, labels, public=public, en=lang == "en")
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    header = delimiter.join(rows.columns(public)) + "\r\n"
    out.write(("\ufeff" + header).encode("utf-8"))
    option = "';'" if delimiter == ";" else "','"
    statement = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, DELIMITER {option})"
    driver = db.session.connection().connection.dbapi_connection
    # PostgreSQL sends each row as one message: joined into writes of CHUNK bytes, and
    # counted for the progress one chunk at a time (per row, it cost a tenth of the export).
    chunk: list = []
    size = 0
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for data in copy:
            chunk.append(data)
            size += len(data)
            if size >= CHUNK:
                out.write(b"".join(chunk))
                rows.tick(len(chunk))
                chunk, size = [], 0
    out.write(b"".join(chunk))
    rows.tick(len(chunk))
