"""Declarative base, naming convention and column types shared by every area."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import MetaData
from sqlalchemy import event
from sqlalchemy import types
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

#: Constraint names are spelled the same on SQLite and PostgreSQL, so migrations can drop them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(types.TypeDecorator):
    """Store aware datetimes as naive UTC; hand them back aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on WAL, a busy timeout and foreign keys, and let SQLAlchemy issue BEGIN itself.

    The busy timeout is long (30 s): on a loaded machine a writer may queue behind many others,
    and waiting is better than failing the request.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; taking it over
    lets tests roll back per test and lets writers take the lock up front later on.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Set inside ``write_lock()``: transactions begun there take SQLite's write lock up front.
_WRITE_LOCK: ContextVar[bool] = ContextVar("consult_write_lock", default=False)


@contextmanager
def write_lock() -> Iterator[None]:
    """Begin the transactions inside with the write lock taken (SQLite's BEGIN IMMEDIATE).

    For work outside a request (jobs, the CLI) that reads and then writes: on SQLite a
    transaction that has read cannot take the write lock once another connection has written
    since, and fails at once. Start the transaction inside: commit what came before.
    """
    token = _WRITE_LOCK.set(True)
    try:
        yield
    finally:
        _WRITE_LOCK.reset(token)


def _writes() -> bool:
    """Whether this transaction belongs to a request that changes something (or to work
    inside ``write_lock()``).

    Only the method says so: a GET never writes (beyond bookkeeping that gives way when the
    database is busy, ``security.commit_bookkeeping``), so it never queues for the lock.
    """
    from flask import has_request_context
    from flask import request

    if _WRITE_LOCK.get():
        return True
    return has_request_context() and request.method in WRITE_METHODS


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """Begin SQLite transactions ourselves; a writing request takes the write lock up front.

    A deferred transaction that reads and then writes cannot wait for a busy database: SQLite
    fails it at once with "database is locked". BEGIN IMMEDIATE queues on the busy timeout
    instead, so several gunicorn workers can write to one SQLite file.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes() else "BEGIN")


def end_read_transaction() -> None:
    """End the request's transaction before slow work, so no lock is held across it.

    Call it after the reads a slow step needs (a password hash, say) and before that step.
    Nothing may have been changed yet. The next statement begins a new transaction: on SQLite a
    writing request then waits for the write lock, instead of holding it while it hashes.
    Objects read so far are expired and load again when next touched.
    """
    from consult.extensions import db

    session = db.session
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        raise RuntimeError("end_read_transaction() after a change: commit or flush it first")
    session.commit()


def enum_column(enum_cls: type, length: int = 20) -> types.Enum:
    """Store a StrEnum by value as a short string with a CHECK constraint on both databases."""
    return types.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        name=enum_cls.__name__.lower(),
    )


#: Search structures made in migrations by hand, outside the models: SQLite's FTS5 table (and
#: its shadow tables) and PostgreSQL's GIN index on the Danish tsvector.
NOT_IN_MODELS = ("inputs_fts", "ix_inputs_search")


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """Leave the hand-made search structures out of autogenerate and `flask db check`."""
    return not (name or "").startswith(NOT_IN_MODELS)
