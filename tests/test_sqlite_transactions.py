"""SQLite: WAL, a busy timeout, and write requests that take the lock up front."""

from __future__ import annotations

import sqlite3

import argon2
import pytest
from sqlalchemy import event
from sqlalchemy import text

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db
from consult.reference.seed import load_reference_data
from tests import helpers
from tests.factories import PASSWORD
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in


@pytest.fixture
def sqlite_app():
    url = helpers.create_database("sqlite://", "locking")
    app = create_app(
        type("Locking", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()
    helpers.drop_database("sqlite://", url)


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


@pytest.fixture
def probe_lock_during_hashing(sqlite_app, monkeypatch):
    """Each time Argon2 works, try to take SQLite's write lock from another connection.

    Returns the list of outcomes: True when the lock was free while the password was hashed
    or checked, False when a request held it.
    """
    path = sqlite_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    outcomes: list[bool] = []

    def lock_is_free() -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    def probing(method):
        def wrapper(self, *args, **kwargs):
            outcomes.append(lock_is_free())
            return method(self, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(argon2.PasswordHasher, "hash", probing(argon2.PasswordHasher.hash))
    monkeypatch.setattr(argon2.PasswordHasher, "verify", probing(argon2.PasswordHasher.verify))
    return outcomes


@pytest.mark.no_db
def test_no_request_holds_the_write_lock_while_argon2_works(sqlite_app, probe_lock_during_hashing):
    """Sign-in, registration and password changes hash outside the write transaction.

    Under load a hash takes a second; held across it, the lock made other workers' writes
    fail with "database is locked".
    """
    with sqlite_app.app_context():
        user = make_user(email="lock@example.dk")
        stale = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        user.password_hash = stale.hash(PASSWORD)  # the sign-in re-hashes it too
        make_user(email="taken@example.dk")
        db.session.commit()
    probe_lock_during_hashing.clear()
    client = sqlite_app.test_client()
    login = {"email": "lock@example.dk", "password": PASSWORD}
    assert client.post("/account/login", data=login).status_code == 302  # verify + re-hash
    new = {"password": "a new long password", "password_confirm": "a new long password"}
    client.post(
        "/account/password",
        data={"password-current_password": PASSWORD} | {f"password-{k}": v for k, v in new.items()},
    )
    for email in ("new@example.dk", "taken@example.dk"):
        anonymous = sqlite_app.test_client()
        anonymous.post(
            "/account/register",
            data={"email": email, "name": "", "password": "x" * 12, "password_confirm": "x" * 12},
        )
    anonymous.post("/account/login", data={"email": "nobody@example.dk", "password": "wrong"})
    assert len(probe_lock_during_hashing) >= 6, probe_lock_during_hashing
    assert all(probe_lock_during_hashing), probe_lock_during_hashing


@pytest.mark.no_db
def test_the_respond_pages_read_without_taking_the_write_lock(sqlite_app):
    """A new respondent opening every respond page queues for nothing; the first save does."""
    client = sqlite_app.test_client()
    with sqlite_app.app_context():
        load_reference_data()
        slug = make_consultation().slug
        user = make_user(email="laeser@example.dk")
        sign_in(client, user)
        db.session.commit()
    begins = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    base = f"/consultations/{slug}/respond"
    with sqlite_app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    try:
        for page in ("/about-you", "/items/fa-1-goal-1", "/ranking", "/comment", "/", "/receipt"):
            assert client.get(base + page).status_code in (200, 302), page
        reading = list(begins)
        begins.clear()
        client.post(f"{base}/about-you", data={"respondent_type": "1", "municipality": "1"})
        writing = list(begins)
    finally:
        with sqlite_app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    assert reading and all(b == "BEGIN" for b in reading)
    assert writing and all(b == "BEGIN IMMEDIATE" for b in writing)
