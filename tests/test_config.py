"""Start-up settings: a secret key that is too short to be a key is refused with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nrs.config import ConfigError, Settings

REPO = Path(__file__).resolve().parent.parent


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
    proc = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("error: NRS_SECRET_KEY: must be at least 32"), proc.stderr
