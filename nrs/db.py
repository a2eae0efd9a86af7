"""Engine per app, one transaction per request or per job.

Services flush and never commit: the request (``db_session()``, committed just before the
response leaves) or the job (``session_scope()``) owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, abort, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from nrs import storedtext

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


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; emit it ourselves.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


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
    app.extensions["nrs_engine"] = make_engine(url)
    app.after_request(_commit_request)
    app.teardown_request(_close_request)


def engine() -> Engine:
    return current_app.extensions["nrs_engine"]


def db_session() -> Session:
    """The request's session, opened on first use and committed before the response is sent."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


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
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_PATH))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

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
