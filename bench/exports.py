"""Exports: rows/s per format through the export job, beside the raw-cursor baseline, and the
peak memory of each. Run: .venv/bin/python -m bench.exports --db URL [--formats csv,xlsx,json,docx]

Each measurement runs in a process of its own (so its peak RSS is its own):

- ``raw-cursor``: the export's query, on the database driver's cursor, each row as it comes
  into Python's ``csv.writer`` (no words, no masking, no safe cells): the floor for Python;
- ``raw-copy`` (PostgreSQL): ``COPY (the same query) TO STDOUT``, the floor for the server;
- ``csv`` ``xlsx`` ``json`` ``docx``: the export job itself (``exports.build``, run as a
  worker runs it, the file stored under a scratch FILE_DIR and removed afterwards).

The database is one made by ``python -m bench.generate``. Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

SLUG = "sundhedsaftale-2024-2027"
KINDS = ("raw-cursor", "raw-copy", "csv", "xlsx", "json", "docx")


def _app(url: str, files: str):
    from consult import create_app
    from consult.config import TestConfig

    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "FILE_DIR": files,
        "SERVER_NAME": None,
        "JOBS_HEARTBEAT_SECONDS": 5,
        # As in production: the memo's charts in a child process (TestConfig draws them here).
        "CHARTS_IN_CHILD": True,
    }
    return create_app(type("BenchConfig", (TestConfig,), settings))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, kind: str) -> dict:
    """Run one measurement in this process; return its figures."""
    from consult import jobs
    from consult import storage
    from consult.drafts.services import get_consultation
    from consult.exports import rows
    from consult.exports.jobs import KIND
    from consult.extensions import db
    from consult.jobs import runner

    with tempfile.TemporaryDirectory(prefix="consult-bench-files-") as files:
        app = _app(url, files)
        with app.app_context():
            consultation = get_consultation(SLUG)
            count = rows.count(consultation.id)
            db.session.commit()
            started = time.perf_counter()
            if kind == "raw-cursor":
                query = rows._query(consultation.id, False)
                compiled = query.compile(
                    dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
                )
                raw = db.engine.raw_connection()
                try:
                    cursor = raw.cursor()
                    cursor.execute(str(compiled))
                    with open(os.devnull, "w", newline="") as out:
                        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
                        while batch := cursor.fetchmany(rows.BATCH):
                            writer.writerows(batch)
                finally:
                    raw.close()
            elif kind == "raw-copy":
                if db.engine.dialect.name != "postgresql":
                    return {"kind": kind, "skipped": "PostgreSQL only"}
                query = rows._query(consultation.id, False)
                compiled = query.compile(
                    dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
                )
                raw = db.engine.raw_connection()
                try:
                    statement = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')"
                    with (
                        raw.driver_connection.cursor() as cursor,
                        cursor.copy(statement) as copy,
                        open(os.devnull, "wb") as out,
                    ):
                        for data in copy:
                            out.write(data)
                finally:
                    raw.close()
            else:
                job = jobs.enqueue(
                    KIND,
                    topic="bench",
                    dispatch=False,
                    consultation_id=consultation.id,
                    fmt=kind,
                    lang="da",
                    delimiter=";",
                    public=False,
                )
                db.session.commit()
                state = runner.run(job.id)
                job = db.session.get(jobs.Job, job.id, populate_existing=True)
                if state is not jobs.JobState.DONE:
                    raise RuntimeError(f"{kind}: {job.state} {job.error}")
                size = job.result["size"]
                storage.delete(job.result["key"])
            seconds = time.perf_counter() - started
            result = {
                "kind": kind,
                "database": db.engine.dialect.name,
                "rows": count,
                "seconds": round(seconds, 2),
                "rows_per_s": round(count / seconds),
                "peak_rss_mib": round(_peak_mib()),
            }
            if kind not in ("raw-cursor", "raw-copy"):
                result["file_mib"] = round(size / 2**20, 1)
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if kind == "docx" and children:
                # The chart process (CHARTS_IN_CHILD), which ended before the file was done.
                result["chart_process_peak_mib"] = round(children)
            return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database made by bench.generate")
    parser.add_argument("--formats", default="csv,xlsx,json,docx")
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="run the raw cursor, the raw COPY and the CSV this many times, in turn, and keep"
        " the best of each"
        " (the machine's other work makes single runs noisy)",
    )
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.db, args.one)))
        return
    formats = args.formats.split(",")
    # The floors and the CSV in turn, so a burst of the machine's other work hits them alike.
    paired = ["raw-cursor", "raw-copy", "csv"] if "csv" in formats else ["raw-cursor", "raw-copy"]
    kinds = [*paired * args.repeat, *(f for f in formats if f != "csv")]
    results = []
    for kind in kinds:
        done = subprocess.run(  # noqa: S603 - this very module, with our own arguments
            [sys.executable, "-m", "bench.exports", "--db", args.db, "--one", kind],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{kind}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if "skipped" in result:
            continue
        print(json.dumps(result), file=sys.stderr, flush=True)
        same = next((r for r in results if r["kind"] == kind), None)
        if same is None:
            results.append(result)
        elif result["rows_per_s"] > same["rows_per_s"]:
            results[results.index(same)] = result
    baseline = next((r for r in results if r["kind"] == "raw-cursor"), None)
    copy = next((r for r in results if r["kind"] == "raw-copy"), None)

    def ratio(r, base) -> str:
        return f"{r['rows_per_s'] / base['rows_per_s']:.2f}" if base else "-"

    print(f"{'kind':<11} {'database':<10} {'rows':>9} {'seconds':>8} {'rows/s':>8} "
          f"{'× raw cursor':>12} {'× raw COPY':>10} {'peak RSS':>9} {'file':>9}")  # fmt: skip
    for r in results:
        file = f"{r['file_mib']} MiB" if "file_mib" in r else ""
        print(
            f"{r['kind']:<11} {r['database']:<10} {r['rows']:>9,} {r['seconds']:>8} "
            f"{r['rows_per_s']:>8,} {ratio(r, baseline):>12} {ratio(r, copy):>10} "
            f"{r['peak_rss_mib']:>5} MiB {file:>9}"
        )


if __name__ == "__main__":
    main()
