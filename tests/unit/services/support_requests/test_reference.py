"""SupportRequestReference: format, uniqueness and strict validation."""

from __future__ import annotations

import pytest
from ulid import ULID

from support_app.services.support_requests.reference import LENGTH, SupportRequestReference


def test_generated_reference_is_sr_prefix_and_a_parseable_ulid() -> None:
    reference = SupportRequestReference.generate()
    assert reference.startswith("SR-")
    assert len(reference) == LENGTH == 29
    assert str(ULID.from_str(reference[3:])) == reference[3:]
    assert SupportRequestReference.is_valid(reference)


def test_references_are_unique_and_sort_by_creation() -> None:
    references = [SupportRequestReference.generate() for _ in range(500)]
    assert len(set(references)) == 500
    # ULIDs created in later milliseconds sort later; equal-millisecond ones may tie on
    # the time part only, so compare the 10-character timestamp prefix.
    stamps = [r[3:13] for r in references]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "SR-",
        "sr-01JD8X5V3T6Q2W4R7Y9Z0A1B2C",  # lower-case prefix
        "SR-01jd8x5v3t6q2w4r7y9z0a1b2c",  # lower-case body
        "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2",  # 25 characters
        "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2CD",  # 27 characters
        "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2I",  # I is not Crockford base32
        "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2U",  # U is not Crockford base32
        "SR-81JD8X5V3T6Q2W4R7Y9Z0A1B2C",  # exceeds 128 bits
        " SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2C",
        "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2C\n",
        "XX-01JD8X5V3T6Q2W4R7Y9Z0A1B2C",
        None,
        42,
    ],
)
def test_invalid_references_are_rejected(value: object) -> None:
    assert not SupportRequestReference.is_valid(value)


def test_a_well_formed_reference_is_accepted() -> None:
    assert SupportRequestReference.is_valid("SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2C")
