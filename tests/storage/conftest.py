"""Each storage backend, for the same tests: local disk, the test database, and S3.

S3 is a real S3-compatible server over HTTP (``tests.helpers.S3Server``: moto's standalone
server), started once per run.
"""

from __future__ import annotations

import uuid

import pytest

from consult import storage
from consult.storage.local import LocalBackend
from tests.helpers import S3Server


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server.start()
    yield server
    server.stop()


@pytest.fixture(params=["local", "database", "s3"])
def backend_name(request):
    return request.param


@pytest.fixture
def store(request, app, backend_name, tmp_path):
    """Switch the app to one backend for the test; yield its name."""
    if backend_name == "local":
        backend = LocalBackend(tmp_path / "files")
    elif backend_name == "database":
        backend = storage.DatabaseBackend()
    else:
        backend = request.getfixturevalue("s3_server").backend(f"t-{uuid.uuid4().hex[:12]}")
    before = app.extensions.get("consult.storage")
    app.extensions["consult.storage"] = backend
    yield backend_name
    if before is None:
        app.extensions.pop("consult.storage", None)
    else:
        app.extensions["consult.storage"] = before
