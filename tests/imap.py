"""A real IMAP server for the tests: Debian's dovecot, started unprivileged with its own config.

TLS with a self-signed certificate made here (the app trusts it through ``imap_ca_file``), one
user in a passwd-file, maildir under a temporary folder. Messages are delivered by IMAP APPEND,
as a mail server would put them there. Without dovecot the tests are skipped, except with
``CI=true``, where a missing server is a failure (``.ci/run`` installs ``dovecot-imapd``).
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

USER, PASSWORD = "nrs", "imap-test-secret"
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_dh = <{root}/dh.pem
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Done {{
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ImapServer:
    root: Path
    port: int
    process: subprocess.Popen
    host: str = "localhost"
    user: str = USER
    password: str = PASSWORD

    @property
    def ca_file(self) -> str:
        return str(self.root / "cert.pem")

    def settings(self, settings, **extra):
        return settings.with_(imap_host=self.host, imap_port=self.port, imap_user=self.user,
                              imap_password=self.password, imap_ca_file=self.ca_file, **extra)

    def connect(self) -> imaplib.IMAP4_SSL:
        conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ssl.create_default_context(cafile=self.ca_file),
                                 timeout=10)
        conn.login(self.user, self.password)
        return conn

    def deliver(self, message: EmailMessage | bytes, folder: str = "INBOX") -> None:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        conn = self.connect()
        try:
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def uids(self, folder: str = "INBOX", *criteria: str) -> list[bytes]:
        conn = self.connect()
        try:
            conn.select(folder)
            typ, data = conn.uid("SEARCH", None, *(criteria or ("ALL",)))
            return data[0].split()
        finally:
            conn.logout()

    def empty(self) -> None:
        conn = self.connect()
        try:
            for folder in ("INBOX", "Done"):
                typ, count = conn.select(folder)
                if int(count[0]):
                    conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                    conn.expunge()
        finally:
            conn.logout()


def _start() -> ImapServer:
    root = Path(tempfile.mkdtemp(prefix="nrs-imap-"))
    # Unprivileged: as root, the server runs as dovecot's own system user.
    run_as = "dovecot" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    user = pwd.getpwnam(run_as)
    group = grp.getgrgid(user.pw_gid).gr_name
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    shutil.copy("/usr/share/dovecot/dh.pem", root / "dh.pem")
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = _free_port()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, user=run_as, group=group, port=port,
                                                           uid=user.pw_uid, gid=user.pw_gid))
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    for path in [root, *root.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    as_user = ["runuser", "-u", run_as, "--"] if os.geteuid() == 0 else []
    process = subprocess.Popen([*as_user, DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = ImapServer(root=root, port=port, process=process)
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = server.connect()
            typ, _data = conn.select("INBOX")
            conn.logout()
            if typ == "OK":
                return server
        except (OSError, imaplib.IMAP4.error):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                _stop(server)
                raise RuntimeError(f"dovecot did not start: {process.stderr.read().decode()} {log}") from None
            time.sleep(0.2)


def _stop(server: ImapServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
    server.process.stderr.close()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def imap_server_process():
    if DOVECOT is None:
        if os.environ.get("CI") == "true":
            pytest.fail("dovecot is not installed (apt-get install dovecot-imapd); CI needs it")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    server = _start()
    yield server
    _stop(server)


@pytest.fixture
def imap_server(imap_server_process):
    """The session's IMAP server with an empty mailbox."""
    imap_server_process.empty()
    yield imap_server_process
