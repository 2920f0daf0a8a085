"""Layer 3, stated in prose: examples, near misses, and generated sentences in en and de.

The layer must remove a value the same line states as a secret (noun, relation, a
value that looks chosen) and nothing else: sentences *about* passwords, PINs and
keys keep every word.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_app.services.redaction import findings, placeholder, redact_text
from support_app.services.redaction.stated_in_prose import LAYER, STATED_SECRET

R = placeholder(STATED_SECRET.name)

# (text, the secret it states)
STATED = [
    (
        "The AWS secret key they gave us is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEX",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEX",
    ),
    (
        "here is the API key they sent: 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ),
    ("Password for the break-glass account: Gl@ss-Br3ak-2026", "Gl@ss-Br3ak-2026"),
    ("Correct-horse-battery-staple is the new wifi password", "Correct-horse-battery-staple"),
    ("use Sommer2024! as the password", "Sommer2024!"),
    ("creds are admin / Adm1n!2026", "Adm1n!2026"),
    ("PIN geändert auf 4711", "4711"),
    ("Der Code für die Alarmanlage ist 1357", "1357"),
    ("login with user bob and Tr0ub4dor&3", "Tr0ub4dor&3"),
    ("Ihr neues Initialkennwort lautet: Start!Nowak-91", "Start!Nowak-91"),
    ("Die PIN für das Smartphone von Hrn. Yilmaz ist 582039.", "582039"),
    ("als Passwort haben wir Kaffee-Tasse-Blau-Fenster genommen", "Kaffee-Tasse-Blau-Fenster"),
    ("Kennwort vom DATEV-Arbeitsplatz lautet weiterhin St3uer!Berat", "St3uer!Berat"),
    ("Das Kennwort ist dasselbe wie letztes Jahr: Backup#Platte2023", "Backup#Platte2023"),
    (
        'The password is the passphrase "copper lantern meadow violin".',
        "copper lantern meadow violin",
    ),
    ("Reset the VPN user's password, set to Harbour#Light19, told them.", "Harbour#Light19"),
    ("Vendor remote support login: support-ext, passcode 8842-1190-3371", "8842-1190-3371"),
    ("tried the old Wi-Fi password, then logged in with Gu3st!Wlan#8", "Gu3st!Wlan#8"),
    ("door keypad pin: 4826", "4826"),
    ("Voicemail PIN reset to 90417 for ext 214.", "90417"),
    ("wifi for the event: SSID Konferenz-Gast, key Ev3nt!Guest-24", "Ev3nt!Guest-24"),
    ("Zugang zur Telefonanlage: Benutzer admin / Telef0n!Anl4ge", "Telef0n!Anl4ge"),
    ("MFA seed for the mailbox (enter in the authenticator): ZI75VHAH5EYA2XWN", "ZI75VHAH5EYA2XWN"),
    ("le mot de passe est Cl4ve!9x", "Cl4ve!9x"),
]

# Sentences about secrets without one, and identifiers a sentence names.
ABOUT = [
    "the password is expired",
    "Das Passwort ist abgelaufen.",
    "The password is in Keeper under Fabrikam / FW01 admin",
    "Password hash: 5f4dcc3b5aa765d61d8327deb882cf99",
    "Password length: 14",
    "I reset her password and she can log in now",
    "Set the password to expire after 90 days.",
    "We do not store the BitLocker recovery password here, it is escrowed to Entra ID.",
    "The token has an invalid signature. TrackingId: 5c1a8f3e-2b7d-4e61-9a0c-3f4e5d6c7b8a",
    "password INC0000001",
    "the token is 6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    "Set-ADAccountPassword -Identity m.krause -Reset",
    "error code 0x80070005 is 12345678",
    "the API key was rotated on Monday; the new one is in Key Vault",
    "PIN vergessen, Karte gesperrt.",
    "Kennwort: [entfernt]  -  bitte Zugangsdaten nie ins Ticket schreiben.",
    "Das Passwort für den Server SRV-DC01 wurde zurückgesetzt.",
    "password: ${{ secrets.DB_PASSWORD }}",
    "login: support-ext",
    "the password must be 12 characters long and the PIN 6 digits",
]


@pytest.mark.parametrize(("text", "secret"), STATED)
def test_a_stated_secret_is_removed(text: str, secret: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted, redacted
    assert redact_text(redacted) == redacted


@pytest.mark.parametrize("text", ABOUT)
def test_a_sentence_about_a_secret_keeps_every_word(text: str) -> None:
    assert redact_text(text) == text


def test_a_finding_names_its_layer_and_evidence_never_the_value() -> None:
    found = [f for f in findings("Das Kennwort lautet Hx7$kLm2") if f.layer == LAYER]
    assert len(found) == 1
    assert found[0].kind == "stated-secret"
    assert "Kennwort" in found[0].evidence and "lautet" in found[0].evidence
    assert "Hx7$kLm2" not in found[0].evidence


# --- generated sentences ----------------------------------------------------------------------

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A chosen value: letters, digits and symbols, as people pick passwords.
_SYMBOLS = "!#$%&*+=?@^_~"
chosen_values = st.builds(
    lambda word, digits, symbol, tail: f"{word}{symbol}{digits}{tail}",
    st.sampled_from(["Sommer", "Winter", "Fabrik", "Kx", "Blau", "Hafen", "Orbit", "Tiger"]),
    st.integers(10, 99999).map(str),
    st.sampled_from(_SYMBOLS),
    st.text(string.ascii_letters + string.digits, min_size=0, max_size=6),
)
pins = st.integers(1000, 99999999).map(str)

_EN_NOUNS = ["password", "Password", "admin password", "Wi-Fi password", "passphrase", "secret"]
_DE_NOUNS = ["Passwort", "Kennwort", "WLAN-Passwort", "Adminkennwort", "Initialkennwort"]
_OWNERS_EN = ["", " for the firewall", " of the break-glass account", " they gave us"]
_OWNERS_DE = ["", " für die Firewall", " vom Notfallkonto", " des Druckers"]
_EN = [
    "The {noun}{owner} is {value}",
    "{noun}{owner}: {value}",
    "I changed the {noun}{owner} to {value} this morning.",
    "{value} is the new {noun}",
    "use {value} as the {noun}",
    "Hi, the {noun}{owner} is now {value} - please change it.",
]
_DE = [
    "Das {noun}{owner} lautet {value}",
    "{noun}{owner}: {value}",
    "{noun}{owner} ist jetzt {value}.",
    "{noun}{owner} wurde auf {value} geändert",
    "{value} ist das neue {noun}",
    "als {noun} haben wir {value} genommen",
]
_PIN_EN = ["The PIN{owner} is {value}", "changed the door code to {value}", "PIN: {value}"]
_PIN_DE = ["Die PIN{owner} ist {value}", "Der Türcode lautet {value}", "PIN geändert auf {value}"]


@st.composite
def stated_sentences(draw: st.DrawFn) -> tuple[str, str]:
    if draw(st.booleans()):
        value = draw(pins)
        template = draw(st.sampled_from(_PIN_EN + _PIN_DE))
        owner = draw(st.sampled_from(_OWNERS_EN if template in _PIN_EN else _OWNERS_DE))
        return template.format(owner=owner, value=value), value
    value = draw(chosen_values)
    english = draw(st.booleans())
    template = draw(st.sampled_from(_EN if english else _DE))
    noun = draw(st.sampled_from(_EN_NOUNS if english else _DE_NOUNS))
    owner = draw(st.sampled_from(_OWNERS_EN if english else _OWNERS_DE))
    return template.format(noun=noun, owner=owner, value=value), value


@SETTINGS
@given(case=stated_sentences())
def test_generated_sentences_stating_a_value_lose_it(case: tuple[str, str]) -> None:
    text, value = case
    redacted = redact_text(text)
    assert value not in redacted, (text, redacted)


# Harmless sentences about passwords: a status, a policy, a pointer, an identifier.
_ABOUT_EN = [
    "The {noun} {verb} {status}.",
    "{noun} {verb} {status} for the user on {host}.",
    "The {noun} is stored in {vault} under {host}.",
    "The {noun} must be at least {n} characters long.",
    "{noun} reset for ticket INC{ticket}; the user can sign in again.",
]
_ABOUT_DE = [
    "Das {noun} {verb_de} {status_de}.",
    "{noun} für {host} {verb_de} {status_de}.",
    "Das {noun} liegt in {vault} unter {host}.",
    "Das {noun} muss mindestens {n} Zeichen lang sein.",
    "{noun} für Ticket INC{ticket} zurückgesetzt, Anmeldung klappt wieder.",
]


@st.composite
def harmless_sentences(draw: st.DrawFn) -> str:
    values = {
        "noun": draw(st.sampled_from(_EN_NOUNS[:3] + _DE_NOUNS[:2] + ["PIN", "token", "API key"])),
        "verb": draw(st.sampled_from(["is", "was", "has been"])),
        "status": draw(st.sampled_from(["expired", "reset", "changed", "required", "wrong"])),
        "verb_de": draw(st.sampled_from(["ist", "war", "wurde"])),
        "status_de": draw(st.sampled_from(["abgelaufen", "geändert", "falsch", "gesperrt"])),
        "vault": draw(st.sampled_from(["Keeper", "1Password", "Key Vault", "KeePass"])),
        "host": draw(st.sampled_from(["SRV-DC01", "fw01.contoso.local", "10.0.4.12", "Fabrikam"])),
        "n": draw(st.integers(8, 20)),
        "ticket": draw(st.integers(1000000, 9999999)),
    }
    template = draw(st.sampled_from(_ABOUT_EN + _ABOUT_DE))
    return template.format(**values)


@SETTINGS
@given(text=harmless_sentences())
def test_generated_sentences_about_passwords_do_not_change(text: str) -> None:
    assert redact_text(text) == text
