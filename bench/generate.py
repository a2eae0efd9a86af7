"""A national data set for the benchmarks: every municipality with a job centre, the CVR register,
ten years of job orders in every state with their events, referrals and hires, users, campaigns.

At ``--scale 1``: 1,000,000 companies, 2,000,000 job orders, 5,000 users (plus ~5M events and
~2.4M referrals). Rows go in with the drivers' bulk paths — ``executemany`` on SQLite, ``COPY``
on PostgreSQL — in one transaction per table batch, with explicit ids so related rows need no
look-ups; the schema comes from the migrations (as at a deploy), never ``create_all``.

    .venv/bin/python -m bench.generate --database-url sqlite:////tmp/nrs-bench.db --scale 0.1
    .venv/bin/python -m bench.generate --database-url postgresql://nrs@127.0.0.1:5544/nrs

Every user's password is ``BENCH_PASSWORD``; ``bench@nrs.bench`` is an admin.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import nrs.models  # noqa: F401 - every table in the metadata
from nrs.companies.fields import fold
from nrs.db import make_engine, session_scope, upgrade
from nrs.joborders.models import Channel, UnfilledReason
from nrs.municipalities.services import load_reference_data
from nrs.refdata import read_csv
from nrs.yesno import yes_no

BENCH_PASSWORD = "bench-kodeord-2016-nrs"
BENCH_ADMIN = "bench@nrs.bench"
BATCH = 50_000
CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)

#: CVR's employee intervals with roughly the register's shares (most companies are tiny).
BANDS: tuple[tuple[int | None, int | None, float], ...] = (
    (None, None, 0.30), (1, 1, 0.24), (2, 4, 0.19), (5, 9, 0.10), (10, 19, 0.07), (20, 49, 0.05),
    (50, 99, 0.02), (100, 199, 0.01), (200, 499, 0.006), (500, 999, 0.002), (1000, None, 0.002),
)
#: DB07 sections by rough share of Danish companies (letters per db07_6digit.csv).
SECTION_WEIGHTS = {
    "A": 8, "B": 0.2, "C": 5, "D": 1, "E": 0.5, "F": 12, "G": 16, "H": 5, "I": 5, "J": 5, "K": 3,
    "L": 9, "M": 12, "N": 5, "O": 0.3, "P": 2, "Q": 4, "R": 3, "S": 4, "X": 0.5,
}
NAME_WORDS = ("Nord", "Syd", "Øster", "Vester", "Sjælland", "Kyst", "Skov", "Sø", "Bakke", "Fjord",
              "Ørsted", "Hvid", "Grøn", "Nyt", "Gammel", "Strand", "Mølle", "Å", "Lund", "Holm")
NAME_KINDS = ("Byg", "Transport", "VVS", "El", "Tømrer", "Maler", "Consult", "Handel", "Service",
              "Logistik", "Rengøring", "Kro", "Bageri", "Auto", "Data", "Anlæg", "Smed", "Gartneri")
SUFFIXES = ("ApS", "A/S", "I/S", "IVS", "K/S", "")
STREETS = ("Stationsvej", "Hovedgaden", "Industrivej", "Kongevejen", "Søndergade", "Nørregade",
           "Skovvej", "Havnevej", "Bygaden", "Ålekistevej")
TITLES = ("Tømrer", "Chauffør", "Lagermedarbejder", "Pædagogmedhjælper", "Elektriker", "Kok",
          "Rengøringsassistent", "Social- og sundhedshjælper", "Murer", "Kontorassistent",
          "Butiksmedarbejder", "Maskinfører", "Buschauffør", "Smed", "Tjener")
CHANNELS = tuple(c.value for c in Channel)
UNFILLED = tuple(r.value for r in UnfilledReason)
#: Positions per order, in turn: most ask for one person, a few for 2-5 (issue 14).
POSITIONS = (1,) * 16 + (2, 3, 4, 5)
#: An unfilled reason's position outcome (nrs.joborders.services.outcome_for_reason).
_KIND_OF_REASON = {"company_withdrew": "withdrawn", "filled_by_company": "outside"}
FOCUS = (("Bygge og anlæg", "41,42,43"), ("Transport", "49,50,51,52,53"))


@dataclass
class Counts:
    companies: int
    orders: int
    users: int
    campaigns: int
    agreements: int

    @classmethod
    def at(cls, scale: float) -> Counts:
        companies = max(200, round(1_000_000 * scale))
        return cls(companies=companies, orders=max(200, round(2_000_000 * scale)),
                   users=max(300, round(5_000 * scale)), campaigns=max(2, round(20 * min(scale * 10, 1))),
                   agreements=max(20, companies // 500))


@dataclass
class Generated:
    counts: Counts
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    admin_email: str = BENCH_ADMIN
    centre_ids: list[int] = field(default_factory=list)
    #: One campaign id that was built (has targets), for the campaign page.
    campaign_id: int | None = None


class BulkWriter:
    """Insert rows (tuples in ``columns`` order) the fastest way each driver offers.

    Columns not given get their model default (evaluated once) or NULL, so a column another
    engineer adds later does not break the generator.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.rows: dict[str, int] = {}

    def fill(self, table: sa.Table, columns: Sequence[str]) -> tuple[list[str], tuple]:
        extra, values = [], []
        for col in table.columns:
            if col.name in columns:
                continue
            default = col.default
            if default is not None and default.is_scalar:
                value = default.arg
            elif default is not None and default.is_callable:
                value = default.arg(None)  # SQLAlchemy wraps it to take the execution context
            elif col.nullable or col.primary_key:
                continue
            else:
                raise ValueError(f"bench.generate: {table.name}.{col.name} needs a value")
            if hasattr(value, "value"):  # enum member
                value = value.value
            extra.append(col.name)
            values.append(value)
        return extra, tuple(values)

    def insert(self, table: sa.Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        extra_cols, extra_vals = self.fill(table, columns)
        cols = list(columns) + extra_cols
        processors = None
        if self.sqlite:
            dialect = self.engine.dialect
            processors = [table.c[c].type.bind_processor(dialect) for c in cols]
            if not any(processors):
                processors = None
        n = 0
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            if self.sqlite:
                cur.execute("BEGIN")
                marks = ", ".join("?" * len(cols))
                sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608
                batch = []
                for row in rows:
                    row = row + extra_vals
                    if processors:
                        row = tuple(v if p is None or v is None else p(v) for p, v in zip(processors, row, strict=True))
                    batch.append(row)
                    if len(batch) >= BATCH:
                        cur.executemany(sql, batch)
                        n += len(batch)
                        batch = []
                if batch:
                    cur.executemany(sql, batch)
                    n += len(batch)
                cur.execute("COMMIT")
            else:
                with cur.copy(f'COPY {table.name} ({", ".join(cols)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row + extra_vals)
                        n += 1
                if "id" in cols:
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                                f"(SELECT coalesce(max(id), 1) FROM {table.name}))")
                raw.commit()
        finally:
            raw.close()
        self.rows[table.name] = self.rows.get(table.name, 0) + n
        return n


#: The order tables; they, and the companies, have their plain (non-unique) indexes dropped during a big load and built afterwards:
#: one sorted build is several times faster than millions of random B-tree inserts.
ORDER_TABLES = ("job_orders", "job_order_events", "referrals", "hires", "position_outcomes")
#: Loads of at least this many rows defer the indexes (a small run keeps them: nothing to gain).
DEFER_FROM = 100_000


@contextmanager
def deferred_indexes(engine: Engine, tables: Sequence[str], log=print):
    """Drop the tables' non-unique indexes (and, on SQLite, the company search index's triggers) for
    the load, and build them once afterwards.

    The definitions are read from the database, not from the models: the Danish-order indexes
    (expressions), the trigram GIN index and the FTS5 triggers exist only in the migrations. Unique
    indexes stay, since they are what the load must not break.
    """
    if not tables:
        yield
        return
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            found = conn.execute(sa.text(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN :t AND sql IS NOT NULL"
                " AND (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%'"
                "      OR type = 'trigger' AND name LIKE 'companies_name_fts_%')"
            ).bindparams(sa.bindparam("t", expanding=True)), {"t": list(tables)}).all()
        else:
            found = conn.execute(sa.text(
                "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename IN :t AND indexdef NOT LIKE 'CREATE UNIQUE%'"
            ).bindparams(sa.bindparam("t", expanding=True)), {"t": list(tables)}).all()
        for kind, name, _sql in found:
            conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    try:
        yield
    finally:
        t = time.perf_counter()
        with engine.begin() as conn:
            if not sqlite:
                conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
            for _kind, _name, sql in found:
                conn.exec_driver_sql(sql)
            if sqlite and any(kind == "trigger" for kind, _n, _s in found):
                conn.exec_driver_sql("INSERT INTO companies_name_fts (companies_name_fts) VALUES ('rebuild')")
            # Statistics for what follows (the tally recount), as autovacuum would give them later.
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {table}")
        if found:
            log(f"  {len(found)} indexes and triggers made again on {', '.join(tables)} "
                f"({time.perf_counter() - t:.0f} s)")


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def cvr_numbers(count: int, start: int = 10_000_000) -> Iterable[str]:
    """Sequential CVR numbers that pass the modulus-11 check."""
    base = start // 10
    made = 0
    while made < count:
        digits = f"{base:07d}"
        check = (-sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS, strict=False))) % 11
        base += 1
        if check < 10:
            made += 1
            yield digits + str(check)


def _max_id(conn, table: str) -> int:
    return conn.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()  # noqa: S608


def prepare(url: str) -> Engine:
    """Schema by the migrations and the reference data, as ``nrs init`` does at a deploy."""
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
    return engine


def add_centres(engine: Engine) -> dict[int, int]:
    """Every municipality gets a job centre (NRS's reference data has the nine)."""
    munis = [r for r in read_csv("municipalities.csv") if yes_no(r["is_municipality"])]
    with engine.begin() as conn:
        have = dict(conn.execute(sa.text("SELECT municipality_code, id FROM job_centres")).all())
        for r in munis:
            code = int(r["kommunekode"])
            if code not in have:
                conn.execute(sa.insert(_table("job_centres")).values(
                    municipality_code=code, name=f"Jobcenter {r['kommunenavn']}", phone="", email=""))
        return dict(conn.execute(sa.text("SELECT municipality_code, id FROM job_centres")).all())


def _industry_codes(rng: random.Random) -> tuple[list[str], list[float]]:
    rows = [r for r in read_csv("db07_6digit.csv") if yes_no(r["current"])]
    per_section: dict[str, list[str]] = {}
    for r in rows:
        per_section.setdefault(r["section"], []).append(r["branchekode"])
    codes, weights = [], []
    for section, members in per_section.items():
        w = SECTION_WEIGHTS.get(section, 1) / len(members)
        for code in members:
            codes.append(code)
            weights.append(w * rng.uniform(0.3, 1.7))
    return codes, weights


def generate(url: str, counts: Counts, *, seed: int = 2016, today: date | None = None,
             log=print) -> Generated:
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or date.today()
    now = datetime.now(UTC)
    engine = prepare(url)
    out = Generated(counts=counts)
    try:
        writer = BulkWriter(engine)
        centres = add_centres(engine)
        out.centre_ids = sorted(centres.values())
        with engine.connect() as conn:
            munis = dict(conn.execute(sa.text("SELECT code, name FROM municipalities")).all())
            emails = set(conn.execute(sa.text("SELECT email FROM users")).scalars())
            ids = {t: _max_id(conn, t) for t in ("users", "companies", "job_orders", "job_order_events",
                                                 "referrals", "hires", "position_outcomes", "agreements",
                                                 "focus_sectors")}
        muni_codes = sorted(c for c in centres)

        # Users: per centre a coordinator, the rest staff; a few admins (the steering group).
        from nrs.auth.passwords import hash_password

        pw = hash_password(BENCH_PASSWORD)
        users_by_centre: dict[int, list[int]] = {cid: [] for cid in centres.values()}
        user_rows = []
        uid = ids["users"]
        centre_list = list(centres.values())
        for i in range(counts.users):
            uid += 1
            if i == 0:
                email, role, cid = BENCH_ADMIN, "admin", centres.get(201, centre_list[0])
            elif i < 5:
                email, role, cid = f"admin{i}@nrs.bench", "admin", centre_list[i % len(centre_list)]
            elif i < 5 + len(centre_list):
                cid = centre_list[i - 5]
                email, role = f"koordinator{cid}@nrs.bench", "coordinator"
            else:
                cid = rng.choice(centre_list)
                email, role = f"konsulent{i}@nrs.bench", "staff"
            if email in emails:  # a second run into the same database
                email = f"u{uid}.{email}"
            users_by_centre[cid].append(uid)
            user_rows.append((uid, email, f"Bruger {i}", cid, role, True, pw, rng.random() < 0.8))
        writer.insert(_table("users"), ("id", "email", "name", "job_centre_id", "role", "active",
                                        "password_hash", "weekly_email"), user_rows)
        log(f"  users {len(user_rows):,}")

        # Companies: the CVR register.
        codes, weights = _industry_codes(rng)
        band_w = [b[2] for b in BANDS]
        first_company = ids["companies"] + 1

        def companies():
            cum_codes = rng.choices(codes, weights=weights, k=counts.companies)
            bands = rng.choices(BANDS, weights=band_w, k=counts.companies)
            start = 10_000_000 + 20 * first_company  # a second run gets fresh numbers
            for n, cvr in enumerate(cvr_numbers(counts.companies, start)):
                muni = muni_codes[int(rng.random() * len(muni_codes))]
                name = (f"{NAME_WORDS[n % 20]}{NAME_KINDS[(n // 20) % 18].lower()} "
                        f"{munis[muni].split()[0]} {n} {SUFFIXES[n % 6]}").strip()
                lo, hi, _w = bands[n]
                yield (first_company + n, cvr, name, fold(name), f"{STREETS[n % 10]} {1 + n % 150}",
                       f"{1000 + muni * 7 % 8999}", munis[muni], muni, cum_codes[n], lo, hi,
                       rng.random() > 0.12, rng.random() < 0.2, f"4{rng.randrange(10**7):07d}",
                       f"info{n}@firma{n}.dk" if n % 3 == 0 else "", "cvr", centres[muni], False,
                       now, now)

        with deferred_indexes(engine, ("companies",) if counts.companies >= DEFER_FROM else (), log):
            writer.insert(_table("companies"), (
                "id", "cvr", "name", "name_search", "address", "postal_code", "city", "municipality_code",
                "industry_code", "employees_min", "employees_max", "active", "advertising_protected",
                "phone", "email", "source", "lead_centre_id", "lead_override", "created_at", "updated_at"),
                companies())
        log(f"  companies {counts.companies:,} ({time.perf_counter() - started:.0f} s)")

        # Company → lead centre, for the orders and agreements.
        with engine.connect() as conn:
            company_centre = conn.execute(sa.text(
                "SELECT id, lead_centre_id FROM companies WHERE id >= :f ORDER BY id"),
                {"f": first_company}).all()

        # Focus sectors for each of the ten years, and agreements.
        years = list(range(today.year - 9, today.year + 1))
        sector_rows, sid = [], ids["focus_sectors"]
        sector_by_year = {}
        with engine.connect() as conn:
            existing = {(y, n) for y, n in conn.execute(sa.text("SELECT year, name FROM focus_sectors"))}
        for y in years:
            for name, sector_codes in FOCUS:
                if (y, name) in existing:
                    continue
                sid += 1
                sector_rows.append((sid, y, name, sector_codes, now, now))
                sector_by_year.setdefault(y, sid)
        writer.insert(_table("focus_sectors"), ("id", "year", "name", "codes", "created_at", "updated_at"),
                      sector_rows)
        agreement_rows, aid = [], ids["agreements"]
        for _ in range(counts.agreements):
            aid += 1
            cid, centre = company_centre[rng.randrange(len(company_centre))]
            start = today - timedelta(days=rng.randrange(3650))
            y = start.year
            kind = rng.choices(("recruitment", "cooperation", "jobservice"), (6, 3, 1))[0]
            end = start + timedelta(days=rng.choice((365, 730, 1095))) if rng.random() < 0.8 else None
            agreement_rows.append((aid, cid, kind, sector_by_year.get(y) if kind == "recruitment" else None,
                                   start, start, end, centre, rng.choice(users_by_centre[centre] or [None]),
                                   "", now, now))
        agreement_rows = [r for r in agreement_rows if r[2] != "recruitment" or r[3] is not None]
        writer.insert(_table("agreements"), (
            "id", "company_id", "kind", "focus_sector_id", "signed_on", "valid_from", "valid_to",
            "coordinating_centre_id", "contact_user_id", "notes", "created_at", "updated_at"),
            agreement_rows)
        log(f"  focus sectors {len(sector_rows)}, agreements {len(agreement_rows):,}")

        with deferred_indexes(engine, ORDER_TABLES if counts.orders >= DEFER_FROM else (), log):
            _orders(writer, engine, rng, counts, ids, company_centre, users_by_centre, centre_list, today,
                    now, log, started)
        _tally(engine, log)
        _activities(writer, engine, rng, counts, company_centre, users_by_centre, today, now, log)
        out.campaign_id = _campaigns(engine, counts, years, today, now, log)
        out.rows = writer.rows
    finally:
        engine.dispose()
    out.seconds = time.perf_counter() - started
    return out


def _position_rows(pid, oid, positions, eid, closed, hire_id, reason, now) -> list[tuple]:
    """A closed order's outcome rows: the hire in slot 1 and the rest withdrawn (filled), or every
    position the outcome of the unfilled reason."""
    rows = []
    if hire_id is not None:
        rows.append((pid + 1, oid, positions, 1, "hired", eid, closed, hire_id, None, "", now))
        reason = "company_withdrew"
    kind = _KIND_OF_REASON.get(reason, "unfilled")
    for slot in range(len(rows) + 1, positions + 1):
        rows.append((pid + slot, oid, positions, slot, kind, eid, closed, None,
                     reason if kind == "unfilled" else None, "", now))
    return rows


def _orders(writer, engine, rng, counts, ids, company_centre, users_by_centre, centre_list, today, now,
            log, started):
    """Job orders over ten years, each with its events, referrals, (when filled) its hire, and when closed
    an outcome per position (a filled order: its hire, the other positions withdrawn)."""
    oid, eid, rid, hid = ids["job_orders"], ids["job_order_events"], ids["referrals"], ids["hires"]
    pid = ids["position_outcomes"]
    orders, events, referrals, hires, outcomes = [], [], [], [], []
    span = 3650
    t_orders, t_events, t_refs, t_hires, t_outcomes = (
        _table(t) for t in ("job_orders", "job_order_events", "referrals", "hires", "position_outcomes"))
    order_cols = ("id", "company_id", "title", "positions", "place_of_work", "received_on", "channel",
                  "deadline_on", "lead_centre_id", "contact_user_id", "state", "closed_on",
                  "unfilled_reason", "reference", "version", "created_at", "updated_at")
    event_cols = ("id", "job_order_id", "at", "on_date", "user_id", "from_state", "to_state", "reason")
    ref_cols = ("id", "job_order_id", "referring_centre_id", "referred_on", "case_reference", "outcome",
                "user_id", "created_at", "updated_at")
    hire_cols = ("id", "job_order_id", "event_id", "centre_id", "hired_on", "referral_id", "created_at")
    outcome_cols = ("id", "job_order_id", "order_positions", "slot", "kind", "event_id", "on_date", "hire_id",
                    "unfilled_reason", "text", "created_at")

    def flush():
        # Parents first: the foreign keys hold at every step.
        writer.insert(t_orders, order_cols, orders)
        writer.insert(t_events, event_cols, events)
        writer.insert(t_refs, ref_cols, referrals)
        writer.insert(t_hires, hire_cols, hires)
        writer.insert(t_outcomes, outcome_cols, outcomes)
        for lst in (orders, events, referrals, hires, outcomes):
            lst.clear()

    def at(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, 9 + rng.randrange(8), rng.randrange(60), tzinfo=UTC)

    n_companies = len(company_centre)
    for i in range(counts.orders):
        oid += 1
        # More orders in later years (NRS grows), every day of the ten years has some.
        age = int(span * (1 - rng.random() ** 0.8))
        received = today - timedelta(days=age)
        company_id, centre = company_centre[int(rng.random() * n_companies)]
        staff = users_by_centre.get(centre) or [None]
        user = staff[int(rng.random() * len(staff))]
        r = rng.random()
        if counts.orders < 100:  # a small run (the query-count test) has every state in turn
            state = ("open", "paused", "filled", "unfilled")[i % 4]
        elif age < 60:
            state = "open" if r < 0.6 else "paused" if r < 0.7 else "filled" if r < 0.9 else "unfilled"
        else:
            state = "filled" if r < 0.58 else "unfilled" if r < 0.95 else "open" if r < 0.99 else "paused"
        closed = None
        if state in ("filled", "unfilled"):
            closed = min(today, received + timedelta(days=1 + int(rng.expovariate(1 / 25))))
        positions = POSITIONS[i % len(POSITIONS)]
        orders.append((oid, company_id, TITLES[i % len(TITLES)], positions, "", received,
                       CHANNELS[i % 6], received + timedelta(days=30), centre, user, state, closed,
                       UNFILLED[i % 5] if state == "unfilled" else None, None, 1, now, now))
        eid += 1
        events.append((eid, oid, at(received), received, user, None, "open", ""))
        if state == "paused":
            eid += 1
            d = min(today, received + timedelta(days=3))
            events.append((eid, oid, at(d), d, user, "open", "paused", "Nok kandidater lige nu"))
        # Referrals: the lead centre and often others.
        n_refs = int(rng.random() * 3.2)
        if state == "filled":
            n_refs = max(1, n_refs)
        ref_ids = []
        for k in range(n_refs):
            rid += 1
            rc = centre if k == 0 and rng.random() < 0.6 else centre_list[int(rng.random() * len(centre_list))]
            rd = received + timedelta(days=1 + k)
            outcome = "rejected" if rng.random() < 0.5 else "interview"
            referrals.append([rid, oid, rc, min(rd, today), f"J{rid:08d}", outcome, None, now, now])
            ref_ids.append(rid)
        if state in ("filled", "unfilled"):
            eid += 1
            events.append((eid, oid, at(closed), closed, user, "open", state, ""))
            hire_id = None
            if state == "filled":
                ref = referrals[-1]
                ref[5] = "hired"
                hid += 1
                hire_id = hid
                hires.append((hid, oid, eid, ref[2], closed, ref[0], now))
            made = _position_rows(pid, oid, positions, eid, closed, hire_id, UNFILLED[i % 5], now)
            outcomes += made
            pid += len(made)
        if len(orders) >= BATCH:
            referrals[:] = [tuple(x) for x in referrals]
            flush()
            if oid % 500_000 < BATCH:
                log(f"  job orders {i + 1:,} ({time.perf_counter() - started:.0f} s)")
    referrals[:] = [tuple(x) for x in referrals]
    flush()
    log(f"  job orders {counts.orders:,} with events, referrals, hires ({time.perf_counter() - started:.0f} s)")


ACTIVITY_KINDS = ("call", "call", "visit", "email", "meeting", "note")


def _activities(writer, engine, rng, counts, company_centre, users_by_centre, today, now, log) -> None:
    """Contacts (one per two companies) and follow-up tasks (one per ten), a third of them the bench
    admin's, due around today: "Mit arbejde" and the company timeline have something to show."""
    with engine.connect() as conn:
        ids = {t: _max_id(conn, t) for t in ("activities", "tasks")}
        admin = conn.execute(sa.text("SELECT id FROM users WHERE email = :e"), {"e": BENCH_ADMIN}).scalar()
    n_companies = len(company_centre)
    rows, aid = [], ids["activities"]
    for i in range(max(4, counts.companies // 2)):
        aid += 1
        company_id, centre = company_centre[int(rng.random() * n_companies)]
        staff = users_by_centre.get(centre) or [admin]
        at = now - timedelta(days=rng.randrange(730), minutes=rng.randrange(600))
        rows.append((aid, company_id, ACTIVITY_KINDS[i % 6], at, staff[int(rng.random() * len(staff))], centre,
                     f"Kontakt {i} om rekruttering", "", at, at, 1))
    writer.insert(_table("activities"), ("id", "company_id", "kind", "at", "author_id", "centre_id", "summary",
                                         "outcome", "created_at", "updated_at", "version"), rows)
    tasks, tid = [], ids["tasks"]
    for i in range(max(4, counts.companies // 10)):
        tid += 1
        company_id, centre = company_centre[int(rng.random() * n_companies)]
        staff = users_by_centre.get(centre) or [admin]
        assignee = admin if i % 3 == 0 else staff[int(rng.random() * len(staff))]
        due = today + timedelta(days=rng.randrange(-20, 21))
        done = due < today and rng.random() < 0.5
        tasks.append((tid, f"Ring igen ({i})", due, assignee, assignee, company_id, done, now if done else None,
                      now, now, 1))
    writer.insert(_table("tasks"), ("id", "title", "due", "assignee_id", "creator_id", "company_id", "done",
                                    "done_at", "created_at", "updated_at", "version"), tasks)
    log(f"  activities {len(rows):,}, tasks {len(tasks):,}")


def _tally(engine, log) -> None:
    """The orders were written around the services, so today's running counts are recounted once."""
    from nrs.joborders import tally

    t = time.perf_counter()
    with session_scope(engine, write=True) as s:
        tally.rebuild(s)
    log(f"  job-order tally recounted ({time.perf_counter() - t:.1f} s)")


def _campaigns(engine, counts, years, today, now, log) -> int | None:
    """Campaigns through the product's own service (one built, the rest drafts)."""
    try:
        from nrs.campaigns import services
    except ImportError:
        return None
    built = None
    with session_scope(engine) as s:
        for k in range(counts.campaigns):
            year = years[-1 - (k % len(years))]
            c = services.create_campaign(s, by=None, name=f"Kampagne {year} nr. {k + 1}", year=year)
            if built is None and year == today.year:
                s.flush()
                services.build_campaign(s, c, now=now)
                built = c.id
    log(f"  campaigns {counts.campaigns} (one built: {built})")
    return built


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--scale", type=float, default=0.1, help="1.0 = the national size (default 0.1)")
    p.add_argument("--seed", type=int, default=2016)
    args = p.parse_args(argv)
    from nrs.config import normalise_database_url

    url = normalise_database_url(args.database_url)
    counts = Counts.at(args.scale)
    print(f"generating at scale {args.scale}: {counts}")
    result = generate(url, counts, seed=args.seed)
    total = sum(result.rows.values())
    print(f"{total:,} rows in {result.seconds:.0f} s ({total / result.seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main(sys.argv[1:])
