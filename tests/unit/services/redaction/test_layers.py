"""The four layers of the redaction: each a named part with its own detectors and findings.

Examples and near misses per layer; the detectors' own examples are in
``test_catalogue`` (each detector names its layer, so they count for it too).
"""

from __future__ import annotations

import pytest

from support_app.services.redaction import (
    CATALOGUE,
    encoded_credentials,
    findings,
    known_formats,
    named_fields,
    redact_text,
    stated_in_prose,
)
from tests.unit.services.redaction.test_catalogue import EXAMPLES

LAYERS = {
    known_formats.LAYER: known_formats,
    named_fields.LAYER: named_fields,
    stated_in_prose.LAYER: stated_in_prose,
    encoded_credentials.LAYER: encoded_credentials,
}

# One text per layer with a secret only that layer finds, and a near miss it leaves.
PER_LAYER = {
    known_formats.LAYER: (
        "deploy with ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "branch gh_pr_12 merged, see ghp_short in the docs",
    ),
    named_fields.LAYER: (
        "<add value='Umgekehrt!Reihenfolge4' key='ApiSecret' />",
        "<add value='Information' key='LogLevel' />",
    ),
    stated_in_prose.LAYER: (
        "Das Kennwort für den Sicherungsdatenträger ist dasselbe wie letztes Jahr: Backup#Pl4tte",
        "Das Kennwort für den Sicherungsdatenträger ist abgelaufen.",
    ),
    encoded_credentials.LAYER: (
        "proxy log, auth header YWRtaW46UzNjcjN0IQ== from 10.0.0.5",
        "proxy log, request id ZmFicmlrYW0tcHJvZA== from 10.0.0.5",
    ),
}


def test_every_detector_belongs_to_one_of_the_four_layers() -> None:
    assert {d.layer for d in CATALOGUE} == set(LAYERS)
    for detector in CATALOGUE:
        module = LAYERS[detector.layer]
        assert detector.layer == module.LAYER
        assert any(value is detector for value in vars(module).values()), detector.name


def test_every_layer_has_examples_of_its_own() -> None:
    by_layer = {d.name: d.layer for d in CATALOGUE}
    counted = {layer: 0 for layer in LAYERS}
    for name, cases in EXAMPLES.items():
        counted[by_layer[name]] += len(cases)
    assert all(count >= 5 for count in counted.values()), counted


@pytest.mark.parametrize("layer", sorted(PER_LAYER))
def test_a_layer_finds_its_secret_and_says_so(layer: str) -> None:
    text, _near_miss = PER_LAYER[layer]
    found = findings(text)
    assert [f.layer for f in found] == [layer], found
    assert found[0].evidence
    assert redact_text(text) != text


@pytest.mark.parametrize("layer", sorted(PER_LAYER))
def test_a_layer_leaves_its_near_miss(layer: str) -> None:
    _text, near_miss = PER_LAYER[layer]
    assert redact_text(near_miss) == near_miss
    assert findings(near_miss) == []


def test_findings_never_carry_the_removed_text() -> None:
    text = " ".join(secret for secret, _ in PER_LAYER.values())
    for finding in findings(text):
        for secret in ("a1B2c3D4e5F6", "Umgekehrt!Reihenfolge4", "Backup#Pl4tte", "YWRtaW46"):
            assert secret not in finding.evidence
