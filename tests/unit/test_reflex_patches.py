"""The third-party code our patches were written against is still what they expect.

A failure here means Reflex, Granian (or another library a patch relies on) changed
the code a patch replaces, wraps or reads: re-read that patch
(``support_app/reflex_patches/<name>.py``) against the new code, fix it if needed,
and only then put the new fingerprint into ``PATCHES``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from support_app import reflex_patches
from support_app.reflex_patches import PATCHES, Patch, fingerprint, resolve

PINNED = [(patch, target) for patch in PATCHES for target in patch.pinned]


@pytest.mark.parametrize(
    ("patch", "target"), PINNED, ids=[f"{p.name}:{t.split(':')[1]}" for p, t in PINNED]
)
def test_the_patched_code_is_what_the_patch_was_written_against(patch: Patch, target: str) -> None:
    try:
        found = fingerprint(target)
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{target} no longer exists ({error}): the '{patch.name}' patch is void")
    assert found == patch.pinned[target], (
        f"{target} changed (fingerprint {found}, pinned {patch.pinned[target]}). "
        f"Re-read support_app/reflex_patches/{patch.name}.py against it: it {patch.changes}, "
        f"because {patch.why}. Then update its fingerprint in PATCHES."
    )


def test_every_patch_module_is_listed_and_says_what_it_changes() -> None:
    modules = {
        path.stem
        for path in Path(reflex_patches.__file__).parent.glob("*.py")
        if path.stem != "__init__"
    }
    assert modules == {patch.name for patch in PATCHES}
    for patch in PATCHES:
        assert importlib.import_module(f"support_app.reflex_patches.{patch.name}").__doc__
        assert patch.changes and patch.why and patch.pinned


def test_a_fingerprint_sees_through_a_patch_to_the_original() -> None:
    from reflex.app import EventNamespace

    from support_app.reflex_patches import event_screen

    event_screen.install()
    assert getattr(EventNamespace.on_event, "_screened", False)  # the patch is in place
    target = "reflex.app:EventNamespace.on_event"
    assert resolve(target) is EventNamespace.on_event.__wrapped__
    assert fingerprint(target) == PATCHES[0].pinned[target]


def test_a_changed_source_gives_another_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    import inspect

    target = "reflex.app:EventNamespace.on_event"
    before = fingerprint(target)
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda obj: real(obj) + "\n# upgraded\n")
    assert fingerprint(target) != before
