"""How the redaction fares on the corpus: development and held-out sets, separately.

Prints, per set, how many secret cases survive and how many harmless lines change,
and the families of the survivors. ``--show development`` (never ``holdout`` while
tuning) prints each failing development case with its redaction.

Run: ``.venv/bin/python bench/redaction_corpus.py [--show development]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support_app.services.redaction import redact_text
from tests.redaction_corpus.corpus import SETS, cases, left_over, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=["development"], help="print the failing cases")
    args = parser.parse_args()
    for set_name in SETS:
        result = score(cases(set_name), redact_text)
        print(
            f"{set_name:12} secret cases {result.secret_cases:4}, survive "
            f"{len(result.survived):3} ({result.survival_rate:6.1%}); harmless lines "
            f"{result.harmless_lines:4}, changed {len(result.changed):3} "
            f"({result.change_rate:6.1%})"
        )
        if set_name == args.show:
            for case in result.survived:
                print(
                    f"\n[survives] {case.id} ({case.family})\n{case.text}\n---\n"
                    f"{redact_text(case.text)}\nleft: {left_over(case, redact_text(case.text))}"
                )
            for case in result.changed:
                print(
                    f"\n[changed] {case.id} ({case.family})\n{case.text}\n---\n"
                    f"{redact_text(case.text)}"
                )


if __name__ == "__main__":
    main()
