"""Stored files in a folder on this machine's disk: the default, right for one machine."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from consult.storage.backend import Backend
from consult.storage.backend import FileMissing


class LocalBackend(Backend):
    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def from_app(cls, app, setting):
        return cls(Path(app.config.get("FILE_DIR") or Path(app.instance_path, "files")))

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def save(self, key, source):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".saving-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(source, out, 64 * 1024)
                written = out.tell()
            os.replace(temporary, path)  # whole or not at all
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return written

    @contextmanager
    def open(self, key):
        try:
            stream = self._path(key).open("rb")
        except FileNotFoundError:
            raise FileMissing(key) from None
        with stream:
            yield stream

    def size(self, key):
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix):
        folder, _, start = prefix.rpartition("/")
        directory = self._path(folder) if folder else self.root
        if not directory.is_dir():
            return []
        return sorted(
            f"{folder}/{entry.name}" if folder else entry.name
            for entry in directory.iterdir()
            if entry.is_file() and entry.name.startswith(start) and not entry.name.startswith(".")
        )
