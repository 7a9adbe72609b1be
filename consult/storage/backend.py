"""What every storage backend does; see ``consult.storage`` for how callers use one."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import BinaryIO


class FileMissing(LookupError):
    """No stored file has this key."""


class Backend:
    """A place for stored files. Keys are checked by ``consult.storage`` before they get here."""

    @classmethod
    def from_app(cls, app, setting: str) -> Backend:
        """Make the backend from the app's settings (``setting`` is ``FILE_STORAGE``)."""
        raise NotImplementedError

    def save(self, key: str, source: BinaryIO) -> int:
        raise NotImplementedError

    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def keys(self, prefix: str) -> list[str]:
        raise NotImplementedError
