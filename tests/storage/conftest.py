"""Each storage backend, for the same tests: local disk, the test database, and S3.

S3 is a real S3-compatible server over HTTP: moto's standalone server (``moto_server``, from
PyPI's ``moto[server]``), started once per run on a free port, in a process of its own.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from consult import storage
from consult.storage.local import LocalBackend
from consult.storage.s3 import S3Backend


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a running S3-compatible server, or skip saying why there is none."""
    program = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    if not Path(program).exists():
        pytest.skip("no S3-compatible server: install the test extras (moto[server])")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [program, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("moto_server stopped at once")
                time.sleep(0.05)
        else:
            pytest.fail("moto_server did not start listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


S3_KEYS = {
    "S3_ACCESS_KEY_ID": "test",
    "S3_SECRET_ACCESS_KEY": "test-secret",
    "S3_REGION": "eu-north-1",
}


def s3_backend(app, endpoint: str, bucket: str, prefix: str = "consult") -> S3Backend:
    """An S3 backend made the way the app makes it, on a fresh bucket."""
    settings = dict(S3_KEYS, S3_ENDPOINT_URL=endpoint)
    fake = type("App", (), {"config": settings})()
    backend = S3Backend.from_app(fake, f"s3://{bucket}/{prefix}")
    backend.client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
    )
    return backend


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
        backend = s3_backend(
            app, request.getfixturevalue("s3_server"), f"t-{uuid.uuid4().hex[:12]}"
        )
    before = app.extensions.get("consult.storage")
    app.extensions["consult.storage"] = backend
    yield backend_name
    if before is None:
        app.extensions.pop("consult.storage", None)
    else:
        app.extensions["consult.storage"] = before
