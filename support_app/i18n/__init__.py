"""Translation catalogs (English and German), one JSON file per product area.

Every user-visible string comes from here. Catalog files live in
``catalog/<locale>/<area>.json``; a key may appear in only one area file, and both
locales must define exactly the same keys (tests enforce both).
Placeholders use ``{name}`` and are filled with ``translate(..., name=value)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from support_app.settings import get_settings

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
CATALOG_DIR = Path(__file__).parent / "catalog"


class DuplicateCatalogKey(ValueError):
    pass


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> dict[str, str]:
    """All strings of ``locale`` merged from its area files (unknown locale → English)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    merged: dict[str, str] = {}
    for path in sorted((CATALOG_DIR / locale).glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise DuplicateCatalogKey(f"{key} defined twice ({path.name})")
            merged[key] = value
    return merged


@lru_cache(maxsize=len(LOCALES))
def product_catalog(locale: str) -> dict[str, str]:
    """``catalog(locale)`` with the configured product name in place of ``{product}``."""
    product = get_settings().product_name
    return {k: v.replace("{product}", product) for k, v in catalog(locale).items()}


def translate(locale: str, key: str, **params: object) -> str:
    """The string for ``key``; a missing key shows itself rather than failing the page."""
    text = product_catalog(locale).get(key, key)
    return text.format(**params) if params else text


def failure_line(locale: str, kind: str, params: Mapping[str, object]) -> str | None:
    """The catalog's line for a handoff failure ``kind`` filled with its safe parameters.

    ``None`` when the kind has no entry or the parameters do not fill it. The handoff
    service stores the English line as the persistent record, so the stored line and
    the English UI text come from the same entry.
    """
    strings = product_catalog(locale)
    template = strings.get(f"handoff.failure.{kind}") if kind else None
    if template is None or not all(type(value) in (str, int) for value in params.values()):
        return None
    # An empty value is one the desk did not name (e.g. the fields of an HTTP 422).
    not_named = strings["handoff.failure_param.not_named"]
    try:
        return template.format(**{k: not_named if v == "" else v for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return None


def failure_text(locale: str, kind: str, params_json: str, stored_line: str) -> str:
    """A handoff failure in the reader's language, from its kind and safe parameters.

    The stored English line stays the persistent record; it is shown as it is when
    the kind has no catalog entry (an older row, a kind added later) or the
    parameters do not fill the entry, so a failure is never hidden.
    """
    try:
        params = json.loads(params_json or "{}")
    except ValueError:
        return stored_line
    if not isinstance(params, dict):
        return stored_line
    return failure_line(locale, kind, params) or stored_line
