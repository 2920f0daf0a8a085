"""Runtime configuration, read from the environment only.

Reflex's own settings keep Reflex's names (``REFLEX_DB_URL``, ``REFLEX_REDIS_URL``);
the product's settings are ``SUPPORT_APP_*`` and the one external support desk is
``SUPPORT_DESK_*``. There is deliberately no settings UI and no provider registry:
the desk target exists exactly when its variables are set.

A desk URL that breaks the outbound rules (``SUPPORT_DESK_URL`` must be https, or
http to a loopback host for local development, with no user-info, path, query or
fragment) does not stop the app: the desk counts as not configured, so "create"
is unavailable with the usual guidance while internal requests and links keep
working, and the reason, naming the variable, is logged once at start-up and kept
in ``Settings.support_desk_problem``. Sending the API token in clear or to a
mistyped path is never the better failure.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_DB_URL = "sqlite:///support_app.db"
DEFAULT_PORT = "3000"
# Who may read ``/metrics``: this machine only, unless configured (as GitLab's default).
DEFAULT_METRICS_ALLOWED = "127.0.0.0/8,::1/128"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_LOOPBACK_NAMES = frozenset({"localhost"})
_LINK_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")

logger = logging.getLogger(__name__)


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback IP literal: the only hosts plain http may reach."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    # Failures on one account from all addresses together before a fixed lock of
    # ``backoff_seconds`` for the addresses that failed (services/sign_in_throttle.py).
    account_failures: int = 100


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long any database wait may last, so a slow or frozen database ends in an
    error the app can report instead of a request that never answers."""

    connect_seconds: int = 3  # opening a connection (PostgreSQL; libpq's minimum is 2)
    pool_seconds: int = 5  # waiting for a free connection from the pool
    statement_seconds: int = 10  # one statement (PostgreSQL statement_timeout)
    lock_seconds: int = 5  # a row/table lock (PostgreSQL lock_timeout, SQLite busy_timeout)
    # A read that a tab's event waits for (``db.read_in_thread``): shorter than the
    # state lock's expiry, so a frozen database cannot hold a tab's state lock.
    read_wait_seconds: int = 5


@dataclass(frozen=True)
class Settings:
    db_url: str
    product_name: str
    # Where browsers reach the app (scheme://host[:port]); behind a reverse proxy,
    # the proxy's https URL. Sets the allowed origin, the cookie's Secure flag and
    # the event socket URL the frontend is built with.
    public_url: str
    sessions: SignInSessions
    multi_worker: bool  # REFLEX_REDIS_URL set: several workers share state through Redis
    support_desk: SupportDeskTarget | None
    support_desk_problem: str | None = None  # why a configured desk URL was refused
    support_desk_link_hosts: tuple[str, ...] = ()  # "host" or "host:port", lower case
    database: DatabaseTimeouts = DatabaseTimeouts()
    redis_url: str | None = None  # REFLEX_REDIS_URL (checked by /readyz)
    redis_connect_seconds: int = 2  # opening a Redis connection (Reflex's state manager)
    # One command of Reflex's state store, retries and reconnecting included
    # (``reflex_patches.event_log.bound_state_store``): a frozen Redis answers nothing, ever.
    redis_command_seconds: int = 3
    # On SIGTERM (``reflex_patches.graceful_shutdown``): serve on, unready, for
    # ``drain_delay_seconds`` (the proxy's probe notices), then close the sockets and
    # give events in flight up to ``drain_seconds`` before the worker stops.
    drain_delay_seconds: float = 2.0
    drain_seconds: float = 10.0
    log_format: str = "text"  # "text" (one key=value line) or "json" (one object per line)
    # Key of the hash a manual redaction records instead of the removed text
    # (``SUPPORT_APP_REDACTION_HASH_KEY``). Unset: a random key per process, so the
    # hash proves nothing later, but still never reveals the text.
    redaction_hash_key: bytes = b""
    # Client addresses ``/metrics`` answers (``SUPPORT_APP_METRICS_ALLOWED_ADDRESSES``:
    # comma-separated addresses or networks); loopback only by default.
    metrics_allowed_networks: tuple[IPNetwork, ...] = ()

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


def desk_url_problem(base_url: str) -> str | None:
    """Why ``base_url`` may not be the desk's base URL (a sentence naming the variable)."""
    try:
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "SUPPORT_DESK_URL is not a valid URL."
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        return "SUPPORT_DESK_URL must be an https:// URL with a host."
    if scheme == "http" and not is_loopback_host(host):
        return "SUPPORT_DESK_URL must use https (plain http only for a loopback host)."
    if "@" in parts.netloc:
        return "SUPPORT_DESK_URL must not contain a user name or password."
    if parts.path.strip("/") or parts.query or parts.fragment or base_url.endswith(("?", "#")):
        return "SUPPORT_DESK_URL must be the desk's base URL, without path, query or fragment."
    return None


def _support_desk_from_env() -> tuple[SupportDeskTarget | None, str | None]:
    """The configured desk, or None with the reason a configured one was refused."""
    base_url = os.environ.get("SUPPORT_DESK_URL", "").strip().rstrip("/")
    email = os.environ.get("SUPPORT_DESK_EMAIL", "").strip()
    token = os.environ.get("SUPPORT_DESK_API_TOKEN", "").strip()
    if not (base_url and email and token):
        return None, None
    problem = desk_url_problem(base_url)
    if problem:
        logger.warning("External support desk disabled: %s", problem)
        return None, problem
    parts = urlsplit(base_url)
    netloc = parts.netloc.lower()  # scheme and host are case-insensitive; keep the port
    return SupportDeskTarget(
        base_url=f"{parts.scheme.lower()}://{netloc}", email=email, api_token=token
    ), None


def _link_hosts_from_env() -> tuple[str, ...]:
    """``SUPPORT_DESK_LINK_HOSTS``: comma-separated ``host`` or ``host:port`` entries."""
    hosts = []
    for entry in os.environ.get("SUPPORT_DESK_LINK_HOSTS", "").split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        if _LINK_HOST.fullmatch(entry):
            hosts.append(entry)
        else:
            logger.warning("SUPPORT_DESK_LINK_HOSTS: ignoring %r (not host or host:port)", entry)
    return tuple(hosts)


def bounded_redis_url(url: str, connect_seconds: int) -> str:
    """``url`` with a connect timeout and TCP keepalive for redis-py, unless it sets them.

    Reflex builds its Redis clients from the URL alone, so the bounds travel in its
    query string. There is deliberately no ``socket_timeout``: redis-py applies it
    to every read, including the idle ``listen()`` of Reflex's pub/sub listeners,
    which would then fail each time nothing was published for that long.
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_connect_timeout", str(connect_seconds))
    query.setdefault("socket_keepalive", "true")
    return urlunsplit(parts._replace(query=urlencode(query)))


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


def _float_env(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "").strip() or default)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds") from None
    if not 0 <= value <= 300:
        raise ValueError(f"{name} must be between 0 and 300 seconds")
    return value


def _networks_env(name: str, default: str) -> tuple[IPNetwork, ...]:
    """Comma-separated IP addresses or networks (``10.0.0.0/8``); a bad entry is an error
    naming it, not a silently smaller list."""
    raw = os.environ.get(name, "").strip() or default
    networks = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{name}: {entry!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _choice_env(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached because the environment does not change."""
    support_desk, support_desk_problem = _support_desk_from_env()
    redis_url = os.environ.get("REFLEX_REDIS_URL", "").strip()
    return Settings(
        db_url=os.environ.get("REFLEX_DB_URL", DEFAULT_DB_URL),
        product_name=os.environ.get("SUPPORT_APP_PRODUCT_NAME", "").strip() or "TenantPilot",
        public_url=_public_url_from_env(),
        sessions=SignInSessions(
            absolute_seconds=_int_env("SUPPORT_APP_SESSION_TTL_SECONDS", 28800),
            idle_seconds=_int_env("SUPPORT_APP_SESSION_IDLE_SECONDS", 1800),
            free_failures=_int_env("SUPPORT_APP_SIGN_IN_FREE_FAILURES", 5),
            backoff_seconds=_int_env("SUPPORT_APP_SIGN_IN_BACKOFF_SECONDS", 60),
            account_failures=_int_env("SUPPORT_APP_SIGN_IN_ACCOUNT_FAILURES", 100),
        ),
        multi_worker=bool(redis_url),
        support_desk=support_desk,
        support_desk_problem=support_desk_problem,
        support_desk_link_hosts=_link_hosts_from_env(),
        database=DatabaseTimeouts(
            connect_seconds=_int_env("SUPPORT_APP_DB_CONNECT_TIMEOUT_SECONDS", 3, minimum=2),
            pool_seconds=_int_env("SUPPORT_APP_DB_POOL_TIMEOUT_SECONDS", 5),
            statement_seconds=_int_env("SUPPORT_APP_DB_STATEMENT_TIMEOUT_SECONDS", 10),
            lock_seconds=_int_env("SUPPORT_APP_DB_LOCK_TIMEOUT_SECONDS", 5),
            read_wait_seconds=_int_env("SUPPORT_APP_DB_READ_WAIT_SECONDS", 5),
        ),
        redis_url=redis_url or None,
        redis_connect_seconds=_int_env("SUPPORT_APP_REDIS_CONNECT_TIMEOUT_SECONDS", 2),
        redis_command_seconds=_int_env("SUPPORT_APP_REDIS_COMMAND_TIMEOUT_SECONDS", 3),
        drain_delay_seconds=_float_env("SUPPORT_APP_DRAIN_DELAY_SECONDS", 2.0),
        drain_seconds=_float_env("SUPPORT_APP_DRAIN_SECONDS", 10.0),
        log_format=_choice_env("SUPPORT_APP_LOG_FORMAT", "text", ("text", "json")),
        redaction_hash_key=os.environ.get("SUPPORT_APP_REDACTION_HASH_KEY", "").encode()
        or secrets.token_bytes(32),
        metrics_allowed_networks=_networks_env(
            "SUPPORT_APP_METRICS_ALLOWED_ADDRESSES", DEFAULT_METRICS_ALLOWED
        ),
    )
