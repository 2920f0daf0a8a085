"""The four layers of the redaction: each a named part with its own detectors and findings.

Examples and near misses per layer; the detectors' own examples are in
``test_catalogue`` (each detector names its layer, so they count for it too).
"""

from __future__ import annotations

import pytest

from support_app.services.redaction import (
    CATALOGUE,
    encoded_credentials,
    findings,
    known_formats,
    named_fields,
    redact_text,
    stated_in_prose,
)
from tests.unit.services.redaction.test_catalogue import EXAMPLES

LAYERS = {
    known_formats.LAYER: known_formats,
    named_fields.LAYER: named_fields,
    stated_in_prose.LAYER: stated_in_prose,
    encoded_credentials.LAYER: encoded_credentials,
}

# One text per layer with a secret only that layer finds, and a near miss it leaves.
PER_LAYER = {
    known_formats.LAYER: (
        "deploy with ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "branch gh_pr_12 merged, see ghp_short in the docs",
    ),
    named_fields.LAYER: (
        "<add value='Umgekehrt!Reihenfolge4' key='ApiSecret' />",
        "<add value='Information' key='LogLevel' />",
    ),
    stated_in_prose.LAYER: (
        "Das Kennwort für den Sicherungsdatenträger ist dasselbe wie letztes Jahr: Backup#Pl4tte",
        "Das Kennwort für den Sicherungsdatenträger ist abgelaufen.",
    ),
    encoded_credentials.LAYER: (
        "proxy log, auth header YWRtaW46UzNjcjN0IQ== from 10.0.0.5",
        "proxy log, request id ZmFicmlrYW0tcHJvZA== from 10.0.0.5",
    ),
}


def test_every_detector_belongs_to_one_of_the_four_layers() -> None:
    assert {d.layer for d in CATALOGUE} == set(LAYERS)
    for detector in CATALOGUE:
        module = LAYERS[detector.layer]
        assert detector.layer == module.LAYER
        assert any(value is detector for value in vars(module).values()), detector.name


def test_every_layer_has_examples_of_its_own() -> None:
    by_layer = {d.name: d.layer for d in CATALOGUE}
    counted = {layer: 0 for layer in LAYERS}
    for name, cases in EXAMPLES.items():
        counted[by_layer[name]] += len(cases)
    assert all(count >= 5 for count in counted.values()), counted


@pytest.mark.parametrize("layer", sorted(PER_LAYER))
def test_a_layer_finds_its_secret_and_says_so(layer: str) -> None:
    text, _near_miss = PER_LAYER[layer]
    found = findings(text)
    assert [f.layer for f in found] == [layer], found
    assert found[0].evidence
    assert redact_text(text) != text


@pytest.mark.parametrize("layer", sorted(PER_LAYER))
def test_a_layer_leaves_its_near_miss(layer: str) -> None:
    _text, near_miss = PER_LAYER[layer]
    assert redact_text(near_miss) == near_miss
    assert findings(near_miss) == []


def test_findings_never_carry_the_removed_text() -> None:
    text = " ".join(secret for secret, _ in PER_LAYER.values())
    for finding in findings(text):
        for secret in ("a1B2c3D4e5F6", "Umgekehrt!Reihenfolge4", "Backup#Pl4tte", "YWRtaW46"):
            assert secret not in finding.evidence


# Named fields in the structures of devices, services and tools: (text, the secrets it
# holds). Each secret must go; the rest of the text stays readable around it.
STRUCTURAL_SECRETS = [
    # SNMPv3 keys after their protocol words, on any vendor's line
    (
        "snmp-server user nms G v3 auth sha Auth!Snmp-1 priv aes 128 Priv!Snmp-2",
        ["Auth!Snmp-1", "Priv!Snmp-2"],
    ),
    ('createUser nms SHA "Sha!Auth-9" AES "Aes!Priv-9"', ["Sha!Auth-9", "Aes!Priv-9"]),
    ("snmpwalk -v3 -u nms -a SHA -A 'W@lk#1x' -x AES -X 'W@lk#2x' 10.0.0.1", ["W@lk#1x"]),
    # device prompts before a configuration statement
    ("[Huawei-aaa] local-user ops password cipher Huawei@Ops24", ["Huawei@Ops24"]),
    ("(Cisco Controller) >config wlan security wpa akm psk set-key ascii Wlc!G24x 3", ["Wlc!G24x"]),
    ('127.0.0.1:6379> CONFIG SET requirepass "R3dis!Cfg-3x"', ["R3dis!Cfg-3x"]),
    # a quoted value after command words and a secret's name
    ('SetEnv DB_PASS "Ap@cheEnv!2"', ["Ap@cheEnv!2"]),
    ("set -x DB_PASS 'Fish!Env-7x'", ["Fish!Env-7x"]),
    # SQL
    ("CREATE LOGIN [svc] WITH PASSWORD = N'Mssql!Login7', CHECK_POLICY = OFF;", ["Mssql!Login7"]),
    ("SET PASSWORD FOR 'app'@'localhost' = PASSWORD('SetPw!Old6');", ["SetPw!Old6"]),
    ("exp system/Exp!Orcl6@PROD file=full.dmp", ["Exp!Orcl6"]),
    # the value option of a command that names a secret before it
    ("az keyvault secret set --vault-name kv --name SqlAdmin --value 'Kv!Set-3x'", ["Kv!Set-3x"]),
    (
        "Set-ItemProperty -Path 'HKLM:\\X\\Winlogon' -Name DefaultPassword -Value 'Kiosk!Ps-5'",
        ["Kiosk!Ps-5"],
    ),
    # options only some commands give a password
    ("vmrun -T ws -gu Administrator -gp 'Vm!Run-Guest3' list", ["Vm!Run-Guest3"]),
    ("ssh-keygen -t ed25519 -N 'Ssh!Keygen-4' -f ~/.ssh/k", ["Ssh!Keygen-4"]),
    ("netdom join WS1 /domain:k.local /userd:K\\admin /passwordd:Net!Dom-6", ["Net!Dom-6"]),
    ("lftp -u upload,Lftp!Up-4x sftp://files.example", ["Lftp!Up-4x"]),
    ("rar a -hpRar!Archiv8 belege.rar belege/", ["Rar!Archiv8"]),
    # positional passwords of known commands
    ("rabbitmqctl add_user mqadmin 'Rmq!Admin-7x'", ["Rmq!Admin-7x"]),
    ("cache02:6379> AUTH default Red!Auth-3x", ["Red!Auth-3x"]),
    ("(echo 'Smb!Pass-4x'; echo 'Smb!Pass-4x') | smbpasswd -s -a scanner", ["Smb!Pass-4x"]),
    # a credentials value that is a pair; a password with '@' after an address
    ("acrocmd backup disk --credentials=svc,Acr0nis!Share --encryption=aes256", ["Acr0nis!Share"]),
    ("smtp_sasl_password_maps = static:relay@example.com:Rel@y!Static5", ["Rel@y!Static5"]),
    # references and structure that hold no value next to ones that do
    ('{"adminPassword": {"value": "Arm!Param-5x"}}', ["Arm!Param-5x"]),
    ("-s 'config.bindCredential=[\"Kc!Bind-9x\"]'", ["Kc!Bind-9x"]),
    ("mosquitto_passwd -b /etc/mosquitto/passwd sensor01 'Mq!Pw-9x'", ["Mq!Pw-9x"]),
    ('<Credential Type="Password" User="svc-scan" Value="Xml!Type-1x" />', ["Xml!Type-1x"]),
    # Make's and Go's assignments; WiX properties named by their Id
    ('API_TOKEN ?= tok9Lq2Rv7Xw4Zp1\npassword := "Go!Pass-7x"', ["tok9Lq2Rv7Xw4Zp1", "Go!Pass-7x"]),
    ('<Property Id="SERVICEPASSWORD" Value="Wix!Svc-4" Hidden="yes" />', ["Wix!Svc-4"]),
    # a bare "key" whose value is chosen, not an identifier
    (
        'key = "Tac!Plus-Key9"\nnetsh wlan set hostednetwork key=Hosted!Key8',
        ["Tac!Plus-Key9", "Hosted!Key8"],
    ),
]

# Structure that names a secret without holding one: it must stay as it is.
STRUCTURAL_NEAR_MISSES = [
    "password_encryption = scram-sha-256\nKennwortMinLaenge=10",
    "ansible_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231336539",
    "DBPassword: !Ref DbPasswordParam\nadmin_password = random_password.sql.result",
    '"adminPassword": {\n  "reference": {"secretName": "vmAdminPassword"}\n}',
    "password: ENC[AES256_GCM,data:Qk3l9x7V,type:str]\nDB_PASSWORD=op://Infra/db/password",
    '<add key="SmtpPassword" value="#{SmtpPassword}#" />\nDB_PASSWORD=%(DB_PASSWORD)s',
    "api_key: YOUR_API_KEY_HERE",
    "$params = @{\n    Credential   = $cred\n}\nCREATE LOGIN app WITH PASSWORD = @pw;",
    '<setting name="ApiKeyHeader" serializeAs="String">\n  <value>X-Api-Key</value>\n</setting>',
    "keytool -list -keystore t.jks -storepass:env STOREPASS",
    "encr aes 256\nesp aes256 sha256\nsnmp-server group NMSGROUP v3 priv read NMSVIEW",
    "AUTH LOGIN\nAUTH failed for user bob",
    "Set-ItemProperty -Path 'HKCU:\\Console' -Name FontSize -Value 14",
    "az keyvault secret show --vault-name kv --name SqlAdminPassword --query id",
    "//fs01/p  /mnt/p  cifs  credentials=/root/.smbcred,uid=1000  0  0",
    "PWD=/home/deploy\nOLDPWD=/root\nSecret: (none)",
    "helm upgrade db bitnami/mariadb --set auth.existingSecret=mariadb-auth",
    'key "rndc-key" {\n\talgorithm hmac-sha256;\n\tsecret-file "/etc/bind/rndc.key";\n};',
    "$smtpParams = @{\n    Credential = $SmtpCredential\n}",
    "kubeadm join 10.0.0.10:6443 --discovery-token-ca-cert-hash sha256:4f2a8c1e9b7d3f6a",
    '{"key": "PROJ-1234"}\n"Key": "backups/Server01/Daily/2026-12-01.tar"',
    "sort_key=createdAt1234ABCdef",
    "PublicKey = 53lGmFFYNIG9tNk+K/E8NJ6wZIi8Auou7xqWvU9syr0=",
    '<Property Id="INSTALLDIR" Value="C:\\App" />\nCFLAGS += -O2',
]


@pytest.mark.parametrize(("text", "secrets"), STRUCTURAL_SECRETS)
def test_named_fields_find_secrets_in_structure(text: str, secrets: list[str]) -> None:
    redacted = redact_text(text)
    for secret in secrets:
        assert secret not in redacted, redacted
    assert {f.layer for f in findings(text)} <= {named_fields.LAYER, known_formats.LAYER}


@pytest.mark.parametrize("text", STRUCTURAL_NEAR_MISSES)
def test_named_fields_leave_structure_without_a_secret(text: str) -> None:
    assert redact_text(text) == text


def test_encoded_key_material_is_found_by_its_context() -> None:
    key = "4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e6b0d4f8a2c7e1b5d9f3a6c0e4b8d2f7a"
    for text in (f"Schluessel={key}", f"$ cat /etc/zabbix/agent.psk\n{key}"):
        assert key not in redact_text(text)
        assert {f.layer for f in findings(text)} == {encoded_credentials.LAYER}
    for text in (f"public_key={key}", f"sha256sum setup.msi\n{key}  setup.msi"):
        assert redact_text(text) == text
