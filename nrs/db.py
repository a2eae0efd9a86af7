"""Engine per app, one transaction per request or per job.

Services flush and never commit: the request (``db_session()``, committed just before the
response leaves) or the job (``session_scope()``) owns the transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from flask import Flask, abort, current_app, g, got_request_exception, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import Session, SQLModel

from nrs import collation, storedtext, trigrams

#: Constraint names that are the same on SQLite and PostgreSQL, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
#: No flush stores a CPR number or a control character in free text (see nrs.storedtext).
storedtext.install()

MIGRATIONS_PATH = Path(__file__).resolve().parent.parent / "migrations"

log = logging.getLogger(__name__)

#: Methods that never change data by contract; every other request is treated as a writer.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; emit it ourselves.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No JIT: it compiles a page's larger statement for seconds (4.8 s of 7.7 s measured on the
    # front page's STAR query at scale 0.05); NRS's statements are short. No parallel workers
    # either: starting them took 4.8 ms of a task page's 9 ms statement at national scale, and
    # under load they take the cores the other requests wait for. Sent in the startup packet,
    # so it costs no round trip.
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("options", "-c jit=off -c max_parallel_workers_per_gather=0")
    engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine, "checkin", _checked_in)
        event.listen(engine, "checkout", _ping_if_idle)
    return engine


#: A pooled connection idle longer than this is pinged before use (a server restart, a firewall's
#: idle timeout); one in steady use is not: ``pool_pre_ping`` cost a round trip on every request.
IDLE_PING_SECONDS = 10.0


def _checked_in(_dbapi_conn, record) -> None:
    record.info["nrs_idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_conn, record, _proxy) -> None:
    since = record.info.get("nrs_idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        cur = dbapi_conn.cursor()
        cur.execute("SELECT 1")
        cur.close()
        dbapi_conn.rollback()
    except Exception as exc:  # the pool replaces the connection and checks out another
        raise DisconnectionError(str(exc)) from exc


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    # What PostgreSQL has built in or from migration 0026: the Danish collation, trigram similarity.
    collation.register_sqlite(dbapi_conn)
    trigrams.register_sqlite(dbapi_conn)


def _sqlite_begin(conn) -> None:
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    mode = conn.info.pop("begin_immediate", False) or conn.get_execution_options().get(
        "sqlite_immediate", False
    )
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


def is_sqlite(session_or_engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """Start this transaction as a writer on SQLite, so a concurrent writer waits its turn.

    SQLite cannot turn a reading transaction that has fallen behind another writer into a
    writing one ("database is locked" at once, whatever the busy timeout); ``BEGIN IMMEDIATE``
    takes the write lock first and waits. PostgreSQL needs nothing: its UPDATE waits for the row.
    Call it before loading what a request will change: it ends the request's reading
    transaction (and any flushed work), so nothing may be pending.
    """
    if session.new or session.dirty or session.deleted:
        return
    session.rollback()
    if is_sqlite(session):
        session.connection(execution_options={"sqlite_immediate": True})


def capped_count(session, stmt, cap: int) -> int:
    """``count(*)`` of ``stmt`` up to ``cap`` + 1 rows: "more than cap" costs cap rows, not millions."""
    return session.execute(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).limit(cap + 1).subquery())
    ).scalar_one()


def days_between(session_or_engine, later, earlier):
    """``later - earlier`` in whole days as a SQL expression: SQLite has no date type to subtract."""
    if is_sqlite(session_or_engine):
        return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)
    return later - earlier


def init_app(app: Flask, url: str) -> None:
    eng = make_engine(url)
    app.extensions["nrs_engine"] = eng
    # The same pool, but every transaction starts as a writer (BEGIN IMMEDIATE on SQLite).
    app.extensions["nrs_write_engine"] = eng.execution_options(sqlite_immediate=True)
    app.dispatch_request = _retry_locked_read(app.dispatch_request)
    app.after_request(_commit_request)
    app.teardown_request(_close_request)
    got_request_exception.connect(_rollback_on_error, app)


def _rollback_on_error(_sender, **_extra) -> None:
    """A failed statement leaves PostgreSQL's transaction unusable: end it before the error page
    loads the user for the navigation (else the error page itself fails)."""
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception:
            log.exception("rollback before the error page failed")


def engine() -> Engine:
    return current_app.extensions["nrs_engine"]


def db_session() -> Session:
    """The request's session, opened on first use and committed before the response is sent.

    A request that may write (anything but GET/HEAD/OPTIONS) starts its transaction as a writer:
    on SQLite a reading transaction cannot become a writing one once another writer has committed
    ("database is locked" at once, whatever the busy timeout), so it takes the one write lock
    first and waits its turn. PostgreSQL ignores the option.
    """
    if "db_session" not in g:
        writer = request.method not in SAFE_METHODS or g.get("nrs_writer", False)
        bind = current_app.extensions["nrs_write_engine" if writer else "nrs_engine"]
        g.db_session = Session(bind, expire_on_commit=False)
    return g.db_session


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def _retry_locked_read(dispatch):
    """Run a GET again, as a writer, if the write it made fell behind another writer on SQLite.

    A page that only reads never meets the lock; one that also writes (an access-log row) could
    not upgrade its reading transaction. The view runs again from the start in a transaction that
    takes the write lock first, so the user sees the page instead of a 500.
    """

    def run():
        try:
            rv = dispatch()
            session = g.get("db_session")
            if session is not None and (session.new or session.dirty or session.deleted):
                session.flush()  # meet the lock here, where the view can still be run again
            return rv
        except OperationalError as exc:
            session = g.get("db_session")
            if (request.method not in SAFE_METHODS or g.get("nrs_writer") or session is None
                    or not _is_lock_error(exc) or not is_sqlite(session)):
                raise
            g.nrs_writer = True
            session.rollback()
            session.connection(execution_options={"sqlite_immediate": True})
            return dispatch()

    return run


def _commit_request(response):
    session = g.get("db_session")
    if session is not None and response.status_code < 400:
        session.commit()
    return response


def _close_request(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
    for work in g.pop("nrs_writes_after", ()):
        try:
            _write_now(current_app.extensions["nrs_engine"], work)
        except Exception:  # the response is gone; the operator must see it
            log.exception("a write after the request failed")


def _write_now(bind: Engine, work) -> None:
    with session_scope(bind, write=True) as s:
        work(s)


def write_apart(work, bind: Engine | None = None) -> None:
    """Run ``work(session)`` in a short write transaction of its own, committed whatever the request does.

    For rows that must survive the request's rollback (the access log). On SQLite there is one
    write lock: while the request's own transaction is open, a second writer in the same thread
    would wait for itself, so the work runs as soon as the request's transaction has ended (still
    within the request, before the worker takes the next one). Elsewhere it runs at once.
    Both ways it begins with ``BEGIN IMMEDIATE`` on SQLite.
    """
    if has_request_context():
        bind = bind or engine()
        session = g.get("db_session")
        if session is not None and session.in_transaction() and is_sqlite(session):
            g.setdefault("nrs_writes_after", []).append(work)
            return
    if bind is None:
        raise RuntimeError("write_apart outside a request needs a bind")
    _write_now(bind, work)


@contextmanager
def session_scope(bind: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction for a CLI command or a scheduled job: commit on success, roll back on error.

    ``write=True`` takes SQLite's write lock first (BEGIN IMMEDIATE), so work that reads and then
    writes is not refused half-way by a concurrent writer; PostgreSQL needs nothing.
    """
    with bind.connect() as conn:
        if write and conn.dialect.name == "sqlite":
            conn.info["begin_immediate"] = True
        session = Session(bind=conn, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def get_or_404(model, ident):
    obj = db_session().get(model, ident)
    if obj is None:
        abort(404)
    return obj


def alembic_config(url: str):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_PATH))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def enum_type(enum_cls, length: int = 32) -> sa.Enum:
    """Store an enum's *values* as plain text, portable across SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
    )
