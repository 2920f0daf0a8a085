"""The development corpus (``tests/redaction_corpus/development``), case by case.

The development set is what the layers are tuned against, so each of its cases is a
test: a secret case must lose every secret (and every 5-character piece of one), a
harmless line must come out unchanged. The held-out set is never a test here: it is
measured only in aggregate (``bench/redaction_corpus.py``), so nobody tunes to its
cases.
"""

from __future__ import annotations

import pytest

from support_app.services.redaction import redact_text
from tests.redaction_corpus.corpus import Case, cases, left_over

DEVELOPMENT = cases("development")
# Cases no layer can read as a secret without the conversation around them, each
# with why; they count as survivors in the figures.
OUT_OF_REACH = {
    "dev-125": "a davfs2 secrets line (URL, user, password) without a name for its columns",
    "dev-246": "'it's X not Y' corrects a password given in an earlier message",
}


def test_the_development_set_is_large_enough_to_tune_against() -> None:
    secret_cases = [c for c in DEVELOPMENT if not c.harmless]
    harmless = [c for c in DEVELOPMENT if c.harmless]
    assert len(secret_cases) >= 250 and len(harmless) >= 100


@pytest.mark.parametrize(
    "case",
    [c for c in DEVELOPMENT if not c.harmless and c.id not in OUT_OF_REACH],
    ids=lambda c: c.id,
)
def test_a_development_secret_case_loses_its_secrets(case: Case) -> None:
    redacted = redact_text(case.text)
    assert not left_over(case, redacted), redacted
    assert redact_text(redacted) == redacted


@pytest.mark.parametrize("case", [c for c in DEVELOPMENT if c.harmless], ids=lambda c: c.id)
def test_a_development_harmless_line_is_unchanged(case: Case) -> None:
    assert redact_text(case.text) == case.text
