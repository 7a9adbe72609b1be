"""SQLite: WAL, a busy timeout, and write requests that take the lock up front."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy import text

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db
from tests import scratch


@pytest.fixture
def sqlite_app():
    url = scratch.create("sqlite://", "locking")
    app = create_app(
        type("Locking", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()
    scratch.drop("sqlite://", url)


@pytest.mark.no_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_app):
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.no_db
def test_writing_requests_begin_immediate_and_reading_ones_do_not(sqlite_app):
    begins = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    with sqlite_app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    try:
        client = sqlite_app.test_client()
        client.get("/")
        reading = list(begins)
        begins.clear()
        client.post("/account/login", data={"email": "a@example.dk", "password": "x"})
        writing = list(begins)
    finally:
        with sqlite_app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    assert reading and all(b == "BEGIN" for b in reading)
    assert writing and all(b == "BEGIN IMMEDIATE" for b in writing)
