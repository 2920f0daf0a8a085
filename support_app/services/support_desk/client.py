"""Wire client for the one external support desk: the Tickets API "create ticket" call.

The desk speaks the Zendesk Support Tickets API subset, so a real desk of that kind
and the bundled emulator both work. This module only knows the wire format; what an
answer *means* for the operator is decided in ``handoff``.

Why it is built this way:

* one ``asyncio.timeout`` wraps connect, send and the whole body read, because
  httpx timeouts are per phase: a desk that drips one byte at a time would
  otherwise never hit any of them;
* the body is read as a stream and dropped past a cap, so a broken or hostile desk
  cannot make the app buffer megabytes. The cap counts bytes on the wire: we ask
  for ``Accept-Encoding: identity`` and read the raw stream; a desk that compresses
  anyway is decompressed incrementally under the same cap, so a small gzip body
  cannot inflate to megabytes in memory;
* redirects are never followed (the API credentials must not travel to another
  host) and proxy settings from the environment are ignored;
* the TLS context is built once per process: building it (loading the CA bundle)
  costs more than the whole loopback round trip;
* the ``Idempotency-Key`` is derived from the support reference, so a retried create
  for the same request cannot open a second ticket at a desk that honours the key.
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from dataclasses import dataclass
from functools import cache

import httpx

from support_app.services.support_desk.contract import OutboundTicket
from support_app.settings import SupportDeskTarget

TICKETS_PATH = "/api/v2/tickets"
MAX_RESPONSE_BYTES = 256 * 1024
PHASE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class DeskReply:
    """What the desk answered; ``body`` is None when it exceeded ``MAX_RESPONSE_BYTES``."""

    status: int
    body: bytes | None


def idempotency_key(support_reference: str) -> str:
    """The same key for every attempt of one support request, and only for it."""
    return f"support-request-{support_reference}"


def ticket_payload(ticket: OutboundTicket, priority: str) -> dict[str, object]:
    """The create-ticket body; the support reference travels as the desk's external id."""
    return {
        "ticket": {
            "subject": ticket.subject,
            "comment": {"body": ticket.body},
            "priority": priority,
            "external_id": ticket.support_reference,
            "tags": list(ticket.tags),
        }
    }


async def create_ticket(
    target: SupportDeskTarget,
    ticket: OutboundTicket,
    priority: str,
    *,
    deadline_seconds: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> DeskReply:
    """POST one ticket. Raises ``TimeoutError`` past the deadline and httpx errors as is."""
    async with (
        asyncio.timeout(deadline_seconds),
        httpx.AsyncClient(
            auth=httpx.BasicAuth(f"{target.email}/token", target.api_token),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(PHASE_TIMEOUT_SECONDS),
            verify=_tls_context(),
            transport=transport,
        ) as client,
        client.stream(
            "POST",
            target.base_url + TICKETS_PATH,
            json=ticket_payload(ticket, priority),
            headers={
                "Accept": "application/json",
                "Accept-Encoding": "identity",
                "Idempotency-Key": idempotency_key(ticket.support_reference),
            },
        ) as response,
    ):
        return DeskReply(status=response.status_code, body=await _read_capped(response))


@cache
def _tls_context() -> ssl.SSLContext:
    """Exactly what ``AsyncClient(trust_env=False)`` would build, shared (it is read-only)."""
    return httpx.create_ssl_context(trust_env=False)


async def _read_capped(response: httpx.Response) -> bytes | None:
    """The body within ``MAX_RESPONSE_BYTES`` on the wire and decoded, else None."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        return None
    if response.is_stream_consumed:
        # Only an in-memory response (httpx.MockTransport with bytes content) is read
        # on construction, already decoded; nothing came over a wire.
        return response.content if len(response.content) <= MAX_RESPONSE_BYTES else None
    raw = bytearray()
    async for chunk in response.aiter_raw():  # wire bytes: httpx decodes only in aiter_bytes
        raw += chunk
        if len(raw) > MAX_RESPONSE_BYTES:
            return None
    return _decoded(bytes(raw), response.headers.get("content-encoding", ""))


def _decoded(raw: bytes, content_encoding: str) -> bytes | None:
    """``raw`` decompressed under the same cap (None past it); b"" if we cannot decode it.

    An empty body makes the answer "malformed", which is what an encoding we did not
    ask for and do not speak (``br``, stacked codings, a corrupt stream) amounts to.
    """
    coding = content_encoding.strip().lower()
    if coding in ("", "identity"):
        return raw
    if coding not in ("gzip", "x-gzip", "deflate"):
        return b""
    # 32 + MAX_WBITS accepts gzip and zlib headers; a raw deflate stream needs -MAX_WBITS.
    for wbits in (32 + zlib.MAX_WBITS, -zlib.MAX_WBITS):
        decompressor = zlib.decompressobj(wbits)
        try:
            body = decompressor.decompress(raw, MAX_RESPONSE_BYTES + 1)
        except zlib.error:
            continue
        if len(body) > MAX_RESPONSE_BYTES or decompressor.unconsumed_tail:
            return None
        return body
    return b""
