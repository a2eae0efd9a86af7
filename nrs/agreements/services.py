"""Writes for agreements: create, update, delete, each with an audit event."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nrs.agreements import documents, policy
from nrs.agreements.documents import Upload
from nrs.agreements.models import Agreement, AgreementKind
from nrs.audit.services import apply_changes, record
from nrs.auth.models import User
from nrs.clock import today, utcnow
from nrs.companies.models import Company
from nrs.errors import DomainError
from nrs.forms import contains_cpr
from nrs.locking import check, saving
from nrs.municipalities.models import JobCentre
from nrs.sectors.models import FocusSector


def _sector_rules(session: Session, *, company: Company, kind: AgreementKind, sector: FocusSector | None,
                  valid_from: date, valid_to: date | None, confirm_mismatch: bool) -> bool:
    """A recruitment agreement's focus sector is one of its validity years' sectors, and should cover the
    company's industry code: a mismatch needs the confirmation box. Returns whether one was confirmed."""
    if kind != AgreementKind.recruitment or sector is None:
        return False
    last_year = valid_to.year if valid_to else max(valid_from.year, today().year)
    if not valid_from.year <= sector.year <= last_year:
        raise DomainError(_("Fokusbranchen hører til %(y)d, men aftalen gælder %(a)d–%(b)d. Vælg en fokusbranche "
                            "fra aftalens gyldighedsår.", y=sector.year, a=valid_from.year, b=last_year),
                          field="focus_sector_id")
    code = company.industry_code or ""
    if any(code.startswith(prefix) for prefix in sector.prefixes):
        return False
    if not confirm_mismatch:
        raise DomainError(_("Virksomhedens branchekode (%(c)s) hører ikke til fokusbranchen %(s)s. Sæt kryds i "
                            "bekræftelsen, hvis aftalen alligevel skal høre til den.",
                            c=code or "–", s=sector.name), field="confirm_sector_mismatch")
    return True


def _one_jobservice(session: Session, *, company: Company, kind: AgreementKind, valid_from: date,
                    valid_to: date | None, agreement_id: int | None) -> None:
    """At most one Jobservice Danmark agreement per company at a time (it has one coordinating centre);
    the partial unique index backs the open-ended case in the database."""
    if kind != AgreementKind.jobservice:
        return
    far = date.max
    others = session.exec(select(Agreement).where(Agreement.company_id == company.id,
                                                  Agreement.kind == AgreementKind.jobservice,
                                                  *((Agreement.id != agreement_id,) if agreement_id else ()))).all()
    for other in others:
        if other.valid_from <= (valid_to or far) and valid_from <= (other.valid_to or far):
            raise DomainError(_("Virksomheden har allerede en Jobservice Danmark-aftale i perioden (aftale %(id)d); "
                                "en virksomhed har kun én ad gangen, med én tovholder.", id=other.id),
                              field="kind")


def _values(session: Session, *, company: Company, kind, focus_sector_id, signed_on, valid_from, valid_to,
            coordinating_centre_id, contact_user_id, notes, confirm_sector_mismatch: bool = False,
            agreement_id: int | None = None) -> dict:
    kind = AgreementKind(kind)
    focus_sector_id = focus_sector_id or None
    if focus_sector_id is not None and session.get(FocusSector, focus_sector_id) is None:
        raise DomainError(_("Ukendt fokusbranche."), field="focus_sector_id")
    if kind == AgreementKind.recruitment and focus_sector_id is None:
        raise DomainError(_("En rekrutteringsaftale hører til en fokusbranche; vælg den."), field="focus_sector_id")
    if valid_from is None:
        raise DomainError(_("Angiv hvornår aftalen gælder fra."), field="valid_from")
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("Slutdatoen ligger før startdatoen."), field="valid_to")
    mismatch = _sector_rules(session, company=company, kind=kind,
                             sector=session.get(FocusSector, focus_sector_id) if focus_sector_id else None,
                             valid_from=valid_from, valid_to=valid_to, confirm_mismatch=confirm_sector_mismatch)
    _one_jobservice(session, company=company, kind=kind, valid_from=valid_from, valid_to=valid_to,
                    agreement_id=agreement_id)
    if signed_on is not None and signed_on > today():
        raise DomainError(_("Aftalen kan ikke være underskrevet i fremtiden."), field="signed_on")
    coordinating_centre_id = coordinating_centre_id or company.lead_centre_id
    if coordinating_centre_id is None:
        raise DomainError(
            _("Virksomheden har intet ansvarligt jobcenter; vælg tovholderen."), field="coordinating_centre_id"
        )
    if session.get(JobCentre, coordinating_centre_id) is None:
        raise DomainError(_("Ukendt jobcenter."), field="coordinating_centre_id")
    contact_user_id = contact_user_id or None
    if contact_user_id is not None:
        contact = session.get(User, contact_user_id)
        if contact is None or not contact.active:
            raise DomainError(_("Kontaktpersonen findes ikke eller er deaktiveret."), field="contact_user_id")
    notes = (notes or "").strip()
    if contains_cpr(notes):
        raise DomainError(
            _("Noten ligner et CPR-nummer. NRS må ikke gemme CPR-numre."), field="notes"
        )
    if len(notes) > 4000:
        raise DomainError(_("Noten må højst være 4000 tegn."), field="notes")
    return dict(kind=kind, focus_sector_id=focus_sector_id, signed_on=signed_on, valid_from=valid_from,
                valid_to=valid_to, coordinating_centre_id=coordinating_centre_id,
                contact_user_id=contact_user_id, notes=notes, sector_mismatch_confirmed=mismatch)


def create_agreement(
    session: Session, *, by, company: Company, kind: AgreementKind | str, valid_from: date,
    focus_sector_id: int | None = None, signed_on: date | None = None, valid_to: date | None = None,
    coordinating_centre_id: int | None = None, contact_user_id: int | None = None, notes: str = "",
    document: Upload | None = None, confirm_sector_mismatch: bool = False,
) -> Agreement:
    """Register an agreement; the coordinating centre defaults to the company's lead centre."""
    policy.ensure_may_create(by, company)
    values = _values(session, company=company, kind=kind, focus_sector_id=focus_sector_id, signed_on=signed_on,
                     valid_from=valid_from, valid_to=valid_to, coordinating_centre_id=coordinating_centre_id,
                     contact_user_id=contact_user_id, notes=notes, confirm_sector_mismatch=confirm_sector_mismatch)
    if document is not None:
        documents.check_pdf(document)
    agreement = Agreement(company_id=company.id, **values)
    if document is not None:
        path, name, size = documents.store(document)
        agreement.document_path, agreement.document_name, agreement.document_size = path, name, size
    session.add(agreement)
    session.flush()
    after = {k: [None, v] for k, v in values.items() if v not in (None, "")}
    if document is not None:
        after["document_name"] = [None, agreement.document_name]
    record(session, by=by, entity="agreement", entity_id=agreement.id, action="create",
           changes={"company_id": [None, company.id], **after})
    return agreement


def update_agreement(
    session: Session, agreement: Agreement, *, by, version: int, kind: AgreementKind | str, valid_from: date,
    focus_sector_id: int | None = None, signed_on: date | None = None, valid_to: date | None = None,
    coordinating_centre_id: int | None = None, contact_user_id: int | None = None, notes: str = "",
    document: Upload | None = None, confirm_sector_mismatch: bool = False,
) -> Agreement:
    """Change an agreement saved at ``version``; a newer save by someone else wins and we refuse.

    The agreement is versioned (``nrs.locking``), so two saves at the same moment cannot both pass.
    """
    company = session.get(Company, agreement.company_id)
    policy.ensure_may_change(by, agreement, company)
    check(session, agreement, version)
    values = _values(session, company=company, kind=kind, focus_sector_id=focus_sector_id, signed_on=signed_on,
                     valid_from=valid_from, valid_to=valid_to, coordinating_centre_id=coordinating_centre_id,
                     contact_user_id=contact_user_id, notes=notes,
                     confirm_sector_mismatch=confirm_sector_mismatch or agreement.sector_mismatch_confirmed,
                     agreement_id=agreement.id)
    if document is not None:
        documents.check_pdf(document)
    with saving(session, agreement):
        if document is not None:
            path, name, size = documents.store(document)
            values.update(document_path=path, document_name=name, document_size=size)
        changes = apply_changes(agreement, values)
        changes.pop("document_path", None)
        agreement.updated_at = utcnow()  # a save with no change still counts as one
    record(session, by=by, entity="agreement", entity_id=agreement.id, action="update", changes=changes)
    return agreement


def delete_agreement(session: Session, agreement: Agreement, *, by) -> None:
    """Remove an agreement registered by mistake; one that job orders refer to stays."""
    policy.ensure_may_delete(by, agreement, session.get(Company, agreement.company_id))
    snapshot = {
        "company_id": agreement.company_id, "kind": agreement.kind.value,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_to": agreement.valid_to.isoformat() if agreement.valid_to else None,
        "document_name": agreement.document_name,
    }
    agreement_id = agreement.id
    try:
        with session.begin_nested():
            session.delete(agreement)
            session.flush()
    except IntegrityError:
        raise DomainError(_("Aftalen er knyttet til jobordrer og kan ikke slettes.")) from None
    record(session, by=by, entity="agreement", entity_id=agreement_id, action="delete", changes=snapshot)
