"""Rows to the API's JSON (the shapes are the models in ``nrs.api.schemas``)."""

from __future__ import annotations

from datetime import date

from nrs.agreements.queries import status_of


def company_ref(c) -> dict:
    return {"id": c.id, "cvr": c.cvr, "name": c.name}


def company(c, codes: dict[int, int]) -> dict:
    return {
        **company_ref(c), "address": c.address, "postal_code": c.postal_code, "city": c.city,
        "municipality_code": c.municipality_code, "industry_code": c.industry_code,
        "employees_min": c.employees_min, "employees_max": c.employees_max, "active": c.active,
        "advertising_protected": c.advertising_protected, "lead_centre": codes.get(c.lead_centre_id),
        "updated_at": c.updated_at.isoformat(),
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def job_order(o, c, codes: dict[int, int], referrals=None) -> dict:
    body = {
        "id": o.id, "reference": o.reference, "title": o.title, "positions": o.positions,
        "state": o.state.value, "channel": o.channel.value, "received_on": o.received_on.isoformat(),
        "start_on": _iso(o.start_on), "deadline_on": _iso(o.deadline_on), "closed_on": _iso(o.closed_on),
        "lead_centre": codes.get(o.lead_centre_id), "agreement_id": o.agreement_id, "company": company_ref(c),
    }
    if referrals is not None:
        body["referrals"] = [
            {"id": r.id, "referring_centre": codes.get(r.referring_centre_id), "referred_on": r.referred_on.isoformat(),
             "outcome": r.outcome.value, "case_reference": r.case_reference}
            for r, _centre, _user in referrals
        ]
    return body


def agreement(a, c, codes: dict[int, int], today: date) -> dict:
    return {
        "id": a.id, "kind": a.kind.value, "company": company_ref(c),
        "coordinating_centre": codes.get(a.coordinating_centre_id), "focus_sector_id": a.focus_sector_id,
        "signed_on": _iso(a.signed_on), "valid_from": _iso(a.valid_from), "valid_to": _iso(a.valid_to),
        "status": status_of(a, today),
    }


def campaign(k) -> dict:
    return {"id": k.id, "name": k.name, "year": k.year, "status": k.status.value,
            "starts_on": _iso(k.starts_on), "ends_on": _iso(k.ends_on)}


def target(t, c, codes: dict[int, int]) -> dict:
    return {"id": t.id, "campaign_id": t.campaign_id, "company": company_ref(c),
            "lead_centre": codes.get(t.lead_centre_id), "status": t.status.value, "status_on": _iso(t.status_on),
            "job_order_id": t.job_order_id, "agreement_id": t.agreement_id}
