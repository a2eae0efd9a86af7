"""``nrs activities add`` and ``nrs tasks list|done``."""

from __future__ import annotations

import json
from datetime import timedelta

from nrs.clock import today


def test_add_with_follow_up_then_list_and_done(cli_run, make_user, make_company):
    user = make_user(centre=219)
    company = make_company(municipality_code=219)
    due = today() + timedelta(days=14)
    result = cli_run("activities", "add", "--company", company.cvr, "--kind", "call", "--by", user.email,
                     "--summary", "ring igen om 14 dage", "--follow-up", due.isoformat())
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("activity ") and last.split()[1].isdigit()

    listed = cli_run("tasks", "list", "--user", user.email, "--json")
    rows = json.loads(listed.output)
    assert len(rows) == 1
    row = rows[0]
    assert row["due"] == due.isoformat() and row["done"] is False
    assert row["company_cvr"] == company.cvr and row["assignee_email"] == user.email

    before = cli_run("tasks", "list", "--user", user.email, "--due-before", due.isoformat(), "--json")
    assert json.loads(before.output) == []

    done = cli_run("tasks", "done", str(row["id"]))
    assert done.exit_code == 0, done.output
    assert json.loads(cli_run("tasks", "list", "--user", user.email, "--json").output) == []


def test_bad_input_is_one_line_and_nothing_changes(cli_run, make_user, make_company):
    user, company = make_user(), make_company()
    for args, words in (
        (["--company", "12345678", "--kind", "call", "--by", user.email, "--summary", "x"], "no company"),
        (["--company", company.cvr, "--kind", "call", "--by", "nobody@x.test", "--summary", "x"], "no user"),
        (["--company", company.cvr, "--kind", "call", "--by", user.email, "--summary", "x", "--at", "i går"],
         "--at"),
        (["--company", company.cvr, "--kind", "note", "--by", user.email, "--summary", "CPR 010190-1234"], "CPR"),
    ):
        result = cli_run("activities", "add", *args)
        assert result.exit_code != 0
        assert words in (result.stderr or result.output)
    assert json.loads(cli_run("tasks", "list", "--user", user.email, "--json").output) == []
    assert cli_run("tasks", "done", "999999").exit_code != 0
