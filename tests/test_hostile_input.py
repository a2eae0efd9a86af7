"""Hostile input, property-based: every form and every import format, fed malformed values.

For each POST route (found from the URL map) hypothesis builds submissions from the form's own
field names with wrong types, 10,000-character strings, control characters, NUL bytes, SQL and
HTML fragments, bad dates and bad encodings, and checks what a user or an attacker would notice:
no 500; no script stored and shown unescaped on a later page; and a refused submission writes
nothing (SQLite's ``data_version`` tells whether any other connection committed).

SQLite only, one app and client per form, to keep CI time sane; the examples per form come from
``NRS_HYPOTHESIS_EXAMPLES`` (400 per form and 1,000 per import format by default; see FORM_EXAMPLES).
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token, data_file, login
from tests.routes import POST_ROUTES as ALL_POST_ROUTES

#: Examples per form and per import format; ``NRS_HYPOTHESIS_EXAMPLES`` sets both (e.g. 1000 for a
#: long run). Forms default to 400: 41 forms x 1,000 requests were half the suite's CPU time. The
#: property is still exercised as before: with the curated values drawn three times as often (see
#: ``_values``), 400 examples bring each kind of them (bad date, huge number, NUL/control
#: characters, SQL, script, 10,000 characters) to each field of a 7-field form as completely as
#: 1,000 did before (counted on the strategy alone, three seeds each). The three import formats
#: keep 1,000: three tests only.
_OVERRIDE = os.environ.get("NRS_HYPOTHESIS_EXAMPLES")
EXAMPLES = int(_OVERRIDE or "1000")
FORM_EXAMPLES = int(_OVERRIDE or "400")
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FORM_SETTINGS = settings(SETTINGS, max_examples=FORM_EXAMPLES)
#: What a stored script would look like if a page printed it unescaped.
MARKERS = ("<script>nrs_xss", "<img src=x onerror=nrs_xss")
SCRIPTS = ("<script>nrs_xss()</script>", '"><img src=x onerror=nrs_xss()>', "'><script>nrs_xss()</script>")
NASTY = (
    "", " ", "\x00", "a\x00b", "\r\n", "\t", "\x1b[31m", "\u202e", "\ufeff", "x" * 10_000, "9" * 40,
    "' OR '1'='1", "'; DROP TABLE users; --", "1; SELECT pg_sleep(0)", "%", "_", "\\", "../../etc/passwd",
    "31-02-2016", "2016-13-45", "00-00-0000", "99-99-9999", "1-1-1", "2016-02-30", "-1", "0", "1e308",
    "NaN", "-0", "2147483648", "9223372036854775808", "true", "null", "[]", "{}", "０１２３", "١٢٣",
    "010101-1234",  # looks like a CPR number
)
#: Routes without input worth fuzzing: logging out ends the session the other examples need.
SKIP = {"auth.logout"}


@pytest.fixture
def backend():
    """Overrides the two-database parametrisation: this test is long, SQLite keeps CI sane."""
    return "sqlite"


class _Forms(HTMLParser):
    """The POST forms on a page: action and field names (with the options of selects)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "files": set(),
                          "csrf": {"csrf_token"}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            name = a["name"]
            if name.endswith("csrf_token"):
                self._form["csrf"].add(name)  # a prefixed form has its own: always the real token
                return
            if a.get("type") == "file":
                self._form["files"].add(name)
            self._form["fields"].setdefault(name, [])
            if a.get("value") and a.get("type") not in ("password",):
                self._form["fields"][name].append(a["value"])
            if tag == "select":
                self._select = name
        elif self._form is not None and tag == "option" and self._select:
            self._form["fields"][self._select].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _fields_for(client, url: str) -> tuple[dict, set, set]:
    """Field names of the form that posts to ``url``, read from the page a user would use."""
    candidates = [url]
    parts = url.rstrip("/").split("/")
    for cut in range(1, 4):
        if len(parts) - cut >= 1:
            base = "/".join(parts[:-cut]) or "/"
            candidates += [base, base + "/"]
    for page in candidates:
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = urlsplit(form["action"]).path or page
            if action == url:
                return form["fields"], form["files"], form["csrf"]
    return {}, set(), {"csrf_token"}


def _values(options: list[str]):
    script = st.builds(lambda a, s, b: a + s + b, st.text(max_size=5), st.sampled_from(SCRIPTS), st.text(max_size=5))
    hostile = st.one_of(
        st.text(max_size=60),
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
        # The curated values three times over: they are what broke forms before, and drawn as often
        # as the generated kinds each of them reaches each field within the examples of one form.
        st.sampled_from(NASTY), st.sampled_from(NASTY), st.sampled_from(NASTY),
        script,
        st.integers().map(str),
        st.floats(allow_nan=True).map(str),
        st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
        st.lists(st.text(max_size=5), max_size=3),  # the field sent several times
    )
    if options:
        return st.one_of(st.sampled_from(options), st.sampled_from(options), hostile)
    return hostile


def _submissions(fields: dict, files: set):
    names = sorted(fields)
    file_body = st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"", b"\xff\xfe\x00\x00", b"CVR-nummer;Navn\n<script>nrs_xss()</script>;x",
                         "æøå;ÆØÅ".encode("latin-1"), b"\x00" * 100]),
    )
    return st.fixed_dictionaries(
        {},
        optional={
            **{n: (file_body if n in files else _values(fields[n])) for n in names},
            "unexpected": st.text(max_size=20),
        },
    ), st.booleans(), st.sampled_from(["%FF%FE", "%C0%AF", "%ED%A0%80", "%00", "%E2%82"])


def _send(client, url, tokens: dict, data: dict, files: set, raw_tail: str | None):
    if raw_tail is not None and not files:
        # A body that is not valid UTF-8: what a broken client or an attacker sends.
        pairs = list(tokens.items())
        for key, value in data.items():
            for v in value if isinstance(value, list) else [value]:
                pairs.append((key, v))
        body = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in pairs)
        target = next(iter(data), "unexpected")
        body += f"&{quote(target)}=x{raw_tail}"
        return client.post(url, data=body.encode(), content_type="application/x-www-form-urlencoded")
    form = dict(tokens)
    for key, value in data.items():
        form[key] = (io.BytesIO(value), "hostile.csv") if key in files else value
    return client.post(url, data=form, content_type="multipart/form-data" if files else None)


def _assert_escaped(response, where: str) -> None:
    if "html" not in (response.content_type or ""):
        return
    html = response.get_data(as_text=True)
    for marker in MARKERS:
        assert marker not in html, f"unescaped script on {where}"


def _pages(app) -> list[str]:
    return [r.rule for r in app.url_map.iter_rules()
            if "GET" in r.methods and not r.arguments and not r.rule.startswith("/static")]


#: Found by this test, reported to the owning domain; remove the line when fixed (XPASS shows it).
#: Forms with a known crash, marked xfail until fixed (none at present).
KNOWN_BUGS: dict[str, str] = {}
POST_ROUTES = [
    pytest.param(e, r, id=r, marks=[pytest.mark.xfail(reason=KNOWN_BUGS[e], strict=False)] if e in KNOWN_BUGS else [])
    for e, r in ALL_POST_ROUTES if e not in SKIP
]


@pytest.mark.slow
@pytest.mark.usefixtures("cheap_password_hashes")
@pytest.mark.parametrize(("endpoint", "rule"), POST_ROUTES)
def test_form_survives_hostile_input(app, client, make_user, world, database_url, endpoint, rule):
    admin = make_user(role="admin", centre=201)
    url = world(rule)
    fields, files, csrf_names = _fields_for(client if endpoint == "auth.login" else _logged_in(client, admin), url)
    if os.environ.get("NRS_HOSTILE_DEBUG"):
        print(f"\n{url}: {sorted(fields)} files={sorted(files)}")
    token = csrf_token(client, "/login" if endpoint == "auth.login" else "/")
    tokens = dict.fromkeys(csrf_names, token)
    observer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    version = _BusinessData(observer)
    submissions, use_raw, raw_tail = _submissions(fields, files)
    statuses: Counter = Counter()

    @FORM_SETTINGS
    @given(data=submissions, raw=use_raw, tail=raw_tail)
    def submit(data, raw, tail):
        before = version()
        response = _send(client, url, tokens, data, files, tail if raw else None)
        statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code} for {url} with {data!r}"
        if response.status_code >= 400 and endpoint != "auth.login":  # failed logins are counted on purpose
            assert version() == before, f"{url} refused ({response.status_code}) but wrote to the database"
        _assert_escaped(response, url)
        location = response.headers.get("Location", "")
        if response.status_code in (302, 303) and location.startswith("/"):
            _assert_escaped(client.get(location), location)

    try:
        submit()
    finally:
        observer.close()
    if os.environ.get("NRS_HOSTILE_DEBUG"):
        print(f"{url}: {dict(statuses)}")
    # Whatever was stored, every page still prints it escaped.
    for page in _pages(app) + [url]:
        _assert_escaped(client.get(page), page)


#: Rows a refused request writes on purpose: the access log of what it showed (GDPR: kept whatever
#: the response) and the password-guessing counters with their audit row.
KEPT_ON_REFUSAL = {"access_log", "login_throttles"}
#: A counter the test database's triggers raise on every write to a business table (test-only).
WRITES = "nrs_test_business_writes"


def _business_tables(observer) -> list[str]:
    return sorted(t for (t,) in observer.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if t not in KEPT_ON_REFUSAL and t != WRITES and not t.startswith("sqlite_") and "_fts" not in t)


def _business_data(observer) -> tuple:
    """The content of every table but those written on purpose when a form is refused (updates too)."""
    out = []
    for table in _business_tables(observer):
        where = " WHERE action <> 'password_check_failed'" if table == "audit_events" else ""
        out.append(hash(tuple(sorted(map(repr, observer.execute(f'SELECT * FROM "{table}"{where}'))))))  # noqa: S608
    return tuple(out)


class _BusinessData:
    """``_business_data`` of the test database, read again only after a business table was written.

    Reading every table costs milliseconds and ran twice per example; triggers in this test's copy
    of the database count the writes (inserts, updates, deletes; a password check's audit row is
    kept on purpose), and while the count stands still the content cannot have changed. When it
    moves, the content is compared as before, so a write that changes nothing still passes.
    """

    def __init__(self, observer):
        self.observer = observer
        observer.execute("CREATE TABLE nrs_test_business_writes (n INTEGER NOT NULL)")
        observer.execute("INSERT INTO nrs_test_business_writes VALUES (0)")
        bump = "BEGIN UPDATE nrs_test_business_writes SET n = n + 1; END"
        for table in _business_tables(observer):
            for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                kept = table == "audit_events" and event != "UPDATE"
                when = f" WHEN {row}.action IS NOT 'password_check_failed'" if kept else ""
                observer.execute(f'CREATE TRIGGER "{WRITES}_{table}_{event}" AFTER {event} ON "{table}"'
                                 f"{when} {bump}")
        self.seen: int | None = None
        self.content: tuple = ()

    def __call__(self) -> tuple:
        (writes,) = self.observer.execute("SELECT n FROM nrs_test_business_writes").fetchone()
        if writes != self.seen:
            self.content, self.seen = _business_data(self.observer), writes
        return self.content


def _logged_in(client, user):
    assert login(client, user.email).status_code == 302
    return client


# --- import formats ------------------------------------------------------------------------------

def _mutated(example: bytes):
    """Lines of a real example file with cells replaced by hostile values, or raw bytes."""
    text = example.decode("utf-8-sig")
    lines = text.splitlines()
    header, rows = lines[0], lines[1:6]

    def mutate(row: str, idx: int, value: str, sep: str) -> str:
        cells = row.split(sep)
        cells[idx % len(cells)] = value
        return sep.join(cells)

    def build(sep, picks, encoding, bom):
        out = [header]
        for row, (idx, value) in zip(rows, picks, strict=False):
            out.append(mutate(row, idx, value.replace("\n", " "), sep) if value is not None else row)
        body = ("\ufeff" if bom else "") + "\n".join(out)
        return body.encode(encoding, errors="replace")

    cell = st.one_of(st.none(), st.sampled_from(NASTY + SCRIPTS), st.text(max_size=30))
    return st.one_of(
        st.builds(build, st.just(";" if ";" in header else ","),
                  st.lists(st.tuples(st.integers(0, 20), cell), min_size=1, max_size=5),
                  st.sampled_from(["utf-8", "latin-1", "utf-16"]), st.booleans()),
        st.binary(max_size=500),
        st.sampled_from([b"", header.encode(), b"\xef\xbb\xbf", b"\x00\x00\x00"]),
    )


def _jsonl_mutated(example: bytes):
    import json

    first = json.loads(example.decode().splitlines()[0])

    def build(path_value, raw):
        if raw is not None:
            return raw
        doc = json.loads(json.dumps(first))
        node = doc["_source"]["Vrvirksomhed"]
        key, value = path_value
        node[key] = value
        return (json.dumps(doc) + "\n").encode()

    leaf = st.one_of(st.none(), st.integers(), st.text(max_size=30), st.sampled_from(NASTY + SCRIPTS),
                     st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    keys = st.sampled_from(["cvrNummer", "navne", "beliggenhedsadresse", "hovedbranche", "reklamebeskyttet",
                            "enhedstype", "virksomhedsstatus", "aarsbeskaeftigelse", "telefonNummer"])
    return st.builds(build, st.tuples(keys, leaf),
                     st.one_of(st.none(), st.binary(max_size=300), st.just(b"{not json\n"), st.just(b"[]\n")))


IMPORTS = [
    ("companies", "companies-example.csv", "csv", _mutated),
    ("companies", "cvr-example.jsonl", "jsonl", _jsonl_mutated),
    ("orders", "job-orders-example.csv", "csv", _mutated),
]


@pytest.mark.slow
@pytest.mark.parametrize(("group", "example", "suffix", "strategy"), IMPORTS, ids=[i[1] for i in IMPORTS])
def test_import_survives_hostile_files(app, client, make_user, cli_run, database_url, tmp_path, group, example,
                                      suffix, strategy):
    if group == "orders":
        # Orders name their companies by CVR number: load the example companies first.
        assert cli_run("companies", "import", str(data_file("companies-example.csv")),
                       "--skip-invalid").exit_code in (0, 1)
    observer = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    path = tmp_path / f"hostile.{suffix}"
    outcomes: Counter = Counter()

    @SETTINGS
    @given(body=strategy(data_file(example).read_bytes()))
    def run(body):
        path.write_bytes(body)
        before = observer.execute("PRAGMA data_version").fetchone()[0]
        result = cli_run(group, "import", str(path))  # an exception here fails the test: no crash allowed
        outcomes[result.exit_code] += 1
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 1:
            assert observer.execute("PRAGMA data_version").fetchone()[0] == before, "refused file wrote rows"
            assert re.search(r"nothing was written|invalid rows", result.stderr or result.output)

    try:
        run()
    finally:
        observer.close()
    if os.environ.get("NRS_HOSTILE_DEBUG"):
        print(f"{example}: exit codes {dict(outcomes)}")
    # Stored names are shown escaped on the pages that list them.
    _logged_in(client, make_user(role="staff"))
    for page in ("/virksomheder/", "/jobordrer/"):
        response = client.get(page)
        _assert_escaped(response, page)
