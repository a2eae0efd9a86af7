"""Refreshing a campaign after company data change: flagged with a reason, never deleted."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from nrs.agreements.models import Agreement
from nrs.campaigns.models import CampaignTarget, MismatchReason, TargetStatus
from nrs.campaigns.services import REASON_FOR
from nrs.companies.models import Company
from nrs.sectors.queries import sector_rule
from tests.conftest import data_file

HEADER = "cvr;name;municipality_code;industry_code;employees;status\n"


def _by_cvr(session, campaign_id):
    session.expire_all()
    rows = session.exec(select(CampaignTarget, Company).join(Company, Company.id == CampaignTarget.company_id)
                        .where(CampaignTarget.campaign_id == campaign_id)).all()
    return {c.cvr: t for t, c in rows}


def _build(cli_run, campaign_id) -> int:
    result = cli_run("campaigns", "build", str(campaign_id))
    assert result.exit_code == 0, result.stderr
    return int(result.output.strip().splitlines()[-1].split()[0])


def test_each_way_of_leaving_the_list_is_named_and_a_comeback_keeps_the_outcome(
    session, cli_run, import_companies, sectors_2016, make_campaign, tmp_path
):
    import_companies(data_file("companies-example.csv"))
    campaign = make_campaign(build=True)
    target = _by_cvr(session, campaign.id)["43872621"]
    target.status, target.status_note = TargetStatus.not_interested, "Ring igen i 2017"
    session.add(target)
    session.commit()

    changed = tmp_path / "changed.csv"
    changed.write_text(HEADER +
                       "43872621;Nordsjællands Taxa A/S;219;432200;ANTAL_20_49;OPHØRT\n"  # ceased
                       "94959314;Tømrerfirmaet Esrum I/S;230;494100;ANTAL_10_19;NORMAL\n"  # moved to Rudersdal
                       "37743488;Frederikssund Logistik I/S;260;620100;ANTAL_20_49;NORMAL\n",  # now IT
                       encoding="utf-8")
    import_companies(changed)
    assert _build(cli_run, campaign.id) == 5

    targets = _by_cvr(session, campaign.id)
    assert {cvr: t.mismatch_reason for cvr, t in targets.items() if not t.matching} == {
        "43872621": MismatchReason.ceased,
        "94959314": MismatchReason.moved_away,
        "37743488": MismatchReason.sector_changed,
    }
    session.refresh(campaign)
    assert (campaign.last_refresh_added, campaign.last_refresh_removed) == (0, 3)

    back = tmp_path / "back.csv"
    back.write_text(HEADER + "43872621;Nordsjællands Taxa A/S;219;432200;ANTAL_20_49;NORMAL\n", encoding="utf-8")
    import_companies(back)
    assert _build(cli_run, campaign.id) == 6
    target = _by_cvr(session, campaign.id)["43872621"]
    assert target.matching and target.mismatch_reason is None
    assert (target.status, target.status_note) == (TargetStatus.not_interested, "Ring igen i 2017")
    session.refresh(campaign)
    assert (campaign.last_refresh_added, campaign.last_refresh_removed) == (1, 0)


def test_refresh_with_nothing_changed_adds_and_flags_nothing(
    session, cli_run, import_companies, sectors_2016, make_campaign
):
    import_companies(data_file("companies-example.csv"))
    campaign = make_campaign(build=True)
    assert _build(cli_run, campaign.id) == 8
    session.refresh(campaign)
    assert (campaign.last_refresh_added, campaign.last_refresh_removed) == (0, 0)
    assert len(session.exec(select(CampaignTarget)).all()) == 8


def test_companies_with_an_active_agreement_can_be_left_out(
    session, cli_run, import_companies, sectors_2016, make_campaign, centre_by_code
):
    import_companies(data_file("companies-example.csv"))
    company = session.exec(select(Company).where(Company.cvr == "43872621")).one()
    session.add(Agreement(company_id=company.id, focus_sector_id=sectors_2016[0].id, signed_on=date(2016, 1, 4),
                          valid_from=date(2016, 1, 4), coordinating_centre_id=centre_by_code(219).id))
    session.commit()
    campaign = make_campaign(build=True, exclude_active_agreements=True)
    assert "43872621" not in _by_cvr(session, campaign.id)
    assert campaign.last_refresh_excluded_agreements == 1
    assert len(_by_cvr(session, campaign.id)) == 7


def test_an_ended_campaign_is_not_refreshed(session, cli_run, import_companies, sectors_2016, make_campaign):
    from nrs.campaigns import services
    from nrs.campaigns.models import CampaignStatus

    import_companies(data_file("companies-example.csv"))
    campaign = make_campaign(build=True)
    services.set_campaign_status(session, campaign, by=None, status=CampaignStatus.ended)
    session.commit()
    result = cli_run("campaigns", "build", str(campaign.id))
    assert result.exit_code == 1
    assert "afsluttet" in result.stderr


def test_two_refreshes_at_once_add_each_company_once(session, engine, import_companies, sectors_2016,
                                                     make_campaign):
    """The nightly job and a coordinator's click at the same moment: one waits for the other."""
    import threading

    from nrs.campaigns import services
    from nrs.campaigns.models import Campaign
    from nrs.clock import utcnow
    from nrs.db import is_sqlite, session_scope

    import_companies(data_file("companies-example.csv"))
    campaign_id = make_campaign().id
    errors, start = [], threading.Barrier(2)

    def refresh():
        try:
            start.wait(timeout=10)
            with session_scope(engine) as s:
                if is_sqlite(s):
                    s.connection(execution_options={"sqlite_immediate": True})
                services.build_campaign(s, s.get(Campaign, campaign_id), now=utcnow())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(_by_cvr(session, campaign_id)) == 8


def test_an_untouched_target_follows_its_company_to_a_new_lead_centre(
    session, cli_run, import_companies, sectors_2016, make_campaign, centre_by_code, tmp_path
):
    import_companies(data_file("companies-example.csv"))
    campaign = make_campaign(build=True)
    worked = _by_cvr(session, campaign.id)["56706569"]
    worked.status = TargetStatus.contacted
    session.add(worked)
    session.commit()
    moved = tmp_path / "moved.csv"
    moved.write_text(HEADER +
                     "43872621;Nordsjællands Taxa A/S;201;432200;ANTAL_20_49;NORMAL\n"
                     "56706569;Allerød Maler ApS;201;433200;ANTAL_1000_999999;NORMAL\n", encoding="utf-8")
    import_companies(moved)
    _build(cli_run, campaign.id)
    targets = _by_cvr(session, campaign.id)
    assert targets["43872621"].lead_centre_id == centre_by_code(201).id
    assert targets["56706569"].lead_centre_id == centre_by_code(219).id  # Hillerød keeps its conversation


def test_a_company_of_unknown_size_that_changed_sector_is_named_sector_changed_when_size_does_not_count(
    session, cli_run, import_companies, sectors_2016, make_campaign, tmp_path
):
    """With no minimum size, an unknown size is no reason to leave: the sector change is."""
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "43872621;Nordsjællands Taxa A/S;219;493200;;NORMAL\n", encoding="utf-8")
    import_companies(first)
    campaign = make_campaign(build=True, min_employees=0)
    assert _by_cvr(session, campaign.id)["43872621"].matching

    now_it = tmp_path / "now-it.csv"
    now_it.write_text(HEADER + "43872621;Nordsjællands Taxa A/S;219;620100;;NORMAL\n", encoding="utf-8")
    import_companies(now_it)
    _build(cli_run, campaign.id)
    target = _by_cvr(session, campaign.id)["43872621"]
    assert not target.matching
    assert target.mismatch_reason == MismatchReason.sector_changed


def test_every_condition_of_the_rule_has_a_reason_to_name():
    """A condition added to the sector rule or the campaign must also say why a target left."""
    every = sector_rule(prefixes=["49"], min_employees=5, municipality_codes=[219], active_only=True)
    assert set(every) | {"not_protected", "no_active_agreement"} == set(REASON_FOR)
