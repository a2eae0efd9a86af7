"""The whole benchmark from nothing, on SQLite and PostgreSQL, each figure beside its floor.

    bench/run [--scale 0.1] [--only sqlite|postgresql] [--clients 8] [--workers 4]

For each database: generate the national data set (bench/generate.py) at ``--scale`` (1.0 = the
national size), then measure

- pages under load: p50/p95 with ``--clients`` concurrent clients against gunicorn with
  ``--workers`` workers; floor: a constant-returning route on the same server (bench/wsgi_bench.py);
- company import rows/s (the product's importer); floor: plain executemany of the same rows;
- campaign build and ``nrs reports status``; floor: the bare SQL query for the same rows;
- the period report and the as-of status on the month-end snapshots, against the same at a tenth
  of the history and against the status read from the whole history (goal 5 of issue 17);
- the weekly e-mail for every opted-in user (render and enqueue), messages/s;
- the per-page profile (bench/profile.py): each page line in-process, its time split into SQL, ORM,
  forms, templates, the access log and the rest, printed after the table;

and print one table. Ratio = figure / floor (for rates: floor / figure), so lower is better and
the goal is a ceiling. PostgreSQL runs as tests/pg.py starts it (fsync off: a throw-away server).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-long-enough-to-sign-cookies"


@dataclass
class Line:
    backend: str
    what: str
    figure: float
    floor: float | None
    unit: str
    goal: float | None
    #: rates: higher is better, so the ratio is floor / figure.
    rate: bool = False
    note: str = ""
    #: Why there is no figure (an error page, a crash).
    failed: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.figure or not self.floor:
            return None
        return self.floor / self.figure if self.rate else self.figure / self.floor

    @property
    def verdict(self) -> str:
        if self.failed:
            return "FAIL"
        if self.goal is None or self.ratio is None:
            return ""
        return "ok" if self.ratio <= self.goal else "MISS"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


# --- databases --------------------------------------------------------------------------------

class Databases:
    """Fresh databases on one backend: SQLite files in a directory, or one PostgreSQL server."""

    def __init__(self, backend: str, root: Path):
        self.backend = backend
        self.root = root
        self.server = None
        if backend == "postgresql":
            sys.path.insert(0, str(REPO))
            from tests.pg import PostgresServer, find_bindir

            bindir = find_bindir()
            if bindir is None:
                raise SystemExit("bench: PostgreSQL binaries not found")
            self.server = PostgresServer(bindir).start()
            self.admin = sa.create_engine(self.server.url("postgres"), isolation_level="AUTOCOMMIT")

    def new(self, name: str) -> str:
        if self.server is None:
            return f"sqlite:///{self.root / (name + '.db')}"
        with self.admin.connect() as c:
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        return self.server.url(name)

    def close(self) -> None:
        if self.server is not None:
            self.admin.dispose()
            self.server.stop()


def analyze(url: str) -> None:
    from nrs.db import make_engine

    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE")
    engine.dispose()


# --- pages under load -------------------------------------------------------------------------

class Server:
    """gunicorn serving ``app`` (the bench app by default) with N workers on a free loopback port.

    ``ready`` is the path that answers 200 once the workers serve; ``env`` adds settings.
    """

    def __init__(self, url: str, workers: int, instance: Path, *, app: str = "bench.wsgi_bench:app",
                 ready: str = "/_bench/floor", env: dict[str, str] | None = None):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, NRS_DATABASE_URL=url, NRS_SECRET_KEY=SECRET, NRS_INSTANCE_PATH=str(instance),
                   NRS_RUN_SCHEDULER="false", NRS_LOG_FORMAT="text", NRS_BASE_URL=self.base,
                   NRS_ADMIN_TOTP_REQUIRED="false",  # the bench logs its admin in with the password alone
                   **(env or {}))
        self.log_path = instance / "gunicorn.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--chdir", str(REPO),
             "--timeout", "300", "--log-level", "warning", app],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}{ready}", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"bench: gunicorn did not start; see {self.log_path}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _login(base: str, email: str, password: str) -> requests.Session:
    import re

    s = requests.Session()
    html = s.get(f"{base}/login", timeout=60).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    r = s.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
               allow_redirects=False, timeout=60)
    if r.status_code != 302:
        raise SystemExit(f"bench: login failed ({r.status_code})")
    return s


def load(sessions: list[requests.Session], url: str, *, samples: int, max_seconds: float
         ) -> tuple[list[float], list[str]]:
    """Every client requests ``url`` back to back; latencies in ms once each client has warmed up."""
    out: list[float] = []
    lock = threading.Lock()
    stop_at = time.time() + max_seconds
    per_client = max(2, samples // len(sessions))
    errors: list[str] = []

    cold: list[float] = []

    def client(s: requests.Session):
        t0 = time.perf_counter()
        r = s.get(url, timeout=900)  # warm-up: connection, worker caches
        cold.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            errors.append(f"{r.status_code} {url}")
            return
        for _ in range(per_client):
            if time.time() > stop_at:
                break
            t0 = time.perf_counter()
            r = s.get(url, timeout=600)
            ms = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                errors.append(f"{r.status_code} {url}")
            with lock:
                out.append(ms)

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A page so slow that the time ran out during the warm-up is measured by its warm-up requests.
    return out or cold, errors


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def page_urls(url: str, generated) -> dict[str, str]:
    """The pages to load, with realistic arguments read from the generated data."""
    from flask import url_for

    from nrs import create_app
    from nrs.config import Settings
    from nrs.db import make_engine
    from nrs.joborders.models import JobOrder
    from nrs.joborders.queries import SORTS
    from nrs.keyset import cursor_for

    engine = make_engine(url)
    with engine.connect() as c:
        centre = c.execute(sa.text("SELECT id FROM job_centres WHERE municipality_code = 219")).scalar_one()
        filtered = c.execute(sa.text("SELECT count(*) FROM job_orders WHERE state = 'filled'")).scalar_one()
        company = c.execute(sa.text(
            "SELECT company_id FROM job_orders GROUP BY company_id ORDER BY count(*) DESC, company_id LIMIT 1")
        ).scalar_one()
        busiest = c.execute(sa.text(
            "SELECT company_id FROM activities GROUP BY company_id ORDER BY count(*) DESC, company_id LIMIT 1")
        ).scalar() or company
        deep = max(2, int(filtered / 50 * 0.9))
        # The list pages by key: page `deep` is the one after the last row of page deep - 1, newest first
        # (found here once with OFFSET, as a user would reach it by paging or jumping).
        keys = SORTS["received_desc"]
        last = c.execute(sa.select(JobOrder.received_on, JobOrder.id).where(JobOrder.state == "filled")
                         .order_by(*(k.order() for k in keys)).offset((deep - 1) * 50 - 1).limit(1)).one()
    engine.dispose()
    app = create_app(Settings(instance_path=Path(tempfile.mkdtemp()), database_url=url, secret_key=SECRET,
                              run_scheduler=False))
    urls = {}
    with app.test_request_context():
        urls["front page"] = url_for("home.index")
        urls["job orders, centre+state, page 1"] = url_for("joborders.index", state="filled", centre=centre)
        urls["job orders, state, page 1"] = url_for("joborders.index", state="filled")
        urls[f"job orders, state, deep page {deep}"] = url_for("joborders.index", state="filled",
                                                                after=cursor_for(keys, last), page=deep)
        urls["company search"] = url_for("companies.index", q="nordbyg hiller")
        urls["company page"] = url_for("companies.detail", company_id=company)
        # The pickers (issue 18): the type-aheads, and the order form with its own-centre user picker.
        urls["company type-ahead"] = url_for("pickers.companies", q="nordbyg hiller")
        urls["user type-ahead"] = url_for("pickers.users", q="lars")
        urls["new job order form"] = url_for("joborders.new")
        # "Mit arbejde" is on the front page; the task list and a timeline paged back (generated activities).
        urls["my tasks"] = url_for("activities.tasks")
        urls["company timeline, page 3"] = url_for("companies.detail", company_id=busiest, tl_page=3)
        if generated.campaign_id:
            urls["campaign page"] = url_for("campaigns.detail", campaign_id=generated.campaign_id)
    app.extensions["nrs_engine"].dispose()
    return urls


def bench_pages(backend: str, url: str, generated, args, root: Path) -> list[Line]:
    from bench.generate import BENCH_ADMIN, BENCH_PASSWORD

    instance = root / f"instance-{backend}"
    instance.mkdir(exist_ok=True)
    urls = page_urls(url, generated)
    server = Server(url, args.workers, instance)
    lines = []
    try:
        sessions = [_login(server.base, BENCH_ADMIN, BENCH_PASSWORD) for _ in range(args.clients)]
        floor, _ = load(sessions, f"{server.base}/_bench/floor", samples=args.samples * 2, max_seconds=30)
        f50, f95 = pct(floor, 50), pct(floor, 95)
        print(f"  floor: p50 {f50:.1f} ms, p95 {f95:.1f} ms ({len(floor)} requests)", flush=True)
        for name, path in urls.items():
            lat, errors = load(sessions, server.base + path, samples=args.samples, max_seconds=args.page_seconds)
            if errors or not lat:
                print(f"  {name}: {errors[0] if errors else 'no answer'} ({len(errors)} errors)", flush=True)
                lines.append(Line(backend, f"{name} p95", 0, f95, "ms", 3.0, note=path,
                                  failed=errors[0] if errors else "no answer"))
                continue
            p50, p95 = pct(lat, 50), pct(lat, 95)
            print(f"  {name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({len(lat)} requests)", flush=True)
            lines.append(Line(backend, f"{name} p50", p50, f50, "ms", None, note=path))
            lines.append(Line(backend, f"{name} p95", p95, f95, "ms", 3.0, note=f"n={len(lat)}"))
    finally:
        server.stop()
    return lines


#: The per-page profiles (bench/profile.py), printed after the table.
PROFILES: list[str] = []


def bench_profile(backend: str, url: str, generated, args) -> list[Line]:
    """Where each page line's time goes, in-process, one request at a time (bench/profile.py)."""
    from bench import profile

    rows = profile.profile(url, page_urls(url, generated), repeat=args.profile_repeat)
    PROFILES.append(profile.table(rows, f"Per-page profile, {backend}, scale {args.scale}, {args.profile_repeat} "
                                        "requests each, in-process, ms (means; p50 = median total)"))
    print(PROFILES[-1], flush=True)
    return []


# --- company import -----------------------------------------------------------------------------

def bench_import(backend: str, dbs: Databases, rows: int, root: Path) -> list[Line]:
    from bench.company_import import generate as make_csv
    from nrs.companies.importer import run_import
    from nrs.companies.models import Company
    from nrs.db import make_engine, session_scope, upgrade
    from nrs.municipalities.services import load_reference_data

    csv_path = root / f"companies-{backend}.csv"
    make_csv(csv_path, rows)
    data = csv_path.read_bytes()

    def fresh(name: str):
        url = dbs.new(name)
        upgrade(url)
        engine = make_engine(url)
        with session_scope(engine) as s:
            load_reference_data(s)
        return engine

    product = fresh("import_product")
    secs, report = _timed(lambda: _import(product, run_import, data, csv_path.name, session_scope))
    cols = [c.name for c in Company.__table__.columns if c.name != "id"]
    with product.connect() as c:
        copied = [tuple(r) for r in c.execute(sa.select(*(Company.__table__.c[n] for n in cols)))]
    product.dispose()
    plain = fresh("import_floor")
    raw = plain.raw_connection()
    try:
        cur = raw.cursor()
        mark = "?" if backend == "sqlite" else "%s"
        sql = f"INSERT INTO companies ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"  # noqa: S608
        if backend == "sqlite":
            from sqlalchemy.dialects import sqlite  # noqa: F401 - the processors below come from it

            procs = [Company.__table__.c[n].type.bind_processor(plain.dialect) for n in cols]
            copied = [tuple(v if p is None or v is None else p(v) for p, v in zip(procs, r, strict=True))
                      for r in copied]
            cur.execute("BEGIN")
        floor_secs, _ = _timed(lambda: (cur.executemany(sql, copied), raw.commit()))
    finally:
        raw.close()
        plain.dispose()
    return [Line(backend, "company import", rows / secs, rows / floor_secs, "rows/s", 2.0, rate=True,
                 note=f"{rows:,} rows; {report.new:,} new")]


def _import(engine, run_import, data, name, session_scope):
    with session_scope(engine) as s:
        report = run_import(s, data, filename=name)
    if not report.written:
        raise SystemExit(f"bench: the import wrote nothing: {report.problems[:3]}")
    return report


# --- campaign build, status report, weekly e-mail ----------------------------------------------------

def bench_campaign(backend: str, url: str) -> list[Line]:
    """First build of a new campaign against the bare INSERT … SELECT writing the same target rows.

    Each is run three times, alternately, each time rolled back (so each is a first build); medians.
    """
    from sqlmodel import Session

    from nrs.campaigns import services
    from nrs.campaigns.models import CampaignTarget
    from nrs.companies.models import Company
    from nrs.db import make_engine, session_scope

    engine = make_engine(url)
    now = datetime.now(UTC)
    t = CampaignTarget.__table__
    floor_times, build_times, added, rows = [], [], 0, 0
    try:
        with session_scope(engine) as s:
            campaign = services.create_campaign(s, by=None, name="Bench-kampagne", year=now.year)
        for _ in range(3):
            with Session(engine) as s:
                c = s.get(type(campaign), campaign.id)
                crit = services.criteria(s, c, on=now.date())
                bare = t.insert().from_select(
                    ["campaign_id", "company_id", "lead_centre_id", "added_at", "status", "matching",
                     "removed_by_hand", "status_note", "removed_reason", "updated_at", "version"],
                    crit.eligible_ids().with_only_columns(
                        sa.literal(c.id), Company.id, Company.lead_centre_id, sa.literal(now, t.c.added_at.type),
                        sa.literal("not_contacted"), sa.true(), sa.false(), sa.literal(""), sa.literal(""),
                        sa.literal(now, t.c.updated_at.type), sa.literal(1), maintain_column_froms=True))
                secs, result = _timed(lambda s=s, bare=bare: s.execute(bare))
                floor_times.append(secs)
                rows = s.execute(sa.select(sa.func.count()).select_from(t).where(t.c.campaign_id == c.id)).scalar_one()
                s.rollback()
            with Session(engine) as s:
                secs, result = _timed(lambda s=s: services.build_campaign(s, s.get(type(campaign), campaign.id),
                                                                           now=now))
                build_times.append(secs)
                added = result.added
                s.rollback()
    finally:
        engine.dispose()
    return [Line(backend, "campaign build", statistics.median(build_times), statistics.median(floor_times), "s", 1.5,
                 note=f"{added:,} targets; floor = bare INSERT … SELECT of the same {rows:,} rows; medians of 3")]


#: The same figures as ``nrs reports status`` (received/filled/unfilled/open per lead centre as of a
#: date, from the events; hires by another centre on orders still filled), by hand: the report's floor.
STATUS_SQL = """
SELECT lead_centre_id, to_state, count(*) FROM (
  SELECT o.lead_centre_id, e.to_state,
         row_number() OVER (PARTITION BY e.job_order_id ORDER BY e.on_date DESC, e.id DESC) AS rn
  FROM job_order_events e JOIN job_orders o ON o.id = e.job_order_id
  WHERE e.on_date <= :d AND o.received_on <= :d
) latest WHERE rn = 1 GROUP BY lead_centre_id, to_state
"""
HIRES_SQL = """
SELECT count(*) FROM hires h
JOIN job_orders o ON o.id = h.job_order_id
JOIN job_order_events f ON f.id = h.event_id
WHERE h.centre_id <> o.lead_centre_id AND f.on_date <= :d AND o.received_on <= :d
  AND NOT EXISTS (SELECT 1 FROM job_order_events l WHERE l.job_order_id = f.job_order_id AND l.on_date <= :d
                  AND (l.on_date > f.on_date OR (l.on_date = f.on_date AND l.id > f.id)))
"""


def bench_status(backend: str, url: str) -> list[Line]:
    """``nrs reports status`` against the hand-written SQL for the same figures; three alternate runs, medians."""
    from nrs import create_app
    from nrs.cli import cli
    from nrs.config import Settings
    from nrs.db import make_engine

    as_of = date.today()
    app = create_app(Settings(instance_path=Path(tempfile.mkdtemp()), database_url=url, secret_key=SECRET,
                              run_scheduler=False))
    runner = app.test_cli_runner()
    engine = make_engine(url)

    def bare(c):
        rows = c.execute(sa.text(STATUS_SQL), {"d": as_of}).all()
        return rows, c.execute(sa.text(HIRES_SQL), {"d": as_of}).scalar_one()

    report_times, bare_times = [], []
    with engine.connect() as c:
        for _ in range(3):
            secs, result = _timed(lambda: runner.invoke(cli, ["reports", "status", "--as-of", as_of.isoformat(),
                                                              "--json"]))
            report_times.append(secs)
            if result.exit_code != 0:
                raise SystemExit(f"bench: nrs reports status failed: {result.output} {result.exception!r}"[:400])
            secs, (rows, hires) = _timed(lambda: bare(c))
            bare_times.append(secs)
    app.extensions["nrs_engine"].dispose()
    engine.dispose()
    figures = json.loads(result.output)
    received = sum(n for _c, _s, n in rows)
    same = received == figures["orders_received"] and hires == figures["hires_from_other_centres"]
    check = "same figures" if same else f"DIFFER ({received}, {hires})"
    return [Line(backend, "reports status", statistics.median(report_times), statistics.median(bare_times), "s", 1.5,
                 note=f"{figures['orders_received']:,} orders; bare SQL {check}; medians of 3")]


#: The centre whose own period report is measured too (``--centre``): Hillerød.
CENTRE = "219"


def bench_period(backend: str, url: str) -> list[Line]:
    """The period report and the as-of status on the month-end snapshots (nrs/reports/snapshots.py).

    Goal 5 in one run: a report with the whole history behind it against the same report with a
    tenth of it behind it (a quarter early in the history) must cost at most 1.5x; and at most a
    tenth of ``reports status`` read from the whole history (the old path). Both print whether the
    snapshot's figures equal the history's.
    """
    from sqlmodel import Session

    from nrs import create_app
    from nrs.cli import cli
    from nrs.config import Settings
    from nrs.reports import period as period_mod
    from nrs.reports.queries import status_figures

    app = create_app(Settings(instance_path=Path(tempfile.mkdtemp()), database_url=url, secret_key=SECRET,
                              run_scheduler=False))
    runner = app.test_cli_runner()
    lines: list[Line] = []

    def cli_json(*args):
        result = runner.invoke(cli, list(args))
        if result.exit_code != 0:
            raise SystemExit(f"bench: nrs {' '.join(args)} failed: {result.output} {result.exception!r}"[:400])
        return json.loads(result.output)

    try:
        t_build, out = _timed(lambda: runner.invoke(cli, ["reports", "rebuild-snapshots"]))
        lines.append(Line(backend, "snapshot rebuild (nightly)", t_build, None, "s", None, note=out.output.strip()))
        with app.app_context(), Session(app.extensions["nrs_engine"]) as s:
            first = period_mod.first_day(s)
            today_ = date.today()
            late = period_mod.preset("last_quarter", today=today_)
            early_start = period_mod.preset("this_quarter", today=first + (today_ - first) / 10).start
            early = period_mod.Period(early_start, period_mod.preset(
                "last_quarter", today=period_mod._add_months(early_start, 3)).end)
            as_of_late = late.end
            as_of_early = early.end

            def med(fn):
                times, last = [], None
                for _ in range(3):
                    secs, last = _timed(fn)
                    times.append(secs)
                return statistics.median(times), last

            def period_cmd(p, *more):
                return cli_json("reports", "period", "--from", p.start.isoformat(), "--to", p.end.isoformat(),
                                "--json", *more)

            def status_cmd(day):
                return cli_json("reports", "status", "--as-of", day.isoformat(), "--json")

            t_late, fast = med(lambda: period_cmd(late))
            t_early, _ = med(lambda: period_cmd(early))
            t_centre_late, fast_centre = med(lambda: period_cmd(late, "--centre", CENTRE))
            t_centre_early, _ = med(lambda: period_cmd(early, "--centre", CENTRE))
            t_status_late, fast_status = med(lambda: status_cmd(as_of_late))
            t_status_early, _ = med(lambda: status_cmd(as_of_early))
            t_history, history_status = med(lambda: status_figures(s, as_of=as_of_late))
            history = json.loads(json.dumps(period_mod.period_report(s, late, history_only=True)))
            same_period = "same figures as the history" if fast == history else "DIFFER from the history"
            centre_history = json.loads(json.dumps(period_mod.period_report(
                s, late, centre_id=period_mod.centre_by_code(s, int(CENTRE)), history_only=True)))
            same_centre = ("same figures as the history" if fast_centre == centre_history
                           else "DIFFER from the history")
            same_status = ("same figures as the history"
                           if json.loads(json.dumps(history_status)) == fast_status else "DIFFER from the history")
        lines += [
            Line(backend, "period report, last quarter vs a quarter at 1/10 of the history", t_late, t_early, "s",
                 1.5, note=f"{late.start}..{late.end} vs {early.start}..{early.end}; {same_period}"),
            Line(backend, f"period report, one centre ({CENTRE}), last quarter vs at 1/10", t_centre_late,
                 t_centre_early, "s", 1.5, note=f"the centre's pairs (centre, industry code) of the month snapshot; {same_centre}"),
            Line(backend, "period report, last quarter vs status from the whole history", t_late, t_history, "s", 0.1,
                 note="floor: status_figures read from the events (the old path)"),
            Line(backend, "as-of status (snapshot), end of last quarter vs at 1/10", t_status_late, t_status_early,
                 "s", 1.5, note=f"{as_of_late} vs {as_of_early}; {same_status}"),
            Line(backend, "as-of status (snapshot) vs status from the whole history", t_status_late, t_history, "s",
                 0.1, note="medians of 3"),
        ]
    finally:
        app.extensions["nrs_engine"].dispose()
    return lines


def bench_weekly(backend: str, url: str) -> list[Line]:
    from sqlmodel import Session

    from nrs import create_app
    from nrs.config import Settings
    from nrs.reports import weekly

    app = create_app(Settings(instance_path=Path(tempfile.mkdtemp()), database_url=url, secret_key=SECRET,
                              run_scheduler=False, base_url="https://nrs.example.dk"))
    now = datetime.now(UTC)
    try:
        with app.app_context(), Session(app.extensions["nrs_engine"], expire_on_commit=False) as s:
            secs, queued = _timed(lambda: (weekly.enqueue_weekly(s, week=weekly.previous_week(now), now=now),
                                           s.flush())[0])
            s.rollback()
    finally:
        app.extensions["nrs_engine"].dispose()
    n = len(queued)
    return [Line(backend, "weekly e-mail render+enqueue", n / secs if secs else 0, None, "msgs/s", None,
                 rate=True, note=f"{n:,} messages in {secs:.1f} s")]


# --- the run --------------------------------------------------------------------------------------

def run_backend(backend: str, args, root: Path) -> list[Line]:
    from bench.generate import Counts, generate

    print(f"\n== {backend} (scale {args.scale})", flush=True)
    dbs = Databases(backend, root)
    lines: list[Line] = []
    try:
        url = dbs.new("bench")
        counts = Counts.at(args.scale)
        t, generated = _timed(lambda: generate(url, counts, log=lambda m: print(m, flush=True)))
        _, _ = _timed(lambda: analyze(url))
        rows = sum(generated.rows.values())
        print(f"  generated {rows:,} rows in {t:.0f} s", flush=True)
        lines.append(Line(backend, "generate data set", rows / t, None, "rows/s", None, rate=True,
                          note=f"{counts.companies:,} companies, {counts.orders:,} orders, {t:.0f} s"))
        steps = [("pages", lambda: bench_pages(backend, url, generated, args, root)),
                 ("status", lambda: bench_status(backend, url)),
                 ("period", lambda: bench_period(backend, url)),
                 ("campaign", lambda: bench_campaign(backend, url)),
                 ("weekly", lambda: bench_weekly(backend, url)),
                 ("import", lambda: bench_import(backend, dbs, args.import_rows, root)),
                 # Last: it wraps SQLAlchemy, WTForms and Jinja for the rest of the process.
                 ("profile", lambda: bench_profile(backend, url, generated, args))]
        for name, step in steps:
            if args.skip and name in args.skip:
                continue
            t0 = time.perf_counter()
            try:
                got = step()
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - a crash is a result: report it, run the rest
                print(f"  {name}: {type(exc).__name__}: {str(exc)[:300]}", flush=True)
                reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
                got = [Line(backend, name, 0, None, "", None, failed=reason)]
            lines.extend(got)
            for line in got:
                if not line.what.endswith("p50"):
                    print(f"  {line.what}: {_fmt(line.figure)} {line.unit} (floor {_fmt(line.floor)}) "
                          f"{line.note}", flush=True)
            print(f"  [{name} took {time.perf_counter() - t0:.0f} s]", flush=True)
    finally:
        dbs.close()
    return lines


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def table(lines: list[Line], args, seconds: float) -> str:
    head = ("database", "measure", "figure", "floor", "unit", "ratio", "goal", "", "note")
    rows = [head] + [(x.backend, x.what, _fmt(x.figure), _fmt(x.floor), x.unit,
                      f"{x.ratio:.2f}x" if x.ratio is not None else "-",
                      f"≤{x.goal:g}x" if x.goal else "-", x.verdict, x.failed or x.note) for x in lines]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    out = [f"NRS benchmark, scale {args.scale}, {args.clients} clients, gunicorn {args.workers} workers, "
           f"{os.cpu_count()} cores, {seconds / 60:.1f} min"]
    for k, r in enumerate(rows):
        out.append("  ".join(str(c).ljust(w) if i in (0, 1, 4, 7, 8) else str(c).rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if k == 0:
            out.append("-" * len(out[-1]))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="NRS benchmark: each figure beside its floor, SQLite and PostgreSQL.")
    p.add_argument("--scale", type=float, default=0.1, help="data set size; 1.0 = national (default 0.1)")
    p.add_argument("--only", choices=("sqlite", "postgresql"))
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--samples", type=int, default=80, help="requests per page (default 80)")
    p.add_argument("--page-seconds", type=float, default=30, help="time limit per page (default 30)")
    p.add_argument("--import-rows", type=int, default=None, help="default: 100,000 x min(1, 10 x scale)")
    p.add_argument("--profile-repeat", type=int, default=20, help="requests per page in the profile (default 20)")
    p.add_argument("--skip", nargs="*", choices=("pages", "profile", "status", "period", "campaign", "weekly", "import"))
    p.add_argument("--output", type=Path, help="also write the table to this file")
    args = p.parse_args(argv)
    if args.import_rows is None:
        args.import_rows = max(1000, round(100_000 * min(1.0, 10 * args.scale)))
    random.seed(1)
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="nrs-bench-"))
    root.chmod(0o755)
    lines: list[Line] = []
    try:
        for backend in ("sqlite", "postgresql"):
            if args.only in (None, backend):
                lines.extend(run_backend(backend, args, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = "\n\n".join([table(lines, args, time.perf_counter() - started), *PROFILES])
    print("\n" + text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
