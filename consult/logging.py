"""Logs without personal data: one JSON object a line, each with the request's id.

Every record, ours and the libraries' (werkzeug, SQLAlchemy, huey), goes through one
structlog ``ProcessorFormatter`` on the root logger, so they all come out the same way and
pass the same scrubbing:

- a path never shows a token: the parts of URLs that carry one (every route with a
  ``<token>`` or ``<code>`` in it, found in the URL map, so a new one is covered by itself)
  become ``[token]``, and a query string is dropped from logged paths;
- an e-mail address anywhere in a message or a value becomes ``[email]``;
- SQLAlchemy is told ``hide_parameters`` (config), so a failed statement's values (input text,
  addresses) never reach an exception message.

What we log on purpose is small: one line per request (method, endpoint, scrubbed path,
status, duration, request id) and the events areas log. Input text is never logged.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time

import structlog
from flask import Flask
from flask import g
from flask import request

#: Route arguments that carry a secret: an e-mailed token, a session's join code.
SECRET_ARGUMENTS = frozenset({"token", "code"})
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: A path with a query string: the query is dropped (``?code=…&state=…`` of a sign-in).
QUERY = re.compile(r"(/[^\s\"?]*)\?[^\s\"]*")
SEGMENT = '[^/?#\\s"]+'
#: One pattern per route that carries a secret; filled in by ``init_app`` from the URL map.
_token_patterns: list[re.Pattern[str]] = []

access_log = structlog.get_logger("consult.access")


def token_rules(app: Flask) -> list[str]:
    """Return the URL rules that carry a secret in their path."""
    return sorted(
        rule.rule for rule in app.url_map.iter_rules() if rule.arguments & SECRET_ARGUMENTS
    )


def _pattern(rule: str) -> re.Pattern[str]:
    """A pattern for ``rule`` whose secret segments are the groups to replace."""
    out = []
    for piece in re.split(r"(<[^>]+>)", rule):
        if not piece.startswith("<"):
            out.append(re.escape(piece))
        elif piece.strip("<>").split(":")[-1] in SECRET_ARGUMENTS:
            out.append(f"({SEGMENT})")
        else:
            out.append(SEGMENT)
    return re.compile("".join(out))


def _hide(match: re.Match) -> str:
    text, base, pieces, last = match.group(0), match.start(0), [], 0
    for index in range(1, (match.lastindex or 0) + 1):
        start, end = match.start(index) - base, match.end(index) - base
        pieces += [text[last:start], "[token]"]
        last = end
    return "".join(pieces) + text[last:]


def scrub(text: str) -> str:
    """Return ``text`` without e-mail addresses, secrets in paths, or query strings of paths."""
    text = EMAIL.sub("[email]", text)
    text = QUERY.sub(r"\1", text)
    for pattern in _token_patterns:
        text = pattern.sub(_hide, text)
    return text


def _scrub_values(logger, method, event_dict: dict) -> dict:
    """structlog processor: scrub every string in the event (the message included)."""
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = scrub(value)
    return event_dict


def configure(
    json: bool = True, level: str = "INFO", stream=None, *, attach: bool = True
) -> logging.Handler:
    """Send every logger's records through structlog's formatter to ``stream`` (stderr).

    Replaces the handler an earlier call added; returns the new one. ``attach=False`` only
    routes structlog's loggers into the standard library (tests, which capture records).
    """
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _scrub_values,
            renderer,
        ],
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_consult", False):
            root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._consult = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter)
    if attach:
        root.addHandler(handler)
        root.setLevel(level)
        # Alembic announces its plugins at INFO each time the app starts: not news.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # structlog's own loggers (consult.access) get the same fields, then the formatter.
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler


def watch_routes(app: Flask) -> None:
    """Learn which paths carry a secret from the app's URL map (after the blueprints)."""
    _token_patterns[:] = [_pattern(rule) for rule in token_rules(app)]


def init_app(app: Flask) -> None:
    """Configure logging; log one line per request with its id (sent back as X-Request-Id)."""
    configure(json=app.config["LOG_JSON"], level=app.config["LOG_LEVEL"], attach=not app.testing)
    # Flask's own handler would print a second, unscrubbed copy.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)

    @app.before_request
    def _start():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.match(given) else secrets.token_hex(8)
        g.request_started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-Id"] = request_id
            access_log.info(
                "request",
                method=request.method,
                endpoint=request.endpoint or "",
                path=scrub(request.path),
                status=response.status_code,
                ms=round((time.perf_counter() - g.request_started) * 1000, 1),
            )
        return response

    @app.teardown_request
    def _clear(exc):
        structlog.contextvars.clear_contextvars()
