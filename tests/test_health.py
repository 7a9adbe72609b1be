"""/healthz and /readyz: public probes that set no cookie, are never rate limited, and say 503
when the database or the job queue does not answer."""

from __future__ import annotations

import socket

import pytest
from flask_limiter import Limit
from flask_limiter.util import get_remote_address

from consult import create_app
from consult.config import TestConfig
from consult.extensions import limiter
from tests import helpers
from tests.factories import make_user
from tests.factories import sign_in


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_a_database_or_a_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_says_the_database_and_the_queue_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}
    assert "Set-Cookie" not in response.headers


def test_probes_ignore_a_signed_in_session(app, client, count_queries):
    sign_in(client, make_user("secretariat"))
    cookie = client.get_cookie(TestConfig.SESSION_COOKIE_NAME, domain=app.config["SERVER_NAME"])
    assert cookie is not None
    # No user is loaded: /healthz asks the database nothing, /readyz only whether it answers.
    with count_queries() as healthz:
        response = client.get("/healthz")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert healthz.statements == []
    with count_queries() as readyz:
        response = client.get("/readyz")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert readyz.statements == ["SELECT 1"]


@pytest.fixture
def strict_default_limit(app):
    """Every route without a limit of its own allows two requests a minute."""
    manager = limiter.limit_manager
    saved = manager._default_limits
    strict = Limit(limit_provider="2 per minute", key_function=get_remote_address, finalized=False)
    manager.set_default_limits([strict.bind(limiter)])
    try:
        yield
    finally:
        manager.set_default_limits(saved)


def test_probes_are_exempt_from_rate_limits(client, strict_default_limit):
    assert [client.get("/accessibility").status_code for _ in range(3)] == [200, 200, 429]
    for path in ("/healthz", "/readyz"):
        assert {client.get(path).status_code for _ in range(5)} == {200}


@pytest.mark.parametrize(
    "database",
    [
        pytest.param(f"postgresql+psycopg://consult@127.0.0.1:{_closed_port()}/none", id="pg"),
        pytest.param("sqlite:////nonexistent/consult/consult.db", id="sqlite"),
    ],
)
@pytest.mark.no_db
def test_readyz_is_503_when_the_database_points_nowhere(database):
    app = create_app(type("Nowhere", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database}))
    try:
        client = app.test_client()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {
            "status": "unavailable",
            "database": "unavailable",
            "queue": "ok",
        }
        # The process itself is fine.
        assert client.get("/healthz").status_code == 200
    finally:
        with app.app_context():
            from consult.extensions import db

            db.engine.dispose()


@pytest.mark.parametrize(
    "queue",
    [
        pytest.param(f"redis://127.0.0.1:{_closed_port()}/0", id="redis"),
        pytest.param(f"postgresql://consult@127.0.0.1:{_closed_port()}/none", id="pg"),
        pytest.param("sqlite:////nonexistent/consult/jobs.db", id="sqlite"),
    ],
)
@pytest.mark.no_db
def test_readyz_is_503_when_the_job_queue_points_nowhere(queue):
    url = helpers.create_database("sqlite://", "readyz")
    app = create_app(
        type("NoQueue", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "JOBS_URL": queue})
    )
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {
            "status": "unavailable",
            "database": "ok",
            "queue": "unavailable",
        }
    finally:
        with app.app_context():
            from consult.extensions import db

            db.engine.dispose()
        helpers.drop_database("sqlite://", url)
