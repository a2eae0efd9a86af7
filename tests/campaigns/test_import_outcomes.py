"""Export a campaign list, fill in outcomes in the XLSX, import it back: the outcomes are recorded;
a bad row changes nothing and names its line; the same file twice changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from nrs.activities.models import Activity, Task
from nrs.campaigns.models import CampaignTarget, TargetStatus
from nrs.campaigns.queries import EXPORT_HEADERS
from nrs.clock import today
from nrs.companies.models import Company
from tests.conftest import data_file, post_form


@pytest.fixture
def built(session, import_companies, sectors_2016, make_campaign):
    import_companies(data_file("companies-example.csv"))
    return make_campaign(build=True)


def _export(cli_run, campaign_id, tmp_path):
    out = tmp_path / "hillerod.xlsx"
    result = cli_run("campaigns", "export", str(campaign_id), "--format", "xlsx", "--output", str(out),
                     "--centre", "219")
    assert result.exit_code == 0, result.stderr
    return out


def _fill(path, outcomes: dict[str, tuple]) -> None:
    """Type outcomes into the exported sheet as a consultant would (a date cell is a real date)."""
    wb = load_workbook(path)
    ws = wb.active
    col = {name: i for i, name in enumerate(EXPORT_HEADERS)}
    for row in ws.iter_rows(min_row=2):
        cells = outcomes.get(str(row[0].value))
        if cells:
            for name, value in zip(("Udfald", "Udfaldsdato", "Ring igen / mødedato", "Udfaldsnote"), cells,
                                   strict=False):
                row[col[name]].value = value
    wb.save(path)


def _counts(session):
    session.expire_all()
    return (session.exec(select(func.count(Activity.id))).one(), session.exec(select(func.count(Task.id))).one(),
            sorted(t.status.value for t in session.exec(select(CampaignTarget))))


def _status(session, cvr):
    session.expire_all()
    return session.exec(select(CampaignTarget).join(Company, Company.id == CampaignTarget.company_id)
                        .where(Company.cvr == cvr)).one()


def test_filled_outcomes_are_recorded_once(session, cli_run, built, make_user, tmp_path):
    me = make_user(role="staff", centre=219, email="hanne@hillerod.example")
    path = _export(cli_run, built.id, tmp_path)
    due = today() + timedelta(days=14)
    _fill(path, {"43872621": ("Ikke truffet / ring igen", None, due, "ring igen om 14 dage"),
                 "99083867": ("Kontaktet", today().strftime("%d-%m-%Y"), None, "Talte med Ole")})
    result = cli_run("campaigns", "import-outcomes", str(built.id), str(path), "--by", me.email)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "3 rows read, 2 outcomes recorded, 0 already imported, 1 without an outcome, 0 invalid; "
        "unknown columns: none")
    taxa = _status(session, "43872621")
    assert (taxa.status, taxa.call_back_on, taxa.status_by_id) == (TargetStatus.call_back, due, me.id)
    assert _status(session, "99083867").status == TargetStatus.contacted
    assert _status(session, "56706569").status == TargetStatus.not_contacted  # its outcome was blank
    activity = session.exec(select(Activity).where(Activity.target_id == taxa.id)).one()
    assert activity.summary == "ring igen om 14 dage" and activity.author_id == me.id
    task = session.exec(select(Task)).one()
    assert (task.due, task.assignee_id, task.title) == (due, me.id, "Ring igen: Nordsjællands Taxa A/S")

    before = _counts(session)
    again = cli_run("campaigns", "import-outcomes", str(built.id), str(path), "--by", me.email)
    assert again.exit_code == 0
    assert "0 outcomes recorded, 2 already imported" in again.stdout
    assert _counts(session) == before


def test_a_bad_row_changes_nothing_and_names_its_line(session, cli_run, built, make_user, tmp_path):
    me = make_user(role="staff", centre=219, email="hanne@hillerod.example")
    path = _export(cli_run, built.id, tmp_path)
    lines = {str(r[0]): n for n, r in enumerate(load_workbook(path).active.iter_rows(values_only=True), start=1)}
    _fill(path, {"43872621": ("Kontaktet",), "99083867": ("Ring tilbage en dag",),
                 "56706569": ("Ikke truffet / ring igen",)})  # no call-back date
    before = _counts(session)
    result = cli_run("campaigns", "import-outcomes", str(built.id), str(path), "--by", me.email)
    assert result.exit_code == 1
    assert f"line {lines['99083867']}: outcome Ring tilbage en dag is not an outcome" in result.stdout
    assert f"line {lines['56706569']}: follow_up (blank) is refused" in result.stdout
    assert "2 invalid rows; nothing was written" in result.stderr
    assert _counts(session) == before


def test_upload_on_the_campaign_page(client, session, login_as, cli_run, built, tmp_path):
    login_as("staff", centre=219)
    path = _export(cli_run, built.id, tmp_path)
    _fill(path, {"43872621": ("not_interested", None, None, "Har nok folk")})
    url = f"/kampagner/{built.id}"

    def upload():
        return post_form(client, f"{url}/udfald",
                         {"file": (io.BytesIO(path.read_bytes()), "hillerod.xlsx")}, form_url=url,
                         content_type="multipart/form-data")

    response = upload()
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "1 udfald registreret" in response.get_data(as_text=True)
    assert _status(session, "43872621").status == TargetStatus.not_interested
    response = upload()
    assert "0 udfald registreret, 1 allerede indlæst" in response.get_data(as_text=True)
    assert session.exec(select(func.count(Activity.id))).one() == 1


def test_rows_of_another_centre_are_refused(client, session, login_as, cli_run, built, tmp_path):
    login_as("staff", centre=201)  # Allerød: the Hillerød part of the list is not theirs
    path = _export(cli_run, built.id, tmp_path)
    _fill(path, {"43872621": ("Kontaktet",)})
    url = f"/kampagner/{built.id}"
    response = post_form(client, f"{url}/udfald",
                         {"file": (io.BytesIO(path.read_bytes()), "hillerod.xlsx")}, form_url=url,
                         content_type="multipart/form-data")
    assert response.status_code == 400
    assert "is on another centre&#39;s part of the list" in response.get_data(as_text=True)
    assert _status(session, "43872621").status == TargetStatus.not_contacted


def test_the_csv_export_reads_back_too_and_a_call_back_needs_someone_to_hold_it(session, cli_run, built,
                                                                                 tmp_path):
    out = tmp_path / "hillerod.csv"
    assert cli_run("campaigns", "export", str(built.id), "--format", "csv", "--output", str(out),
                   "--centre", "219").exit_code == 0
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    due = (today() + timedelta(days=7)).strftime("%d-%m-%Y")
    filled = [lines[0]] + [line[:-3] + f"Ikke truffet;;{due};Ring efter frokost" if line.startswith("43872621")
                           else line for line in lines[1:]]
    assert filled != lines
    out.write_bytes("\r\n".join(filled).encode("utf-8-sig"))
    result = cli_run("campaigns", "import-outcomes", str(built.id), str(out))  # no --by, no NRS contact person
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(filled, start=1) if text.startswith("43872621"))
    assert f"line {line}: follow_up {due} needs someone to hold the task" in result.stdout
    assert session.exec(select(func.count(Activity.id))).one() == 0
