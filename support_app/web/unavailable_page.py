"""The page the sign-in and sign-out routes answer while the database is unreachable.

A ``503`` with ``Retry-After`` (so browsers, proxies and scripts know it is
temporary), in the product's look and the reader's language (the ``sa_locale``
cookie, else ``Accept-Language``), without any script: it is plain HTML from the
backend, because the database-backed pages cannot load right now. The sign-in
variant carries the form again with the e-mail address already filled in.
"""

from __future__ import annotations

from html import escape
from typing import Literal

from starlette.requests import Request
from starlette.responses import HTMLResponse

from support_app import routes
from support_app.i18n import DEFAULT_LOCALE, LOCALES, translate
from support_app.services.authentication import EMAIL_MAX
from support_app.settings import get_settings
from support_app.web.cookies import LOCALE_COOKIE, cookie_value

RETRY_AFTER_SECONDS = 30

# The app's Radix theme (indigo accent, slate grays), restated for a page without it.
_STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#f8f9fa;color:#1c2024}
main{max-width:400px;margin:80px auto;padding:32px;background:#fff;border-radius:8px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:24px;margin:0 0 12px}
.product{color:#3e63dd;font-weight:600;font-size:14px;margin:0 0 20px}
p[role=alert]{background:#fff7c2;border-left:4px solid #ab6400;padding:12px;
font-size:14px;line-height:1.5;margin:0 0 20px}
label{display:block;font-size:14px;margin:12px 0 4px}
input{box-sizing:border-box;width:100%;padding:8px;font-size:14px;border:1px solid #cdced6;
border-radius:4px}
button,a.button{display:block;box-sizing:border-box;width:100%;margin-top:20px;padding:10px;
background:#3e63dd;color:#fff;border:0;border-radius:4px;font-size:14px;text-align:center;
text-decoration:none;cursor:pointer}
""".strip()


def request_locale(request: Request) -> str:
    """The reader's language: the app's locale cookie, else the browser's preference."""
    chosen = cookie_value(request.headers.get("cookie", ""), LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    for entry in request.headers.get("accept-language", "").split(","):
        language = entry.split(";")[0].strip().lower()[:2]
        if language in LOCALES:
            return language
    return DEFAULT_LOCALE


def unavailable_page(
    request: Request, action: Literal["sign_in", "sign_out"], *, email: str = ""
) -> HTMLResponse:
    """``503`` + ``Retry-After``: what did not happen, and the way back."""
    locale = request_locale(request)

    def t(key: str) -> str:
        return escape(translate(locale, key))

    if action == "sign_in":
        next_step = (
            f'<form method="post" action="{routes.SIGN_IN}">'
            f'<label for="email">{t("login.email")}</label>'
            f'<input id="email" name="email" type="email" autocomplete="username" required '
            f'maxlength="{EMAIL_MAX}" value="{escape(email[:EMAIL_MAX])}">'
            f'<label for="password">{t("login.password")}</label>'
            '<input id="password" name="password" type="password" '
            'autocomplete="current-password" required maxlength="1024" autofocus>'
            f'<button type="submit">{t("login.submit")}</button></form>'
        )
    else:
        next_step = f'<a class="button" href="{routes.LOGIN}">{t("unavailable.to_sign_in")}</a>'
    body = (
        f'<!DOCTYPE html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{t('page.unavailable')}</title><style>{_STYLE}</style></head>"
        f'<body><main><p class="product">{escape(get_settings().product_name)}</p>'
        f"<h1>{t('unavailable.title')}</h1>"
        f'<p role="alert">{t(f"unavailable.{action}")}</p>{next_step}</main></body></html>'
    )
    return HTMLResponse(
        body,
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )
