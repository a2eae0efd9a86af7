"""The app and the ``nrs`` command are composed by plain imports: the same whatever is imported first.

Each case runs in a fresh interpreter, so a module imported first really is imported first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Modules a user (or a test, or gunicorn) might import before anything else.
FIRST = [
    "nrs.cli",
    "nrs.companies.cli",  # was: the companies group vanished (it imported nrs.cli half-way)
    "nrs.mail.cli",
    "nrs.scheduler.cli",
    "nrs.demo",
    "wsgi",
]

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
from pathlib import Path
from nrs import create_app
from nrs.cli import cli
from nrs.config import Settings

def tree(group):
    return {name: tree(cmd) if hasattr(cmd, "commands") else None
            for name, cmd in sorted(group.commands.items())}

app = create_app(Settings(instance_path=Path(sys.argv[2]), database_url="sqlite://",
                          secret_key="k" * 32, base_url="http://nrs.test"))
rules = sorted(f"{r.rule} {r.endpoint} {sorted(r.methods)}" for r in app.url_map.iter_rules())
print(json.dumps({"commands": tree(cli), "rules": rules}))
"""


def _probe(first: str, instance: Path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "NRS_SECRET_KEY": "k" * 32, "NRS_INSTANCE_PATH": str(instance),
           "NRS_DATABASE_URL": "sqlite://"}
    done = subprocess.run([sys.executable, "-c", PROBE, first, str(instance)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    return _probe("nrs.cli", tmp_path_factory.mktemp("instance"))


def test_every_domain_command_group_is_there(reference):
    assert {"init", "serve", "demo", "users", "companies", "sectors", "orders", "campaigns", "reports",
            "mail", "privacy", "scheduler"} <= set(reference["commands"])
    assert "weekly" in reference["commands"]["reports"]
    assert "fire" in reference["commands"]["scheduler"]


@pytest.mark.parametrize("first", FIRST[1:])
def test_command_set_and_url_map_do_not_depend_on_import_order(first, reference, tmp_path):
    assert _probe(first, tmp_path) == reference


def test_no_module_is_found_by_name():
    """Composition is by import: nothing in nrs looks a module up by a string."""
    offenders = [f"{path.relative_to(ROOT)}:{n}"
                 for path in (ROOT / "nrs").rglob("*.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if "import_module" in line or "optional_module" in line]
    assert offenders == []
