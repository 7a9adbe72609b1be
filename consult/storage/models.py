"""Stored files kept in the app's own database (``FILE_STORAGE=database``), in chunks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from consult.db import UTCDateTime
from consult.db import utcnow
from consult.extensions import db


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The storage key, e.g. "letters/3f…9a.pdf" (chosen by the code, checked by consult.storage).
    key: Mapped[str] = mapped_column(String(300), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoredChunk(db.Model):
    """One piece of a stored file: read and written one at a time, so memory stays flat."""

    __tablename__ = "stored_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True
    )
    #: 0, 1, 2 … in the file's order.
    number: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
