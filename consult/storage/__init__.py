"""Stored files every app server can reach: letters, built reports and finished exports.

One setting, ``FILE_STORAGE``, chooses where they live, so callers never know which one is in
use:

- ``local`` (the default): a folder (``FILE_DIR``, default ``instance/files``), right for one
  machine;
- ``database``: chunks in the app's own database, for several app servers with nothing more to
  run (``consult/storage/database.py``);
- ``s3://bucket/prefix``: an S3 bucket (AWS or S3-compatible: ``S3_ENDPOINT_URL``,
  ``S3_ACCESS_KEY_ID``, ``S3_SECRET_ACCESS_KEY``, ``S3_REGION``).

**Commit after ``save`` and ``delete``**, as after any write: the database backend works in the
caller's transaction (a file counts together with the rows that point at it); the others act
at once, so a rolled-back transaction can leave a file no row points at, never the reverse if
the file is saved first and deleted after the commit.

Keys are slash-separated names chosen by the code, never by a user
(``letters/<random>.pdf``, ``reports/<consultation>-<lang>-<fingerprint>.pdf``,
``exports/<job>.xlsx``).

Usage::

    from consult import storage

    storage.save("exports/12.csv", fileobj)      # returns the size in bytes
    with storage.open("exports/12.csv") as f: ...
    storage.exists(key); storage.size(key); storage.delete(key); storage.keys("reports/1-")
    return storage.send(key, mimetype=..., download_name=...)   # a streamed download
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from flask import Response
from flask import current_app
from flask import stream_with_context

from consult.storage.backend import Backend
from consult.storage.backend import FileMissing
from consult.storage.database import DatabaseBackend
from consult.storage.local import LocalBackend
from consult.storage.s3 import S3Backend

__all__ = [
    "Backend",
    "FileMissing",
    "LocalBackend",
    "save",
    "open",
    "exists",
    "size",
    "delete",
    "keys",
    "send",
]

CHUNK = 64 * 1024
_KEY = re.compile(r"^[a-z0-9_-]+(/[A-Za-z0-9_.-]+)+$")

#: Backend classes by the name ``FILE_STORAGE`` gives (its part before ``:``, if any).
BACKENDS: dict[str, type[Backend]] = {
    "local": LocalBackend,
    "database": DatabaseBackend,
    "s3": S3Backend,
}


def backend() -> Backend:
    """The app's backend, made once per app from its settings."""
    extension = current_app.extensions.get("consult.storage")
    if extension is None:
        setting = current_app.config.get("FILE_STORAGE") or "local"
        name = setting.split(":", 1)[0]
        if name not in BACKENDS:
            raise RuntimeError(f"FILE_STORAGE={setting!r}: unknown backend {name!r}")
        extension = current_app.extensions["consult.storage"] = BACKENDS[name].from_app(
            current_app, setting
        )
    return extension


def _checked(key: str) -> str:
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def save(key: str, source: BinaryIO) -> int:
    """Store what ``source`` reads under ``key`` (replacing it); return the size in bytes.

    Readers never see half a file: a backend makes the file visible only once it is whole.
    """
    return backend().save(_checked(key), source)


@contextmanager
def open(key: str) -> Iterator[BinaryIO]:  # noqa: A001 - the module's verb, like io.open
    """Read a stored file; raises ``FileMissing`` when there is none."""
    with backend().open(_checked(key)) as stream:
        yield stream


def exists(key: str) -> bool:
    return backend().exists(_checked(key))


def size(key: str) -> int | None:
    """The stored size in bytes, or None when there is no such file."""
    return backend().size(_checked(key))


def delete(key: str) -> None:
    """Remove a stored file; removing one that is not there is not an error."""
    backend().delete(_checked(key))


def keys(prefix: str) -> list[str]:
    """The stored keys that start with ``prefix``."""
    return backend().keys(prefix)


def send(
    key: str,
    *,
    mimetype: str,
    download_name: str | None = None,
    inline: bool = False,
    cache: str = "private, no-store",
) -> Response:
    """Answer with a stored file, streamed in chunks (constant memory at any size).

    Raises ``FileMissing`` when there is none: the caller decides between 404 and a rebuild.
    """
    length = size(key)
    if length is None:
        raise FileMissing(key)

    def chunks():
        with open(key) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk

    response = Response(stream_with_context(chunks()), mimetype=mimetype)
    response.content_length = length
    if download_name:
        response.headers.set(
            "Content-Disposition",
            "inline" if inline else "attachment",
            filename=download_name,
        )
    response.headers["Cache-Control"] = cache
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
