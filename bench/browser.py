"""What an operator waits for in the browser: a no-op round trip, the dialog, a submit.

Against a running app (``make run`` or ``make run-scaled`` in another terminal),
in Chromium through Playwright, signed in as the owner on the Fabrikam dashboard:

- no-op round trip: choose another handoff option until the server's answer shows
  (the link fields appear or disappear): one event, a tiny delta;
- dialog open: click "Request support" until the dialog's Summary field is visible;
- submit to reference: click "Submit request" (internal only) until the SR
  reference is shown.

Prints the median and p95 of each (``--samples``, default 20) and the ratio of the
dialog and submit medians to the no-op round trip (issue 10's target: <= 2x).

Run: ``.venv/bin/python bench/browser.py --url http://localhost:3000``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "demo-Passw0rd!"
LINK_OPTION = "Link an existing external ticket"
LINK_FIELD = "External ticket reference"


def timed(action: Callable[[], None], until: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    until()
    return (time.perf_counter() - start) * 1000


def open_dashboard(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("tenant-card").filter(has_text="Fabrikam").first.click()
    expect(page.get_by_role("button", name="More")).to_be_visible()


def open_dialog(page: Page) -> float:
    page.get_by_role("button", name="More").click()
    item = page.get_by_role("menuitem", name="Request support")
    summary = page.get_by_role("dialog").get_by_label("Summary")
    return timed(item.click, lambda: expect(summary).to_be_visible())


def close_dialog(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()


def toggle_round_trips(page: Page, samples: int) -> list[float]:
    dialog = page.get_by_role("dialog")
    link_field = dialog.get_by_label(LINK_FIELD)
    internal = dialog.get_by_role("radio").first
    timings = []
    for _ in range(samples):
        option = dialog.get_by_role("radio", name=LINK_OPTION)
        timings.append(timed(option.click, lambda: expect(link_field).to_be_visible()))
        timings.append(timed(internal.click, lambda: expect(link_field).to_be_hidden()))
    return timings


def submit(page: Page, i: int) -> float:
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Summary").fill(f"Browser bench request {i}")
    button = dialog.get_by_role("button", name="Submit request")
    reference = dialog.get_by_test_id("support-reference")
    return timed(button.click, lambda: expect(reference).to_be_visible())


def report(label: str, samples: list[float], floor: float | None = None) -> None:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    ratio = f"   {median / floor:4.1f}x no-op" if floor else ""
    print(f"{label:<28} median {median:7.1f} ms   p95 {p95:7.1f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--email", default="owner@contoso.example")
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=args.url)
        context.set_default_timeout(20_000)
        page = context.new_page()
        open_dashboard(page, args.email)
        open_dialog(page)  # warm-up
        noop = toggle_round_trips(page, args.samples)
        close_dialog(page)
        dialogs, submits = [], []
        for i in range(args.samples):
            dialogs.append(open_dialog(page))
            submits.append(submit(page, i))
            close_dialog(page)
        browser.close()
    floor = statistics.median(noop)
    print(f"{args.url}, signed in as {args.email}, {args.samples} samples")
    report("no-op round trip", noop)
    report("dialog open", dialogs, floor)
    report("submit to reference", submits, floor)


if __name__ == "__main__":
    main()
