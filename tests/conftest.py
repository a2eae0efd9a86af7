"""Test fixtures: every database test runs on SQLite and on a real PostgreSQL server.

Each test gets a fresh database copied from a template built by running the migrations to head
(never ``create_all``), so tests commit for real: threads, CLI and HTTP all see the same data.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.routing.rules import Rule

from nrs import create_app
from nrs.auth import passwords
from nrs.config import Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.pg import PostgresServer, find_bindir

pytest_plugins = [
    "tests.factories.users",
    "tests.factories.companies",
    "tests.factories.agreements",
    "tests.factories.joborders",
    "tests.factories.campaigns",
    "tests.routes",
]

DATA = Path(__file__).resolve().parent / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = [b for b in os.environ.get("NRS_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
PASSWORD = "korrekt-hest-batteri-2016"
_counter = itertools.count()
#: argon2id at its lowest cost. Production keeps argon2's defaults (tests/test_suite_setup.py checks);
#: the tests log in thousands of times, and each default hash costs ~60 ms and 64 MiB.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PRODUCTION_HASHER = passwords._hasher


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes_everywhere():
    """Every test hashes and verifies passwords for real (argon2id), only at the lowest cost.

    The dummy hash an unknown e-mail is checked against gets the same cost, so the two login
    failures still take the same time.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "_hasher", TEST_HASHER)
        mp.setattr(passwords, "DUMMY_HASH", TEST_HASHER.hash("not-a-real-password-for-timing"))
        yield


@pytest.fixture(scope="session", autouse=True)
def url_builders_made_on_first_use():
    """Werkzeug compiles a URL builder for each of the ~900 rules when an app is made, most of the
    time of ``create_app``; each test makes its own app and builds a handful of URLs. Here a rule's
    builder is compiled the first time the rule builds a URL: the same code, made later."""
    compile_builder = Rule._compile_builder

    def on_first_use(self, append_unknown=True):
        made = []

        def build(rule, *args, **kwargs):
            if not made:
                made.append(compile_builder(rule, append_unknown))
            return made[0](rule, *args, **kwargs)

        return build

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Rule, "_compile_builder", on_first_use)
        yield


def data_file(name: str) -> Path:
    """An example file under ``tests/data`` (the import formats are described in ``docs/``)."""
    path = DATA / name
    if not path.exists():
        pytest.fail(f"missing test data file {path}")
    return path


def _prepare(url: str) -> None:
    from nrs.municipalities.services import load_reference_data

    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
    engine.dispose()


@pytest.fixture(scope="session")
def pg_server():
    external = os.environ.get("NRS_TEST_POSTGRES_URL")
    if external:
        yield external.rsplit("/", 1)[0]
        return
    bindir = find_bindir()
    if bindir is None:
        if IN_CI:
            pytest.fail("PostgreSQL binaries not found; CI must test on PostgreSQL")
        pytest.skip("PostgreSQL binaries not found")
    server = PostgresServer(bindir).start()
    yield server.url("").rstrip("/")
    server.stop()


@pytest.fixture(scope="session")
def template_sqlite(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    _prepare(url)
    engine = make_engine(url)
    with engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def template_postgres(pg_server):
    admin = sa.create_engine(f"{pg_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql("DROP DATABASE IF EXISTS nrs_template")
        c.exec_driver_sql("CREATE DATABASE nrs_template")
    _prepare(f"{pg_server}/nrs_template")
    yield admin
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path):
    """A fresh, migrated database with the reference data, on the backend under test."""
    if backend == "sqlite":
        template = request.getfixturevalue("template_sqlite")
        path = tmp_path / "nrs.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("template_postgres")
    server = request.getfixturevalue("pg_server")
    name = f"t{os.getpid()}_{next(_counter)}"
    # FILE_COPY copies the template's few files; PostgreSQL 15's default (WAL_LOG) writes every page
    # through the WAL instead: about 0.64 s of server CPU per test against 0.36 s (measured here).
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE nrs_template STRATEGY FILE_COPY")
    yield f"{server}/{name}"
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    return Settings(
        instance_path=instance,
        database_url=database_url,
        secret_key="test-secret-key",
        base_url="http://nrs.test",
        run_scheduler=False,
        testing=True,
        # Most tests log an admin in with the password alone; tests/auth/test_totp.py turns it on.
        admin_totp_required=False,
    )


class SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test process. Each test makes its own app, and each
    app's Jinja environment would compile every template it renders again (tens of milliseconds
    each); Jinja checks a template's source checksum before it reuses the code, so an edited
    template is compiled anew. Production makes one app per process and needs none of this."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    yield app
    app.extensions["nrs_engine"].dispose()


@pytest.fixture
def engine(app):
    return app.extensions["nrs_engine"]


@pytest.fixture
def session(database_url, app):
    """A session for arranging and checking, in autocommit mode.

    Each statement sees the latest committed data, so a check after an HTTP request or a CLI
    command never reads a stale snapshot (SQLite's WAL would otherwise keep one per transaction).
    """
    eng = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with Session(eng, expire_on_commit=True) as s:
        yield s
    eng.dispose()


class BufferedClient(FlaskClient):
    """Reads every response to the end and closes it, as a browser does: a streamed file (the
    static CSS) would otherwise stay open until garbage collection (a ResourceWarning)."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = BufferedClient
    return app.test_client()


def csrf_token(client, url: str) -> str:
    """Read the CSRF token from a page's form, as a browser would."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """POST like a browser: fetch the form first and send its CSRF token along."""
    data = dict(data)
    data.setdefault("csrf_token", csrf_token(client, form_url or url))
    return client.post(url, data=data, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})


@pytest.fixture
def login_as(client, make_user):
    """``login_as("staff", centre=201)`` creates a user of that role and centre and logs in."""

    def do(role: str = "staff", centre: int = 201, **kwargs):
        user = make_user(role=role, centre=centre, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


@pytest.fixture
def cli_run(app):
    """Run an ``nrs`` command through click's runner against the test app."""
    from nrs.cli import cli

    runner = app.test_cli_runner(mix_stderr=False) if _runner_takes_mix() else app.test_cli_runner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


def _runner_takes_mix() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def pytest_collection_modifyitems(items):
    """The long tests (browser journeys, hostile input, the deployment) start first, so that the
    xdist workers do not end with one of them running a minute-long test alone."""
    items.sort(key=lambda item: not (item.get_closest_marker("slow") or item.get_closest_marker("browser")))
