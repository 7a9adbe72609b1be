"""The stored-files API, on the backend the test app uses."""

import io

import pytest

from consult import storage


def test_save_open_size_keys_delete(app):
    with app.app_context():
        assert storage.save("exports/t-1.csv", io.BytesIO(b"a;b\n1;2\n")) == 8
        assert storage.exists("exports/t-1.csv")
        assert storage.size("exports/t-1.csv") == 8
        with storage.open("exports/t-1.csv") as f:
            assert f.read() == b"a;b\n1;2\n"
        storage.save("exports/t-1.csv", io.BytesIO(b"new"))
        assert storage.size("exports/t-1.csv") == 3
        assert "exports/t-1.csv" in storage.keys("exports/t-")
        storage.delete("exports/t-1.csv")
        storage.delete("exports/t-1.csv")
        assert not storage.exists("exports/t-1.csv")
        assert storage.size("exports/t-1.csv") is None
        with pytest.raises(storage.FileMissing), storage.open("exports/t-1.csv"):
            pass


@pytest.mark.parametrize("key", ["../etc/passwd", "exports/../x", "/abs", "exports", "a b/c"])
def test_keys_from_outside_are_refused(app, key):
    with app.app_context(), pytest.raises(ValueError):
        storage.save(key, io.BytesIO(b"x"))


def test_send_streams_with_length_and_no_store(app):
    with app.test_request_context():
        storage.save("exports/t-2.csv", io.BytesIO(b"x" * 200_000))
        response = storage.send("exports/t-2.csv", mimetype="text/csv", download_name="svar.csv")
        assert response.content_length == 200_000
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "svar.csv" in response.headers["Content-Disposition"]
        assert b"".join(response.response) == b"x" * 200_000
        with pytest.raises(storage.FileMissing):
            storage.send("exports/none.csv", mimetype="text/csv")
