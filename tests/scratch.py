"""Scratch databases for tests that need their own (migrations, a live server)."""

from __future__ import annotations

import os
import tempfile
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def describe(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.get_backend_name()} {parsed.database or '(memory)'}"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def create(base_url: str, label: str) -> str:
    """Create an empty database next to ``base_url``; return its URL."""
    if not is_postgres(base_url):
        fd, path = tempfile.mkstemp(prefix=f"consult-{label}-", suffix=".db")
        os.close(fd)
        return f"sqlite:///{path}"
    name = f"consult_{label}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop(base_url: str, url: str) -> None:
    """Drop a database made by ``create``."""
    if not is_postgres(base_url):
        path = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            if path and os.path.exists(path + suffix):
                os.unlink(path + suffix)
        return
    name = make_url(url).database
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
