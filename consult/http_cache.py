"""Conditional GET and rendered-page reuse for anonymous public pages.

A public view opts in with ``@http_cache.public_page(state)``. ``state(**view_args)`` reads, in
one small query, everything the answer depends on besides its URL and language (for input
pages: the consultation's status and clock, and the generations ``consult.readside.upkeep``
bumps whenever published input, a draft or reference data changes), or returns None when the
page is not public (it is then served as usual). From that and the URL, the language and the
deployed code, a hash gives the ETag:

- a reader who holds this version (``If-None-Match``, or ``If-Modified-Since`` without it)
  gets a 304 and nothing is rendered;
- otherwise the answer rendered last time for this ETag is reused from a small in-process
  cache (per worker, ``MAX_ENTRIES`` answers), and only a new ETag renders the page. Tests
  (whose rolled-back data would come back with the same ids and generations) turn this off
  unless they set ``PUBLIC_PAGE_CACHE``.

Only anonymous readers get this (no signed-in user, no ``Authorization`` header, nothing flashed
in the session): a signed-in user's page shows their menu and a form with their CSRF token,
and is never cached (``security.set_security_headers``). Answers vary on the cookie and the
language header, so a shared cache never gives one reader's page to another.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import UTC
from datetime import datetime
from functools import wraps
from pathlib import Path

from flask import Response
from flask import current_app
from flask import make_response
from flask import request
from flask import session
from flask_login import current_user

from consult.i18n import current_lang

#: Rendered answers kept per worker process (a goal page is 20–60 kB).
MAX_ENTRIES = 256
#: Headers never replayed from the cache: they belong to one answer.
_NOT_REPLAYED = frozenset({"set-cookie", "date", "content-length", "etag", "last-modified"})

_cache: OrderedDict[str, tuple[bytes, int, list[tuple[str, str]]]] = OrderedDict()
_lock = threading.Lock()


def _code_version() -> str:
    """Fingerprint what shapes every page besides the data: code, templates, translations."""
    app = current_app._get_current_object()
    version = app.extensions.get("consult_http_cache")
    if version is None:
        root = Path(app.root_path).parent
        newest = 0.0
        for folder in ("templates", "translations", "consult"):
            for path in (root / folder).rglob("*"):
                if path.suffix in {".html", ".mo", ".py"}:
                    newest = max(newest, path.stat().st_mtime)
        version = app.extensions["consult_http_cache"] = f"{newest:.0f}"
    return version


def applies() -> bool:
    """Whether this request may get a shared answer: anonymous, a GET, nothing flashed."""
    return (
        request.method in {"GET", "HEAD"}
        and "Authorization" not in request.headers
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def etag_for(parts) -> str:
    """Return the ETag of this request's answer, given what its page shows (``parts``)."""
    digest = hashlib.sha256()
    for part in (_code_version(), request.full_path, current_lang(), *parts):
        digest.update(str(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def _seconds(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(microsecond=0)


def is_fresh(etag: str, last_modified: datetime | None) -> bool:
    """Whether the reader already holds this version (RFC 9110: If-None-Match wins)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and last_modified is not None and _seconds(last_modified) <= since


def decorate(response: Response, etag: str, last_modified: datetime | None) -> Response:
    """Add the validators and say the answer varies on who asks."""
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = _seconds(last_modified)
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    if "Cache-Control" not in response.headers:
        # Keep it, but ask again every time: a 304 costs one small query.
        response.headers["Cache-Control"] = "public, no-cache"
    return response


def _remember(etag: str, response: Response) -> None:
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _NOT_REPLAYED]
    with _lock:
        _cache[etag] = (response.get_data(), response.status_code, headers)
        _cache.move_to_end(etag)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)


def _recall(etag: str) -> Response | None:
    with _lock:
        found = _cache.get(etag)
        if found is not None:
            _cache.move_to_end(etag)
    if found is None:
        return None
    body, status, headers = found
    return current_app.response_class(body, status=status, headers=headers)


def clear() -> None:
    """Forget every rendered answer (tests)."""
    with _lock:
        _cache.clear()


def public_page(state):
    """Serve a public view with ETag, 304 and reuse of its rendered answer (see above).

    :param state: ``state(**view_args)`` -> ``(parts, last_modified)``, or None when the page is
        not public; ``parts`` must change whenever the answer would.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not applies():
                return view(*args, **kwargs)
            found = state(**kwargs)
            if found is None:
                return view(*args, **kwargs)
            parts, last_modified = found
            etag = etag_for(parts)
            if is_fresh(etag, last_modified):
                return decorate(make_response("", 304), etag, last_modified)
            reuse = current_app.config.get("PUBLIC_PAGE_CACHE", not current_app.testing)
            response = _recall(etag) if reuse else None
            if response is None:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                if reuse:
                    _remember(etag, response)
            return decorate(response, etag, last_modified)

        return wrapper

    return decorator
