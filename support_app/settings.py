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

DEFAULT_DB_URL = "sqlite:///support_app.db"


@dataclass(frozen=True)
class SupportDeskTarget:
    """The one configured external support desk (Tickets API subset)."""

    base_url: str
    email: str
    api_token: str


@dataclass(frozen=True)
class Settings:
    db_url: str
    product_name: str
    session_ttl_seconds: int
    secure_cookies: bool
    support_desk: SupportDeskTarget | None


def _support_desk_from_env() -> SupportDeskTarget | None:
    base_url = os.environ.get("SUPPORT_DESK_URL", "").strip().rstrip("/")
    email = os.environ.get("SUPPORT_DESK_EMAIL", "").strip()
    token = os.environ.get("SUPPORT_DESK_API_TOKEN", "").strip()
    if not (base_url and email and token):
        return None
    return SupportDeskTarget(base_url=base_url, email=email, api_token=token)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached because the environment does not change."""
    return Settings(
        db_url=os.environ.get("REFLEX_DB_URL", DEFAULT_DB_URL),
        product_name=os.environ.get("SUPPORT_APP_PRODUCT_NAME", "").strip() or "TenantPilot",
        session_ttl_seconds=int(os.environ.get("SUPPORT_APP_SESSION_TTL_SECONDS", "28800")),
        secure_cookies=os.environ.get("SUPPORT_APP_SECURE_COOKIES", "0") == "1",
        support_desk=_support_desk_from_env(),
    )
