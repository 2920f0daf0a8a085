"""Redaction of anything that may carry a secret before it is stored, shown or sent.

Applied to audit metadata, failure texts, support context and the desk ticket. Two
layers, both named in the placeholder ``[redacted:<detector>]`` so a reader knows
what was removed:

- a mapping value whose *key name* says secret is replaced whole
  (``[redacted:secret-key]``; see ``vocabulary`` for the normaliser);
- a value *paired* with a secret name is replaced whole: ``{"name": "DB_PASSWORD",
  "value": X}`` and ``{"key": "api_key", "value": X}`` (App Service settings,
  Kubernetes env, HAR, Postman), a header tuple ``["X-Api-Key", X]``, a Key Vault
  secret bundle's ``value``, and the argument after a secret-taking option in an argv
  list (``["mysql", "-p", X]``, see ``commands``);
- every string is scanned by the detector catalogue (``catalogue``) in one pass
  (``scanner``): headers, connection strings, URL credentials, command lines,
  prose, JWTs, PEM keys, well-known token formats, e-mail addresses of third parties.

Redacting twice gives the same result as redacting once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from support_app.services.redaction.catalogue import CATALOGUE, SECRET_KEY_PLACEHOLDER
from support_app.services.redaction.commands import secret_argument_positions
from support_app.services.redaction.named_fields import (
    CLI_OPTION,
    KEY_VAULT_SECRET,
    NAME_VALUE,
    names_a_header,
)
from support_app.services.redaction.scanner import findings, redact_text, scan
from support_app.services.redaction.syntax import PLACEHOLDER_PREFIX, Finding, placeholder
from support_app.services.redaction.vocabulary import is_secret_key

__all__ = [
    "CATALOGUE",
    "SECRET_KEY_PLACEHOLDER",
    "Finding",
    "findings",
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
        if "value" in value or "Value" in value or "secretValue" in value:
            paired = _paired_value_fields(value)
            if paired:
                return {
                    str(k): (
                        paired.get(k, SECRET_KEY_PLACEHOLDER)
                        if (k in paired or is_secret_key(str(k))) and not isinstance(v, bool | None)
                        else _redact(v, allowed)
                    )
                    for k, v in value.items()
                }
        return {
            str(k): (
                SECRET_KEY_PLACEHOLDER
                if is_secret_key(str(k)) and not isinstance(v, bool | None)
                else _redact(v, allowed)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        if len(value) > 1 and all(isinstance(v, str) for v in value):
            return _redact_strings(value, allowed)
        return [_redact(v, allowed) for v in value]
    return value


# Fields that name a setting, header or parameter, and the field holding its value.
_NAME_FIELDS = ("name", "key", "header", "parameter", "variable", "Name", "Key")
_VALUE_FIELDS = ("value", "Value", "secretValue")
_NAME_VALUE_PLACEHOLDER = placeholder(NAME_VALUE.name)
_KEY_VAULT_PLACEHOLDER = placeholder(KEY_VAULT_SECRET.name)
_CLI_OPTION_PLACEHOLDER = placeholder(CLI_OPTION.name)


def _paired_value_fields(mapping: Mapping[Any, Any]) -> dict[Any, str]:
    """The value fields of ``mapping`` that hold a secret named by a sibling field."""
    fields = [f for f in _VALUE_FIELDS if f in mapping]
    if not fields:
        return {}
    if any(isinstance(n := mapping.get(f), str) and is_secret_key(n) for f in _NAME_FIELDS):
        return dict.fromkeys(fields, _NAME_VALUE_PLACEHOLDER)
    secret_id = mapping.get("id")
    if isinstance(secret_id, str) and ".vault." in secret_id and "/secrets/" in secret_id:
        return dict.fromkeys(fields, _KEY_VAULT_PLACEHOLDER)
    return {}


def _redact_strings(values: list[str] | tuple[str, ...], allowed: frozenset[str]) -> list[str]:
    """A list of strings: an argv list or a header tuple pairs a secret with its name."""
    hidden = secret_argument_positions(values)
    if len(values) == 2 and names_a_header(values[0]) and is_secret_key(values[0]):
        hidden[1] = 0  # ("X-Api-Key", "…"), ["Authorization", "Bearer …"]
    out = []
    for i, item in enumerate(values):
        start = hidden.get(i)
        if start is None or item.startswith(PLACEHOLDER_PREFIX, start) or not item[start:]:
            out.append(scan(item, allowed))
        else:
            name = _NAME_VALUE_PLACEHOLDER if len(values) == 2 and i == 1 and start == 0 else None
            out.append(item[:start] + (name or _CLI_OPTION_PLACEHOLDER))
    return out
