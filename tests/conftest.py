"""Shared fixtures: one app per run, one rolled-back transaction per test, a real database.

The database is SQLite in memory, or PostgreSQL when CONSULT_TEST_DATABASE_URL is set
(``make test`` runs the suite both ways).
"""

from __future__ import annotations

import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import event

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db
from consult.extensions import limiter
from tests import helpers
from tests.helpers import DATABASE_URL

BACKEND = "postgresql" if helpers.is_postgres(DATABASE_URL) else "sqlite"


def pytest_report_header(config):
    return f"consult test database: {helpers.describe(DATABASE_URL)}"


def pytest_collection_modifyitems(config, items):
    """Leave out the heavy tests marked for the other database (``only_on``)."""
    keep, leave = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        (keep if marker is None or marker.args[0] == BACKEND else leave).append(item)
    if leave:
        config.hook.pytest_deselected(items=leave)
        items[:] = keep


def _children() -> list[str]:
    """Return the command lines of this process's live child processes (Linux /proc)."""
    me, found = str(Path("/proc/self").resolve().name), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z":
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
            found.append(cmdline.decode(errors="replace").strip())
    return found


def _scratch_files() -> list[str]:
    return sorted(str(p) for p in Path(tempfile.gettempdir()).glob("consult-*.db*"))


_BEFORE: dict[str, list] = {}


def pytest_sessionstart(session):
    _BEFORE["files"] = _scratch_files()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when a test left a thread, a process or a scratch database behind."""
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    children = _children()
    files = sorted(set(_scratch_files()) - set(_BEFORE.get("files", [])))
    if threads or children or files:
        session.config.get_terminal_writer().line(
            f"Left behind by the tests: threads {threads}, processes {children}, files {files}",
            red=True,
        )
        if session.exitstatus == 0:
            session.exitstatus = 1


class FreshContextClient(FlaskClient):
    """Give every request its own app context (and ``g``), as a real server does.

    Without this, requests reuse the test's app context, and caches kept on ``g``
    (the signed-in user, the locale) leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    # On PostgreSQL each run gets its own database, so runs side by side never collide.
    url = (
        helpers.create_database(DATABASE_URL, "suite")
        if helpers.is_postgres(DATABASE_URL)
        else DATABASE_URL
    )
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "FILE_DIR": str(tmp_path_factory.mktemp("files")),
    }
    app = create_app(type("RunConfig", (TestConfig,), settings))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()
    if url != DATABASE_URL:
        helpers.drop_database(DATABASE_URL, url)


class BoundSession(sa.orm.Session):
    """A plain session bound to the test's connection (Flask-SQLAlchemy's would pick the engine)."""

    def __init__(self, db=None, **kwargs):
        super().__init__(**kwargs)


@pytest.fixture(autouse=True)
def _db_transaction(request, app):
    """Run every test inside a transaction that is rolled back afterwards."""
    if "live_server" in request.fixturenames or request.node.get_closest_marker("no_db"):
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": BoundSession,
            }
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    limiter.reset()
    yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An application and request context, for calling services directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def no_csrf(app):
    """Opt out of CSRF for a test that is about something else."""
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside ``with count_queries() as counter:``."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", statement):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


class Mailbox:
    """Messages received by the local SMTP server."""

    def __init__(self):
        self.messages = []

    def handle_message(self, message):  # aiosmtpd Message handler hook
        self.messages.append(message)

    def last_to(self, address: str):
        matching = [m for m in self.messages if address.lower() in m["To"].lower()]
        assert matching, f"no mail to {address}; got {[m['To'] for m in self.messages]}"
        return matching[-1]

    def subject_to(self, address: str) -> str:
        """Return the decoded subject of the last mail to ``address`` (RFC 2047 for æøå)."""
        from email.header import decode_header
        from email.header import make_header

        return str(make_header(decode_header(self.last_to(address)["Subject"])))

    def link_to(self, address: str) -> str:
        """Return the path of the first link in the last mail to ``address``."""
        body = self.last_to(address).get_payload(decode=True).decode("utf-8")
        match = re.search(r"https?://[^/\s]+(/\S*)", body)
        assert match, body
        return match.group(1)  # the test client speaks to the app directly: keep the path


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1; the app's mail settings point at it during the test."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    mailbox = Mailbox()

    class Handler(Message):
        def handle_message(self, message):
            mailbox.handle_message(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield mailbox
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def send_mail(app):
    """Run ``flask consult send-mail`` and return the CLI result."""

    def run():
        return app.test_cli_runner().invoke(args=["consult", "send-mail"])

    return run


@pytest.fixture
def run_jobs(app):
    """Run the jobs handed to the queue during this test, here, as a worker would; return how
    many ran. ``scheduled=True`` also runs the scheduled jobs kicked (mail.send after mail)."""
    from consult.jobs.queue import job_queue

    huey = job_queue.of(app).huey
    huey.flush()  # what earlier tests (rolled back) handed to the in-memory queue

    def run(scheduled: bool = False) -> int:
        ran = 0
        while (task := huey.dequeue()) is not None:
            if task.name == "run_job" or scheduled:
                huey.execute(task)
                ran += task.name == "run_job"
        return ran

    return run
