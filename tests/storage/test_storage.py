"""The stored-files API: the same tests on every backend (local disk, the database, S3).

The database backend runs on the suite's database, so on SQLite and, in the second run,
on PostgreSQL; S3 against a real S3-compatible server (tests/storage/conftest.py).
"""

import hashlib
import io
import tracemalloc

import pytest

from consult import storage

MIB = 1024 * 1024


#: A block of bytes that does not repeat within a chunk or an upload part's boundaries.
BLOCK = bytes(range(251)) * 4177


class Generated(io.RawIOBase):
    """``size`` bytes of a repeating pattern, made as they are read (never held whole)."""

    def __init__(self, size: int):
        self.left = size
        self.position = 0

    def readable(self):
        return True

    def readinto(self, target):
        size = min(len(target), self.left, len(BLOCK) - 251)
        start = self.position % 251
        target[:size] = BLOCK[start : start + size]
        self.position += size
        self.left -= size
        return size


def pattern_digest(size: int) -> str:
    digest = hashlib.sha256()
    source = io.BufferedReader(Generated(size), MIB)
    while chunk := source.read(MIB):
        digest.update(chunk)
    return digest.hexdigest()


def test_save_open_size_keys_delete(app, store):
    with app.app_context():
        assert storage.save("exports/t-1.csv", io.BytesIO(b"a;b\n1;2\n")) == 8
        assert storage.exists("exports/t-1.csv")
        assert storage.size("exports/t-1.csv") == 8
        with storage.open("exports/t-1.csv") as f:
            assert f.read() == b"a;b\n1;2\n"
        storage.save("exports/t-1.csv", io.BytesIO(b"new"))
        assert storage.size("exports/t-1.csv") == 3
        with storage.open("exports/t-1.csv") as f:
            assert f.read() == b"new"
        assert "exports/t-1.csv" in storage.keys("exports/t-")
        storage.delete("exports/t-1.csv")
        storage.delete("exports/t-1.csv")
        assert not storage.exists("exports/t-1.csv")
        assert storage.size("exports/t-1.csv") is None
        with pytest.raises(storage.FileMissing), storage.open("exports/t-1.csv"):
            pass


def test_an_empty_file_is_a_file(app, store):
    with app.app_context():
        assert storage.save("exports/empty.csv", io.BytesIO(b"")) == 0
        assert storage.size("exports/empty.csv") == 0
        with storage.open("exports/empty.csv") as f:
            assert f.read() == b""


def test_keys_match_the_prefix_exactly(app, store):
    with app.app_context():
        for key in (
            "reports/1-da-a.pdf",
            "reports/1-en-a.pdf",
            "reports/12-da-b.pdf",
            "exports/a_b.csv",
            "exports/axb.csv",
        ):
            storage.save(key, io.BytesIO(b"x"))
        assert storage.keys("reports/1-") == ["reports/1-da-a.pdf", "reports/1-en-a.pdf"]
        assert storage.keys("reports/1-da-") == ["reports/1-da-a.pdf"]
        # "_" and "%" are SQL wildcards: they must match only themselves.
        assert storage.keys("exports/a_") == ["exports/a_b.csv"]
        assert storage.keys("exports/a%") == []
        assert storage.keys("letters/") == []


@pytest.mark.parametrize("key", ["../etc/passwd", "exports/../x", "/abs", "exports", "a b/c"])
def test_keys_from_outside_are_refused(app, key):
    with app.app_context(), pytest.raises(ValueError):
        storage.save(key, io.BytesIO(b"x"))


def test_send_streams_with_length_and_no_store(app, store):
    with app.test_request_context():
        storage.save("exports/t-2.csv", io.BytesIO(b"x" * 200_000))
        response = storage.send("exports/t-2.csv", mimetype="text/csv", download_name="svar.csv")
        assert response.content_length == 200_000
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "svar.csv" in response.headers["Content-Disposition"]
        assert b"".join(response.response) == b"x" * 200_000
        with pytest.raises(storage.FileMissing):
            storage.send("exports/none.csv", mimetype="text/csv")


def test_a_large_file_goes_in_and_out_in_constant_memory(app, store):
    """64 MiB in and out while Python never holds more than a few chunks of it."""
    size = 64 * MIB
    with app.app_context():
        tracemalloc.start()
        try:
            assert (
                storage.save("exports/large.bin", io.BufferedReader(Generated(size), MIB)) == size
            )
            _, peak_in = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            digest, read = hashlib.sha256(), 0
            with storage.open("exports/large.bin") as f:
                while chunk := f.read(storage.CHUNK):
                    digest.update(chunk)
                    read += len(chunk)
            _, peak_out = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert read == size == storage.size("exports/large.bin")
        assert digest.hexdigest() == pattern_digest(size)
        # A quarter of the file would be far more than any chunk or upload part.
        assert peak_in < size / 4, peak_in
        assert peak_out < size / 4, peak_out
        storage.delete("exports/large.bin")
