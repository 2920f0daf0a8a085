"""What an operator waits for in the browser: a no-op round trip, the dialog, a submit.

Against a running app (``make run`` or ``make run-scaled`` in another terminal),
in Chromium through Playwright, signed in as the owner on the Fabrikam dashboard:

- no-op round trip: choose another handoff option until the server's answer shows
  (the link fields appear or disappear): one event, a tiny delta;
- dialog open: click "Request support" until the dialog's Summary field is there;
- submit to reference: click "Submit request" (internal only) until the SR
  reference is shown.

Each is timed in the page, from the click to the DOM change (see ``ARM``), and
split by the arrival of the server's first answer on the event socket (see
``SOCKET_CLOCK``): what comes after it is the browser's work.

Prints the median and p95 of each (``--samples``, default 20) and the ratio of the
dialog and submit medians to the no-op round trip (issue 10's target: <= 2x).

Run: ``.venv/bin/python bench/browser.py --url http://localhost:3000``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.running_app import CHROMIUM_ARGS

PASSWORD = "demo-Passw0rd!"
LINK_OPTION = "Link an existing external ticket"
LINK_FIELD = "[role=dialog] #external_reference"


# Installed before the app loads: the page time of every message the event socket
# receives, so each action splits into "the server's answer arrived" and "the page
# showed it" (the rest).
SOCKET_CLOCK = """(() => {
  window.__socketIn = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => window.__socketIn.push(performance.now()));
    }
  };
})()"""

# Armed before each action: the time of the next click (capture phase, so before any
# handler) and of the first DOM change after it that makes ``selector`` appear (or
# disappear). Measured in the page, so Playwright's own waiting (actionability
# checks, the menu's opening animation before the click, polling afterwards) is not
# counted: what is left is what the operator waits for after clicking.
ARM = """([selector, appear]) => {
  const mark = (window.__bench = {});
  document.addEventListener("click", () => { mark.click ??= performance.now(); },
                            { capture: true, once: true });
  const done = () => (document.querySelector(selector) !== null) === appear;
  const observer = new MutationObserver(() => {
    if (mark.click !== undefined && done()) { mark.end = performance.now(); observer.disconnect(); }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
}"""
MEASURED = """() => {
  const { click, end } = window.__bench;
  const answer = (window.__socketIn ?? []).find((t) => t >= click);
  return [end - click, answer === undefined || answer > end ? null : answer - click];
}"""


@dataclass
class Timings:
    """Per action: click to DOM change, and click to the server's first answer."""

    total: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)


def timed(
    page: Page, selector: str, appear: bool, click: Callable[[], None], into: Timings
) -> None:
    """Record the milliseconds from the click to ``selector`` appearing (or not)."""
    page.evaluate(ARM, [selector, appear])
    click()
    page.wait_for_function("() => window.__bench.end !== undefined")
    total, answer = page.evaluate(MEASURED)
    into.total.append(total)
    if answer is not None:
        into.answer.append(answer)


def open_dashboard(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("tenant-card").filter(has_text="Fabrikam").first.click()
    expect(page.get_by_role("button", name="More")).to_be_visible()


def open_dialog(page: Page, into: Timings) -> None:
    page.get_by_role("button", name="More").click()
    item = page.get_by_role("menuitem", name="Request support")
    timed(page, "[role=dialog] #summary", True, item.click, into)


def close_dialog(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()


def toggle_round_trips(page: Page, samples: int, into: Timings) -> None:
    dialog = page.get_by_role("dialog")
    link_option = dialog.get_by_role("radio", name=LINK_OPTION)
    internal = dialog.get_by_role("radio").first
    for _ in range(samples):
        timed(page, LINK_FIELD, True, link_option.click, into)
        timed(page, LINK_FIELD, False, internal.click, into)


def submit(page: Page, i: int, into: Timings) -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Summary").fill(f"Browser bench request {i}")
    button = dialog.get_by_role("button", name="Submit request")
    timed(page, "[data-testid=support-reference]", True, button.click, into)


def report(label: str, timings: Timings, floor: float | None = None) -> None:
    ordered = sorted(timings.total)
    median = statistics.median(ordered)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    ratio = f"   {median / floor:4.1f}x no-op" if floor else ""
    answer = (
        f"   server answer after {statistics.median(timings.answer):5.1f} ms"
        if timings.answer
        else ""
    )
    print(f"{label:<22} median {median:6.1f} ms   p95 {p95:6.1f} ms{ratio}{answer}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--email", default="owner@contoso.example")
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    noop, dialogs, submits = Timings(), Timings(), Timings()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=args.url)
        context.set_default_timeout(20_000)
        context.add_init_script(SOCKET_CLOCK)
        page = context.new_page()
        open_dashboard(page, args.email)
        open_dialog(page, Timings())  # warm-up
        toggle_round_trips(page, args.samples, noop)
        close_dialog(page)
        for i in range(args.samples):
            open_dialog(page, dialogs)
            submit(page, i, submits)
            close_dialog(page)
        browser.close()
    floor = statistics.median(noop.total)
    print(f"{args.url}, signed in as {args.email}, {args.samples} samples")
    report("no-op round trip", noop)
    report("dialog open", dialogs, floor)
    report("submit to reference", submits, floor)


if __name__ == "__main__":
    main()
