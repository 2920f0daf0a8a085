"""The detector catalogue: every detector of the four layers, in order of precedence.

The layers, each a module of its own over one shared vocabulary (``vocabulary``):

1. ``known_formats``: secrets recognised by their own shape (provider tokens, keys);
2. ``named_fields``: a name that means secret and its value, in any syntax;
3. ``stated_in_prose``: a value a sentence states as a secret, scored on evidence;
4. ``encoded_credentials``: base64 and hex blobs the text says carry credentials.

Detectors are tried at each position in catalogue order (see ``scanner``), so the
order matters: structural forms that carry a secret of any shape (URL credentials,
Authorization and Cookie headers, connection strings, secret-named keys) come before
the shape-based token detectors, the entropy heuristic after the named formats, and
e-mail addresses last.
"""

from __future__ import annotations

from support_app.services.redaction.encoded_credentials import (
    AUTHENTICATION_EXCHANGE,
    ENCODED_USER_PASSWORD,
    KERBEROS_MATERIAL,
    KEY_MATERIAL,
    SECRET_OBJECT_DATA,
)
from support_app.services.redaction.known_formats import (
    BITLOCKER_RECOVERY_KEY,
    DISCORD_WEBHOOK,
    EMAIL,
    FUNCTION_KEY,
    NAMED_FORMATS,
    NT_HASH,
    PRIVATE_KEY,
    PUTTY_KEY,
    TEAMS_WEBHOOK,
)
from support_app.services.redaction.named_fields import (
    ADDRESS_PASSWORD,
    AUTHORIZATION,
    CLI_CREDENTIALS,
    CLI_OPTION,
    COMMAND_ARGUMENT,
    CONFIG_VALUE,
    CONNECTION_STRING,
    COOKIE,
    CREDENTIAL_CALL,
    EXPECTED_PASSWORD,
    HIGH_ENTROPY,
    KEY_VAULT_SECRET,
    NAME_VALUE,
    NET_USE,
    NETRC,
    NETWORK_DEVICE_SECRET,
    PASSWORD_AS_USER,
    PGPASS,
    PIPED_PASSWORD,
    QUOTED_SETTING,
    SECRET_ELEMENT,
    SECRET_KEY,
    SECURE_STRING,
    TABLE_COLUMN,
    TOOL_OUTPUT,
    URL_CREDENTIALS,
    VARIABLE_DEFAULT,
    XML_SETTING,
)
from support_app.services.redaction.stated_in_prose import (
    STATED_SECRET,
)
from support_app.services.redaction.syntax import Detector, placeholder

CATALOGUE: tuple[Detector, ...] = (
    TABLE_COLUMN,
    PRIVATE_KEY,
    PUTTY_KEY,
    URL_CREDENTIALS,
    TEAMS_WEBHOOK,
    DISCORD_WEBHOOK,
    AUTHORIZATION,
    COOKIE,
    CLI_CREDENTIALS,
    NET_USE,
    COMMAND_ARGUMENT,
    SECURE_STRING,
    PIPED_PASSWORD,
    NAME_VALUE,
    KEY_VAULT_SECRET,
    XML_SETTING,
    CONNECTION_STRING,
    SECRET_KEY,
    QUOTED_SETTING,
    CREDENTIAL_CALL,
    VARIABLE_DEFAULT,
    EXPECTED_PASSWORD,
    CLI_OPTION,
    SECRET_ELEMENT,
    TOOL_OUTPUT,
    NETWORK_DEVICE_SECRET,
    CONFIG_VALUE,
    STATED_SECRET,
    NETRC,
    PGPASS,
    ADDRESS_PASSWORD,
    PASSWORD_AS_USER,
    NT_HASH,
    AUTHENTICATION_EXCHANGE,
    KERBEROS_MATERIAL,
    *NAMED_FORMATS,
    BITLOCKER_RECOVERY_KEY,
    FUNCTION_KEY,
    SECRET_OBJECT_DATA,
    ENCODED_USER_PASSWORD,
    KEY_MATERIAL,
    HIGH_ENTROPY,
    EMAIL,
)
# The placeholder for a value stored under a secret-named mapping key.
SECRET_KEY_PLACEHOLDER = placeholder(SECRET_KEY.name)
