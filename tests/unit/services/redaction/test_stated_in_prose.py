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


# --- the layouts of conversations, lists and tables --------------------------------------------

# (text, the secrets it states): a value stated by where it stands, not by one sentence.
LAID_OUT = [
    # an answer below a question for a secret, with or without speaker and time
    ("[09:14] Lukas: what's the pw for the scanner?\n[09:15] Anna: Summer2024!", ["Summer2024!"]),
    ("Max 11:05: pwd vom Fritzbox-Login?\nIrina 11:06: fr1tz!8734\nMax: danke", ["fr1tz!8734"]),
    ("Q: BIOS password on the new ThinkPads?\nA: Bios-TP-2026!", ["Bios-TP-2026!"]),
    (
        "Mira 10:02\ndo you have the password for the NVR?\nTom 10:03\nyep: Nvr#Cam-4471",
        ["Nvr#Cam-4471"],
    ),
    ("Was ist der Code für die Alarmanlage?\nOlga: 2741#", ["2741"]),
    (
        "[10:00] Ana: can u send me the admin pass for the NAS\n[10:01] Ben: Nas!Adm-2026",
        ["Nas!Adm-2026"],
    ),
    ("Site access:\n1) VPN: see vault\n2) Door: 6655#", ["6655"]),
    ("Admin-Kennwort 71946253 (Administratormodus)", ["71946253"]),
    ("Die PIN für den Druck (Follow-Me) von Frau Öz ist 3094, Karte folgt.", ["3094"]),
    ("Notfallcodes (einmal verwendbar):\nFYONHL5T\n6P4UDSB1", ["FYONHL5T", "6P4UDSB1"]),
    ("Your app password for your device\nwada jmzp nwlv zfrs", ["wada jmzp nwlv zfrs"]),
    (
        "Wiederherstellungsphrase:\nkompass brücke quarz lavendel möwe wolke",
        ["kompass brücke quarz"],
    ),
    # a table whose header names a secret column
    ("Device | User | Password\n---|---|---\nfw-hq-01 | admin | Fgt!HQ-2026x", ["Fgt!HQ-2026x"]),
    ("Name\tExtension\tPIN\nReception\t200\t4417\nSales\t210\t9032", ["4417", "9032"]),
    ("Gerät;Benutzer;Kennwort\nNAS-Buero;admin;N4s!Buero", ["N4s!Buero"]),
    (
        "Mitarbeiter    Benutzername    Startpasswort\nA. Winter      awinter         Wint3r!Start",
        ["Wint3r!Start"],
    ),
    # list items under a credentials heading, or labelled with an account
    (
        "Credentials (temporary):\n- sql sa: Sql$a-Temp77\n- smtp relay: Relay!Mail.55",
        ["Sql$a-Temp77", "Relay!Mail.55"],
    ),
    (
        "Handover:\n- firewall admin: Fw@Edge-2026\n- switch enable: En4ble!Core",
        ["Fw@Edge-2026", "En4ble!Core"],
    ),
    # a login / password pair with a slash
    ("Zyxel NAS: admin / NasZyx#551", ["NasZyx#551"]),
    ("iDRAC: it's root / iDr4c!Srv02 now", ["iDr4c!Srv02"]),
    ("creds r svc-print + Pr1nt!Svc", ["Pr1nt!Svc"]),
    # codes read aloud in groups, keypad codes, session passwords
    ("Your one-time passcode is 739 204. It expires in 10 minutes.", ["739 204"]),
    ("Keypad code for the side entrance is 2 5 8 0 then the green button.", ["2 5 8 0"]),
    ("PIN fürs Diensthandy ist jetzt 80 41 77.", ["80 41 77"]),
    ("gate code is #4471* fyi", ["#4471*"]),
    ("TeamViewer ID 1 482 553 907, session password 7xk2pq", ["7xk2pq"]),
    ("Kunde hat den Bestätigungscode aus der SMS vorgelesen: 604 118", ["604 118"]),
    # relations people type
    ("he read me the password from the sticky note - Reception2!Desk.", ["Reception2!Desk"]),
    ("Note: Sophos admin pwd rotated -> S0phos!Central-26", ["S0phos!Central-26"]),
    ("Er verwendet überall dasselbe Passwort, nämlich Fussball#1899.", ["Fussball#1899"]),
    ("her password is her cat's name plus 2024, i.e. Whiskers2024", ["Whiskers2024"]),
    ("Local admin password on all kiosks: identical, Kiosk#Fleet-9", ["Kiosk#Fleet-9"]),
    ("Kennw. Lohnbuchhaltung: Lohn!Buch-26", ["Lohn!Buch-26"]),
    ("Passwort Kassen-PC: Kasse_Neu!5", ["Kasse_Neu!5"]),
    ("Türöffner-Code Nebeneingang wurde geändert, neu 770412", ["770412"]),
    ("Das Initialkennwort ist ab sofort Start!2027-Q1.", ["Start!2027-Q1"]),
    # passphrases of words
    (
        "the passphrase for the backup drive is: silver kettle orbit lemon",
        ["silver kettle orbit lemon"],
    ),
    ("Kennsatz für das Repository: Hafen Möwe Anker Leuchtturm", ["Hafen Möwe Anker Leuchtturm"]),
]

# Near misses: the same layouts without a secret in them.
NOT_LAID_OUT = [
    "[10:02] Kim: did you change the password?\n[10:03] Alex: yes, it's in the vault now",
    "[14:10] Ben: Passwort geändert?\n[14:12] Mia: ja, steht im Passwortmanager",
    "what's the password for the NAS?\nAna: KB5034441 first, then reboot",
    "DATABASE_PASSWORD: ${DATABASE_PASSWORD:?set in .env}\nSECRET_KEY: ${APP_SECRET_KEY}",
    "Device    | User  | Password\nfw-hq-01  | admin | (in vault)\nsw-core-01| admin | (in vault)",
    "Raum      Türcode\nServerraum  siehe Safe\nArchiv      siehe Safe",
    "Name  PasswordLastSet  Enabled\nsvc_x  11/3/2026  True",
    "Password            : System.Security.SecureString\n"
    "PasswordUpdateTime  : 3/12/2024 4:15:09 AM",
    "- admin: done\n- backup: pending\n- firewall: scheduled Friday",
    "- admin account: ADM-Kroth01",
    "Zwei-Faktor-Authentifizierung ist aktiviert. Wiederherstellungscodes: 7 verbleibend",
    "Tresor-Code 'IT-Schrank' siehe Keeper",
    "Your app password for your device\nwas created on the day",
    "- Alarm: 2026-11-02\n- Tor 3: offen\n- door: closed at 1800\n- Safe: 1200 EUR",
    "[10:00] Ana: I need the password reset link\n[10:01] Ben: sent, INC0012345",
    "- admin: Kevin.Roth",
    "Router: admin / Vertrieb-Nord",
    "Device | Password | Notes\nfw-hq-01 | Stored-In-Vault | rotated\nsw-01 | FW-HQ-01 | x",
    "Host;Passwort;Bemerkung\nsrv01;Keeper;ok\nsrv02;LAPS;ok",
    "- admin portal: Admin-Center-2026",
    "Credentials:\n- rotated 2026-11-02 (CHG0012345)\n- owner: IT-Ops-2026",
    "The password was set as part of onboarding (OB-2026-114).",
    "Gruppen: admin / G_Admins_2026\nuser / group mapping: jdoe / G-Sales-2026",
    "[10:00] Tim: Passwort vom Drucker?\n[10:01] Ana: HP-LaserJet-M404",
    "- uses: actions/checkout@v4\n- uses: azure/login@v2",
    "Mar 18 07:41:19 mx02 postfix/smtpd[30118]: SASL LOGIN authentication failed",
    "Der Geheimnis-Check steht aus der SMS bekannt",
    "the passphrase is stored in the vault under Acme",
    "Passphrase length for the Wi-Fi is 20 characters; the customer picked it.",
    "Passwords → 'M365 Break Glass' (do not use without approval)",
    "Password reset - INC0012345",
    "Kennwort: beim Kunden erfragen",
    "Password: unchanged since onboarding.",
    "creds: sent via Teams DM, check there",
    "git config credential.https://dev.azure.com.useHttpPath true",
    "Use -ResetPasswordOnNextLogon when creating the accounts in bulk.",
    "Passwort: abgelaufen",
    "Password: Expired (last set 2026-09-01)",
    "Passphrase: 5 Wörter, siehe Umschlag",
    "WLAN-Schlüssel: WPA2-AES",
    "Key: HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\LAPS",
    "Konto;Kennwort geändert;Status\njdoe;12.11.2026;aktiv",
    "the portal shows the API key as sk_live_•••••••••4xQ2, so I can't tell",
]


@pytest.mark.parametrize(("text", "secrets"), LAID_OUT)
def test_a_secret_stated_by_its_layout_is_removed(text: str, secrets: list[str]) -> None:
    redacted = redact_text(text)
    for secret in secrets:
        assert secret not in redacted, redacted
    assert redact_text(redacted) == redacted


@pytest.mark.parametrize("text", NOT_LAID_OUT)
def test_the_same_layouts_without_a_secret_keep_every_word(text: str) -> None:
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
