"""Text search that understands Danish word forms.

PostgreSQL: its own ``danish`` text search configuration over the input's text and proposed
wording, with a GIN index on the same expression (migration ``analysis``). SQLite: an FTS5
table ``inputs_fts`` holding each input's text stemmed by the Snowball Danish stemmer, kept in
step by the ORM events below (and rebuilt in bulk by ``rebuild``). A search for "kommunerne"
finds "kommune", "kommunens" and "kommuner" on both.
"""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import text

from consult.extensions import db
from consult.responses.models import Input

FTS_TABLE = "inputs_fts"
CREATE_FTS = "CREATE VIRTUAL TABLE IF NOT EXISTS inputs_fts USING fts5(stems, tokenize='unicode61')"
DELETE_FTS = "DELETE FROM inputs_fts WHERE rowid = ?"
INSERT_FTS = "INSERT INTO inputs_fts (rowid, stems) VALUES (?, ?)"
#: Words of letters and digits, Danish letters included.
WORD = re.compile(r"[0-9a-zæøåäöüé]+", re.IGNORECASE)
MAX_TERMS = 12


@cache
def _stemmer():
    return snowballstemmer.stemmer("danish")


def stems(value: str) -> list[str]:
    """Return the Danish stems of the words in ``value``, lower-cased, in order."""
    return _stemmer().stemWords(WORD.findall(value.lower()))


def searchable(text_: str, wording: str) -> str:
    return " ".join(stems(f"{text_} {wording}"))


def document():
    """The PostgreSQL tsvector of an input (the GIN index is on exactly this expression)."""
    return func.to_tsvector(
        literal_column("'danish'::regconfig"),
        func.coalesce(Input.text, "") + " " + func.coalesce(Input.proposed_wording, ""),
    )


def matches(query: str):
    """Return a condition on Input that holds when its text matches every word of ``query``."""
    terms = stems(query)[:MAX_TERMS]
    if not terms:
        return None
    if db.engine.dialect.name == "postgresql":
        # plainto_tsquery stems the words itself and ANDs them; no operator syntax to abuse.
        return document().op("@@")(
            func.plainto_tsquery(literal_column("'danish'::regconfig"), query[:500])
        )
    # FTS5: each stem quoted as a string, so no FTS5 operator can be injected.
    fts_query = " ".join('"' + term.replace('"', "") + '"' for term in terms)
    return Input.id.in_(
        select(literal_column("rowid"))
        .select_from(text(FTS_TABLE))
        .where(literal_column(FTS_TABLE).op("MATCH")(fts_query))
    )


def create_index(connection) -> None:
    """Create the SQLite FTS5 table (migrations and create_all call this)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(CREATE_FTS)


def rebuild(connection, input_ids=None, batch: int = 5000) -> int:
    """Write the stems of every input (or of ``input_ids``) to the SQLite index; return how many.

    Works through the inputs a batch of ids at a time, so memory stays flat at a million.
    """
    if connection.dialect.name != "sqlite":
        return 0
    done, last = 0, 0
    while True:
        query = (
            select(Input.id, Input.text, Input.proposed_wording)
            .where(Input.id > last)
            .order_by(Input.id)
            .limit(batch)
        )
        if input_ids is not None:
            query = query.where(Input.id.in_(list(input_ids)))
        rows = connection.execute(query).all()
        if not rows:
            return done
        connection.exec_driver_sql(DELETE_FTS, [(r.id,) for r in rows])
        connection.exec_driver_sql(
            INSERT_FTS, [(r.id, searchable(r.text or "", r.proposed_wording or "")) for r in rows]
        )
        done += len(rows)
        last = rows[-1].id


@event.listens_for(Input, "after_insert")
@event.listens_for(Input, "after_update")
def _index_input(mapper, connection, target: Input) -> None:
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql(DELETE_FTS, (target.id,))
    connection.exec_driver_sql(
        INSERT_FTS, (target.id, searchable(target.text or "", target.proposed_wording or ""))
    )


@event.listens_for(Input, "after_delete")
def _unindex_input(mapper, connection, target: Input) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(DELETE_FTS, (target.id,))


@event.listens_for(db.metadata, "after_create")
def _create_index_with_the_tables(target, connection, **kw) -> None:
    create_index(connection)
