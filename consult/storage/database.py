"""Stored files in the app's own database (``FILE_STORAGE=database``): every app server that
reaches the database reaches them, with no other service to run.

A file is a ``stored_files`` row and its ``stored_chunks`` (``CHUNK_BYTES`` each), written and
read one chunk at a time, so a file of any size passes through in constant memory. It works in
the caller's transaction: a saved or deleted file counts once the caller commits, together with
the rows that point at it, and other readers never see half a file.
"""

from __future__ import annotations

import io
from contextlib import contextmanager

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from consult.db import utcnow
from consult.extensions import db
from consult.storage.backend import Backend
from consult.storage.backend import FileMissing
from consult.storage.models import StoredChunk
from consult.storage.models import StoredFile

#: Bytes per chunk row: large enough to keep the rows few, small enough for any driver.
CHUNK_BYTES = 512 * 1024


class _ChunkReader(io.RawIOBase):
    """Read a stored file chunk by chunk, asking the database for one chunk at a time."""

    def __init__(self, file_id: int):
        self.file_id = file_id
        self.number = 0
        self.buffer = b""
        self.done = False

    def readable(self):
        return True

    def readinto(self, target):
        while not self.buffer and not self.done:
            data = db.session.scalar(
                select(StoredChunk.data).where(
                    StoredChunk.file_id == self.file_id, StoredChunk.number == self.number
                )
            )
            if data is None:
                self.done = True
            else:
                self.buffer = bytes(data)
                self.number += 1
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


class DatabaseBackend(Backend):
    @classmethod
    def from_app(cls, app, setting):
        return cls()

    def _id(self, key: str) -> int | None:
        return db.session.scalar(select(StoredFile.id).where(StoredFile.key == key))

    def save(self, key, source):
        self.delete(key)
        file_id = db.session.execute(
            insert(StoredFile)
            .values(key=key, size_bytes=0, created_at=utcnow())
            .returning(StoredFile.id)
        ).scalar_one()
        written = number = 0
        while True:
            chunk = source.read(CHUNK_BYTES)
            # A short read is not the end (a socket, a pipe): fill the chunk up.
            while (
                chunk
                and len(chunk) < CHUNK_BYTES
                and (more := source.read(CHUNK_BYTES - len(chunk)))
            ):
                chunk += more
            if not chunk:
                break
            db.session.execute(
                insert(StoredChunk).values(file_id=file_id, number=number, data=chunk)
            )
            written += len(chunk)
            number += 1
        db.session.execute(
            update(StoredFile).where(StoredFile.id == file_id).values(size_bytes=written)
        )
        return written

    @contextmanager
    def open(self, key):
        file_id = self._id(key)
        if file_id is None:
            raise FileMissing(key)
        with io.BufferedReader(_ChunkReader(file_id), CHUNK_BYTES) as stream:
            yield stream

    def size(self, key):
        return db.session.scalar(select(StoredFile.size_bytes).where(StoredFile.key == key))

    def delete(self, key):
        file_id = self._id(key)
        if file_id is not None:
            # Explicitly, not only by the cascade: SQLite may run without foreign keys.
            db.session.execute(delete(StoredChunk).where(StoredChunk.file_id == file_id))
            db.session.execute(delete(StoredFile).where(StoredFile.id == file_id))

    def keys(self, prefix):
        return list(
            db.session.scalars(
                select(StoredFile.key)
                .where(StoredFile.key.startswith(prefix, autoescape=True))
                .order_by(StoredFile.key)
            )
        )
