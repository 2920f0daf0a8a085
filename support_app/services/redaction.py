"""Redaction of anything that may carry a secret before it is stored or shown.

Applied to audit metadata, failure texts and support context. Two layers:
keys whose *name* says secret are replaced whole; string *values* are scanned for
token-shaped content (bearer tokens, JWTs, key=value secrets, URLs with
credentials, e-mail addresses of third parties).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"

_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|apikey|authori[sz]ation|cookie|credential"
    r"|private[_-]?key|client[_-]?secret|session|signature|bearer)",
    re.IGNORECASE,
)

_VALUE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # key=value / key: value pairs naming a secret, also with a quoted key as in
    # JSON or a Python repr quoted inside a text ("access_token": "...")
    re.compile(
        r"(?i)\b((?:access|refresh|id|api|auth|client|bearer)?[_-]?"
        r"(?:token|secret|password|passwd|pwd|key|signature)\w*)([\"']?\s*[=:]\s*)"
        # an unquoted value ends before a closing bracket and a sentence's final dot;
        # a value already redacted is left alone, so redacting twice changes nothing
        r"(?!\[redacted\])(\"[^\"]*\"|'[^']*'|[^\s,;&\"')\]}]*[^\s,;&\"')\]}.])"
    ),
    # Authorization headers
    re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9\-._~+/]+=*)"),
    # JSON Web Tokens
    re.compile(r"()()\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"),
    # credentials inside URLs
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)()[^/\s:@]+:[^/\s@]+@"),
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def redact_text(text: str, *, allowed_emails: Iterable[str] = ()) -> str:
    """``text`` with every secret-shaped part replaced by ``[redacted]``."""
    for pattern in _VALUE_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    allowed = {e.lower() for e in allowed_emails}
    return _EMAIL.sub(lambda m: m.group(0) if m.group(0).lower() in allowed else REDACTED, text)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def redact(value: Any, *, allowed_emails: Iterable[str] = ()) -> Any:
    """A redacted deep copy of ``value`` (mappings, lists, strings, scalars)."""
    allowed = tuple(allowed_emails)
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if is_secret_key(str(k)) else redact(v, allowed_emails=allowed)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, allowed_emails=allowed) for v in value]
    if isinstance(value, str):
        return redact_text(value, allowed_emails=allowed)
    return value
