"""axe-core (from the npm registry, in ``.tools/``) run against the live pages.

Every check writes the full list of findings to ``test-artifacts/axe/<name>.json``
(the per-page record for reviews); only serious and critical findings fail a test.
"""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = REPO / "test-artifacts" / "axe"
BLOCKING = ("serious", "critical")

# Finite animations (dialogs and toasts fading in) must end first, or colour
# contrast is measured on half-transparent text; spinners run forever and are skipped.
_SETTLE = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)))"""


def axe_findings(page: Page, name: str) -> list[str]:
    """Run axe on the page as it is now; record everything; return the blocking findings."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    page.evaluate(_SETTLE)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    findings = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
            "html": [node["html"][:300] for node in v["nodes"]][:3],
            "summaries": [node.get("failureSummary", "") for node in v["nodes"]][:3],
        }
        for v in result["violations"]
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(findings, indent=2) + "\n")
    return [
        f"{name}: {f['rule']} ({f['impact']}) at {f['targets'][:3]}: {f['summaries'][:1]}"
        for f in findings
        if f["impact"] in BLOCKING
    ]


class AxeAudit:
    """Collects the blocking findings of several pages or states, fails once at the end."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self.blocking: list[str] = []

    def check(self, name: str) -> None:
        self.blocking += axe_findings(self._page, name)

    def assert_clean(self) -> None:
        assert self.blocking == [], "\n".join(self.blocking)
