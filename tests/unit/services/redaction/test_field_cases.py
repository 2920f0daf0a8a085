"""What MSP operators really paste, by family: every secret must go, every harmless line stay.

The families are those of the second redaction round (issue 16): shell and PowerShell
history, argv lists, prose and tool output, name/value structures, webhooks, quoting
and YAML multi-line values, XML, dotfiles and token shapes. Each case lists the
secrets its text holds; the test checks that none of them, nor any 5-character piece
of them, is left beside the placeholder. The harmless lines (paging cursors, secret
*references*, credential metadata, GUIDs, ULIDs, hashes, thumbprints) must come out
unchanged, because support needs them.
"""

from __future__ import annotations

import pytest

from support_app.services.redaction import CATALOGUE, placeholder, redact_text

AZDO_PAT = "FBdFol081crwkIHWJH2yiqDDyrFjVSi7HWl22hN2hTYfsB8NlGDpJQQJ99BAACAAAAAAAAAAAAASAZDOBucT"
TEAMS_PATH = (
    "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b@72f988bf-86f1-41af-91ab-2d7cd011db47/"
    "IncomingWebhook/9b8a7c6d5e4f30211f2e3d4c5b6a7980/6d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"
)
TEAMS_V2 = "/V2kR3mXw9Pq7Lz2Nc5Vb8Hj1Gf4Ds6Aa0Ee"
DISCORD = "1187654321098765432/Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jj1Ih0Gg-Ff_Ee9Dd8Cc7Bb6Aa5Zz4Yy3Xx2Ww1Vv0Uu"
SLACK = "T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX"
NT_HASH = "8846f7eaee8fb117ad06bdd830b7586c"
LM_HASH = "aad3b435b51404eeaad3b435b51404ee"
BITLOCKER = "123456-234567-345678-456789-567890-678901-789012-890123"
PFX = "MIIKYQIBAzCCCh0GCSqGSIb3DQEHAaCCCg4EggoKMIIKBjCCBg8GCSqGSIb3DQEHAaCCBgAEggX8MIIF"
TELEGRAM = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
FUNCTION_KEY = "aBcD3fGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQ=="

# family → [(text, secrets the text holds)]
FIELD_CASES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "command lines": [
        ("mysql -h db01 -u root -pS3cr3tPw1 crm", ("S3cr3tPw1",)),
        ("mysqldump -u backup -p 'Dump!Pw 7' --all-databases", ("Dump!Pw 7",)),
        ("sshpass -p Tr0ub4dor ssh admin@10.0.0.5", ("Tr0ub4dor",)),
        ('sqlcmd -S sql01 -U sa -P "Sq1!Adm1n" -Q "select 1"', ("Sq1!Adm1n",)),
        ("ldapsearch -x -D cn=admin,dc=corp -w LdapPw99 -b dc=corp", ("LdapPw99",)),
        ("redis-cli -h cache -a R3disAuth! ping", ("R3disAuth!",)),
        ("psexec \\\\srv01 -u CORP\\admin -p Ps3x3cPw cmd", ("Ps3x3cPw",)),
        ("az login --service-principal -u app-id -p Sp.S3cret~x --tenant t", ("Sp.S3cret~x",)),
        ("docker login -u ci -p DockerPw42 registry.example", ("DockerPw42",)),
        ("restic backup --password ResticPw77 /data", ("ResticPw77",)),
        ("gh auth login --token ghtoken-live-2291", ("ghtoken-live-2291",)),
        ("az storage share create --shared-key Sk3yV4lu3x== -n s", ("Sk3yV4lu3x==",)),
        ("New-LocalUser -Name svc -Password 'L0cal!Pw'", ("L0cal!Pw",)),
        (
            "Set-AWSCredential -AccessKey AKIAEXAMPLE -SecretKey wJalrXUtnFEMI/K7MDENG",
            ("wJalrXUtnFEMI/K7MDENG",),
        ),
        ("plink -ssh root@host -pw PlinkPw55 uptime", ("PlinkPw55",)),
        ("xfreerdp /v:host /u:admin /p:Rdp!Pass9 /cert:ignore", ("Rdp!Pass9",)),
        ("cmdkey /generic:TERMSRV/host /user:admin /pass:CmdK3yPw", ("CmdK3yPw",)),
        ("smbclient //fs01/share -U 'CORP\\jdoe%Smb!Pass1'", ("Smb!Pass1",)),
        ("net use Z: \\\\fs01\\share /user:CORP\\jdoe NetUsePw1", ("NetUsePw1",)),
        ("net use \\\\fs01\\ipc$ N3tUs3Pw2 /user:CORP\\jdoe", ("N3tUs3Pw2",)),
        (
            "$pw = ConvertTo-SecureString 'Conv3rt!Pw' -AsPlainText -Force",
            ("Conv3rt!Pw",),
        ),
        (
            '$cred = New-Object PSCredential("u", '
            '(ConvertTo-SecureString -String "Ps!Cr3d" -AsPlainText -Force))',
            ("Ps!Cr3d",),
        ),
        ("echo 'SudoPw!1' | sudo -S systemctl restart app", ("SudoPw!1",)),
        ("echo DockPw3 | docker login --password-stdin -u ci", ("DockPw3",)),
        (
            "vault login hvs.CAESIJ7kQm3xYz0aBcDeFgHiJkLmNoPqRsTu",
            ("hvs.CAESIJ7kQm3xYz0aBcDeFgHiJkLmNoPqRsTu",),
        ),
        ("openssl pkcs12 -export -in c.pem -passout pass:Pfx!Exp0rt -out c.pfx", ("Pfx!Exp0rt",)),
        ("keytool -list -keystore ks.jks -storepass St0reP4ss", ("St0reP4ss",)),
        ("7z x backup.7z -pZ1pArch1ve", ("Z1pArch1ve",)),
        ("unzip -P Unz1pPw report.zip", ("Unz1pPw",)),
    ],
    "argv lists": [
        ('["mysql", "-u", "root", "-p", "ArgvPw1", "crm"]', ("ArgvPw1",)),
        ("['sshpass', '-p', 'ArgvSsh2', 'ssh', 'host']", ("ArgvSsh2",)),
        ('{"args": ["restic", "--password", "ArgvRestic3", "backup"]}', ("ArgvRestic3",)),
        ('["az", "login", "-u", "app", "-p", "ArgvAz4~x"]', ("ArgvAz4~x",)),
        ('["mysql", "-uroot", "-pArgvGlued5"]', ("ArgvGlued5",)),
    ],
    "prose and tool output": [
        ("the password is Welcome2026! for now", ("Welcome2026!",)),
        ("His new password was set to Summer#24.", ("Summer#24",)),
        ("I reset his password to Kx9!mPq2 this morning", ("Kx9!mPq2",)),
        ("Das Passwort lautet Fruehling2026", ("Fruehling2026",)),
        ("Das Kennwort ist Hx7$kLm2 (temporär)", ("Hx7$kLm2",)),
        ("Neues Passwort: Winter!2026", ("Winter!2026",)),
        ("mot de passe : Ete2026!", ("Ete2026!",)),
        ("contraseña: Verano2026#", ("Verano2026#",)),
        ("creds: admin / Adm1n!Pw", ("Adm1n!Pw",)),
        ("creds: svc-backup/Bkp#Pw42", ("Bkp#Pw42",)),
        ("    Key Content            : Wifi!Key2026", ("Wifi!Key2026",)),
        ("username admin privilege 15 password 0 C1sco!Pw", ("C1sco!Pw",)),
        ("enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0", ("$1$mERr$hx5rVt7rPNoS4wqbXKX7m0",)),
        ("snmp-server community Pub1icStr1ng RO", ("Pub1icStr1ng",)),
        ("crypto isakmp key Is4kmpK3y! address 203.0.113.9", ("Is4kmpK3y!",)),
        (f"Administrator:500:{LM_HASH}:{NT_HASH}:::", (NT_HASH,)),
        (f"CORP\\svc_sql:1104:{LM_HASH}:{NT_HASH}:::", (NT_HASH,)),
        (f"BitLocker recovery key: {BITLOCKER}", (BITLOCKER,)),
        (f"    Password:\n      {BITLOCKER}", (BITLOCKER,)),
    ],
    "name/value pairs": [
        ('{"name": "DB_PASSWORD", "value": "NvDbPw1!"}', ("NvDbPw1!",)),
        (
            '[{"name": "SQL_CONN", "slotSetting": false, "value": "Server=x;Password=NvSql2"}]',
            ("NvSql2",),
        ),
        ('{"key": "api_key", "value": "NvPostman3", "type": "string"}', ("NvPostman3",)),
        ('"headers": [{"name": "X-Api-Key", "value": "NvHar4key"}]', ("NvHar4key",)),
        (
            '"queryString": [{"name": "code", "value": "x"}, {"name": "token", "value": "NvQs5"}]',
            ("NvQs5",),
        ),
        (
            "env:\n  - name: DB_PASSWORD\n    value: NvK8s6pw\n"
            "  - name: LOG_LEVEL\n    value: info",
            ("NvK8s6pw",),
        ),
        ('headers = [["X-Api-Key", "NvTuple7"], ["Accept", "application/json"]]', ("NvTuple7",)),
        ("headers=[('Authorization', 'Token NvTuple8')]", ("NvTuple8",)),
        (
            '{"attributes": {"enabled": true}, "contentType": null, '
            '"id": "https://kv-prod.vault.azure.net/secrets/sql-admin/0a1b2c", '
            '"kid": null, "managed": null, "name": "sql-admin", "tags": {}, "value": "NvKv9pw!"}',
            ("NvKv9pw!",),
        ),
        (
            '{"value": "NvKv10pw", "id": "https://kv.vault.azure.net/secrets/x/1", '
            '"attributes": {}}',
            ("NvKv10pw",),
        ),
    ],
    "webhooks": [
        (f"https://contoso.webhook.office.com/webhookb2/{TEAMS_PATH}", (TEAMS_PATH,)),
        (
            "curl -H 'Content-Type: application/json' "
            f"https://contoso.webhook.office.com/webhookb2/{TEAMS_PATH}{TEAMS_V2} -d @m.json",
            (TEAMS_PATH, TEAMS_V2[3:]),
        ),
        (f"https://outlook.office.com/webhook/{TEAMS_PATH}", (TEAMS_PATH,)),
        (f"webhook: https://discord.com/api/webhooks/{DISCORD}", (DISCORD,)),
        (f"https://discordapp.com/api/webhooks/{DISCORD}", (DISCORD,)),
        (
            '{"url": "https:\\/\\/hooks.slack.com\\/services\\/' + SLACK.replace("/", "\\/") + '"}',
            ("aBcDeFgHiJkLmNoPqRsTuVwX",),
        ),
        ("TEAMS_WEBHOOK_URL=https://example.invalid/hook/WhK3y0815", ("WhK3y0815",)),
        ('{"alertWebhook": "https://hooks.example/WhK3y4711"}', ("WhK3y4711",)),
    ],
    "quoting and multi-line": [
        ('password: "Quo\\"ted!Pw"', ('Quo\\"ted!Pw', "ted!Pw")),
        ('{"password": "Esc\\"aped\\"Pw9"}', ("aped", "Pw9")),
        ("$pw = 'It''sMyPw7'", ("sMyPw7",)),
        ("Password = 'Doub''led1'", ("led1",)),
        ("db:\n  password:\n    NextLinePw7\n  user: app", ("NextLinePw7",)),
        (
            "client_secret: |\n  BlockPw8line1\n  BlockPw8line2\nother: x",
            ("BlockPw8line1", "BlockPw8line2"),
        ),
        ("  token: >-\n    Folded9Tok\n    AndMore9\n  next: 1", ("Folded9Tok", "AndMore9")),
        ('"password": "Tab\\tand\\nNewline1"', ("Newline1", "Tab\\tand")),
    ],
    "xml": [
        ('<add key="SmtpPassword" value="XmlSmtp1!"/>', ("XmlSmtp1!",)),
        ("<add name='ApiToken' value='XmlTok2' />", ("XmlTok2",)),
        (
            "<AdministratorPassword>\n  <Value>XmlUnattend3</Value>\n"
            "  <PlainText>true</PlainText>\n</AdministratorPassword>",
            ("XmlUnattend3",),
        ),
        (
            '<wsse:Password Type="http://docs.oasis-open.org/wss#PasswordText">XmlWsse4</wsse:Password>',
            ("XmlWsse4",),
        ),
        (
            "<sharedKey><keyType>passPhrase</keyType><keyMaterial>XmlWlan5!</keyMaterial></sharedKey>",
            ("XmlWlan5!",),
        ),
        (
            '<setting name="DbPassword" serializeAs="String">\n'
            "  <value>XmlSetting6</value>\n</setting>",
            ("XmlSetting6",),
        ),
        ('<entry key="db.password">XmlEntry7</entry>', ("XmlEntry7",)),
    ],
    "dotfiles": [
        ("db01.corp:5432:crm:app_user:PgPass1!", ("PgPass1!",)),
        ("*:*:*:postgres:PgPass2x", ("PgPass2x",)),
        ("machine api.example.com login bob password NetrcPw3", ("NetrcPw3",)),
        ("machine git.corp\n  login ci\n  password NetrcPw4", ("NetrcPw4",)),
        ('network={\n  ssid="Office"\n  psk="WpaPsk5!x"\n}', ("WpaPsk5!x",)),
        (
            "psk=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ("0123456789abcdef0123456789abcdef",),
        ),
        (
            "[duo]\nikey = DIWJ8X6AEYOR5OMC6TQ1\nskey = DuoSk3yValue0815abcdefghij\nhost = api.duo",
            ("DuoSk3yValue0815abcdefghij",),
        ),
    ],
    "token shapes": [
        (f"pat {AZDO_PAT}", (AZDO_PAT,)),
        (
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\n"
            "AAAAC3NzaC1lZDI1NTE5AAAAIBx\nAAAA\nPrivate-Lines: 1\nAAAAIPuttyPriv7xyz\n"
            "Private-MAC: 3c5d4e6f7a8b9c0d",
            ("AAAAIPuttyPriv7xyz",),
        ),
        (f'{{"pfx": "{PFX}"}}', (PFX,)),
        (f"$b64 = '{PFX}'", (PFX,)),
        ("hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", ("hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh",)),
        ("dop_v1_" + "0a1b2c3d" * 8, ("0a1b2c3d" * 8,)),
        (f"GET https://api.telegram.org/bot{TELEGRAM}/getUpdates", (TELEGRAM,)),
        (
            '"uri": "https://acct.blob.core.windows.net/c/b?sv=2022-11-02\\u0026sig=SasSig%2Babc%3D\\u0026se=2026"',
            ("SasSig%2Babc%3D",),
        ),
        (f"https://fn-prod.azurewebsites.net/api/Export?code={FUNCTION_KEY}", (FUNCTION_KEY,)),
        ("Set-AWSCredential -SecretKey 'Aws/Secret+Key0815x'", ("Aws/Secret+Key0815x",)),
    ],
}

FIELD_CASE_LIST = [
    pytest.param(text, secrets, id=f"{family}-{i}")
    for family, cases in FIELD_CASES.items()
    for i, (text, secrets) in enumerate(cases)
]

# Harmless lines that look like a family's form: they must come out exactly as they are.
HARMLESS = [
    "https://graph.microsoft.com/v1.0/users?$top=100&$skiptoken=RFNwdAIAAQAAACU6YWxpY2VAY29udG9zby5jb20",
    '"@odata.nextLink": "https://graph.microsoft.com/v1.0/groups?$skiptoken=X%2744537074020001%27"',
    "https://management.azure.com/subscriptions/x/resources?api-version=2021-04-01&$skipToken=eyJuZXh0UGFydGl0aW9uS2V5IjoiMSJ9",
    "password: ${{ secrets.DB_PASSWORD }}",
    "AZURE_CLIENT_SECRET=${{ secrets.AZURE_CLIENT_SECRET }}",
    "- run: ./deploy.sh --token ${{ secrets.DEPLOY_TOKEN }}",
    '"passwordCredentials": [{"keyId": "9f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f", "displayName": "ci",'
    ' "endDateTime": "2027-01-31T00:00:00Z", "hint": "Abc", "secretText": null}]',
    '"keyCredentials": [{"customKeyIdentifier": "52B3F1A0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4",'
    ' "type": "AsymmetricX509Cert", "usage": "Verify", "endDateTime": "2027-06-30T00:00:00Z"}]',
    "device 6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b enrolled, run 01JD8X5V3T6Q2W4R7Y9Z0A1B2C",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "Thumbprint: 52B3F1A0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4",
    "mkdir -p /var/log/app && ssh -p 2222 admin@host && docker run -p 8080:80 nginx",
    "curl -w '%{http_code}' -o /dev/null https://example.com; rsync -P src/ dst/",
    "docker login --password-stdin -u ci registry.example",
    "ansible-playbook site.yml --ask-pass -i inventory",
    "New-LocalUser -Name svc -Password $securePw",
    "Connect-ExchangeOnline -Credential $cred -ShowBanner:$false",
    "The password is expired and must be changed at next logon.",
    "Das Passwort ist abgelaufen.",
    "The token was revoked; password reset to default policy.",
    "Set the password to expire after 90 days.",
    "net use \\\\fs01\\share /user:CORP\\jdoe *",
    "passwordRequired: true, token_count: 3",
    "2026-11-30 10:00:01 - 2026-11-30 10:05:00: 12:34:56:78:90",
    "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)",
    '{"name": "LOG_LEVEL", "value": "Information"}',
    '[["Accept", "application/json"], ["Content-Type", "text/plain"]]',
    '<add key="ClientId" value="6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"/>',
    "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n"
    "        name: db\n        key: password",
    "imagePullSecrets:\n  - name: regcred",
    "password:\n  minLength: 12\n  requireDigits: true",
    "https://contoso.webhook.office.com/ is where Teams webhooks live",
]


def _pieces(secret: str, size: int = 5) -> set[str]:
    size = min(size, len(secret))
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


_PLACEHOLDER_TEXT = " ".join(placeholder(d.name) for d in CATALOGUE)


def _assert_gone(text: str, secrets: tuple[str, ...], redacted: str) -> None:
    assert "[redacted:" in redacted, (text, redacted)
    for secret in secrets:
        assert secret not in redacted, (secret, redacted)
        ordinary = text.replace(secret, "\0") + _PLACEHOLDER_TEXT
        left = sorted(p for p in _pieces(secret) if p in redacted and p not in ordinary)
        assert not left, (secret, left, redacted)


@pytest.mark.parametrize(("text", "secrets"), FIELD_CASE_LIST)
def test_field_case_secret_is_removed_whole(text: str, secrets: tuple[str, ...]) -> None:
    redacted = redact_text(text)
    _assert_gone(text, secrets, redacted)
    assert redact_text(redacted) == redacted


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_field_line_is_unchanged(text: str) -> None:
    assert redact_text(text) == text
