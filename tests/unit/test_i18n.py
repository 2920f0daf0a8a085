"""Translation catalogs: both locales complete, consistent and actually translated.

Read from the catalog files themselves (not only through ``catalog()``), so a failure
names the area file at fault. Written to keep passing as areas are added.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from support_app import i18n
from support_app.i18n import CATALOG_DIR, LOCALES, DuplicateCatalogKey, catalog, translate

# A key ending in "." is the fallback of a dynamic lookup (``prefix + value`` with an
# empty value, e.g. a run without an outcome yet); it may be empty, in every locale alike.
EMPTY_FALLBACK = re.compile(r"\.$")

# Identical English and German text is fine for a short term ("Status", "Manager");
# anything longer than this many words was almost certainly not translated.
MAX_IDENTICAL_WORDS = 2
# ... and such terms stay a small minority of the catalog.
MAX_IDENTICAL_SHARE = 0.1


def _areas(locale: str) -> dict[str, dict[str, str]]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((CATALOG_DIR / locale).glob("*.json"))
    }


def _merged(locale: str) -> dict[str, str]:
    return {k: v for area in _areas(locale).values() for k, v in area.items()}


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_the_supported_locales() -> None:
    assert LOCALES == ("en", "de")
    for locale in LOCALES:
        assert _areas(locale), f"no catalog files for {locale}"


def test_every_locale_has_the_same_area_files_with_the_same_keys() -> None:
    en = _areas("en")
    for locale in LOCALES:
        areas = _areas(locale)
        assert sorted(areas) == sorted(en), f"{locale} area files differ from en"
        for name, strings in areas.items():
            missing, extra = set(en[name]) - set(strings), set(strings) - set(en[name])
            assert not missing and not extra, f"{locale}/{name}: missing {missing}, extra {extra}"


def test_merged_key_sets_are_identical() -> None:
    keys = {locale: set(_merged(locale)) for locale in LOCALES}
    assert keys["de"] == keys["en"]
    assert keys["en"] == set(catalog("en")) == set(catalog("de"))


@pytest.mark.parametrize("locale", LOCALES)
def test_no_key_is_defined_in_two_area_files(locale: str) -> None:
    seen: dict[str, str] = {}
    for name, strings in _areas(locale).items():
        for key in strings:
            assert key not in seen, f"{locale}: {key!r} in both {seen[key]} and {name}"
            seen[key] = name


@pytest.mark.parametrize("locale", LOCALES)
def test_values_are_strings_and_only_fallback_keys_may_be_empty(locale: str) -> None:
    en = _merged("en")
    for key, value in _merged(locale).items():
        assert isinstance(value, str), f"{locale}: {key!r} is not a string"
        if EMPTY_FALLBACK.search(key):
            assert (value.strip() == "") == (en[key].strip() == ""), f"{locale}: {key!r}"
        else:
            assert value.strip(), f"{locale}: {key!r} is empty"


def test_placeholders_are_identical_in_every_locale() -> None:
    en = _merged("en")
    for locale in LOCALES:
        for key, value in _merged(locale).items():
            # string.Formatter().parse also rejects stray single braces.
            assert _placeholders(value) == _placeholders(en[key]), f"{locale}: {key!r}"


def test_every_string_can_be_formatted_with_its_placeholders() -> None:
    for locale in LOCALES:
        for key, value in _merged(locale).items():
            params = {name: "§VALUE§" for name in _placeholders(value) - {"product"}}
            if params:
                assert "§VALUE§" in translate(locale, key, **params), f"{locale}: {key!r}"


def test_german_is_actually_written() -> None:
    en, de = _merged("en"), _merged("de")
    translatable = [k for k in en if en[k]]
    identical = [k for k in translatable if de[k] == en[k]]
    long_identical = [
        k for k in identical if len(re.findall(r"[^\W\d_]{2,}", en[k])) > MAX_IDENTICAL_WORDS
    ]
    assert not long_identical, f"German text equals English for: {long_identical}"
    assert len(identical) <= MAX_IDENTICAL_SHARE * len(translatable), identical


def test_a_key_defined_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.json").write_text(json.dumps({"x.title": "A"}), encoding="utf-8")
    (tmp_path / "en" / "b.json").write_text(json.dumps({"x.title": "B"}), encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOG_DIR", tmp_path)
    catalog.cache_clear()
    try:
        with pytest.raises(DuplicateCatalogKey, match=r"x\.title"):
            catalog("en")
    finally:
        catalog.cache_clear()


def test_unknown_keys_show_themselves_and_unknown_locales_fall_back_to_english() -> None:
    assert translate("en", "no.such.key") == "no.such.key"
    assert catalog("fr") == catalog("en")


def test_the_product_name_replaces_its_placeholder() -> None:
    with_product = [k for k, v in catalog("en").items() if "{product}" in v]
    for locale in LOCALES:
        for key in with_product:
            assert "{product}" not in translate(locale, key)
