"""The development corpus (``tests/redaction_corpus/development``), case by case.

The development set is what the layers are tuned against. Its first part (the named
forms of issues 16 and 21) is a test case by case: a secret case must lose every
secret (and every 5-character piece of one), a harmless line must come out unchanged.
The whole set is held to its figures (``bench/redaction_corpus.py``), so no change
makes them worse unnoticed. The held-out set is never a test here: it is measured only
in aggregate, so nobody tunes to its cases.
"""

from __future__ import annotations

import pytest

from support_app.services.redaction import redact_text
from tests.redaction_corpus.corpus import Case, cases, left_over, score

DEVELOPMENT = cases("development")
NAMED_FORMS = [c for c in DEVELOPMENT if c.id.startswith("dev-")]
# The figures of the whole set when this was written (45 of 1,143 survive, 2 of 801
# harmless lines change; the prose cases r1-… and the structural cases r2-… included):
# a change may improve them, never make them worse.
MAX_SURVIVING = 45
MAX_CHANGED = 2
# Cases no layer can read as a secret without the conversation around them, each
# with why; they count as survivors in the figures.
OUT_OF_REACH = {
    "dev-125": "a davfs2 secrets line (URL, user, password) without a name for its columns",
    "dev-246": "'it's X not Y' corrects a password given in an earlier message",
}


def test_the_development_set_is_large_enough_to_tune_against() -> None:
    secret_cases = [c for c in DEVELOPMENT if not c.harmless]
    harmless = [c for c in DEVELOPMENT if c.harmless]
    assert len(secret_cases) >= 800 and len(harmless) >= 550


def test_the_development_figures_do_not_get_worse() -> None:
    result = score(DEVELOPMENT, redact_text)
    assert len(result.survived) <= MAX_SURVIVING, [c.id for c in result.survived]
    assert len(result.changed) <= MAX_CHANGED, [c.id for c in result.changed]


@pytest.mark.parametrize(
    "case",
    [c for c in NAMED_FORMS if not c.harmless and c.id not in OUT_OF_REACH],
    ids=lambda c: c.id,
)
def test_a_development_secret_case_loses_its_secrets(case: Case) -> None:
    redacted = redact_text(case.text)
    assert not left_over(case, redacted), redacted
    assert redact_text(redacted) == redacted


@pytest.mark.parametrize("case", [c for c in NAMED_FORMS if c.harmless], ids=lambda c: c.id)
def test_a_development_harmless_line_is_unchanged(case: Case) -> None:
    assert redact_text(case.text) == case.text
