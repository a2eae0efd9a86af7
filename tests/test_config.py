"""Settings from the environment: the defaults, and one line naming the variable for a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nrs.config import ConfigError, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_with_only_an_instance_folder(tmp_path):
    s = Settings.from_env({"NRS_INSTANCE_PATH": str(tmp_path)})
    assert s.instance_path == tmp_path.resolve()
    assert s.database_url == f"sqlite:///{tmp_path.resolve() / 'nrs.db'}"
    assert s.base_url == "http://127.0.0.1:5000" and not s.https
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls) == ("localhost", 25, False)
    assert (s.session_idle_minutes, s.session_max_hours, s.login_max_failures) == (30, 12, 5)
    assert s.run_scheduler is True
    assert (s.weekly_email_cron, s.campaign_refresh_cron) == ("0 7 * * mon", "0 2 * * *")
    assert (s.access_log_retention_months, s.referral_retention_months) == (6, 12)
    assert s.proxy_hops == 0


def test_the_generated_secret_key_is_kept_beside_the_database(tmp_path):
    first = Settings.from_env({"NRS_INSTANCE_PATH": str(tmp_path)}).secret_key
    assert Settings.from_env({"NRS_INSTANCE_PATH": str(tmp_path)}).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_values_operators_write_are_understood(tmp_path):
    s = Settings.from_env({
        "NRS_INSTANCE_PATH": str(tmp_path), "NRS_SECRET_KEY": "k" * 32,
        "NRS_DATABASE_URL": "postgres://nrs:pw@db:5432/nrs", "NRS_BASE_URL": "https://nrs.example.dk/",
        "NRS_SMTP_STARTTLS": "ja", "NRS_RUN_SCHEDULER": "off", "NRS_SMTP_PORT": "587",
        "NRS_WEEKLY_EMAIL_CRON": " 30 6 * * tue ",
    })
    assert s.database_url == "postgresql+psycopg://nrs:pw@db:5432/nrs"
    assert s.base_url == "https://nrs.example.dk" and s.https
    assert s.smtp_starttls is True and s.run_scheduler is False and s.smtp_port == 587
    assert s.weekly_email_cron == "30 6 * * tue"


@pytest.mark.parametrize(("variable", "value"), [
    ("NRS_DATABASE_URL", "mysql://nrs@db/nrs"),
    ("NRS_DATABASE_URL", "postgresql://nrs@db:port/nrs"),
    ("NRS_BASE_URL", "nrs.example.dk"),
    ("NRS_SMTP_PORT", "twenty-five"),
    ("NRS_SMTP_PORT", "0"),
    ("NRS_SMTP_STARTTLS", "maybe"),
    ("NRS_SESSION_IDLE_MINUTES", "0"),
    ("NRS_SESSION_MAX_HOURS", "12h"),
    ("NRS_LOGIN_MAX_FAILURES", "-1"),
    ("NRS_RUN_SCHEDULER", "2"),
    ("NRS_WEEKLY_EMAIL_CRON", "mondays at 7"),
    ("NRS_CAMPAIGN_REFRESH_CRON", "0 2 * *"),
    ("NRS_HELP_REQUEST_WORKING_DAYS", "five"),
    ("NRS_ACCESS_LOG_RETENTION_MONTHS", "0"),
    ("NRS_REFERRAL_RETENTION_MONTHS", "1.5"),
    ("NRS_UPLOAD_MAX_BYTES", "10"),
    ("NRS_PROXY_HOPS", "-1"),
])
def test_a_malformed_value_names_its_variable_in_one_line(tmp_path, variable, value):
    env = {"NRS_INSTANCE_PATH": str(tmp_path), "NRS_SECRET_KEY": "k" * 32, variable: value}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert caught.value.variable == variable
    message = str(caught.value)
    assert message.startswith(f"{variable}: ") and "\n" not in message


def test_the_command_stops_with_that_line_and_status_2(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "NRS_INSTANCE_PATH": str(tmp_path), "NRS_SECRET_KEY": "k" * 32,
           "NRS_SMTP_PORT": "twenty-five"}
    done = subprocess.run([sys.executable, "-c", "from nrs.cli import main; main()", "users", "list"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["error: NRS_SMTP_PORT: must be a whole number, got 'twenty-five'"]



@pytest.mark.parametrize("key", ["x", "test-secret-key", "changeme", "a" * 31, " " * 40 + "short"])
def test_short_secret_key_is_refused(tmp_path, key):
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"NRS_INSTANCE_PATH": str(tmp_path), "NRS_SECRET_KEY": key})
    assert info.value.variable == "NRS_SECRET_KEY"
    assert "32" in str(info.value) and "\n" not in str(info.value)


def test_long_secret_key_and_generated_key_are_accepted(tmp_path):
    key = "k" * 32
    assert Settings.from_env({"NRS_INSTANCE_PATH": str(tmp_path), "NRS_SECRET_KEY": key}).secret_key == key
    generated = Settings.from_env({"NRS_INSTANCE_PATH": str(tmp_path)}).secret_key
    assert len(generated) >= 32


def test_the_served_app_refuses_to_start_with_a_short_key_in_one_line(tmp_path):
    env = dict(os.environ, NRS_INSTANCE_PATH=str(tmp_path), NRS_SECRET_KEY="short", NRS_RUN_SCHEDULER="false")
    proc = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("error: NRS_SECRET_KEY: must be at least 32"), proc.stderr
