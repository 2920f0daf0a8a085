"""Layer 1, known formats: secrets recognised by their own shape.

Provider tokens with their prefixes, lengths and alphabets (the plugin catalogue of
``detect-secrets`` widened where provider errors showed other shapes), key files
(PEM, PuTTY), JWTs, webhook URLs whose path is the secret, pwdump hashes, BitLocker
recovery keys, and e-mail addresses of third parties (personal data, not a secret,
but removed the same way). These need no context: the value says what it is.
"""

from __future__ import annotations

import re

from support_app.services.redaction.syntax import Detector, Keep, Redact, Verdict

LAYER = "known-formats"

NT_HASH = Detector(
    layer=LAYER,
    name="nt-hash",
    summary="the LM and NT hashes of a pwdump/secretsdump line (user:rid:LM:NT:::); the user "
    "and RID are kept",
    triggers=(":::",),
    pattern=re.compile(r"(?<![^\s\"'])[^\s:]+:\d+:(?P<secret>[0-9a-fA-F]{32}:[0-9a-fA-F]{32}):::"),
)


# --- webhooks -------------------------------------------------------------------------------

# also JSON-escaped (\/), once or twice (a JSON text inside a JSON string: \\/)
_SLASH = r"(?:\\{0,2}/)"
_URL_PATH = r"(?:[^\s\"'<>\\]|\\{1,2}/)+"
TEAMS_WEBHOOK = Detector(
    layer=LAYER,
    name="teams-webhook",
    summary="the path of a Microsoft Teams incoming webhook (…webhook.office.com/webhookb2/…, "
    "outlook.office.com/webhook/…, with the /V2… suffix), also with \\/-escaped slashes",
    triggers=("webhook.office.com", "outlook.office"),
    pattern=re.compile(
        rf"(?:(?<![\w\-])[\w\-]++\.webhook\.office\.com{_SLASH}webhookb2"
        rf"|outlook\.office(?:365)?\.com{_SLASH}webhook(?:b2)?){_SLASH}(?P<secret>{_URL_PATH})",
        re.IGNORECASE,
    ),
)
DISCORD_WEBHOOK = Detector(
    layer=LAYER,
    name="discord-webhook",
    summary="the id and token of a Discord webhook URL (discord.com/api/webhooks/…)",
    triggers=("discord.com", "discordapp.com"),
    pattern=re.compile(
        rf"discord(?:app)?\.com{_SLASH}api{_SLASH}(?:v\d+{_SLASH})?webhooks{_SLASH}"
        rf"(?P<secret>\d+{_SLASH}[\w\-]+)",
        re.IGNORECASE,
    ),
)

# --- value-based -------------------------------------------------------------------------

PRIVATE_KEY = Detector(
    layer=LAYER,
    name="private-key",
    summary="a PEM block of any key type (-----BEGIN … KEY----- … -----END … KEY-----), "
    "also JSON-escaped on one line or cut off before its END line",
    triggers=("-----BEGIN",),
    pattern=re.compile(
        # not a public key ("BEGIN PUBLIC KEY", "BEGIN PGP PUBLIC KEY BLOCK")
        r"-----BEGIN(?![ A-Z0-9]*PUBLIC)[ A-Z0-9]*KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END[ A-Z0-9]*KEY(?: BLOCK)?-----|\Z)"
    ),
    spans_lines=True,
)


PUTTY_KEY = Detector(
    layer=LAYER,
    name="putty-key",
    summary="a PuTTY private key file (PuTTY-User-Key-File-2/3 … Private-MAC), also "
    "JSON-escaped or cut off",
    triggers=("PuTTY-User-Key-File-",),
    pattern=re.compile(
        r"PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-(?:MAC|Hash):[ \t]*[0-9a-fA-F]+|\Z)"
    ),
    spans_lines=True,
)


JWT = Detector(
    layer=LAYER,
    name="jwt",
    summary="a JSON Web Token, signed or unsigned (eyJ….….), also JWE with five parts",
    triggers=("eyJ",),
    pattern=re.compile(
        r"(?<![\w\-])eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{4,}(?:\.[A-Za-z0-9_\-]*){0,3}"
    ),
)


def _token(name: str, summary: str, triggers: tuple[str, ...], pattern: str) -> Detector:
    """A detector for a token format with a well-known prefix."""
    return Detector(
        layer=LAYER, name=name, summary=summary, triggers=triggers, pattern=re.compile(pattern)
    )


GITHUB_TOKEN = _token(
    "github-token",
    "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
)
GITLAB_TOKEN = _token(
    "gitlab-token",
    "GitLab tokens (glpat-, gldt-, glrt-, glsoat-, glptt-, glcbt-, glimt-, glagent-, "
    "gloas-, glft-, runner registration GR1348941)",
    (
        "glpat-",
        "gldt-",
        "glft-",
        "glsoat-",
        "glrt-",
        "glptt-",
        "glcbt-",
        "glimt-",
        "glagent-",
        "gloas-",
        "GR1348941",
    ),
    r"(?<![A-Za-z0-9_\-])(?:gl(?:pat|dt|ft|soat|rt|ptt|cbt|imt|agent|oas)-[A-Za-z0-9_\-]{20,}"
    r"|GR1348941[A-Za-z0-9_\-]{20,})",
)
SLACK_TOKEN = _token(
    "slack-token",
    "Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp-) and incoming-webhook "
    "and workflow paths, also with \\/-escaped slashes",
    ("xox", "xapp-", "hooks.slack.com"),
    r"(?<![A-Za-z0-9_\-])(?:xox[abposre]-[A-Za-z0-9\-]{10,}|xapp-\d-[A-Za-z0-9\-]{10,})"
    r"|hooks\.slack\.com(?:\\?/)(?:services|workflows|triggers)(?:\\?/)"
    r"(?P<secret>[A-Za-z0-9_]+(?:(?:\\?/)[A-Za-z0-9_]+)+)",
)
STRIPE_KEY = _token(
    "stripe-key",
    "Stripe secret and restricted keys (sk_live_, sk_test_, rk_…) and webhook secrets (whsec_)",
    ("sk_", "rk_", "whsec_"),
    r"(?<![A-Za-z0-9_])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})",
)
GOOGLE_CREDENTIAL = _token(
    "google-credential",
    "Google API keys (AIza…), OAuth client secrets (GOCSPX-) and access tokens (ya29.)",
    ("AIza", "GOCSPX-", "ya29."),
    r"(?<![A-Za-z0-9_\-])(?:AIza[0-9A-Za-z_\-]{35}|GOCSPX-[A-Za-z0-9_\-]{24,}"
    r"|ya29\.[A-Za-z0-9_\-]{20,})",
)
AWS_ACCESS_KEY_ID = _token(
    "aws-access-key-id",
    "AWS access key ids (AKIA, ASIA, ABIA, ACCA, A3T…)",
    ("A3T", "AKIA", "ASIA", "ABIA", "ACCA"),
    r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
)
AZURE_CLIENT_SECRET = _token(
    "azure-client-secret",
    "Microsoft Entra (Azure AD) application client secrets (xxx8Q~…)",
    ("Q~",),
    r"(?<![\w~.\-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![\w~.\-])",
)
AZURE_STORAGE_KEY = _token(
    "azure-storage-key",
    "Azure storage account keys (88 base64 characters ending in ==) anywhere",
    ("==",),
    r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])",
)
SENDGRID_KEY = _token(
    "sendgrid-key",
    "SendGrid API keys (SG.….…)",
    ("SG.",),
    r"(?<![A-Za-z0-9_\-])SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
)
NPM_TOKEN = _token(
    "npm-token", "npm access tokens (npm_…)", ("npm_",), r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}"
)
PYPI_TOKEN = _token(
    "pypi-token",
    "PyPI upload tokens (pypi-AgE…)",
    ("pypi-AgE",),
    r"(?<![A-Za-z0-9_])pypi-AgE[A-Za-z0-9_\-]{50,}",
)
OPENAI_KEY = _token(
    "openai-key",
    "OpenAI API keys (sk-…, sk-proj-…)",
    ("sk-",),
    r"(?<![A-Za-z0-9_\-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
)


HUGGINGFACE_TOKEN = _token(
    "huggingface-token",
    "Hugging Face access tokens (hf_…)",
    ("hf_",),
    r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,40}(?![A-Za-z0-9])",
)
DIGITALOCEAN_TOKEN = _token(
    "digitalocean-token",
    "DigitalOcean tokens (dop_v1_, doo_v1_, dor_v1_)",
    ("_v1_",),
    r"(?<![A-Za-z0-9_])do[por]_v1_[a-f0-9]{64}",
)
VAULT_TOKEN = _token(
    "vault-token",
    "HashiCorp Vault tokens (hvs., hvb., hvr.)",
    ("hvs.", "hvb.", "hvr."),
    r"(?<![A-Za-z0-9_.])hv[sbr]\.[A-Za-z0-9_\-]{24,}",
)
TELEGRAM_BOT_TOKEN = _token(
    "telegram-bot-token",
    "Telegram bot tokens (123456789:AA…), also in an API URL path (/bot<token>/)",
    (":aa",),
    r"(?<![A-Za-z0-9_:])(?:bot)?(?P<secret>\d{6,12}:AA[A-Za-z0-9_\-]{30,34})(?![A-Za-z0-9_\-])",
)
AZURE_DEVOPS_PAT = _token(
    "azure-devops-pat",
    "Azure DevOps personal access tokens of the 84-character format (…JQQJ…AZDO…)",
    ("AZDO",),
    r"(?<![A-Za-z0-9])[A-Za-z0-9]{52}JQQJ[A-Za-z0-9]{20}AZDO[A-Za-z0-9]{4}(?![A-Za-z0-9])",
)
PFX_BLOB = _token(
    "pfx-blob",
    "a base64 PKCS#12 (.pfx/.p12) file: certificate and private key (MII…IBAzCC…), also "
    "wrapped over lines",
    ("IBAzCC",),
    # line breaks real or JSON-escaped, also twice (a JSON text inside a JSON string)
    r"(?<![A-Za-z0-9+/])MII[A-Za-z0-9+/]{3}IBAzCC(?:[A-Za-z0-9+/]|\\{1,3}[rn]|\r?\n)*={0,2}",
)
FUNCTION_KEY = Detector(
    layer=LAYER,
    name="function-key",
    summary="a long code= query parameter: Azure Functions keys (?code=…), OAuth "
    "authorization codes; also after a JSON-escaped \\u0026",
    triggers=("code=",),
    pattern=re.compile(
        r"(?:(?<=[?&])|(?<=\\u0026))code=(?P<secret>[A-Za-z0-9_\-%/+.~]{20,}={0,2})"
    ),
)
BITLOCKER_RECOVERY_KEY = Detector(
    layer=LAYER,
    name="bitlocker-recovery-key",
    summary="BitLocker recovery passwords (48 digits in 8 groups of 6)",
    triggers=(),
    shape_trigger=(r"\d{6}(?:-\d{6}){7}", "-", 7),
    pattern=re.compile(r"(?<![\d\-])\d{6}(?:-\d{6}){7}(?![\d\-])"),
)


def _locate_email(match: re.Match[str], allowed: frozenset[str]) -> Verdict:
    if match.group(0).lower() in allowed:
        return Keep(match.end())
    return Redact(*match.span())


EMAIL = Detector(
    layer=LAYER,
    name="email",
    summary="e-mail addresses of third parties (the caller names the allowed ones); "
    "not the user name in a URL",
    triggers=("@",),
    pattern=re.compile(r"(?<![\w.%+\-/])[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),
    locate=_locate_email,
)

NAMED_FORMATS = (
    JWT,
    GITHUB_TOKEN,
    GITLAB_TOKEN,
    SLACK_TOKEN,
    STRIPE_KEY,
    GOOGLE_CREDENTIAL,
    AWS_ACCESS_KEY_ID,
    AZURE_CLIENT_SECRET,
    AZURE_STORAGE_KEY,
    SENDGRID_KEY,
    NPM_TOKEN,
    PYPI_TOKEN,
    OPENAI_KEY,
    HUGGINGFACE_TOKEN,
    DIGITALOCEAN_TOKEN,
    VAULT_TOKEN,
    TELEGRAM_BOT_TOKEN,
    AZURE_DEVOPS_PAT,
    PFX_BLOB,
)
# Catalogue order is the order of precedence at one position (see the module docstring).
