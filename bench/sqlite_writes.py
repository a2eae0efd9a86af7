"""Concurrent writers on the embedded database: gunicorn on SQLite, many clients writing over HTTP.

SQLite has one write lock. A request that read first and then tries to write after another writer
committed is refused at once ("database is locked"), so every request that may write must take the
lock up front and wait its turn. This load test proves it end to end: gunicorn with ``--workers``
workers on a fresh SQLite file on loopback, ``--clients`` threads each making ``--writes`` writes of
four kinds in turn (add a company contact, edit the client's company, a wrong login, log a job
order), then it prints the count of every answer and checks the rows in the database exactly.

    .venv/bin/python -m bench.sqlite_writes                      # 4 workers, 8 clients x 500 writes
    .venv/bin/python -m bench.sqlite_writes --clients 8 --writes 15 --max-seconds 120

Exits 1 on any 5xx, any unexpected answer or any row count that differs from the answers given.
``run()`` is what tests/test_sqlite_writes.py calls with small counts.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.run import Server

PASSWORD = "korrekt-hest-batteri-2016"
KINDS = ("contact", "edit_company", "wrong_login", "order")
#: The answer each kind gives when it worked: a redirect after a write, 401 for a wrong password.
EXPECTED = {"contact": 302, "edit_company": 302, "wrong_login": 401, "order": 302}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


@dataclass
class Result:
    statuses: dict = field(default_factory=lambda: {k: Counter() for k in KINDS})
    problems: list = field(default_factory=list)
    seconds: float = 0.0
    rows: dict = field(default_factory=dict)
    expected_rows: dict = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500)

    @property
    def ok(self) -> bool:
        return not self.problems and self.server_errors == 0 and self.rows == self.expected_rows

    def report(self) -> str:
        total = sum(sum(c.values()) for c in self.statuses.values())
        lines = [f"{total} writes in {self.seconds:.1f} s ({total / max(self.seconds, 1e-9):.0f}/s)"]
        for kind in KINDS:
            answers = ", ".join(f"{n} x {s}" for s, n in sorted(self.statuses[kind].items()))
            lines.append(f"  {kind:13s} {answers}")
        lines.append(f"  5xx: {self.server_errors}")
        for name, got in self.rows.items():
            want = self.expected_rows.get(name)
            lines.append(f"  rows {name:22s} {got} (expected {want}){'' if got == want else '  WRONG'}")
        lines.extend(f"  problem: {p}" for p in self.problems[:20])
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


def _cvr(n: int) -> str:
    while True:
        base = f"{3100000 + n}"
        check = (-sum(int(d) * w for d, w in zip(base, CVR_WEIGHTS, strict=False))) % 11
        if check < 10:
            return base + str(check)
        n += 1000


def prepare(url: str, clients: int) -> tuple[str, list[tuple[int, str]]]:
    """A migrated database with one staff user and one company per client: (email, [(id, cvr)])."""
    from nrs.auth import services as auth
    from nrs.companies import services as companies
    from nrs.db import make_engine, session_scope, upgrade
    from nrs.municipalities.models import JobCentre
    from nrs.municipalities.services import load_reference_data

    upgrade(url)
    eng = make_engine(url)
    made = []
    with session_scope(eng) as s:
        load_reference_data(s)
        s.flush()
        centre = s.execute(sa.select(JobCentre).where(JobCentre.municipality_code == 201)).scalar_one()
        email = "writer@c201.bench"
        auth.create_user(s, by=None, email=email, name="Skrivende Medarbejder", job_centre_id=centre.id,
                         role="staff", password=PASSWORD)
        n = 0
        for i in range(clients):
            cvr = _cvr(n + i * 7)
            n += 1
            company = companies.create_company(s, by=None, values={
                "cvr": cvr, "name": f"Skrivetest {i} ApS", "address": f"Stationsvej {i}", "postal_code": "3450",
                "city": "Allerød", "municipality_code": 201, "industry_code": "412000", "employees_min": 10,
                "employees_max": 19, "active": True, "advertising_protected": False, "phone": "", "email": ""})
            made.append((company.id, cvr))
    eng.dispose()
    return email, made


def serve(url: str, workers: int, instance: Path) -> Server:
    """The product as deployed (wsgi:app), not the bench app: these are its own routes and rules."""
    # the wrong logins measure the write lock, not the throttle
    return Server(url, workers, instance, app="wsgi:app", ready="/login",
                  env={"NRS_LOGIN_MAX_FAILURES": "100000000"})


def _client(base: str, email: str, company_id: int, cvr: str, index: int, writes: int, deadline: float,
            result: Result, lock: threading.Lock) -> None:
    s = requests.Session()
    token = TOKEN.search(s.get(f"{base}/login", timeout=60).text).group(1)
    r = s.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
               allow_redirects=False, timeout=300)
    if r.status_code != 302:
        with lock:
            result.problems.append(f"client {index}: login answered {r.status_code}")
        return
    edit_url = f"{base}/virksomheder/{company_id}/ret"
    page = s.get(edit_url, timeout=300).text
    token = TOKEN.search(page).group(1)  # one token per session, valid for every form
    version = int(VERSION.search(page).group(1))
    stranger = requests.Session()  # the wrong logins come from a visitor who is not logged in
    stranger_token = TOKEN.search(stranger.get(f"{base}/login", timeout=60).text).group(1)
    today = date.today().strftime("%d-%m-%Y")
    for n in range(writes):
        if time.monotonic() > deadline:
            break
        kind = KINDS[n % len(KINDS)]
        try:
            if kind == "contact":
                r = s.post(f"{base}/virksomheder/{company_id}/kontakter/ny", timeout=300, allow_redirects=False,
                           data={"csrf_token": token, "name": f"Kontakt {index}-{n}", "role": "Leder",
                                 "phone": "", "email": ""})
            elif kind == "edit_company":
                r = s.post(edit_url, timeout=300, allow_redirects=False, data={
                    "csrf_token": token, "name": f"Skrivetest {index} ApS", "address": f"Skrivevej {index}-{n}",
                    "postal_code": "3450", "city": "Allerød", "municipality_code": "201",
                    "industry_code": "412000", "employees": "10-19", "active": "y", "phone": "",
                    "email": "", "version": str(version)})
                if r.status_code == 302:
                    version += 1
            elif kind == "wrong_login":
                r = stranger.post(f"{base}/login", timeout=300, allow_redirects=False, data={
                    "csrf_token": stranger_token, "email": f"nobody{index}@c201.bench", "password": "forkert"})
            else:
                r = s.post(f"{base}/jobordrer/ny", timeout=300, allow_redirects=False, data={
                    "csrf_token": token, "cvr": cvr, "title": f"Tømrer {index}-{n}", "positions": "1",
                    "received_on": today, "channel": "shared_phone", "lead_centre_id": "",
                    "contact_user_id": "", "agreement_id": ""})
            status = r.status_code
        except requests.RequestException as exc:
            status = 599
            with lock:
                result.problems.append(f"client {index} {kind}: {exc}")
        with lock:
            result.statuses[kind][status] += 1
            if status != EXPECTED[kind] and len(result.problems) < 50:
                result.problems.append(f"client {index} {kind}: answered {status}")


def count_rows(url: str, company_ids: list[int], *, versions_before: int = 0) -> dict:
    from nrs.db import make_engine

    eng = make_engine(url)
    ids = tuple(company_ids)
    with eng.connect() as c:
        def one(sql: str) -> int:
            return c.execute(sa.text(sql).bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids}).scalar_one()

        rows = {
            "contacts": one("SELECT count(*) FROM contacts WHERE company_id IN :ids"),
            "company versions added": one("SELECT coalesce(sum(version), 0) FROM companies WHERE id IN :ids")
            - versions_before,
            "job orders": one("SELECT count(*) FROM job_orders WHERE company_id IN :ids"),
            "failed-login audit rows": c.execute(sa.text(
                "SELECT count(*) FROM audit_events WHERE action = 'login_failed'")).scalar_one(),
        }
    eng.dispose()
    return rows


def run(*, workers: int = 4, clients: int = 8, writes: int = 500, max_seconds: float = 3600.0,
        root: Path | None = None) -> Result:
    """Serve a fresh SQLite database with gunicorn, write concurrently, count answers and rows."""
    with tempfile.TemporaryDirectory(prefix="nrs-sqlite-writes-", dir=root) as tmp:
        instance = Path(tmp)
        url = f"sqlite:///{instance / 'nrs.db'}"
        email, companies = prepare(url, clients)
        # A new company may already be past version 1 (its lead is set after the insert): count from here.
        versions_before = count_rows(url, [cid for cid, _ in companies])["company versions added"]
        server = serve(url, workers, instance)
        result = Result()
        lock = threading.Lock()
        try:
            started = time.monotonic()
            threads = [threading.Thread(target=_client, args=(server.base, email, cid, cvr, i, writes,
                                                              started + max_seconds, result, lock))
                       for i, (cid, cvr) in enumerate(companies)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            result.seconds = time.monotonic() - started
        finally:
            server.stop()
        if result.server_errors:
            log = server.log_path.read_text(errors="replace")
            result.problems.extend([line for line in log.splitlines() if "Error" in line][:5])
        result.rows = count_rows(url, [cid for cid, _ in companies], versions_before=versions_before)
        ok = {k: c[EXPECTED[k]] for k, c in result.statuses.items()}
        result.expected_rows = {
            "contacts": ok["contact"],
            "company versions added": ok["edit_company"],
            "job orders": ok["order"],
            "failed-login audit rows": ok["wrong_login"],
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--writes", type=int, default=500, help="writes per client")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop writing after this long")
    args = parser.parse_args(argv)
    print(f"SQLite writes: gunicorn {args.workers} workers, {args.clients} clients x {args.writes} writes "
          f"({', '.join(KINDS)} in turn)", flush=True)
    result = run(workers=args.workers, clients=args.clients, writes=args.writes, max_seconds=args.max_seconds)
    print(result.report())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
