"""Redaction of anything that may carry a secret before it is stored, shown or sent.

Applied to audit metadata, failure texts, support context and the desk ticket. Two
layers, both named in the placeholder ``[redacted:<detector>]`` so a reader knows
what was removed:

- a mapping value whose *key name* says secret is replaced whole
  (``[redacted:secret-key]``; see ``keys`` for the normaliser);
- every string is scanned by the detector catalogue (``catalogue``) in one pass
  (``scanner``): headers, connection strings, URL credentials, JWTs, PEM keys,
  well-known token formats, e-mail addresses of third parties.

Redacting twice gives the same result as redacting once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from support_app.services.redaction.catalogue import (
    CATALOGUE,
    SECRET_KEY_PLACEHOLDER,
    placeholder,
)
from support_app.services.redaction.keys import is_secret_key
from support_app.services.redaction.scanner import redact_text, scan

__all__ = [
    "CATALOGUE",
    "SECRET_KEY_PLACEHOLDER",
    "is_secret_key",
    "placeholder",
    "redact",
    "redact_text",
]


def redact(value: Any, *, allowed_emails: Iterable[str] = ()) -> Any:
    """A redacted deep copy of ``value`` (mappings, lists, tuples, strings, scalars).

    Keys become strings so the result is JSON-safe. Under a secret-named key, any
    value except ``True``/``False``/``None`` (which cannot carry a secret and tell
    support whether one was set) is replaced whole, containers included.
    """
    return _redact(value, frozenset(e.lower() for e in allowed_emails))


def _redact(value: Any, allowed: frozenset[str]) -> Any:
    # Strings and scalars first: they are most of an envelope's nodes, and an
    # ``isinstance`` against the ``Mapping`` ABC is the slow check.
    if isinstance(value, str):
        return scan(value, allowed)
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, Mapping):
        return {
            str(k): (
                SECRET_KEY_PLACEHOLDER
                if is_secret_key(str(k)) and not isinstance(v, bool | None)
                else _redact(v, allowed)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(v, allowed) for v in value]
    return value
