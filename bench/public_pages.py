"""Benchmark: the public goal page and the API's first page, against a bare Flask hello world.

Two measurements, both on databases made by ``python -m bench.generate --inputs N [--db URL]``:

``cost`` (default): through the Flask test client (no network), per database: the SQL
statements and the median time of one request for the goal page with the most published input
(page 1 of 20), the API's first page of 20, a deep keyset page (``after=``) and a 304 (the
goal page asked again with its ETag). Run it on 10k, 100k and 1M inputs to see the cost stay
flat::

    .venv/bin/python -m bench.public_pages cost --db sqlite:////tmp/a.db --db sqlite:////tmp/b.db

``wrk``: a bare Flask hello world and the app, each under gunicorn (2 sync workers) and
``wrk -t2 -c8 -d5s``, in one run, in rounds (hello world, then each page); prints the median
requests per second and the median of each round's share of the hello world's (target: 25 %)::

    .venv/bin/python -m bench.public_pages wrk --db sqlite:////tmp/consult_100k.db

Results go in docs/performance.md; no test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

HELLO = """
from flask import Flask
app = Flask(__name__)

@app.route("/")
def hello():
    return "Hello, World!"
"""

APP = """
import os
from consult import create_app
from consult.config import Config

class Bench(Config):
    SQLALCHEMY_DATABASE_URI = os.environ["BENCH_DB"]
    RATELIMIT_ENABLED = False
    API_RATE_LIMIT = "1000000 per second"

app = create_app(Bench)
"""


def _targets(app) -> dict[str, str]:
    """The goal with the most published input, and the URLs to ask."""
    from consult.demo import OPEN_DEMO
    from consult.drafts.models import Item
    from consult.extensions import db
    from consult.readside.upkeep import COUNTS

    with app.app_context():
        if not db.session.scalar(select(func.count()).select_from(COUNTS)):
            # A database fresh from bench.generate: its published input has no kept counts
            # and no stored HTML yet (what `flask consult recount` makes). Make them once.
            from consult.readside.upkeep import fill_public_html
            from consult.readside.upkeep import recount

            print("No kept counts yet: recounting (flask consult recount) …", flush=True)
            recount()
            db.session.commit()
            fill_public_html()
            db.session.commit()
        item_id, _n = db.session.execute(
            select(COUNTS.c.item_id, func.sum(COUNTS.c.n))
            .group_by(COUNTS.c.item_id)
            .order_by(func.sum(COUNTS.c.n).desc())
            .limit(1)
        ).one()
        key = db.session.get(Item, item_id).key
    return {
        "goal page": f"/consultations/{OPEN_DEMO}/items/{key}/input",
        "API page 1": f"/api/v1/consultations/{OPEN_DEMO}/inputs?per_page=20",
    }


def cost(urls: list[str], runs: int) -> None:
    from consult import create_app
    from consult.config import TestConfig
    from consult.extensions import db
    from consult.readside.upkeep import COUNTS

    print(f"{'db':<10} {'inputs':>10} {'published':>10}  {'request':<22} {'median':>8} {'SQL':>4}")
    for url in urls:
        config = {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None, "RATELIMIT_ENABLED": False}
        app = create_app(type("Bench", (TestConfig,), config))
        client = app.test_client()
        statements = 0

        def count(*_args):
            nonlocal statements
            statements += 1

        from consult.responses.models import Input

        with app.app_context():
            dialect = db.engine.dialect.name
            inputs = db.session.scalar(select(func.count()).select_from(Input))
            shown = db.session.scalar(select(func.sum(COUNTS.c.n)))
            event.listen(db.engine, "before_cursor_execute", count)
        targets = _targets(app)
        middle = max(1, (shown or 0) // 2)
        api = targets["API page 1"]
        with app.app_context():
            from consult.moderation.models import Contribution

            middle_id = db.session.scalar(
                select(Contribution.input_id)
                .where(Contribution.input_id.is_not(None))
                .order_by(Contribution.input_id)
                .offset(middle)
                .limit(1)
            )
        goal = client.get(targets["goal page"])
        etag = goal.headers["ETag"]
        cases = [
            ("goal page", targets["goal page"], {}),
            ("goal page, 304", targets["goal page"], {"If-None-Match": etag}),
            ("API page 1", api, {}),
            ("API, keyset mid-way", f"{api}&after={middle_id}", {}),
        ]
        for name, path, headers in cases:
            client.get(path, headers=headers)  # warm up
            times = []
            for _ in range(runs):
                statements = 0
                start = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code in (200, 304), (path, response.status_code)
            print(
                f"{dialect:<10} "
                f"{inputs:>10,} {shown or 0:>10,}  {name:<22} "
                f"{statistics.median(times):>5.1f} ms {statements:>4}"
            )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, seconds: int) -> float:
    command = [shutil.which("wrk") or "wrk", "-t2", "-c8", f"-d{seconds}s", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed answers\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def _ready(port: int, path: str) -> None:
    """Wait until every worker answers (the app takes seconds to import on a busy machine)."""
    import urllib.request

    deadline = time.monotonic() + 120
    answered = 0
    while answered < 10 and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:  # noqa: S310
                answered += answer.status == 200
        except OSError:
            time.sleep(0.5)


def _serve(folder: Path, module: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-k",
        "sync",
        "--log-level",
        "warning",
        "-b",
        f"127.0.0.1:{port}",
        f"{module}:app",
    ]
    process = subprocess.Popen(gunicorn, cwd=folder, env=env)  # noqa: S603
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    return process, port


def wrk(url: str, seconds: int, rounds: int, extra: list[str] | None = None) -> None:
    from consult import create_app
    from consult.config import TestConfig

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    targets = _targets(app)
    targets.update({path: path for path in extra or []})
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "hello_app.py").write_text(HELLO)
        Path(folder, "bench_app.py").write_text(APP)
        env = {
            **os.environ,
            "PYTHONPATH": f"{folder}{os.pathsep}{root}",
            "BENCH_DB": url,
            "CONSULT_SECRET_KEY": secrets.token_urlsafe(48),
        }
        servers = [_serve(Path(folder), module, env) for module in ("hello_app", "bench_app")]
        (_hello_process, hello_port), (_app_process, app_port) = servers
        urls = {"hello world": f"http://127.0.0.1:{hello_port}/"}
        urls.update(
            {label: f"http://127.0.0.1:{app_port}{path}" for label, path in targets.items()}
        )
        results: dict[str, list[float]] = {label: [] for label in urls}
        try:
            _ready(hello_port, "/")
            for path in targets.values():
                _ready(app_port, path)
            for target in urls.values():
                _wrk(target, 2)  # warm up
            # Rounds, each measuring the hello world and then every page: the machine's load
            # changes from minute to minute, so each ratio compares neighbouring measurements.
            for _round in range(rounds):
                for label, target in urls.items():
                    results[label].append(_wrk(target, seconds))
        finally:
            for process, _port in servers:
                process.terminate()
                process.wait(timeout=30)
    hello = results.pop("hello world")
    print(f"gunicorn 2 sync workers, wrk -t2 -c8 -d{seconds}s, {rounds} rounds, {url}")
    print(f"{'hello world':<14} {statistics.median(hello):>9.0f} req/s (median)")
    for label, rates in results.items():
        ratios = [rate / base for rate, base in zip(rates, hello, strict=True)]
        print(
            f"{label:<14} {statistics.median(rates):>9.0f} req/s  "
            f"{statistics.median(ratios):6.1%} of hello world "
            f"(rounds: {', '.join(f'{r:.0%}' for r in ratios)})"
        )


def inprocess(url: str, runs: int) -> None:
    """CPU per request in this process, the app's WSGI callable against a hello world's.

    No server and no network: steadier than wrk on a shared machine, and it shows what the
    application itself costs per request (gunicorn adds the same fixed cost to both).
    """
    from flask import Flask
    from werkzeug.test import EnvironBuilder

    from consult import create_app
    from consult.config import Config

    config = {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    config["SECRET_KEY"] = secrets.token_urlsafe(48)
    app = create_app(type("Bench", (Config,), config))
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, World!")
    targets = _targets(app)

    def per_request(wsgi, path: str, query: str = "") -> float:
        environ = EnvironBuilder(path=path, query_string=query).get_environ()

        def call():
            body = wsgi(dict(environ), lambda *a: None)
            for _chunk in body:
                pass
            getattr(body, "close", lambda: None)()

        for _ in range(100):
            call()
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            for _ in range(runs):
                call()
            best = min(best, (time.process_time() - start) / runs * 1000)
        return best

    base = per_request(hello.wsgi_app, "/")
    print(f"in-process CPU per request (best of 5 × {runs}), {url}")
    print(f"{'hello world':<14} {base:7.3f} ms")
    for label, target in targets.items():
        path, _sep, query = target.partition("?")
        cost_ms = per_request(app.wsgi_app, path, query)
        print(f"{label:<14} {cost_ms:7.3f} ms  {base / cost_ms:6.1%} of hello world's rate")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["cost", "wrk", "cpu"], nargs="?", default="cost")
    parser.add_argument("--db", action="append", required=True, help="generated database(s)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--path", action="append", help="wrk: another path to measure too")
    args = parser.parse_args()
    if args.mode == "cost":
        cost(args.db, args.runs)
    elif args.mode == "cpu":
        for url in args.db:
            inprocess(url, args.runs * 30)
    else:
        wrk(args.db[0], args.seconds, args.rounds, args.path)


if __name__ == "__main__":
    main()
