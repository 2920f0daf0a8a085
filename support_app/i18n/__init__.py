"""Translation catalogs (English and German), one JSON file per product area.

Every user-visible string comes from here. Catalog files live in
``catalog/<locale>/<area>.json``; a key may appear in only one area file, and both
locales must define exactly the same keys (tests enforce both).
Placeholders use ``{name}`` and are filled with ``translate(..., name=value)``.
"""

from __future__ import annotations

import json
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
