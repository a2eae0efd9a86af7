"""Where each page's time goes: in-process, one request at a time, repeated (issue 20 item 1).

    .venv/bin/python -m bench.profile --database-url sqlite:////tmp/nrs-bench.db [--repeat 20]

For every page line of bench/run.py (``run.page_urls``) it logs the bench admin in through the app's
test client and requests the page ``--repeat`` times after two warm-ups. Each request's wall time is
split, exclusively (a nested piece is charged to itself, never to its caller too), into

- ``sql``: the driver's ``cursor.execute`` (SQLAlchemy's before/after_cursor_execute events);
- ``orm``: SQLAlchemy ORM work around it (``Session.execute``/``get``/``flush`` and turning the
  result rows into objects, which happens while the result is fetched);
- ``form``: building, validating and rendering WTForms forms and fields (a select's options);
- ``render``: Jinja template rendering (``flask.templating._render``) less the above inside it;
- ``log``: the access-log write (``nrs.privacy.services._write``);
- ``rest``: everything else (routing, security hooks, the view's own Python, the session commit).

Printed as one table per database (means in ms; ``p50`` is the median total), with the number of
statements per request. bench/run.py runs it as its ``profile`` step beside the load figures.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from nrs.security import access

PARTS = ("sql", "orm", "form", "render", "log", "rest")


class Clock:
    """Exclusive time per part: the innermost open part is charged until it closes."""

    def __init__(self):
        self.active = False
        self.totals: dict[str, float] = defaultdict(float)
        self.stack = ["rest"]
        self.last = 0.0
        self.statements = 0

    def start(self):
        self.totals = defaultdict(float)
        self.stack = ["rest"]
        self.statements = 0
        self.last = time.perf_counter()
        self.active = True

    def stop(self) -> dict[str, float]:
        self._charge()
        self.active = False
        return dict(self.totals)

    def _charge(self):
        now = time.perf_counter()
        self.totals[self.stack[-1]] += now - self.last
        self.last = now

    def enter(self, part: str):
        if self.active:
            self._charge()
            self.stack.append(part)

    def leave(self):
        if self.active and len(self.stack) > 1:
            self._charge()
            self.stack.pop()

    @contextmanager
    def part(self, name: str):
        self.enter(name)
        try:
            yield
        finally:
            self.leave()


CLOCK = Clock()


def _timed(part: str, fn):
    def wrapper(*args, **kwargs):
        CLOCK.enter(part)
        try:
            return fn(*args, **kwargs)
        finally:
            CLOCK.leave()

    wrapper.__wrapped__ = fn
    return wrapper


def instrument() -> None:
    """Wrap the pieces once per process (idempotent)."""
    import flask.templating
    import wtforms.fields.core
    import wtforms.form
    from sqlalchemy.engine import result as sa_result
    from sqlalchemy.orm import Session

    import nrs.privacy.services as privacy

    if getattr(instrument, "done", False):
        return
    instrument.done = True

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(*_a, **_k):
        CLOCK.statements += 1
        CLOCK.enter("sql")

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(*_a, **_k):
        CLOCK.leave()

    @event.listens_for(Engine, "handle_error")
    def _error(*_a, **_k):
        CLOCK.leave()

    for name in ("execute", "get", "flush", "scalars", "scalar"):
        setattr(Session, name, _timed("orm", getattr(Session, name)))
    init = sa_result.ChunkedIteratorResult.__init__

    def chunked_init(self, metadata, chunks, *args, **kwargs):
        def timed_chunks(size):
            gen = chunks(size)
            while True:
                CLOCK.enter("orm")
                try:
                    item = next(gen)
                except StopIteration:
                    return
                finally:
                    CLOCK.leave()
                yield item

        init(self, metadata, timed_chunks, *args, **kwargs)

    sa_result.ChunkedIteratorResult.__init__ = chunked_init
    wtforms.form.FormMeta.__call__ = _timed("form", wtforms.form.FormMeta.__call__)
    wtforms.form.BaseForm.validate = _timed("form", wtforms.form.BaseForm.validate)
    wtforms.fields.core.Field.__call__ = _timed("form", wtforms.fields.core.Field.__call__)
    flask.templating._render = _timed("render", flask.templating._render)
    privacy._write = _timed("log", privacy._write)


def _login(client, email: str, password: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    r = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    if r.status_code != 302:
        raise SystemExit(f"profile: login failed ({r.status_code})")


def make_app(url: str):
    from bench.run import SECRET
    from nrs import create_app, served
    from nrs.config import Settings

    return served(create_app(Settings(instance_path=Path(tempfile.mkdtemp()), database_url=url, secret_key=SECRET,
                                      run_scheduler=False, admin_totp_required=False)))


def campaign_id(url: str) -> int | None:
    from nrs.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return c.execute(sa.text("SELECT min(campaign_id) FROM campaign_targets")).scalar()
    finally:
        engine.dispose()


def profile(url: str, urls: dict[str, str] | None = None, *, repeat: int = 20) -> list[dict]:
    """One row per page: p50 and mean total, mean of each part (ms), statements per request."""
    from bench.generate import BENCH_ADMIN, BENCH_PASSWORD
    from bench.run import page_urls

    if urls is None:
        urls = page_urls(url, SimpleNamespace(campaign_id=campaign_id(url)))
    instrument()
    app = make_app(url)
    app.add_url_rule("/_bench/floor", "bench_floor", _floor)
    urls = {"constant route (floor)": "/_bench/floor", **urls}
    rows = []
    try:
        client = app.test_client()
        _login(client, BENCH_ADMIN, BENCH_PASSWORD)
        for name, path in urls.items():
            for _ in range(2):
                status = client.get(path).status_code
            totals, parts, statements = [], defaultdict(list), 0
            for _ in range(repeat):
                CLOCK.start()
                t0 = time.perf_counter()
                response = client.get(path)
                total = time.perf_counter() - t0
                got = CLOCK.stop()
                statements = CLOCK.statements
                status = response.status_code
                totals.append(total * 1000)
                for p in PARTS:
                    parts[p].append(got.get(p, 0.0) * 1000)
            rows.append({"page": name, "path": path, "status": status, "p50": statistics.median(totals),
                         "mean": statistics.fmean(totals), "statements": statements,
                         **{p: statistics.fmean(parts[p]) for p in PARTS}})
    finally:
        app.extensions["nrs_engine"].dispose()
    return rows


@access("public")
def _floor():
    return "ok"


def table(rows: list[dict], title: str) -> str:
    head = ("page", "p50", "mean", *PARTS, "stmts", "status")
    body = [(r["page"], *(f"{r[k]:.1f}" for k in ("p50", "mean", *PARTS)), str(r["statements"]),
             str(r["status"])) for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    out = [title, "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths,
                                                                                                  strict=True)))]
    out.append("-" * len(out[-1]))
    for r in body:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                                  strict=True))))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Per-page profile, in-process (ms per request, means).")
    p.add_argument("--database-url", required=True, help="a generated database (bench/generate.py)")
    p.add_argument("--repeat", type=int, default=20)
    args = p.parse_args(argv)
    from nrs.config import normalise_database_url

    url = normalise_database_url(args.database_url)
    rows = profile(url, repeat=args.repeat)
    print(table(rows, f"Per-page profile, {sa.make_url(url).get_backend_name()}, {args.repeat} requests each, "
                      "ms (means; p50 = median total)"))


if __name__ == "__main__":
    main()
