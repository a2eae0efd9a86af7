"""Single sign-on with OpenID Connect: one identity provider per centre, through Authlib's Flask client.

Authlib does the protocol: the authorization code flow with PKCE (S256), ``state`` and ``nonce``
kept in the session, the code exchanged at the token endpoint, and the ID token validated
(signature against the provider's JWKS, issuer, audience, expiry, nonce). This module decides
what a validated identity may do in NRS:

* the e-mail (``email``, else ``preferred_username``, Entra ID's UPN) must be of one of the
  provider's domains: a provider vouches for its own municipality's addresses only;
* a known (issuer, subject) or, at first login, a known e-mail is that user (the link is kept);
* an unknown user is created as staff of the provider's centre only if the provider allows it;
* a deactivated user is refused; roles are never taken from the provider.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.auth.models import Role, SsoIdentity, User
from nrs.auth.services import normalise_email
from nrs.errors import DomainError
from nrs.municipalities.models import JobCentre

SCOPE = "openid email profile"
#: Clock difference allowed between NRS and the provider when checking the ID token's times.
LEEWAY_SECONDS = 60
#: A password hash no password matches: users created by SSO have no local password.
NO_PASSWORD = "!sso"


def init_app(app: Flask) -> None:
    """One Authlib client per configured provider, on an OAuth registry of this app's own."""
    oauth = OAuth(app)
    for provider in app.config["NRS"].oidc_providers:
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
        )
    app.extensions["nrs_oauth"] = oauth


def provider(name: str):
    """The configured provider called ``name``, or None."""
    return next((p for p in current_app.config["NRS"].oidc_providers if p.name == name), None)


def client(name: str):
    return current_app.extensions["nrs_oauth"].create_client(name)


def _email(claims: dict) -> str:
    return normalise_email(claims.get("email") or claims.get("preferred_username") or "")


def user_for_identity(session: Session, provider, claims: dict) -> User:
    """The NRS user for a validated ID token's claims; raises DomainError with the reason."""
    email = _email(claims)
    subject = str(claims.get("sub") or "")
    if not subject or "@" not in email or email.rpartition("@")[2] not in provider.domains:
        raise DomainError(_("Din konto hos %(p)s har ingen e-mailadresse, som NRS kender for jobcentret.",
                            p=provider.label))
    if claims.get("email_verified") is False:
        raise DomainError(_("Din e-mailadresse er ikke bekræftet hos %(p)s.", p=provider.label))
    identity = session.exec(select(SsoIdentity).where(
        SsoIdentity.issuer == provider.issuer, SsoIdentity.subject == subject)).first()
    user = session.get(User, identity.user_id) if identity else session.exec(
        select(User).where(User.email == email)).first()
    if user is None:
        if not provider.create_users:
            raise DomainError(_("Du har endnu ingen bruger i NRS. Bed en administrator i dit jobcenter om "
                                "at oprette dig med e-mail %(e)s.", e=email))
        user = _create(session, provider, email=email, name=str(claims.get("name") or email))
    if not user.active:
        raise DomainError(_("Din bruger i NRS er deaktiveret."))
    if identity is None:
        session.add(SsoIdentity(user_id=user.id, issuer=provider.issuer, subject=subject[:255]))
        record(session, by=user, entity="user", entity_id=user.id, action="sso_link", note=provider.name)
    record(session, by=user, entity="user", entity_id=user.id, action="login", note=f"sso {provider.name}")
    session.flush()
    return user


def _create(session: Session, provider, *, email: str, name: str) -> User:
    centre = session.exec(select(JobCentre).where(JobCentre.municipality_code == provider.centre)).first()
    if centre is None:
        raise DomainError(_("Jobcentret for %(p)s findes ikke i NRS.", p=provider.label))
    user = User(email=email, name=name.strip()[:120] or email, job_centre_id=centre.id, role=Role.staff,
                password_hash=NO_PASSWORD)
    session.add(user)
    session.flush()
    record(session, by=None, entity="user", entity_id=user.id, action="create",
           changes={"email": email, "name": user.name, "role": Role.staff, "job_centre_id": centre.id},
           note=f"sso {provider.name}")
    return user
