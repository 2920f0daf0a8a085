"""A notice in a page or the dialog: an icon, an optional bold title and its text.

One shape for every callout the app shows (a load that failed, a handoff's failure,
what an erased request kept), so that they look alike and keep the contrast the
accessibility checks ask for: the soft callout's accent text is below 4.5:1 on its
own tint unless it is drawn in high contrast.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def notice(
    icon: str,
    *body: rx.Component | rx.Var | str,
    color: str | rx.Var,
    title: rx.Var | str | None = None,
    spacing: str = "1",
    **props: Any,
) -> rx.Component:
    """A callout with ``icon``; ``body`` is its text (strings and vars become callout
    text), under ``title`` in bold when given, ``spacing`` apart. ``props`` go to the
    callout (``role``, ``data_testid``, ``width``…)."""
    texts = [part if isinstance(part, rx.Component) else rx.callout.text(part) for part in body]
    content = (
        texts[0]
        if title is None and len(texts) == 1
        else rx.vstack(
            *([rx.text(title, weight="bold", size="2")] if title is not None else []),
            *texts,
            spacing=spacing,
            align="start",
        )
    )
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon)),
        content,
        color_scheme=color,
        high_contrast=True,
        **props,
    )
