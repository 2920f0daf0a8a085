"""Benchmark: creating tickets through the handoff service against the local desk emulator.

Measures the app's side of one create call (client setup, TLS-free loopback HTTP,
JSON both ways, outcome mapping) over 100 distinct support references, so a change
that makes the handoff slower shows up as a higher median or p95.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from ulid import ULID

from support_app.services.support_desk.contract import OutboundTicket
from support_app.services.support_desk.emulator import serving_in_background
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.settings import SupportDeskTarget

CALLS = 100
EMAIL = "bench@desk.example"
TOKEN = "bench-token"


async def run(service: ExternalSupportDeskHandoffService) -> list[float]:
    timings: list[float] = []
    for _ in range(CALLS):
        ticket = OutboundTicket(
            support_reference=f"SR-{ULID()}",
            subject="Benchmark ticket",
            body="Redacted context of a benchmark request",
            severity="normal",
            tags=("tenantpilot", "bench"),
        )
        started = time.perf_counter()
        outcome = await service.create_ticket(ticket)
        timings.append((time.perf_counter() - started) * 1000)
        if not outcome.succeeded:
            raise SystemExit(f"create failed: {outcome.failure_summary}")
    return timings


def main() -> None:
    with serving_in_background(email=EMAIL, token=TOKEN, quiet=True) as server:
        service = ExternalSupportDeskHandoffService(
            SupportDeskTarget(server.base_url, EMAIL, TOKEN)
        )
        timings = asyncio.run(run(service))
    p95 = statistics.quantiles(timings, n=100)[94]
    print(
        f"support desk create_ticket x{CALLS}: "
        f"median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms"
    )


if __name__ == "__main__":
    main()
