"""Browser journeys: the app served on 127.0.0.1 from a migrated scratch database with the demo,
driven by Playwright through Debian's Chromium; axe-core checks accessibility."""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path

import pytest

from tests import helpers
from tests.helpers import DATABASE_URL

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/browser; skip it when Debian's Chromium is not installed."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason=f"Chromium is missing at {CHROMIUM}; install it with "
        "sudo apt-get update && sudo apt-get install -y chromium"
    )
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


class LiveServer:
    def __init__(self, url: str, logins: dict[str, tuple[str, str]], app):
        self.url = url
        self.logins = logins
        #: The served app, for reading what a journey cannot see in the browser (the outbox).
        self.app = app


def _buffered(app):
    """Read each response whole and close it before sending.

    Werkzeug's development server skips closing a response (an open static file) when the
    browser drops the connection mid-send, which pytest reports as an unclosed file.
    """

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from consult import create_app
    from consult.config import TestConfig
    from consult.demo import load_demo_drafts
    from consult.demo import load_demo_input
    from consult.demo import load_demo_reference_data
    from consult.demo import reset_demo_users
    from consult.extensions import db

    url = helpers.create_database(DATABASE_URL, "browser")
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": None,
        "FILE_DIR": str(tmp_path_factory.mktemp("files")),
    }
    app = create_app(type("BrowserConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade()  # the real migrations, not create_all
        load_demo_reference_data()
        load_demo_drafts()
        logins = {login.role.value: (login.email, login.password) for login in reset_demo_users()}
        load_demo_input(80)
        db.session.commit()
        # The public report is built by a worker, and none runs here: build it now, as one would.
        from consult.drafts.services import get_consultation
        from consult.exports.report_jobs import build_reports

        build_reports(get_consultation("sundhedsaftale-2024-2027"))
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", logins, app)
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.engine.dispose()
        helpers.drop_database(DATABASE_URL, url)


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "da-DK"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "da-DK",
}


def _page_fixture(**options):
    """A fixture giving a fresh browser context with ``options`` and a page that logs errors."""

    @pytest.fixture
    def fixture(browser, live_server):
        context = browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        yield page
        context.close()

    return fixture


page = _page_fixture(**DESKTOP)
phone_page = _page_fixture(**PHONE)
nojs_page = _page_fixture(**DESKTOP, java_script_enabled=False)
english_page = _page_fixture(
    locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"}
)


@cache
def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test` (it runs npm install)")
    return AXE.read_text(encoding="utf-8")


def check_axe(page) -> None:
    """Assert zero WCAG 2.1 A/AA violations on the current page."""
    # evaluate() runs outside the page's CSP, which rightly refuses an inline <script>
    # (add_script_tag); test_csp_refuses_inline_script shows the difference.
    page.evaluate(_axe_source())
    violations = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })).violations"""
    )
    if violations:
        lines = [
            f"- {v['id']} ({v['impact']}, {len(v['nodes'])} element(s)): {v['help']}\n  "
            + json.dumps([n["target"] for n in v["nodes"][:4]], ensure_ascii=False)
            for v in violations
        ]
        pytest.fail(f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(lines))
