"""``SupportRequestReference``: the internal support reference ``SR-<ULID>``.

A ULID sorts by creation time and is unguessable enough to be quoted on the phone
or in an external ticket; the ``SR-`` prefix makes it recognisable in any text.
The reference is generated once, stored unique, and never changes.
"""

from __future__ import annotations

import re

from ulid import ULID

PREFIX = "SR-"
# Crockford base32 without I, L, O, U; a 128-bit ULID starts with 0-7.
_PATTERN = re.compile(r"SR-[0-7][0-9A-HJKMNP-TV-Z]{25}")
LENGTH = len(PREFIX) + 26


class SupportRequestReference:
    """Generates and validates internal support references."""

    @staticmethod
    def generate() -> str:
        return f"{PREFIX}{ULID()}"

    @staticmethod
    def is_valid(value: object) -> bool:
        """True only for an exact, upper-case ``SR-`` + 26-character Crockford ULID."""
        return isinstance(value, str) and _PATTERN.fullmatch(value) is not None
