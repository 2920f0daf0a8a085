"""Runtime configuration, read from the environment only.

Reflex's own settings keep Reflex's names (``REFLEX_DB_URL``, ``REFLEX_REDIS_URL``);
the product's settings are ``SUPPORT_APP_*`` and the one external support desk is
``SUPPORT_DESK_*``. There is deliberately no settings UI and no provider registry:
the desk target exists exactly when its variables are set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_DB_URL = "sqlite:///support_app.db"
DEFAULT_PORT = "3000"


@dataclass(frozen=True)
class SupportDeskTarget:
    """The one configured external support desk (Tickets API subset)."""

    base_url: str
    email: str
    api_token: str


@dataclass(frozen=True)
class SignInSessions:
    """How long a sign-in lasts and how hard wrong passwords are slowed down."""

    absolute_seconds: int
    idle_seconds: int
    # Failed attempts allowed per account and per client address before back-off.
    free_failures: int
    # Lock after the first failure beyond ``free_failures``; doubles with each one more.
    backoff_seconds: int


@dataclass(frozen=True)
class Settings:
    db_url: str
    product_name: str
    # Where browsers reach the app (scheme://host[:port]); behind a reverse proxy,
    # the proxy's https URL. Sets the allowed origin, the cookie's Secure flag and
    # the event socket URL the frontend is built with.
    public_url: str
    sessions: SignInSessions
    support_desk: SupportDeskTarget | None

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """Origins that may post the sign-in form and open the event socket."""
        parts = urlsplit(self.public_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.hostname == "localhost":
            # The same local app is reached as localhost or 127.0.0.1.
            return (origin, origin.replace("localhost", "127.0.0.1", 1))
        return (origin,)


def _support_desk_from_env() -> SupportDeskTarget | None:
    base_url = os.environ.get("SUPPORT_DESK_URL", "").strip().rstrip("/")
    email = os.environ.get("SUPPORT_DESK_EMAIL", "").strip()
    token = os.environ.get("SUPPORT_DESK_API_TOKEN", "").strip()
    if not (base_url and email and token):
        return None
    return SupportDeskTarget(base_url=base_url, email=email, api_token=token)


def _public_url_from_env() -> str:
    port = os.environ.get("SUPPORT_APP_PORT", "").strip() or DEFAULT_PORT
    url = os.environ.get("SUPPORT_APP_PUBLIC_URL", "").strip().rstrip("/")
    url = url or f"http://localhost:{port}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ValueError(f"SUPPORT_APP_PUBLIC_URL must be http(s)://host[:port], not {url!r}")
    return url


def _int_env(name: str, default: int, minimum: int = 1) -> int:
    value = int(os.environ.get(name, "").strip() or default)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached because the environment does not change."""
    return Settings(
        db_url=os.environ.get("REFLEX_DB_URL", DEFAULT_DB_URL),
        product_name=os.environ.get("SUPPORT_APP_PRODUCT_NAME", "").strip() or "TenantPilot",
        public_url=_public_url_from_env(),
        sessions=SignInSessions(
            absolute_seconds=_int_env("SUPPORT_APP_SESSION_TTL_SECONDS", 28800),
            idle_seconds=_int_env("SUPPORT_APP_SESSION_IDLE_SECONDS", 1800),
            free_failures=_int_env("SUPPORT_APP_SIGN_IN_FREE_FAILURES", 5),
            backoff_seconds=_int_env("SUPPORT_APP_SIGN_IN_BACKOFF_SECONDS", 60),
        ),
        support_desk=_support_desk_from_env(),
    )
