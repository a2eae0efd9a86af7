from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.campaigns.models import CampaignTarget, MismatchReason, TargetStatus
from nrs.companies.models import Company
from nrs.municipalities.models import JobCentre
from tests.conftest import data_file

#: companies-example.csv: active, ≥ 5 employees (lower bound), construction or transport, in the
#: nine municipalities, with the lead centre's municipality. 14436995 matches too but is
#: advertising-protected, so it is left out by default.
EXPECTED_2016 = {
    "99083867": 219, "94959314": 210, "43872621": 219, "52786800": 201,
    "65698161": 250, "37743488": 260, "56706569": 219, "59663194": 201,
}
PROTECTED = "14436995"


def _targets(session, campaign_id):
    session.expire_all()
    rows = session.exec(
        select(CampaignTarget, Company, JobCentre)
        .join(Company, Company.id == CampaignTarget.company_id)
        .outerjoin(JobCentre, JobCentre.id == CampaignTarget.lead_centre_id)
        .where(CampaignTarget.campaign_id == campaign_id)
    ).all()
    return {c.cvr: (t, j) for t, c, j in rows}


def _create_and_build(cli_run, *args):
    created = cli_run("campaigns", "create", "--name", "Forår 2016", "--year", "2016", *args)
    assert created.exit_code == 0, created.output + created.stderr
    campaign_id = int(created.output.strip().splitlines()[-1].split()[0])
    built = cli_run("campaigns", "build", str(campaign_id))
    assert built.exit_code == 0, built.output + built.stderr
    return campaign_id, int(built.output.strip().splitlines()[-1].split()[0])


def test_cli_build_lists_exactly_the_matching_companies_with_their_lead_centre(
    session, cli_run, import_companies, sectors_2016
):
    import_companies(data_file("companies-example.csv"))
    campaign_id, count = _create_and_build(cli_run)

    targets = _targets(session, campaign_id)
    assert count == len(EXPECTED_2016)
    assert {cvr: centre.municipality_code for cvr, (_t, centre) in targets.items()} == EXPECTED_2016
    assert all(t.status == TargetStatus.not_contacted and t.matching for t, _ in targets.values())


def test_cli_build_can_keep_advertising_protected_companies(session, cli_run, import_companies, sectors_2016):
    import_companies(data_file("companies-example.csv"))
    campaign_id, count = _create_and_build(cli_run, "--include-protected")
    assert count == len(EXPECTED_2016) + 1
    assert PROTECTED in _targets(session, campaign_id)


def test_cli_create_with_one_sector_and_other_thresholds(session, cli_run, import_companies, sectors_2016):
    import_companies(data_file("companies-example.csv"))
    campaign_id, count = _create_and_build(
        cli_run, "--sector", "Bygge og anlæg", "--min-employees", "20", "--municipality", "219",
        "--municipality", "201",
    )
    # 432200/433200 in Hillerød and Allerød with at least 20 employees.
    assert set(_targets(session, campaign_id)) == {"43872621", "56706569", "52786800"}
    assert count == 3


def test_cli_create_refuses_an_unknown_sector(cli_run, sectors_2016):
    result = cli_run("campaigns", "create", "--name", "X", "--year", "2016", "--sector", "Landbrug")
    assert result.exit_code == 1
    assert "Landbrug" in result.stderr


def test_second_import_flags_targets_and_keeps_their_outcome(
    session, cli_run, import_companies, sectors_2016, tmp_path
):
    import_companies(data_file("companies-example.csv"))
    campaign_id, _ = _create_and_build(cli_run)
    worked = _targets(session, campaign_id)["99083867"][0]
    worked.status, worked.status_note = TargetStatus.meeting_booked, "Møde med Ole"
    session.add(worked)
    session.commit()

    # Excel-saved update (Windows-1252, comma): three targets shrink to 2 employees.
    import_companies(data_file("companies-example-update.csv"))
    # And a new transport company opens in Gribskov.
    new = tmp_path / "new.csv"
    new.write_text("cvr;name;municipality_code;industry_code;employees\n"
                   "29403473;Græsted Fragt ApS;270;494100;ANTAL_10_19\n", encoding="utf-8")
    import_companies(new)

    built = cli_run("campaigns", "build", str(campaign_id))
    assert built.exit_code == 0
    assert built.output.strip().splitlines()[-1].startswith(f"{len(EXPECTED_2016) - 3 + 1} ")

    targets = _targets(session, campaign_id)
    shrunk = {cvr for cvr, (t, _) in targets.items() if not t.matching}
    assert shrunk == {"99083867", "65698161", "52786800"}
    assert all(targets[c][0].mismatch_reason == MismatchReason.shrunk for c in shrunk)
    kept = targets["99083867"][0]
    assert kept.status == TargetStatus.meeting_booked and kept.status_note == "Møde med Ole"
    assert targets["29403473"][0].matching and targets["29403473"][1].municipality_code == 270


def test_cli_export_writes_the_list_and_logs_it(session, cli_run, import_companies, sectors_2016, tmp_path):
    import_companies(data_file("companies-example.csv"))
    campaign_id, _ = _create_and_build(cli_run)
    out = tmp_path / "hillerod.xlsx"
    result = cli_run("campaigns", "export", str(campaign_id), "--format", "xlsx", "--output", str(out),
                     "--centre", "219")
    assert result.exit_code == 0, result.stderr
    ws = load_workbook(io.BytesIO(out.read_bytes())).active
    cvrs = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert cvrs == {cvr for cvr, m in EXPECTED_2016.items() if m == 219}
    event = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "campaign",
                                                  AuditEvent.action == "export")).one()
    assert event.entity_id == str(campaign_id)
    assert event.changes["centre"] == [None, "219"] and event.changes["format"] == [None, "xlsx"]
