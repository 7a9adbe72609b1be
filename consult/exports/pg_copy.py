"""CSV on PostgreSQL by ``COPY (SELECT …) TO STDOUT``: the server writes the rows, ten times
faster than fetching them into Python, with the same columns, words and rules as ``rows.py``.

What Python does there, the query does here, from the same sources:

- the words for codes (stance, channel, reply state, disposition, moderation) are the
  ``Labels`` of ``rows.labels_for``, written into the query as CASE expressions; the goal
  paths and alternatives likewise, from the draft;
- staff read CPR numbers masked (``readside.staff.text``): the query first finds every text
  the masking pattern could touch (``masking.could_hold_cpr`` as a PostgreSQL regular
  expression over the same digits as Python's ``\\d``), Python masks those, and the export
  reads them from a temporary table in place of the stored text;
- the public read only what ``readside.public.visible()`` allows, the frozen text with the
  removed mark as the word, and a name only by ``naming.shown_name``'s rule;
- every text people wrote is made safe for spreadsheets as ``tabular.safe_cell`` does:
  control characters removed, an apostrophe before = + - @, tab or carriage return.

Rows end with a line feed (PostgreSQL's CSV), where Python's writer ends them with CR LF;
every spreadsheet and CSV reader takes both.
"""

from __future__ import annotations

import functools
import sys
import unicodedata
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
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import table
from sqlalchemy import text as sql
from sqlalchemy import type_coerce
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
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sessions.models import Meeting

#: Bytes read from COPY before the rows are counted for the progress.
CHUNK = 1 << 16

_masked = table(
    "export_masked",
    column("input_id", Integer),
    column("text", Text),
    column("proposed_wording", Text),
)


def available() -> bool:
    """Whether this database can COPY (PostgreSQL)."""
    return db.engine.dialect.name == "postgresql"


@functools.cache
def _digits() -> str:
    """Every character Python's ``\\d`` matches, as ranges for a bracket expression."""
    ranges, start, last = [], None, None
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) == "Nd":
            if start is None:
                start = code
            elif code != last + 1:
                ranges.append((start, last))
                start = code
            last = code
    ranges.append((start, last))
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


def maybe_cpr_pattern() -> str:
    """``masking._MAYBE_CPR`` (``\\d[\\d .–-]{8,}\\d``) as a PostgreSQL regular expression."""
    d = _digits()
    return f"[{d}][{d} .–-]{{8,}}[{d}]"


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


def _words(value, words: dict[str, str]):
    """A code as its word (an unknown code as itself), NULL for none."""
    if not words:
        return value
    return case(*((value == code, literal(word)) for code, word in words.items()), else_=value)


def _by_id(value, mapping: dict[int, str]):
    if not mapping:
        return null()
    return case(*((value == k, literal(v)) for k, v in mapping.items()), else_=null())


def _named(da, en, english: bool):
    return func.coalesce(func.nullif(en, ""), da) if english else da


def _iso(value):
    stamp = func.to_char(value, literal_column("""'YYYY-MM-DD"T"HH24:MI:SS'"""), type_=String)
    return stamp + "+00:00"


def _tag_names():
    """The input's tag names, sorted by code point (as Python's sorted()), joined by ", "."""
    ordered = aggregate_order_by(literal(", "), Tag.name.collate("C"))
    return (
        select(func.string_agg(Tag.name, ordered))
        .select_from(input_tags.join(Tag, Tag.id == input_tags.c.tag_id))
        .where(input_tags.c.input_id == Input.id)
        .scalar_subquery()
    )


def _mask_texts(consultation_id: int) -> None:
    """Mask, in Python, the texts the CPR pattern could touch; keep them in a temporary table
    the export reads in place of the stored ones (dropped when the transaction ends)."""
    session = db.session
    session.execute(
        sql(
            "CREATE TEMPORARY TABLE IF NOT EXISTS export_masked "
            "(input_id integer PRIMARY KEY, text text, proposed_wording text) ON COMMIT DROP"
        )
    )
    session.execute(sql("TRUNCATE export_masked"))
    pattern = maybe_cpr_pattern()
    candidates = session.execute(
        select(Input.id, Input.text, Input.proposed_wording)
        .join(Response, Response.id == Input.response_id)
        .where(
            Response.consultation_id == consultation_id,
            Response.state == ResponseState.SUBMITTED,
            or_(Input.text.regexp_match(pattern), Input.proposed_wording.regexp_match(pattern)),
        )
    ).all()
    changed = []
    for input_id, text, wording in candidates:
        masked_text, masked_wording = staff.text(text), staff.text(wording)
        if masked_text != (text or "") or masked_wording != (wording or ""):
            changed.append(
                {"input_id": input_id, "text": masked_text, "proposed_wording": masked_wording}
            )
    if changed:
        session.execute(_masked.insert(), changed)


def _query(consultation_id: int, tree: Tree, labels: rows.Labels, *, public: bool, en: bool):
    area = aliased(Item)
    paths = rows.goal_paths(tree)
    keys = {item_id: key for item_id, (key, _path, _place) in paths.items()}
    titles = {item_id: safe_cell(path) for item_id, (_key, path, _place) in paths.items()}
    alternatives = {k: safe_cell(v) for k, v in rows._alternatives(tree).items()}
    stance = _words(type_coerce(Input.stance, String), labels.stance)
    channel = _words(type_coerce(Response.channel, String), labels.channel)
    disposition = _words(type_coerce(Reply.disposition, String), labels.disposition)
    state = reply_state()
    common_head = [
        Input.id,
        *([] if public else [_plain(Response.receipt_number)]),
        _by_id(Input.item_id, keys),
        _by_id(Input.item_id, titles),
        _plain(stance),
        Input.importance,
    ]
    tail_reference = [
        _safe(_named(RespondentType.name_da, RespondentType.name_en, en)),
    ]
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
            _by_id(Input.preferred_alternative_id, alternatives),
            *tail_reference,
            _safe(shown),
            _safe(_named(HealthCluster.name_da, HealthCluster.name_en, en)),
            _plain(channel),
            _safe(Meeting.title),
            case((approved, _plain(disposition)), else_=null()),
            _safe(case((approved, Reply.text), else_=null())),
            _iso(Contribution.reviewed_at),
        ]
    else:
        columns = [
            *common_head,
            _safe(func.coalesce(_masked.c.text, Input.text)),
            _safe(func.coalesce(_masked.c.proposed_wording, Input.proposed_wording)),
            _by_id(Input.preferred_alternative_id, alternatives),
            *tail_reference,
            _safe(Respondent.organisation),
            _safe(Respondent.name),
            _safe(_named(Municipality.name_da, Municipality.name_en, en)),
            _safe(_named(HealthCluster.name_da, HealthCluster.name_en, en)),
            _plain(channel),
            _safe(Meeting.title),
            _safe(_tag_names()),
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
            _plain(_words(state, labels.reply_state)),
            _plain(disposition),
            _safe(Reply.text),
            _safe(Reply.reason),
            _plain(_words(type_coerce(Contribution.state, String), labels.moderation)),
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
            func.concat_ws("\n", *(c.value for c in columns if isinstance(c, _Safe)))
            .regexp_match(_CONTROL_CLASS)
            .label("dirty"),
            *(o.label(f"o{n}") for n, o in enumerate(order)),
        )
        .select_from(Input)
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
    )
    if public:
        inner = inner.where(*published.visible())
    else:
        inner = inner.outerjoin(_masked, _masked.c.input_id == Input.id)
    # OFFSET 0 keeps PostgreSQL from folding the subquery in and testing "dirty" per cell.
    rows_ = inner.offset(0).subquery("export")
    return select(
        *(
            _cleaned(rows_.c[f"c{n}"], rows_.c.dirty) if isinstance(c, _Safe) else rows_.c[f"c{n}"]
            for n, c in enumerate(columns)
        )
    ).order_by(*(rows_.c[f"o{n}"] for n in range(len(order))))


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
    if not public:
        _mask_texts(consultation_id)
    query = _query(consultation_id, tree, labels, public=public, en=lang == "en")
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    header = delimiter.join(rows.columns(public)) + "\r\n"
    out.write(("\ufeff" + header).encode("utf-8"))
    option = "';'" if delimiter == ";" else "','"
    statement = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, DELIMITER {option})"
    driver = db.session.connection().connection.dbapi_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for data in copy:
            out.write(data)
            # Lines, not rows (a text may hold line breaks): near enough for a progress bar.
            rows.tick(bytes(data).count(b"\n"))
