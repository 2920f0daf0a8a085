"""The app's event surface, enumerated from its State classes.

Every public event handler of every state (Reflex's own included) is something any
browser can call with any arguments, so the lane lists them from the classes instead
of by hand: a handler added tomorrow is attacked by the same tests automatically.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from reflex.state import BaseState, State

import support_app.support_app  # noqa: F401  (registers every page and its states)
from support_app.ui.states.login import LoginState

# A form that would pass validation: a forged event carries the real thing.
VALID_FORM = {
    "severity": "high",
    "summary": "Forged request",
    "reproduction_notes": "",
    "contact_name": "Mallory",
    "contact_email": "mallory@example.com",
    "external_reference": "",
    "external_url": "",
}
# Arguments whose meaning a generic value would miss (by parameter name).
_NAMED_ARGUMENTS: dict[str, Any] = {
    "locale": "en",  # the tab keeps its language, so the answers stay comparable
    "mode": "create_external_ticket",
    "kind": "unexpected",
    "value": True,
    "info": "forged",
    "component_stack": "forged",
    "vars": {},
    "hashes": [],
}


@dataclass(frozen=True)
class Handler:
    state: type[BaseState]
    name: str

    @property
    def event(self) -> str:
        return f"{self.state.get_full_name()}.{self.name}"

    @property
    def label(self) -> str:
        return f"{self.state.__name__}.{self.name}"

    def forged_payload(self) -> dict[str, Any]:
        """Well-formed arguments for this handler (the attack is the context, not
        the shape); a sign-in form stays empty so no password guess is counted."""
        if self.state is LoginState and self.name == "submit":
            return {"form_data": {}}
        fn = self.state.event_handlers[self.name].fn
        payload: dict[str, Any] = {}
        for parameter in list(inspect.signature(fn).parameters.values())[1:]:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if parameter.name in _NAMED_ARGUMENTS:
                payload[parameter.name] = _NAMED_ARGUMENTS[parameter.name]
            elif "dict" in str(parameter.annotation):
                payload[parameter.name] = dict(VALID_FORM)
            elif "bool" in str(parameter.annotation):
                payload[parameter.name] = True
            else:
                payload[parameter.name] = "1"
        return payload


def all_states() -> list[type[BaseState]]:
    """The root state and every substate, depth first."""
    found: list[type[BaseState]] = []

    def walk(state: type[BaseState]) -> None:
        found.append(state)
        for substate in sorted(state.get_substates(), key=lambda s: s.get_full_name()):
            walk(substate)

    walk(State)
    return found


def public_handlers() -> list[Handler]:
    """Every event handler of every state (the generic ``setvar`` has its own test)."""
    return [
        Handler(state, name)
        for state in all_states()
        for name in sorted(state.event_handlers)
        if name != "setvar"
    ]


def settable_vars() -> list[tuple[type[BaseState], str]]:
    """Every var of every state, backend-only ones included, by its Python name."""
    return [
        (state, name)
        for state in all_states()
        for name in sorted({*state.base_vars, *_backend_vars(state), *state.computed_vars})
        if not name.startswith("rx_router")
    ]


def _backend_vars(state: type[BaseState]) -> list[str]:
    """The backend-only vars (``_name``) declared on ``state`` itself."""
    declared = inspect.get_annotations(state)
    return [n for n in declared if n.startswith("_") and not n.startswith("__")]
