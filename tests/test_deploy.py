"""The deployment example (deploy/run-local.sh) on PostgreSQL: two gunicorn instances and two
schedulers against one database, nginx in front, and backup/restore with pg_dump/pg_restore.

What an operator would notice: both machines are healthy, every machine (and the proxy) shows the
same figures as a single app does, the weekly e-mail fired by two schedulers arrives once per
recipient, and a restored dump shows the same figures as the database it came from.
"""

from __future__ import annotations

import email
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from nrs import create_app
from nrs.config import Settings
from nrs.db import make_engine
from tests.conftest import IN_CI
from tests.pg import find_bindir

REPO = Path(__file__).resolve().parent.parent
RUN_LOCAL = REPO / "deploy" / "run-local.sh"
NRS = REPO / ".venv" / "bin" / "nrs"

DEPLOY = REPO / "deploy"


# --- the example files: the app is reachable only through nginx, which sets the client address ----

def _nginx_configs() -> dict[str, str]:
    """Every nginx configuration the example ships, including the one run-local.sh writes."""
    configs = {p.name: p.read_text() for p in DEPLOY.glob("nginx*.conf")}
    script = RUN_LOCAL.read_text()
    configs["run-local.sh"] = script[script.index("start_nginx()"):script.index("cmd_start()")]
    return configs


def _env_lines(text: str, prefix: str = "") -> dict[str, str]:
    pairs = (line[len(prefix):].split("=", 1) for line in text.splitlines()
             if line.startswith(prefix) and "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def _unit_env() -> dict[str, str]:
    return _env_lines((DEPLOY / "systemd" / "nrs-app.service").read_text(), "Environment=")


def _example_env() -> dict[str, str]:
    return _env_lines((DEPLOY / "nrs.env.example").read_text())


def test_the_app_listens_on_loopback_only(monkeypatch):
    for source in (_unit_env(), _example_env()):
        assert source["NRS_BIND"].startswith("127.0.0.1:"), source
    monkeypatch.delenv("NRS_BIND", raising=False)
    monkeypatch.delenv("NRS_FORWARDED_ALLOW_IPS", raising=False)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", DEPLOY / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.bind.startswith("127.0.0.1:")
    assert conf.forwarded_allow_ips == "127.0.0.1" == _example_env()["NRS_FORWARDED_ALLOW_IPS"]
    assert 'NRS_BIND="127.0.0.1:$p"' in RUN_LOCAL.read_text()  # run-local.sh's instances too


def test_the_app_believes_exactly_one_proxy_hop(tmp_path):
    assert _unit_env()["NRS_PROXY_HOPS"] == _example_env()["NRS_PROXY_HOPS"] == "1"
    assert re.search(r"^\s*export NRS_PROXY_HOPS=1$", RUN_LOCAL.read_text(), re.M)
    env = {**_example_env(), "NRS_INSTANCE_PATH": str(tmp_path), "NRS_DATABASE_URL": "sqlite://",
           "NRS_SECRET_KEY": "k" * 64}  # the example leaves the key for the operator to generate
    assert Settings.from_env(env).proxy_hops == 1


@pytest.mark.parametrize("name", sorted(_nginx_configs()))
def test_nginx_replaces_x_forwarded_for_with_the_address_it_saw(name):
    config = _nginx_configs()[name].replace("\\$", "$")  # run-local.sh escapes them in a here-doc
    assert set(re.findall(r"proxy_set_header\s+X-Forwarded-For\s+(\S+?);", config)) == {"$remote_addr"}
    assert "proxy_add_x_forwarded_for" not in config
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\S+;", config)
    assert "X-Real-IP" not in config  # one source for the client address, not two


def test_the_app_machines_nginx_is_the_only_way_in():
    front, local = (DEPLOY / "nginx.conf").read_text(), (DEPLOY / "nginx-app.conf").read_text()
    assert re.findall(r"proxy_pass\s+(\S+);", local) == ["http://127.0.0.1:8000"]
    front_address = re.search(r"allow\s+(\S+);", local).group(1)
    assert re.search(r"deny\s+all;", local)
    # Only the front proxy's X-Forwarded-For is believed, and only its single value.
    assert re.search(rf"set_real_ip_from\s+{re.escape(front_address)};", local)
    assert re.search(r"real_ip_header\s+X-Forwarded-For;", local)
    assert re.search(r"real_ip_recursive\s+off;", local)
    listen = re.search(r"^\s*listen\s+(\d+);", local, re.M).group(1)
    upstreams = re.findall(r"^\s*server\s+(\S+?):(\d+)", front, re.M)
    assert upstreams and {port for _, port in upstreams} == {listen}
    assert front_address in front.splitlines()[0]


# --- the running example ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """A real SMTP server on loopback that keeps every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def recipients(self, message_ids: set[str] | None = None) -> list[str]:
        """Everyone mailed, or only those mailed a message whose Message-ID holds one of ``message_ids``."""
        with self.lock:
            return sorted(r for rcpts, content in self.messages for r in rcpts
                          if message_ids is None or _message_id_hex(content) in message_ids)


def _message_id_hex(content) -> str:
    raw = content if isinstance(content, bytes) else str(content).encode()
    return (email.message_from_bytes(raw).get("Message-ID") or "").strip("<>").split("@")[0]


class Deployment:
    def __init__(self, state: Path, mailbox: Mailbox):
        self.state = state
        self.mailbox = mailbox
        self.pg_port = _free_port()
        self.app_ports = [_free_port(), _free_port()]
        self.http_port = _free_port()
        self.env = dict(
            os.environ,
            NRS_DEPLOY_DIR=str(state),
            NRS_DEPLOY_PG_PORT=str(self.pg_port),
            NRS_DEPLOY_APP_PORTS=" ".join(map(str, self.app_ports)),
            NRS_DEPLOY_HTTP_PORT=str(self.http_port),
            NRS_SMTP_HOST="127.0.0.1",
            NRS_SMTP_PORT=str(mailbox.port),
            NRS_LOG_FORMAT="json",
            NRS_ADMIN_TOTP_REQUIRED="false",  # the demo admin logs in with the password alone here
        )
        self.env.pop("NRS_DATABASE_URL", None)

    def start(self) -> str:
        out = subprocess.run([str(RUN_LOCAL), "start"], env=self.env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def stop(self) -> None:
        subprocess.run([str(RUN_LOCAL), "stop"], env=self.env, capture_output=True, timeout=120)

    def db_url(self, name: str = "nrs") -> str:
        return f"postgresql+psycopg://nrs@127.0.0.1:{self.pg_port}/{name}"

    @property
    def instances(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.app_ports]

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def nrs(self, *args: str, database: str = "nrs", check: bool = True):
        """Run the ``nrs`` command as an operator on an app machine would."""
        env = dict(self.env, NRS_DATABASE_URL=self.db_url(database),
                   NRS_INSTANCE_PATH=str(self.state / "instance"),
                   NRS_SECRET_KEY=(self.state / "secret_key").read_text().strip(),
                   NRS_LOG_FORMAT="text")
        out = subprocess.run([str(NRS), *args], env=env, capture_output=True, text=True,
                             timeout=600, cwd=REPO)
        if check:
            assert out.returncode == 0, f"nrs {' '.join(args)}: {out.stdout}{out.stderr}"
        return out

    def nrs_has(self, *command: str) -> bool:
        return self.nrs(*command, "--help", check=False).returncode == 0


@pytest.fixture(scope="module")
def pg_bindir():
    bindir = find_bindir()
    if bindir is None:
        if IN_CI:
            pytest.fail("PostgreSQL binaries not found; CI must run the deployment test")
        pytest.skip("PostgreSQL binaries not found")
    return bindir


@pytest.fixture(scope="module")
def deployment(pg_bindir):
    mailbox = Mailbox()
    mailbox.controller.start()
    # Not under pytest's private tmp dir: the postgres user must reach the cluster directory.
    root = Path(tempfile.mkdtemp(prefix="nrs-deploy-"))
    root.chmod(0o755)
    dep = Deployment(root / "state", mailbox)
    try:
        dep.start()
        dep.nrs("demo", "--seed", "2016")
        yield dep
    finally:
        dep.stop()
        mailbox.controller.stop()
        shutil.rmtree(root, ignore_errors=True)


def _demo_login(dep: Deployment) -> tuple[str, str]:
    email, password = (dep.state / "instance" / "demo-login.txt").read_text().split()
    return email, password


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _logged_in(base: str, email: str, password: str) -> requests.Session:
    s = requests.Session()
    token = _csrf(s.get(f"{base}/login", timeout=30).text)
    r = s.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
               allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text
    return s


def _main(html: str) -> str:
    """The page's content without what differs per response (CSRF tokens)."""
    match = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert match, "no <main> on the page"
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", match.group(1))


def _in_process_front_page(database_url: str, tmp_path: Path, email: str, password: str) -> str:
    """The front page as a single app (one process) on that database shows it."""
    instance = tmp_path / f"single-{abs(hash(database_url))}"
    instance.mkdir(exist_ok=True)
    app = create_app(Settings(instance_path=instance, database_url=database_url,
                              secret_key="single", run_scheduler=False, admin_totp_required=False))
    try:
        client = app.test_client()
        token = _csrf(client.get("/login").get_data(as_text=True))
        r = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert r.status_code == 302
        page = client.get("/")
        assert page.status_code == 200
        return _main(page.get_data(as_text=True))
    finally:
        app.extensions["nrs_engine"].dispose()


def _count_rows(c: sa.Connection) -> dict[str, int]:
    tables = [t for t in sa.inspect(c).get_table_names() if t != "alembic_version"]
    count = sa.select(sa.func.count())
    return {t: c.execute(count.select_from(sa.table(t))).scalar_one() for t in tables}


def _row_counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            return _count_rows(c)
    finally:
        engine.dispose()


def _dump_and_count(deployment, pg_dump: Path, conn: list[str], dump: Path) -> dict[str, int]:
    """Dump the live database and count its rows in the same snapshot: the deployment's two
    schedulers keep working (the outbox job runs every minute), so a count taken after the dump
    would describe a later database than the one the backup holds."""
    engine = make_engine(deployment.db_url())
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as c, c.begin():
            snapshot = c.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            subprocess.run([str(pg_dump), *conn, "-Fc", "-d", "nrs", f"--snapshot={snapshot}", "-f", str(dump)],
                           check=True, capture_output=True)
            return _count_rows(c)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_both_instances_are_healthy_and_log_json(deployment):
    for base in deployment.instances:
        r = requests.get(f"{base}/healthz", headers={"X-Request-ID": "deploy-test-1"}, timeout=10)
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "database": "ok"}
        assert r.headers["X-Request-ID"] == "deploy-test-1"
    for n in (1, 2):
        lines = (deployment.state / "log" / f"app{n}.log").read_text().splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        mine = [r for r in records if r.get("request_id") == "deploy-test-1"]
        assert mine, f"app{n} logged no JSON line for the request"
        assert {"time", "level", "logger", "message"} <= set(mine[0])
        assert (mine[0]["path"], mine[0]["status"]) == ("/healthz", 200)
        assert mine[0]["duration_ms"] >= 0


@pytest.mark.slow
def test_every_instance_shows_the_same_front_page_as_one_app(deployment, tmp_path):
    email, password = _demo_login(deployment)
    single = _in_process_front_page(deployment.db_url(), tmp_path, email, password)
    for base in deployment.instances:
        page = _logged_in(base, email, password).get(f"{base}/", timeout=30)
        assert page.status_code == 200
        assert _main(page.text) == single


@pytest.mark.slow
def test_proxy_balances_over_both_instances_with_one_session(deployment):
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        if IN_CI:
            pytest.fail("nginx could not be installed; CI must run the proxy example")
        pytest.skip("nginx not available")
    email, password = _demo_login(deployment)
    s = _logged_in(deployment.proxy, email, password)
    pages = [s.get(f"{deployment.proxy}/", timeout=30) for _ in range(4)]
    assert all(p.status_code == 200 for p in pages)
    assert len({_main(p.text) for p in pages}) == 1
    # The session cookie signed by one machine is honoured by the other: both served pages.
    access = (deployment.state / "log" / "nginx-access.log").read_text().splitlines()
    upstreams = {json.loads(line)["upstream"] for line in access[-4:]}
    assert upstreams == {f"127.0.0.1:{p}" for p in deployment.app_ports}


@pytest.mark.slow
def test_a_forged_x_forwarded_for_does_not_escape_the_address_counter(deployment):
    """Through nginx, a client that sends a new X-Forwarded-For with every guess is still one address."""
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        if IN_CI:
            pytest.fail("nginx could not be installed; CI must run the proxy example")
        pytest.skip("nginx not available")
    proxy, guesser = deployment.proxy, requests.Session()

    def guess(i: int, forged: str):
        token = _csrf(guesser.get(f"{proxy}/login", timeout=30).text)
        return guesser.post(f"{proxy}/login", headers={"X-Forwarded-For": forged}, timeout=30,
                            data={"csrf_token": token, "email": f"gaet{i}@forfalsket.test",
                                  "password": "forkert-forkert-forkert"}).status_code

    engine = make_engine(deployment.db_url())
    try:
        # 20 failures (4 x NRS_LOGIN_MAX_FAILURES) from one address, each claiming another one...
        assert [guess(i, f"203.0.113.{i}") for i in range(20)] == [401] * 20
        # ...and a fresh claim on a fresh account is refused: the counter saw the real address.
        assert guess(99, "198.51.100.99") == 429
        lines = [json.loads(line) for n in (1, 2)
                 for line in (deployment.state / "log" / f"app{n}.log").read_text().splitlines()
                 if line.startswith("{")]
        posts = [r for r in lines if r.get("path") == "/login" and r.get("method") == "POST"]
        assert posts and {r["remote_addr"] for r in posts} == {"127.0.0.1"}
    finally:
        with engine.begin() as c:  # the other tests log in from this address too
            c.execute(sa.text("DELETE FROM login_throttles"))
        engine.dispose()


def _last_monday_7(now: datetime) -> datetime:
    from nrs.clock import COPENHAGEN

    local = now.astimezone(COPENHAGEN)
    monday = (local - timedelta(days=local.weekday() + 7)).date()
    return datetime(monday.year, monday.month, monday.day, 7, 0, tzinfo=COPENHAGEN)


def _together(dep: Deployment, commands, release: Path | None = None):
    """Run ``nrs`` commands in parallel processes; all must succeed."""
    results = [None] * len(commands)

    def run(i, args):
        results[i] = dep.nrs(*args, check=False)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(commands)]
    for t in threads:
        t.start()
    if release is not None:
        time.sleep(3)  # both processes are up and waiting
        release.touch()
    for t in threads:
        t.join()
    for out in results:
        assert out.returncode == 0, out.stdout + out.stderr
    return results


@pytest.mark.slow
def test_weekly_email_from_two_schedulers_reaches_each_recipient_once(deployment, tmp_path):
    if importlib.util.find_spec("nrs.reports.weekly") is None:
        pytest.skip("the weekly e-mail (nrs.reports.weekly) is not built yet")
    from nrs.clock import utcnow
    from nrs.reports import weekly

    due = _last_monday_7(utcnow())
    week = str(weekly.previous_week(due))
    dry = deployment.nrs("reports", "weekly", "--week", week, "--dry-run").stdout
    expected = sorted(re.findall(r"^Til: (\S+)$", dry, re.M))
    assert expected, "the demo data has no opted-in users"

    # The two scheduler machines fire the same due time at the same moment...
    go = tmp_path / "go"
    fire = ("scheduler", "fire", "weekly_email", "--due", due.isoformat(), "--wait-for", str(go))
    outcomes = _together(deployment, [fire, fire], release=go)
    assert sorted(o.stdout.split(":")[-1].strip() for o in outcomes) == ["ran", "taken"]
    # ...and both machines' senders deliver the outbox at once.
    _together(deployment, [("mail", "send"), ("mail", "send")])

    engine = make_engine(deployment.db_url())
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            with engine.connect() as c:
                waiting = c.execute(sa.text(
                    "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")).scalar_one()
            if not waiting and len(deployment.mailbox.recipients()) >= len(expected):
                break
            time.sleep(1)
        with engine.connect() as c:
            runs = c.execute(sa.text(
                "SELECT count(*) FROM scheduler_runs WHERE job_id = 'weekly_email' AND due_at = :d"),
                {"d": due}).scalar_one()
            keys = c.execute(sa.text("SELECT idempotency_key FROM outbox WHERE kind = 'weekly'")).scalars().all()
    finally:
        engine.dispose()
    assert runs == 1
    # The demo's notifications are mailed by the same senders; the weekly mails are told by their
    # Message-ID, which the outbox derives from the idempotency key.
    weekly_ids = {uuid.uuid5(uuid.NAMESPACE_URL, key).hex for key in keys}
    assert deployment.mailbox.recipients(weekly_ids) == expected


@pytest.mark.slow
def test_restored_backup_shows_the_same_figures(deployment, pg_bindir, tmp_path):
    dump = tmp_path / "nrs.dump"
    conn = ["-h", "127.0.0.1", "-p", str(deployment.pg_port), "-U", "nrs"]
    counts_at_dump = _dump_and_count(deployment, pg_bindir / "pg_dump", conn, dump)
    subprocess.run([str(pg_bindir / "createdb"), *conn, "nrs_restored"], check=True,
                   capture_output=True)
    subprocess.run([str(pg_bindir / "pg_restore"), *conn, "--no-owner", "--exit-on-error",
                    "-d", "nrs_restored", str(dump)], check=True, capture_output=True)
    # A deploy step on the restored database changes nothing.
    deployment.nrs("init", database="nrs_restored")

    assert _row_counts(deployment.db_url("nrs_restored")) == counts_at_dump
    email, password = _demo_login(deployment)
    assert _in_process_front_page(deployment.db_url("nrs_restored"), tmp_path, email, password) == \
        _in_process_front_page(deployment.db_url(), tmp_path, email, password)
    if deployment.nrs_has("reports", "status"):
        for as_of in (date.today(), date.today() - timedelta(days=365)):
            args = ("reports", "status", "--as-of", as_of.isoformat(), "--json")
            before = json.loads(deployment.nrs(*args).stdout)
            after = json.loads(deployment.nrs(*args, database="nrs_restored").stdout)
            assert after == before
