"""The address a request came from, as the sign-in throttle and ``/metrics`` see it."""

from __future__ import annotations

from starlette.requests import Request


def client_address(request: Request, trusted_proxy_hops: int) -> str:
    """The peer's address; behind ``trusted_proxy_hops`` reverse proxies
    (``REFLEX_TRUSTED_PROXY_HOPS``), the Nth-last ``X-Forwarded-For`` entry: the one
    the outermost trusted proxy saw. Entries further left are the client's to write."""
    address = request.client.host if request.client else ""
    if trusted_proxy_hops:
        forwarded = [
            ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",") if ip.strip()
        ]
        if len(forwarded) >= trusted_proxy_hops:
            address = forwarded[-trusted_proxy_hops]
    return address
