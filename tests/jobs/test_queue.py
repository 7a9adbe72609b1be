"""One setting chooses where the queue lives: a SQLite file, Redis or PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from consult import create_app
from consult.config import TestConfig
from consult.jobs.queue import job_queue
from consult.jobs.queue import make_huey
from tests import helpers


def _queues(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'queue.db'}", None
    yield "redis", "redis://127.0.0.1:6379/0", None
    if helpers.is_postgres():
        url = helpers.create_database(helpers.DATABASE_URL, "queue")
        yield "postgresql", url, lambda: helpers.drop_database(helpers.DATABASE_URL, url)


@pytest.mark.no_db
def test_each_kind_of_queue_carries_ids_now_and_later(tmp_path):
    seen = []
    for kind, url, cleanup in _queues(tmp_path):
        name = f"consult_test_{uuid.uuid4().hex[:8]}"
        app = create_app(type("Q", (TestConfig,), {"JOBS_URL": url, "JOBS_NAME": name}))
        queue = job_queue.of(app)
        try:
            queue.dispatch(42)
            queue.dispatch(43, delay=3600)
            queue.kick("mail.send")
            huey = queue.huey
            assert queue.pending() == 3, kind
            now, later, kick = huey.dequeue(), huey.dequeue(), huey.dequeue()
            assert (now.name, now.args, now.eta) == ("run_job", (42,), None), kind
            # A worker that takes it early puts it in the schedule until then.
            assert (later.args, huey.ready_to_run(later)) == ((43,), False), kind
            assert (kick.name, kick.args) == ("run_scheduled", ("mail.send",)), kind
            assert queue.pending() == 0
            # The scheduled ones every worker runs: the sweep and the outbox, each minute;
            # the retention purge each night.
            assert {t.name for t in huey._registry.periodic_tasks} == {
                "every_jobs_sweep",
                "every_mail_send",
                "every_privacy_purge",
            }
            seen.append(kind)
        finally:
            huey.flush()
            if kind == "redis":
                huey.storage.conn.delete(*huey.storage.conn.keys(f"huey.*{name}*") or ["-"])
                huey.storage.pool.disconnect()
            else:
                huey.storage.close()
            if cleanup:
                cleanup()
    assert seen[:2] == ["sqlite", "redis"]


def test_an_unknown_queue_is_refused():
    with pytest.raises(ValueError, match="no queue for 'amqp'"):
        make_huey("amqp://127.0.0.1/", "consult")
    with pytest.raises(ValueError, match="needs a file"):
        make_huey("sqlite://", "consult")
