"""Headers, the secret key policy, control characters and the sanitizer."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from consult import create_app
from consult.config import Config
from consult.config import TestConfig
from consult.extensions import db
from consult.extensions import limiter
from consult.sanitize import clean_html
from consult.sanitize import clean_text
from consult.sanitize import render_paragraphs
from consult.security import WeakSecretKeyError
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in


def test_security_headers_on_every_page(client):
    response = client.get("/")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers


def test_no_inline_script_or_style_in_pages(client):
    c = make_consultation()
    for url in ("/", f"/consultations/{c.slug}/", f"/consultations/{c.slug}/items/fa-1-goal-1"):
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html
        assert "<style" not in html
        assert " style=" not in html
        assert " onclick=" not in html.lower()


def test_signed_in_pages_are_not_stored(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    sign_in(client, make_user())
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_hsts_and_secure_cookies_behind_tls():
    app = create_app(type("TLS", (TestConfig,), {"BEHIND_TLS": True}))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.test_request_context():
        response = app.make_response("ok")
        response = app.process_response(response)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("key", [None, "", "dev", "short-key", "changeme"])
def test_refuses_to_serve_with_a_weak_secret_key(monkeypatch, key):
    monkeypatch.delenv("CONSULT_SECRET_KEY", raising=False)
    config = type("Prod", (Config,), {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(WeakSecretKeyError, match="CONSULT_SECRET_KEY"):
        create_app(config)


def test_strong_secret_key_from_the_environment_is_accepted(monkeypatch):
    monkeypatch.setenv("CONSULT_SECRET_KEY", "x" * 48)
    app = create_app(type("Prod", (Config,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    assert app.config["SECRET_KEY"] == "x" * 48


def test_cli_commands_that_serve_nothing_run_without_a_key(monkeypatch):
    """Migrations and the demo may run before the key is set; serving may not."""
    monkeypatch.delenv("CONSULT_SECRET_KEY", raising=False)
    import click

    @click.command("probe")
    def probe():
        config = type("Prod", (Config,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        app = create_app(config)
        click.echo(f"key length {len(app.config['SECRET_KEY'])}")

    result = CliRunner().invoke(probe)
    assert result.exit_code == 0 and "key length" in result.output


def test_nul_in_the_url_is_refused(client):
    assert client.get("/?q=a%00b").status_code == 400


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("plain text", "plain text"),
        ("a\x00b\x07c", "abc"),
        ("line one\r\nline two", "line one\nline two"),
        ("<script>alert(1)</script>hello", "alert(1)hello"),
        ('<img src=x onerror="alert(1)">ok', "ok"),
        ("<svg><script>alert(1)</script></svg>x", "alert(1)x"),
        ("<math><mi xlink:href='javascript:alert(1)'>m</mi></math>", "m"),
        ("5 &lt; 6 &amp; 7 > 3", "5 < 6 & 7 > 3"),
        ("&#0;null entity", "\ufffdnull entity"),  # never NUL: the replacement character
    ],
)
def test_clean_text_stores_plain_text_without_markup_or_controls(raw, stored):
    assert clean_text(raw) == stored


def test_rendered_paragraphs_escape_text_and_allow_only_tight_tags():
    html = render_paragraphs("<b>Bold</b> & more\n\n- one\n- <i>two</i>")
    assert (
        str(html) == "<p>&lt;b&gt;Bold&lt;/b&gt; &amp; more</p>"
        "<ul><li>one</li><li>&lt;i&gt;two&lt;/i&gt;</li></ul>"
    )
    assert "<svg" not in clean_html("<svg onload=alert(1)></svg><math></math><p>ok</p>")
    assert "<math" not in clean_html("<math><mi>x</mi></math>")


def test_only_sanitize_imports_bleach():
    from pathlib import Path

    package = Path(__file__).parents[1] / "consult"
    importers = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if "import bleach" in p.read_text() or "from bleach" in p.read_text()
    ]
    assert importers == ["sanitize.py"]


def test_rate_limits_are_shared_through_redis(app):
    """Several workers must count together: the limiter's storage is Redis in production."""
    import socket
    import uuid

    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.fail(
                "Redis is not running on 127.0.0.1:6379. `make test` starts it when it is "
                "installed: sudo apt-get install -y redis-server"
            )
    prefix = f"consult-test-{uuid.uuid4().hex[:8]}"
    config = type(
        "RedisLimits",
        (TestConfig,),
        {
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
            "RATELIMIT_KEY_PREFIX": prefix,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "WTF_CSRF_ENABLED": False,
        },
    )
    # Two app instances stand for two gunicorn workers sharing one Redis.
    first, second = create_app(config), create_app(config)
    data = {"email": "nobody@example.dk", "password": "wrong password"}
    statuses = []
    try:
        for worker in (first, second, first, second):
            with worker.app_context():
                db.create_all()
            statuses.append(worker.test_client().post("/account/login", data=data).status_code)
    finally:
        limiter.init_app(app)  # the extension is shared: give the suite's app its storage back
    assert statuses == [200, 200, 200, 429]
