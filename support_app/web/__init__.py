"""The HTTP edge in front of Reflex: sign-in/sign-out routes and the event-socket guard.

Plain Starlette/ASGI (no Reflex imports), mounted through ``rx.App(api_transformer=…)``
in ``support_app.support_app``; testable with Starlette's TestClient.
"""
