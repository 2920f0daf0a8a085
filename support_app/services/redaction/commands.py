"""Which command-line options take a secret as their value: one rule for text and argv lists.

An option takes a secret when its own name says so (``--password``, ``--token``,
``--shared-key``, ``-Password``, ``-SecretKey``, ``-pw``, ``/p:``), or when it is a
short letter that the command before it is known to use for a password
(``mysql -pX``, ``sshpass -p X``, ``sqlcmd -P X``, ``ldapsearch -w X``,
``redis-cli -a X``). A short letter alone says nothing: ``mkdir -p``, ``ssh -p 22``,
``docker run -p 8080:80``, ``curl -w '%{http_code}'`` and ``rsync -P`` are everyday
commands, so the short letters are only trusted after their command.

Options that name a secret but take none, or take a path to one, are left alone:
``--password-stdin``, ``--password-file``, ``--ask-pass``, ``--no-password``, and the
PowerShell ``-Credential`` (a user name; the password is prompted for).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from support_app.services.redaction.vocabulary import is_secret_key, key_parts

# command (lower case, without a path or ".exe") → its short password options; a
# command of two words is matched with its sub-command ("docker login").
_SHORT_PASSWORD_OPTIONS: dict[str, frozenset[str]] = {
    "mysql": frozenset({"p"}),
    "mysqldump": frozenset({"p"}),
    "mysqladmin": frozenset({"p"}),
    "mysqlimport": frozenset({"p"}),
    "mariadb": frozenset({"p"}),
    "mariadb-dump": frozenset({"p"}),
    "sshpass": frozenset({"p"}),
    "psexec": frozenset({"p"}),
    "psexec64": frozenset({"p"}),
    "paexec": frozenset({"p"}),
    "sqlcmd": frozenset({"P"}),
    "bcp": frozenset({"P"}),
    "osql": frozenset({"P"}),
    "zip": frozenset({"P"}),
    "unzip": frozenset({"P"}),
    "7z": frozenset({"p"}),
    "7za": frozenset({"p"}),
    "ldapsearch": frozenset({"w"}),
    "ldapmodify": frozenset({"w"}),
    "ldapadd": frozenset({"w"}),
    "ldapdelete": frozenset({"w"}),
    "ldappasswd": frozenset({"w", "s"}),
    "ldapwhoami": frozenset({"w"}),
    "redis-cli": frozenset({"a"}),
    "ipmitool": frozenset({"P"}),
    "racadm": frozenset({"p"}),
    "idracadm": frozenset({"p"}),
    "esxcli": frozenset({"p", "c"}),  # esxcli system account set -p X -c X
    "unrar": frozenset({"p"}),
    "rar": frozenset({"p"}),
    "smbclient": frozenset({"p"}),
    "mongo": frozenset({"p"}),
    "mongosh": frozenset({"p"}),
    "mongodump": frozenset({"p"}),
    "mongorestore": frozenset({"p"}),
    "winrs": frozenset({"p"}),
    "vmrun": frozenset({"gp", "vp"}),  # guest and VM (encryption) password
    "ssh-keygen": frozenset({"N", "P"}),  # new and old passphrase
    "certutil": frozenset({"p"}),
    "ncftp": frozenset({"p"}),
    "ncftpput": frozenset({"p"}),
    "ncftpget": frozenset({"p"}),
    "influx": frozenset({"p"}),
    # SNMP: community (v1/v2c), v3 authentication and privacy passphrases
    **dict.fromkeys(
        (
            "snmpwalk",
            "snmpget",
            "snmpset",
            "snmpbulkwalk",
            "snmpbulkget",
            "snmpgetnext",
            "snmptable",
            "snmptrap",
            "snmpinform",
        ),
        frozenset({"c", "A", "X"}),
    ),
    "az login": frozenset({"p"}),
    "docker login": frozenset({"p"}),
    "podman login": frozenset({"p"}),
    "helm registry login": frozenset({"p"}),
    "oras login": frozenset({"p"}),
}
# The literals a text must hold for a short option to count: its command's name, or a
# slash option glued to its value.
# (a command of two words by its last, "login": an argv list quotes them apart).
COMMAND_TRIGGERS = (
    *sorted({command.split()[-1] for command in _SHORT_PASSWORD_OPTIONS}),
    "schtasks",
    "/p:",
)
# Options whose short letter is glued to its value (``-pS3cret``, ``-pArchivePw``).
_GLUED = frozenset(
    {"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mariadb", "7z", "7za", "unrar", "rar"}
)
# rar and unrar also encrypt the file names with the password: -hpX.
_GLUED_LONGER = {"rar": frozenset({"hp"}), "unrar": frozenset({"hp"})}
# Slash options of Windows tools that carry a password (xfreerdp /p:, cmdkey /pass:);
# spaced (``/P X``) only after schtasks, whose other tools read ``/p`` as "prompt".
_SLASH_PASSWORD_OPTIONS = frozenset(
    # netdom's /passwordd: /pd: (domain) and /passwordo: /po: (object) too
    {"p", "pw", "pwd", "pass", "passwd", "password", "rp", "pd", "po", "passwordd", "passwordo"}
)
# Windows tools whose slash password option takes its value after a blank.
_SPACED_SLASH_COMMANDS = ("schtasks", "ktpass")
# Options that take the value of a setting: a secret when an argument before them
# names a secret (az keyvault secret set --name X --value V, gh secret set NAME --body V,
# Set-ItemProperty -Name DefaultPassword -Value V, aws ssm put-parameter --name
# /prod/db/password --value V).
_VALUE_OPTIONS = frozenset({"value", "body", "secret-value"})
# Option names (as word parts) that name a secret but take none or only a path to one.
_NOT_A_VALUE_FIRST = frozenset({"ask", "no", "prompt", "require", "generate", "show", "random"})
_NOT_A_VALUE = frozenset({("credential",), ("cred",)})
# Java keytool and openssl spell their password options as one word.
_ONE_WORD_PASSWORD_OPTIONS = frozenset(
    {
        "storepass",
        "keypass",
        "srcstorepass",
        "deststorepass",
        "srckeypass",
        "destkeypass",
        "passin",
        "passout",
    }
)

# How an option meets its value.
GLUED, SPACED, ATTACHED = "glued", "spaced", "attached"  # -pX / -p X / /p:X, -p:X
_WORD = re.compile(r"[^\s\"',\[\]()]+")


@lru_cache(maxsize=1024)
def _command_names(segment: str) -> frozenset[str]:
    """The command words of a segment, also in pairs and triples ("docker login")."""
    # without a path, and without the backslashes of JSON-escaped quotes (\"sshpass\")
    words = [
        w.strip("\\").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower() for w in _WORD.findall(segment)
    ]
    words = [w.lstrip(">$#").removesuffix(".exe") for w in words]  # after a prompt (C:\>)
    names = set(words)
    names.update(f"{a} {b}" for a, b in pairwise(words))
    names.update(f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False))
    return frozenset(names)


# The command's name and sub-command are at its start, or, in a log line whose prose
# runs on before the command ("… 2026-12-02 ERROR [runner] … mysql -u root -pX"), just
# before the option: no need to read what lies between.
_COMMAND_HEAD = 200


def command_of(text: str, option_start: int) -> str:
    """The command an option at ``option_start`` belongs to: its head and what precedes
    the option, each up to ``_COMMAND_HEAD`` characters."""
    start = max(text.rfind(c, 0, option_start) for c in "\n|;&") + 1
    if option_start - start <= 2 * _COMMAND_HEAD:
        return text[start:option_start]
    head = text[start : start + _COMMAND_HEAD]
    return f"{head}\n{text[option_start - _COMMAND_HEAD : option_start]}"


@lru_cache(maxsize=1024)
def _named_option_takes_secret(name: str) -> bool:
    if name.lower() in _ONE_WORD_PASSWORD_OPTIONS:
        return True
    parts = key_parts(name)
    if not parts or parts[0] in _NOT_A_VALUE_FIRST or parts in _NOT_A_VALUE:
        return False
    return is_secret_key(name)


def option_takes_secret(option: str, command: str, how: str) -> bool:
    """Whether ``option`` (with its dashes or slash) takes a secret after ``command``.

    ``how`` says how the value meets the option: ``GLUED``, ``SPACED`` or ``ATTACHED``.
    """
    if option.startswith("/"):
        name = option[1:]
        if name.lower() in _SLASH_PASSWORD_OPTIONS:
            commands = _command_names(command)
            return how == ATTACHED or any(c in commands for c in _SPACED_SLASH_COMMANDS)
        return how != GLUED and len(name) > 2 and _named_option_takes_secret(name)
    name = option.lstrip("-")
    if how == GLUED:
        commands = _command_names(command)
        return any(
            name in _GLUED_LONGER.get(known, ()) or (name in letters and known in _GLUED)
            for known, letters in _SHORT_PASSWORD_OPTIONS.items()
            if known in commands
        )
    if len(name) > 2 or option.startswith("--"):
        if name.lower() in _VALUE_OPTIONS:
            return _names_a_secret(command)
        return _named_option_takes_secret(name)
    commands = _command_names(command)
    if any(
        name in letters and known in commands for known, letters in _SHORT_PASSWORD_OPTIONS.items()
    ):
        return True
    return len(name) > 1 and _named_option_takes_secret(name)


# An option word, not an argument: "-Name", "--vault-name", "/v".
_OPTION_WORD = re.compile(r"[-/][\w\-]*[:=]?")


def _names_a_secret(command: str) -> bool:
    """Whether an argument of ``command`` (not an option) names a secret: "secret" in
    "az keyvault secret set", "DefaultPassword", "/prod/db/password"."""
    return any(
        not _OPTION_WORD.fullmatch(word) and is_secret_key(word.strip("\"'"))
        for word in _WORD.findall(command)
    )


def secret_argument_positions(args: list[str] | tuple[str, ...]) -> dict[int, int]:
    """In an argv list, the elements that hold a secret: index → where the secret starts.

    The secret is the element after an option that takes one (from 0), or the rest
    of a glued short option (``-pS3cret`` → from 2). After a short option, an element
    that looks like an option is the next option, not a value; after a named one
    (``--password``) it is the value. (``--password=X`` in one element is the text
    scan's, as anywhere else.)
    """
    found: dict[int, int] = {}
    if not any(arg[:1] in ("-", "/") for arg in args):
        return found
    command = " ".join(args[:3])
    for i, arg in enumerate(args):
        if len(arg) < 2 or not arg.startswith(("-", "/")) or "=" in arg:
            continue
        if len(arg) > 2 and arg[1] != "-" and option_takes_secret(arg[:2], command, GLUED):
            found[i] = 2
        elif (
            i + 1 < len(args)
            and args[i + 1]
            and (len(arg) > 2 or not args[i + 1].startswith("-"))
            and option_takes_secret(arg, command, SPACED)
        ):
            found[i + 1] = 0
    return found
