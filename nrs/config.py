"""Settings read from the environment once, at start-up.

A malformed value stops the app with one line naming the variable: an operator reading a
crash-looping service log should see at once which setting to fix.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from nrs.yesno import yes_no

KNOWN_DB_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")
#: A session-signing key shorter than this can be guessed offline from one signed cookie.
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""

    def __init__(self, variable: str, reason: str):
        super().__init__(f"{variable}: {reason}")
        self.variable = variable


def _int(env: dict, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    return value


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return yes_no(raw, blank=default)
    except ValueError:
        raise ConfigError(name, f"must be true or false, got {raw!r}") from None


def _cron(env: dict, name: str, default: str) -> str:
    raw = (env.get(name) or default).strip()
    if len(raw.split()) != 5:
        raise ConfigError(name, f"must be a cron expression with five fields, got {raw!r}")
    return raw


def normalise_database_url(url: str, variable: str = "NRS_DATABASE_URL") -> str:
    """Accept the URL forms operators write and hand SQLAlchemy the psycopg 3 driver."""
    scheme = urlsplit(url).scheme
    if scheme == "postgres":
        url = "postgresql" + url[len("postgres") :]
        scheme = "postgresql"
    if scheme not in KNOWN_DB_SCHEMES:
        raise ConfigError(
            variable, f"unknown database URL scheme {scheme!r} (use sqlite:/// or postgresql://)"
        )
    if scheme == "postgresql":
        url = "postgresql+psycopg" + url[len("postgresql") :]
    try:
        urlsplit(url).port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise ConfigError(variable, "the port is not a number") from None
    return url


@dataclass(frozen=True)
class OidcProvider:
    """One centre's OpenID Connect identity provider (``NRS_OIDC_<NAME>_*``)."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    #: Municipality code of the centre whose staff log in here (219 = Hillerød).
    centre: int
    #: E-mail domains of that centre: the login page sends them here, and only they are accepted.
    domains: tuple[str, ...]
    label: str
    #: Create an unknown user of one of ``domains`` as staff of ``centre`` at first login.
    create_users: bool = False
    #: False: the centre's users may not log in with a local password at all.
    password_login: bool = True


def _oidc_providers(env: dict) -> tuple[OidcProvider, ...]:
    names = [n.strip().lower() for n in (env.get("NRS_OIDC_PROVIDERS") or "").split(",") if n.strip()]
    providers = []
    for name in names:
        if not name.isalnum():
            raise ConfigError("NRS_OIDC_PROVIDERS", f"names must be letters and digits, got {name!r}")
        prefix = f"NRS_OIDC_{name.upper()}_"

        def need(key: str, prefix=prefix) -> str:
            value = (env.get(prefix + key) or "").strip()
            if not value:
                raise ConfigError(prefix + key, "must be set for each provider in NRS_OIDC_PROVIDERS")
            return value

        issuer = need("ISSUER").rstrip("/")
        if urlsplit(issuer).scheme not in ("http", "https"):
            raise ConfigError(prefix + "ISSUER", f"must be an http(s) URL, got {issuer!r}")
        need("CENTRE")
        domains = tuple(d.strip().lower().lstrip("@") for d in need("DOMAINS").split(",") if d.strip())
        providers.append(OidcProvider(
            name=name, issuer=issuer, client_id=need("CLIENT_ID"), client_secret=need("CLIENT_SECRET"),
            centre=_int(env, prefix + "CENTRE", 0, 1), domains=domains,
            label=(env.get(prefix + "LABEL") or "").strip() or name.upper(),
            create_users=_bool(env, prefix + "CREATE_USERS", False),
            password_login=_bool(env, prefix + "PASSWORD_LOGIN", True),
        ))
    return tuple(providers)


def _centres(env: dict, name: str) -> frozenset[int]:
    raw = env.get(name) or ""
    try:
        return frozenset(int(code) for code in raw.split(",") if code.strip())
    except ValueError:
        raise ConfigError(name, f"must be municipality codes separated by commas, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    base_url: str = "http://127.0.0.1:5000"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "NRS <nrs@localhost>"
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_max_failures: int = 5
    run_scheduler: bool = True
    weekly_email_cron: str = "0 7 * * mon"
    campaign_refresh_cron: str = "0 2 * * *"
    help_request_working_days: int = 5
    #: Days past its referral deadline after which the daily job closes an order unfilled; 0 = never.
    deadline_close_days: int = 14
    access_log_retention_months: int = 6
    referral_retention_months: int = 12
    upload_max_bytes: int = 50 * 1024 * 1024
    #: Enquiries (nrs.enquiries): the response goal, retention, the shared mailbox, /kontakt.
    enquiry_response_working_days: int = 1
    enquiry_retention_months: int = 24
    enquiry_attachment_max_bytes: int = 10 * 1024 * 1024
    contact_form_per_hour: int = 5
    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    #: Move fetched messages here (empty: leave them in the folder, flagged).
    imap_done_folder: str = ""
    #: A CA certificate to trust for the IMAP server (besides the system's), e.g. a private CA.
    imap_ca_file: str | None = None
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto we trust (0 = none).
    proxy_hops: int = 0
    #: OpenID Connect providers, one per centre that signs in with its own identity provider.
    oidc_providers: tuple[OidcProvider, ...] = ()
    #: Admins must have a second factor (TOTP) to use a local password login.
    admin_totp_required: bool = True
    #: Centres (municipality codes) whose every local-password user must have TOTP.
    totp_required_centres: frozenset[int] = frozenset()
    #: Calls one API key may make per minute (a fixed window); past it 429 with Retry-After.
    api_calls_per_minute: int = 120
    testing: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("NRS_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        instance.mkdir(parents=True, exist_ok=True)
        db_url = env.get("NRS_DATABASE_URL") or f"sqlite:///{instance / 'nrs.db'}"
        db_url = normalise_database_url(db_url)
        base_url = (env.get("NRS_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ConfigError("NRS_BASE_URL", f"must start with http:// or https://, got {base_url!r}")
        return cls(
            instance_path=instance,
            database_url=db_url,
            secret_key=_secret_key(env) or _instance_secret(instance),
            base_url=base_url,
            smtp_host=env.get("NRS_SMTP_HOST") or "localhost",
            smtp_port=_int(env, "NRS_SMTP_PORT", 25, 1),
            smtp_user=env.get("NRS_SMTP_USER") or None,
            smtp_password=env.get("NRS_SMTP_PASSWORD") or None,
            smtp_starttls=_bool(env, "NRS_SMTP_STARTTLS", False),
            mail_from=env.get("NRS_MAIL_FROM") or "NRS <nrs@localhost>",
            session_idle_minutes=_int(env, "NRS_SESSION_IDLE_MINUTES", 30, 1),
            session_max_hours=_int(env, "NRS_SESSION_MAX_HOURS", 12, 1),
            login_max_failures=_int(env, "NRS_LOGIN_MAX_FAILURES", 5, 1),
            run_scheduler=_bool(env, "NRS_RUN_SCHEDULER", True),
            weekly_email_cron=_cron(env, "NRS_WEEKLY_EMAIL_CRON", "0 7 * * mon"),
            campaign_refresh_cron=_cron(env, "NRS_CAMPAIGN_REFRESH_CRON", "0 2 * * *"),
            help_request_working_days=_int(env, "NRS_HELP_REQUEST_WORKING_DAYS", 5, 1),
            deadline_close_days=_int(env, "NRS_DEADLINE_CLOSE_DAYS", 14, 0),
            access_log_retention_months=_int(env, "NRS_ACCESS_LOG_RETENTION_MONTHS", 6, 1),
            referral_retention_months=_int(env, "NRS_REFERRAL_RETENTION_MONTHS", 12, 1),
            upload_max_bytes=_int(env, "NRS_UPLOAD_MAX_BYTES", 50 * 1024 * 1024, 1024),
            proxy_hops=_int(env, "NRS_PROXY_HOPS", 0, 0),
            enquiry_response_working_days=_int(env, "NRS_ENQUIRY_RESPONSE_WORKING_DAYS", 1, 0),
            enquiry_retention_months=_int(env, "NRS_ENQUIRY_RETENTION_MONTHS", 24, 1),
            enquiry_attachment_max_bytes=_int(env, "NRS_ENQUIRY_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, 1024),
            contact_form_per_hour=_int(env, "NRS_CONTACT_FORM_PER_HOUR", 5, 1),
            imap_host=env.get("NRS_IMAP_HOST") or None,
            imap_port=_int(env, "NRS_IMAP_PORT", 993, 1),
            imap_user=env.get("NRS_IMAP_USER") or None,
            imap_password=env.get("NRS_IMAP_PASSWORD") or None,
            imap_folder=env.get("NRS_IMAP_FOLDER") or "INBOX",
            imap_done_folder=env.get("NRS_IMAP_DONE_FOLDER") or "",
            imap_ca_file=env.get("NRS_IMAP_CA_FILE") or None,
            oidc_providers=_oidc_providers(env),
            admin_totp_required=_bool(env, "NRS_ADMIN_TOTP_REQUIRED", True),
            totp_required_centres=_centres(env, "NRS_TOTP_REQUIRED_CENTRES"),
            api_calls_per_minute=_int(env, "NRS_API_CALLS_PER_MINUTE", 120, 1),
        )


def _secret_key(env: dict) -> str | None:
    raw = env.get("NRS_SECRET_KEY")
    if not raw:
        return None
    if len(raw.strip()) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "NRS_SECRET_KEY",
            f"must be at least {MIN_SECRET_KEY_LENGTH} characters, got {len(raw.strip())} "
            "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')",
        )
    return raw.strip()


def _instance_secret(instance: Path) -> str:
    """Generate the secret key once and keep it beside the database, readable by us only."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
