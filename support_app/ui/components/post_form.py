"""A form that the browser submits itself, as a real POST and a full page load.

``rx.el.form`` always installs a submit handler that calls ``preventDefault`` and
turns the fields into an event. Sign-in and sign-out must instead reach the
backend's HTTP routes (which set or delete the HttpOnly cookie), so this form has
no submit handler at all.
"""

from __future__ import annotations

import reflex as rx


class PostForm(rx.el.Form):
    @classmethod
    def create(cls, *children, **props) -> rx.Component:
        # Skip Form.create, which adds the default preventDefault submit handler.
        return super(rx.el.Form, cls).create(*children, method="post", **props)


post_form = PostForm.create
