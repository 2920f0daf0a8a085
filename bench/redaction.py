"""Time the redaction a support-request submission pays, and compare detect-secrets.

Fresh temporary SQLite database, migrated and demo-seeded. The heaviest envelope
(owner, failed run, diagnostic snapshot attached) is built once with redaction
switched off, so the timed calls see the raw failure texts and connection errors.
Prints, as median and p95 over many runs:
- ``redact(envelope)``: one pass over the whole raw envelope (the hot path);
- the redaction share of one real envelope build (every ``redact``/``redact_text``
  call the builders make, summed);
- ``redact_text`` over the raw provider payloads of the tenant's failed runs, as
  JSON text (a bigger, denser input);
- when ``detect-secrets`` is installed (``.venv/bin/pip install detect-secrets``),
  its ``scan_line`` over every line of the same envelope, for the record of why the
  catalogue ports patterns instead of calling it at run time.

Run: ``.venv/bin/python bench/redaction.py`` (or ``make bench``).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from sqlmodel import Session, select

from support_app import migrations
from support_app.db import create_db_engine, session_scope
from support_app.models import OperationRun, Tenant, User
from support_app.services import redaction
from support_app.services.access import AccessService, Actor
from support_app.services.demo_seed import seed_demo
from support_app.services.support_requests import context, diagnostics
from support_app.services.support_requests.context import (
    DIAGNOSTIC_SNAPSHOT,
    SupportRequestContextBuilder,
)
from support_app.services.support_requests.scope import SupportContext

RUNS = 300
# Every module that calls the redactor while an envelope is built.
_CALLERS = (context, diagnostics)


def _report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{label:<58} median {statistics.median(ordered):8.3f} ms   p95 {p95:8.3f} ms")


def _timed(call: Callable[[], Any], runs: int = RUNS) -> list[float]:
    call()  # warm-up (compiles patterns, fills caches)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


@contextmanager
def _patched(replacements: dict[str, Callable[..., Any]]) -> Iterator[None]:
    """Replace ``redact``/``redact_text`` where the envelope builders imported them."""
    with ExitStack() as stack:
        for module in _CALLERS:
            for name, replacement in replacements.items():
                if hasattr(module, name):
                    stack.enter_context(mock.patch.object(module, name, replacement))
        yield


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def _bench_detect_secrets(raw_envelope: dict[str, Any]) -> None:
    try:
        from detect_secrets.core.scan import scan_line
        from detect_secrets.settings import default_settings
    except ImportError:
        print("detect-secrets not installed: comparison skipped")
        return
    lines = [line for s in _strings(raw_envelope) for line in s.splitlines()]

    def scan() -> set[str]:
        return {found.secret_value for line in lines for found in scan_line(line)}

    with default_settings():
        found = scan()
        _report(
            f"detect-secrets scan_line, {len(lines)} envelope lines",
            _timed(scan, runs=max(RUNS // 10, 20)),
        )
    print(f"  detect-secrets found {len(found)} distinct values: {sorted(found)}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrations.upgrade(url)
        engine = create_db_engine(url)
        with session_scope(engine) as session:
            seed_demo(session)
        with Session(engine) as session:
            owner = Actor.of(
                session.exec(select(User).where(User.email == "owner@contoso.example")).one()
            )
            fabrikam = session.exec(select(Tenant.id).where(Tenant.name == "Fabrikam")).one()
            failed = session.exec(
                select(OperationRun).where(
                    OperationRun.tenant_id == fabrikam, OperationRun.outcome == "failed"
                )
            ).all()
            scope = SupportContext("operation_run", str(failed[0].id)).resolve(
                AccessService(session), owner
            )
            builder = SupportRequestContextBuilder(session)

            def identity(value: Any, **_: Any) -> Any:
                return value

            with _patched({"redact": identity, "redact_text": identity}):
                raw_envelope = builder.build(scope, DIAGNOSTIC_SNAPSHOT)
            payload_text = json.dumps([r.raw_provider_payload for r in failed])
            strings = sum(1 for _ in _strings(raw_envelope))
            print(
                f"raw envelope: {len(json.dumps(raw_envelope))} bytes of JSON, {strings} strings;"
                f" provider payload text: {len(payload_text)} bytes"
            )

            _report("redact(raw envelope)", _timed(lambda: redaction.redact(raw_envelope)))

            spent: list[float] = []

            def timing(function: Callable[..., Any]) -> Callable[..., Any]:
                def wrapper(*args: Any, **kwargs: Any) -> Any:
                    start = time.perf_counter()
                    try:
                        return function(*args, **kwargs)
                    finally:
                        spent.append((time.perf_counter() - start) * 1000)

                return wrapper

            def build_and_sum() -> float:
                spent.clear()
                builder.build(scope, DIAGNOSTIC_SNAPSHOT)
                return sum(spent)

            with _patched(
                {"redact": timing(redaction.redact), "redact_text": timing(redaction.redact_text)}
            ):
                build_and_sum()
                per_build = [build_and_sum() for _ in range(RUNS // 3)]
            _report("redaction share of one envelope build (all calls)", per_build)
            _report(
                "redact_text(failed runs' raw provider payloads as JSON)",
                _timed(lambda: redaction.redact_text(payload_text)),
            )
            _bench_detect_secrets(raw_envelope)
        engine.dispose()
    _bench_worst_inputs()


# Inputs that make detectors and the prose layer do the most work per character
# (a key that names nothing, many nouns, relations, pairs, lists), at the notes limit.
WORST_UNITS = [
    "key=", "password is ", "login ", "creds admin / ", "pin 1234 ", "the password ",
    "log in with admin and ", "API key ", "'API key ", "codes: 1234 ", "Passwort lautet ",
    '"password": "x", ', "password ", "a password b ", "Kennwort: ", "token=",
    "<key>ApiSecret</key>", "net user a ", "setx A ", "TlRMTVNTUA", "data:\n  a: YWJj\n",
    "YWRtaW46cGFzcw== auth ", "-p ", "password, ", "sqlplus a/", "reg add /v password /d ",
    "code ", "Alarmcode ", "admin / Ab1!x ", "- admin: Ab1!x\n", "a | PIN\n", "pw?\nA: Ab1!x\n",
    "Passphrase: ", "x;y;Kennwort\n",
]  # fmt: skip


def _bench_worst_inputs() -> None:
    """The slowest of the inputs above at 5,000 characters (budget: 50 ms)."""
    from support_app.models.support_request import NOTES_MAX

    worst = []
    for unit in WORST_UNITS:
        text = (unit * (NOTES_MAX // len(unit) + 1))[:NOTES_MAX]
        redaction.redact_text(text[:200])
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            redaction.redact_text(text + str(len(timings)))  # past the memo
            timings.append((time.perf_counter() - start) * 1000)
        worst.append((min(timings), unit))
    slowest, unit = max(worst)
    print(f"slowest input at {NOTES_MAX} characters: {slowest:.1f} ms ({unit!r} repeated)")


if __name__ == "__main__":
    main()
