"""Redaction cost grows with the length of the text, never with its square.

The budget (50 ms for any input up to the 5,000-character notes limit) is measured
by ``bench/redaction.py``. This test is its guard that does not depend on the speed
of the machine: Hypothesis hunts (``hypothesis.target``) for the input whose cost
grows fastest, and the cost of the full length must stay within a linear multiple
of the cost of a quarter of it. A quadratic form (``key=key=key=…`` took 0.1-0.9 s
at the limit) costs sixteen times as much for four times the length.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import strategies as st

from support_app.models.support_request import NOTES_MAX
from support_app.services.redaction import scanner

# Pieces that make detectors and the prose layer do work: keys, separators, nouns,
# relations, quotes, commands, encodings.
PIECES = [
    "key=", "password", " is ", "=", ":", " ", "\n", '"', "'", "pin ", "creds ", " / ",
    "login ", "with ", "and ", "codes: ", "1234 ", "API key ", "Kennwort lautet ", "-p ",
    "token ", "Bearer ", "<key>", "</key>", "data:\n  a: ", "YWJj", "TlRMTVNTUA", "x" * 20,
    "net user ", "setx ", "sqlplus a/", "://u:", "@", "Sommer2024!", "\\u00f1", "[redacted:x]",
    "code ", "door ", "?", "| ", "PIN", "- admin: ", "Passphrase ",
    ";", ",", "\t", "---", "# ", "Kennwort", "Password  Host\n",
]  # fmt: skip
# Four times the length may cost this many times as much (linear is 4; square is 16).
GROWTH_BOUND = 10
# Below this the measurement is noise.
FLOOR_SECONDS = 0.006


def _cost(text: str) -> float:
    """The least of five timings of this process's CPU time: the work itself, not the
    other processes of a busy machine."""
    timings = []
    for _ in range(5):
        started = time.process_time()
        scanner._scan(text, frozenset())  # not the memo: every call does the work
        timings.append(time.process_time() - started)
    return min(timings)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=12), repeat=st.integers(1, 4))
@example(pieces=["x;y;", "Kennwort", "\n"], repeat=1)  # every line a table's heading: 0.36 s
def test_redaction_cost_grows_linearly_up_to_the_notes_limit(
    pieces: list[str], repeat: int
) -> None:
    unit = "".join(pieces) * repeat
    text = (unit * (NOTES_MAX // len(unit) + 1))[:NOTES_MAX]
    full = _cost(text)
    quarter = _cost(text[: NOTES_MAX // 4])
    growth = full / max(quarter, FLOOR_SECONDS / 4)
    target(growth)
    assert full < FLOOR_SECONDS or growth < GROWTH_BOUND, (full, quarter, unit[:200])
