"""Canonical JSON: sorted keys, no whitespace, UTF-8 kept.

Used for every JSON column and for the support context envelope, so the same
value is always stored as the same bytes on SQLite and PostgreSQL alike.
"""

import json
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pretty_json(value: Any) -> str:
    """The same canonical content, indented for people (desk agents, the diagnostics view)."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
