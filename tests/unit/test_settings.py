"""Settings from the environment: the desk URL rules, the allowed link hosts, the bounds.

A desk URL that would send the API token in clear, to someone else's user-info, or
to a path we never meant is refused when the settings are read: the desk then
counts as not configured (create unavailable, internal requests and links keep
working) and the reason, naming the variable, is logged and kept in the settings.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support_app.settings import (
    DatabaseTimeouts,
    Settings,
    SupportDeskTarget,
    bounded_redis_url,
    desk_url_problem,
    get_settings,
)

DESK_VARS = ("SUPPORT_DESK_URL", "SUPPORT_DESK_EMAIL", "SUPPORT_DESK_API_TOKEN")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in (*DESK_VARS, "SUPPORT_DESK_LINK_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def settings_with_desk(env: pytest.MonkeyPatch, url: str) -> Settings:
    env.setenv("SUPPORT_DESK_URL", url)
    env.setenv("SUPPORT_DESK_EMAIL", "api@desk.example")
    env.setenv("SUPPORT_DESK_API_TOKEN", "tok")
    get_settings.cache_clear()
    return get_settings()


@pytest.mark.parametrize(
    ("url", "base_url"),
    [
        ("https://desk.example", "https://desk.example"),
        ("https://desk.example/", "https://desk.example"),
        ("HTTPS://Desk.Example:8443/", "https://desk.example:8443"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:8765", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_a_valid_desk_url_configures_the_desk(
    env: pytest.MonkeyPatch, url: str, base_url: str
) -> None:
    settings = settings_with_desk(env, url)
    assert settings.support_desk == SupportDeskTarget(base_url, "api@desk.example", "tok")
    assert settings.support_desk_problem is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://desk.example", "must use https"),
        ("http://127.0.0.1.evil.example", "must use https"),
        ("ftp://desk.example", "https:// URL with a host"),
        ("desk.example", "https:// URL with a host"),
        ("https://", "https:// URL with a host"),
        ("https://user:pw@desk.example", "user name or password"),
        ("https://user@desk.example", "user name or password"),
        ("https://:pw@desk.example", "user name or password"),
        ("https://desk.example/api/v2", "without path, query or fragment"),
        ("https://desk.example?x=1", "without path, query or fragment"),
        ("https://desk.example/#frag", "without path, query or fragment"),
        ("https://desk.example?", "without path, query or fragment"),
        ("https://desk.example:99999", "not a valid URL"),
        ("https://[::1", "not a valid URL"),
    ],
)
def test_a_desk_url_against_the_rules_leaves_the_desk_unavailable_with_a_logged_reason(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, url: str, reason: str
) -> None:
    settings = settings_with_desk(env, url)
    assert settings.support_desk is None
    assert settings.support_desk_problem is not None
    assert settings.support_desk_problem.startswith("SUPPORT_DESK_URL ")
    assert reason in settings.support_desk_problem
    assert settings.support_desk_problem in caplog.text
    assert "tok" not in caplog.text


def test_the_rules_are_one_function(env: pytest.MonkeyPatch) -> None:
    assert desk_url_problem("https://desk.example") is None
    assert desk_url_problem("http://desk.example") is not None


def test_without_all_three_variables_there_is_no_desk_and_no_problem(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("SUPPORT_DESK_URL", "http://desk.example")  # would be refused, but incomplete
    settings = get_settings()
    assert (settings.support_desk, settings.support_desk_problem) == (None, None)


def test_link_hosts_are_read_lower_cased_and_bad_entries_are_ignored(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    env.setenv(
        "SUPPORT_DESK_LINK_HOSTS",
        " Help.Example.org , agents.example.com:8443,,https://x.example, a b, localhost:8765",
    )
    assert get_settings().support_desk_link_hosts == (
        "help.example.org",
        "agents.example.com:8443",
        "localhost:8765",
    )
    assert "https://x.example" in caplog.text and "a b" in caplog.text


BOUND_VARS = (
    "SUPPORT_APP_DB_CONNECT_TIMEOUT_SECONDS",
    "SUPPORT_APP_DB_POOL_TIMEOUT_SECONDS",
    "SUPPORT_APP_DB_STATEMENT_TIMEOUT_SECONDS",
    "SUPPORT_APP_DB_LOCK_TIMEOUT_SECONDS",
    "SUPPORT_APP_REDIS_CONNECT_TIMEOUT_SECONDS",
    "SUPPORT_APP_REDIS_COMMAND_TIMEOUT_SECONDS",
    "SUPPORT_APP_LOG_FORMAT",
    "REFLEX_REDIS_URL",
)


def test_waits_are_bounded_by_default_and_configurable(env: pytest.MonkeyPatch) -> None:
    for name in BOUND_VARS:
        env.delenv(name, raising=False)
    get_settings.cache_clear()
    defaults = get_settings()
    assert defaults.database == DatabaseTimeouts(3, 5, 10, 5)
    assert (
        defaults.redis_url,
        defaults.redis_connect_seconds,
        defaults.redis_command_seconds,
        defaults.log_format,
    ) == (None, 2, 3, "text")

    env.setenv("SUPPORT_APP_DB_LOCK_TIMEOUT_SECONDS", "2")
    env.setenv("SUPPORT_APP_REDIS_COMMAND_TIMEOUT_SECONDS", "5")
    env.setenv("SUPPORT_APP_LOG_FORMAT", "JSON")
    env.setenv("REFLEX_REDIS_URL", "redis://cache:6379/3")
    get_settings.cache_clear()
    configured = get_settings()
    assert configured.database.lock_seconds == 2 and configured.log_format == "json"
    assert configured.redis_command_seconds == 5
    assert configured.redis_url == "redis://cache:6379/3" and configured.multi_worker


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUPPORT_APP_DB_CONNECT_TIMEOUT_SECONDS", "1"),  # libpq's minimum is 2
        ("SUPPORT_APP_DB_STATEMENT_TIMEOUT_SECONDS", "0"),  # 0 would mean no bound
        ("SUPPORT_APP_REDIS_COMMAND_TIMEOUT_SECONDS", "0"),
        ("SUPPORT_APP_LOG_FORMAT", "xml"),
    ],
)
def test_an_unbounded_or_unknown_value_is_refused(
    env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    env.setenv(name, value)
    get_settings.cache_clear()
    with pytest.raises(ValueError, match=name):
        get_settings()


def test_the_redis_url_carries_a_connect_timeout_and_keepalive_but_no_read_timeout() -> None:
    assert bounded_redis_url("redis://cache:6379/3", 2) == (
        "redis://cache:6379/3?socket_connect_timeout=2&socket_keepalive=true"
    )
    assert bounded_redis_url("rediss://:pw@cache/0?socket_connect_timeout=9", 2) == (
        "rediss://:pw@cache/0?socket_connect_timeout=9&socket_keepalive=true"
    )


def test_metrics_are_for_loopback_unless_configured_and_a_bad_entry_is_named(
    env: pytest.MonkeyPatch,
) -> None:
    env.delenv("SUPPORT_APP_METRICS_ALLOWED_ADDRESSES", raising=False)
    get_settings.cache_clear()
    assert [str(n) for n in get_settings().metrics_allowed_networks] == ["127.0.0.0/8", "::1/128"]
    env.setenv("SUPPORT_APP_METRICS_ALLOWED_ADDRESSES", " 10.0.9.0/24, 192.0.2.7 ,")
    get_settings.cache_clear()
    assert [str(n) for n in get_settings().metrics_allowed_networks] == [
        "10.0.9.0/24",
        "192.0.2.7/32",
    ]
    env.setenv("SUPPORT_APP_METRICS_ALLOWED_ADDRESSES", "10.0.9.0/24, prometheus.internal")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match=r"'prometheus\.internal' is not an IP address or network"):
        get_settings()
