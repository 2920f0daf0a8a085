"""Every detector of the catalogue: what it removes, what it leaves, and its placeholder."""

from __future__ import annotations

import pytest

from support_app.services.redaction import CATALOGUE, placeholder, redact_text
from support_app.services.redaction.named_fields import looks_random

STORAGE_KEY = (
    "c3VwcG9ydF9hcHAgZGVtbzogZmFrZSBBenVyZSBzdG9yYWdlIGFjY291bnQga2V5LCBuZXZlciByZWFsISEhIQ=="
)
GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
JWT_SIGNED = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
JWT_UNSIGNED = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."


def R(name: str) -> str:
    """Short for ``placeholder``, so the expected texts read like the output."""
    return placeholder(name)


# detector name → (text, expected redacted text)
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "private-key": [
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq2x+Zz==\n"
            "-----END RSA PRIVATE KEY-----\nnext line",
            f"{R('private-key')}\nnext line",
        ),
        (
            '{"key": "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk\\n'
            '-----END OPENSSH PRIVATE KEY-----"}',
            f'{{"key": "{R("private-key")}"}}',
        ),
        (
            "cut: -----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0B",
            f"cut: {R('private-key')}",
        ),
        (
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBF\n-----END PGP PRIVATE KEY BLOCK-----",
            R("private-key"),
        ),
        (
            "private_key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
            f"private_key: {R('private-key')}",
        ),
    ],
    "url-credentials": [
        (
            "postgresql://admin:db-pass-1@db.internal:5432/app",
            f"postgresql://{R('url-credentials')}@db.internal:5432/app",
        ),
        ("redis://:s3cret@cache:6379/0", f"redis://{R('url-credentials')}@cache:6379/0"),
        (
            "fetch https://alice:pa55@files.example/x failed",
            f"fetch https://{R('url-credentials')}@files.example/x failed",
        ),
        (
            "mongodb+srv://svc:p%40ss@cluster0.example.net/db",
            f"mongodb+srv://{R('url-credentials')}@cluster0.example.net/db",
        ),
    ],
    "authorization": [
        ("Authorization: Bearer abc.DEF-123_xyz~", f"Authorization: Bearer {R('authorization')}"),
        (
            "authorization: SharedKey myaccount:c2lnbmF0dXJl=",
            f"authorization: SharedKey {R('authorization')}",
        ),
        (
            "Proxy-Authorization: Basic dXNlcjpwYXNz",
            f"Proxy-Authorization: Basic {R('authorization')}",
        ),
        (
            "Authorization: Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg",
            f"Authorization: Negotiate {R('authorization')}",
        ),
        ("AUTHORIZATION: opaque-token-only", f"AUTHORIZATION: {R('authorization')}"),
        (
            "{'Authorization': 'Bearer abc', 'Accept': 'application/json'}",
            f"{{'Authorization': 'Bearer {R('authorization')}', 'Accept': 'application/json'}}",
        ),
        ("header was bearer s3cr3tT0ken==", f"header was bearer {R('authorization')}"),
        (
            "SharedAccessSignature sr=sb%3A%2F%2Fns&sig=abc%3D&se=1735689600&skn=Root",
            f"SharedAccessSignature {R('authorization')}",
        ),
    ],
    "cookie": [
        ("Cookie: esctx=abc; x-ms-gateway-slice=estsfd", f"Cookie: {R('cookie')}"),
        ("Set-Cookie: sa_session=xyz; HttpOnly; Path=/", f"Set-Cookie: {R('cookie')}"),
        ('"cookie": "a=1; b=2", "x": 1', f'"cookie": "{R("cookie")}", "x": 1'),
    ],
    "connection-string": [
        (
            "DefaultEndpointsProtocol=https;AccountName=acc;AccountKey=abc+def==;"
            "EndpointSuffix=core.windows.net",
            f"DefaultEndpointsProtocol=https;AccountName=acc;AccountKey={R('connection-string')};"
            "EndpointSuffix=core.windows.net",
        ),
        (
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=xyz+abc=",
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={R('connection-string')}",
        ),
        (
            "Server=tcp:sql.example,1433;Database=db;User ID=sa;Password=p@ss w0rd;Encrypt=True",
            f"Server=tcp:sql.example,1433;Database=db;User ID=sa;Password={R('connection-string')};"
            "Encrypt=True",
        ),
        (
            "Driver={ODBC Driver 18};Server=x;Uid=sa;Pwd={p;w d};",
            f"Driver={{ODBC Driver 18}};Server=x;Uid=sa;Pwd={R('connection-string')};",
        ),
        ("Password=first-pair;Server=x", f"Password={R('connection-string')};Server=x"),
    ],
    "secret-key": [
        ("access_token=abc123XYZ&state=1", f"access_token={R('secret-key')}&state=1"),
        ("DB_PASSWORD=hunter2", f"DB_PASSWORD={R('secret-key')}"),
        ("GITHUB_TOKEN=short-one", f"GITHUB_TOKEN={R('secret-key')}"),
        ("export AZURE_CLIENT_SECRET='x y'", f"export AZURE_CLIENT_SECRET='{R('secret-key')}'"),
        ("pass=hunter2 expired", f"pass={R('secret-key')} expired"),
        ("Passwort: mein geheimes Haus.", f"Passwort: {R('secret-key')}."),
        ("Kennwort=Sommer2026", f"Kennwort={R('secret-key')}"),
        ("password: correct horse battery staple", f"password: {R('secret-key')}"),
        ("x-api-key: k-123456", f"x-api-key: {R('secret-key')}"),
        ("Ocp-Apim-Subscription-Key: 0123abcd", f"Ocp-Apim-Subscription-Key: {R('secret-key')}"),
        (
            '{"access_token": "json-tok-1", "expires_in": 3600}',
            f'{{"access_token": "{R("secret-key")}", "expires_in": 3600}}',
        ),
        (
            "https://x.example/c?sv=2022-11-02&sig=abc%2Bdef%3D&se=2026",
            f"https://x.example/c?sv=2022-11-02&sig={R('secret-key')}&se=2026",
        ),
        ("--password=hunter2 --user=x", f"--password={R('secret-key')} --user=x"),
        (
            "redirect_uri=https%3A%2F%2Fapp%2Fcb%3Faccess_token%3Dabc123%26state%3D1",
            f"redirect_uri=https%3A%2F%2Fapp%2Fcb%3Faccess_token%3D{R('secret-key')}",
        ),
        ("x-functions-key: k3yV4lue", f"x-functions-key: {R('secret-key')}"),
        ('$env:DB_PASSWORD = "x"', f'$env:DB_PASSWORD = "{R("secret-key")}"'),
        ("auth=abc1; retry", f"auth={R('secret-key')}; retry"),
        (  # not swallowed by the entropy rule of the "token" before it
            "POST https://login.example/oauth2/token new_password=00A*0000",
            f"POST https://login.example/oauth2/token new_password={R('secret-key')}",
        ),
        ("secret: Winter2026", f"secret: {R('secret-key')}"),
        ("pass: sunshine", f"pass: {R('secret-key')}"),  # a password may be a word
        (
            "Export failed (access_token=abc.def.ghi). Retry later; client_secret=s3cr3t.",
            f"Export failed (access_token={R('secret-key')}). Retry later; "
            f"client_secret={R('secret-key')}.",
        ),
    ],
    "secret-element": [
        ("<Password>hunter2</Password>", f"<Password>{R('secret-element')}</Password>"),
        (
            "<ClientSecret>abc def</ClientSecret>",
            f"<ClientSecret>{R('secret-element')}</ClientSecret>",
        ),
    ],
    "jwt": [
        (f"token {JWT_SIGNED} rejected", f"token {R('jwt')} rejected"),
        (f"unsigned {JWT_UNSIGNED} accepted", f"unsigned {R('jwt')} accepted"),
        (f"[{JWT_SIGNED}]", f"[{R('jwt')}]"),
    ],
    "github-token": [
        (f"GITHUB {GITHUB} found", f"GITHUB {R('github-token')} found"),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzAB",
            R("github-token"),
        ),
        (
            f"git clone https://{GITHUB}@github.com/org/repo",
            f"git clone https://{R('github-token')}@github.com/org/repo",
        ),
    ],
    "gitlab-token": [("use glpat-AbCdEfGhIjKlMnOpQrSt12 now", f"use {R('gitlab-token')} now")],
    "slack-token": [
        ("xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", R("slack-token")),
        (
            "posted to https://hooks.slack.com/services/T0000AAAA/B0000BBBB/XXXXyyyyZZZZ",
            f"posted to https://hooks.slack.com/services/{R('slack-token')}",
        ),
    ],
    "stripe-key": [
        ("sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2", R("stripe-key")),
        ("rk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2", R("stripe-key")),
        ("whsec_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3", R("stripe-key")),
    ],
    "google-credential": [
        ("AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", R("google-credential")),
        ("GOCSPX-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4", R("google-credential")),
        ("ya29.a0AfH6SMBx1y2z3A4B5C6D7E8F9", R("google-credential")),
    ],
    "aws-access-key-id": [("id AKIAIOSFODNN7EXAMPLE used", f"id {R('aws-access-key-id')} used")],
    "azure-client-secret": [
        ("abc8Q~abcdefghijklmnopqrstuvwxyz12345", R("azure-client-secret")),
        ("secret (kR48Q~demoFakeEntraClientSecret0123456)", f"secret ({R('azure-client-secret')})"),
    ],
    "azure-storage-key": [
        (f'{{"value": "{STORAGE_KEY}"}}', f'{{"value": "{R("azure-storage-key")}"}}')
    ],
    "sendgrid-key": [
        ("SG." + "a" * 22 + "." + "B" * 43, R("sendgrid-key")),
    ],
    "npm-token": [("npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", R("npm-token"))],
    "pypi-token": [("pypi-AgEIcHlwaS5vcmc" + "x1" * 30, R("pypi-token"))],
    "openai-key": [("sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2", R("openai-key"))],
    "high-entropy": [
        (
            "client secret Xy7QwErTy12345AbCdEf was used",
            f"client secret {R('high-entropy')} was used",
        ),
        (  # "AccountKey is …" is a stated secret; the arrow form is this detector's
            "AccountKey -> Q2xpZW50U2VjcmV0MTIzNDU2Nzg5",
            f"AccountKey -> {R('high-entropy')}",
        ),
    ],
    "cli-credentials": [
        (
            "curl -u admin:S3cret! https://api.example/v1",
            f"curl -u admin:{R('cli-credentials')} https://api.example/v1",
        ),
        (
            'curl --user "svc:pass phrase" -X POST',
            f'curl --user "svc:{R("cli-credentials")}" -X POST',
        ),
        ("wget --user=bob:hunter2 http://h", f"wget --user=bob:{R('cli-credentials')} http://h"),
        ("curl -U proxy:pr0xyPw http://h", f"curl -U proxy:{R('cli-credentials')} http://h"),
        (
            "curl --proxy-user 'p:x1' http://h",
            f"curl --proxy-user 'p:{R('cli-credentials')}' http://h",
        ),
    ],
    "cli-option": [
        ("mysql -u root -pS3cr3tPw1 crm", f"mysql -u root -p{R('cli-option')} crm"),
        ("sshpass -p Tr0ub4dor ssh h", f"sshpass -p {R('cli-option')} ssh h"),
        ('sqlcmd -U sa -P "Sq1 Adm1n"', f'sqlcmd -U sa -P "{R("cli-option")}"'),
        ("restic --password ResticPw77 backup", f"restic --password {R('cli-option')} backup"),
        ("New-LocalUser -Password 'It''s!'", f"New-LocalUser -Password '{R('cli-option')}'"),
        ("xfreerdp /u:admin /p:Rdp!Pass9", f"xfreerdp /u:admin /p:{R('cli-option')}"),
        ('["sshpass", "-p", "ArgvSsh2"]', f'["sshpass", "-p", "{R("cli-option")}"]'),
        (  # an argv list written into a JSON string
            '"[\\"sshpass\\", \\"-p\\", \\"ArgvEsc3\\"]"',
            f'"[\\"sshpass\\", \\"-p\\", \\"{R("cli-option")}\\"]"',
        ),
        ("keytool -storepass St0reP4ss", f"keytool -storepass {R('cli-option')}"),
        (  # the command after a long log prefix: still known by the words before the option
            "ERROR [runner] " + "export of the policies failed, " * 10 + "mysql -u root -pLogPw9",
            "ERROR [runner] " + "export of the policies failed, " * 10 + "mysql -u root -p"
            f"{R('cli-option')}",
        ),
    ],
    "net-use": [
        (
            "net use Z: \\\\fs01\\share /user:CORP\\jdoe NetUsePw1",
            f"net use Z: \\\\fs01\\share /user:CORP\\jdoe {R('net-use')}",
        ),
        ("net use \\\\fs\\ipc$ Pw2 /user:D\\u", f"net use \\\\fs\\ipc$ {R('net-use')} /user:D\\u"),
    ],
    "config-line": [
        (" set passwd ENC SH2k3jd9fK2l=", f" set passwd ENC {R('config-line')}"),
        ("  wpa-passphrase Sup3rWifi!", f"  wpa-passphrase {R('config-line')}"),
        ("ppp chap password Dsl#Pw77", f"ppp chap password {R('config-line')}"),
    ],
    "password-hash": [
        ("admin:$apr1$/CGOC3a8$sow4.cblmffqRe3N5gEf7R", f"admin:{R('password-hash')}"),
        ("rootpw {SSHA}0A1z/S0I5U7qbL+GgQxlfWwz5pd2", f"rootpw {R('password-hash')}"),
    ],
    "grouped-key": [
        (
            "Recovery key RUBO-7KE1-TFZF-KF22-HXD1-J1MT printed",
            f"Recovery key {R('grouped-key')} printed",
        ),
        ("PIDKEY 7HK2D-QW9RT-M4XPB-83VNC-J6YFG", f"PIDKEY {R('grouped-key')}"),
    ],
    "address-password": [
        (
            "[smtp.example]:587 relay@x.example:Relay!Pw9",
            f"[smtp.example]:587 {R('email')}:{R('address-password')}",
        ),
    ],
    "password-as-user": [
        (
            "sshd[512]: Failed password for invalid user Zugspitze!88 from 10.8.0.9",
            f"sshd[512]: Failed password for invalid user {R('password-as-user')} from 10.8.0.9",
        ),
        ("\tAccount Name:\t\tHamburg#Hafen77", f"\tAccount Name:\t\t{R('password-as-user')}"),
    ],
    "command-argument": [
        ('setx SMTP_PASS "Relay#2024" /M', f'setx SMTP_PASS "{R("command-argument")}" /M'),
        (
            "reg add HKCU\\Software\\Scan /v SmtpPassword /d Sc4n!Pw /f",
            f"reg add HKCU\\Software\\Scan /v SmtpPassword /d {R('command-argument')} /f",
        ),
        ("net user svc Str0ng!Pw /add", f"net user svc {R('command-argument')} /add"),
        (
            "htpasswd -b .htpasswd mon Gr4f!View",
            f"htpasswd -b .htpasswd mon {R('command-argument')}",
        ),
        (
            "sqlplus system/Orcl#23@//db:1521/PDB",
            f"sqlplus system/{R('command-argument')}@//db:1521/PDB",
        ),
    ],
    "authentication-exchange": [
        (
            "proxy: type 3 message TlRMTVNTUAADAAAAGAAYAHwAAAAYABgAlAAAAA4ADgBI sent",
            f"proxy: type 3 message {R('authentication-exchange')} sent",
        ),
        (
            "Fiddler (Kerberos) captured oYIBJzCCASOgAwoBAKELBgkqhkiG9xIBAgKiggENBIIBCWCCAQUG",
            f"Fiddler (Kerberos) captured {R('authentication-exchange')}",
        ),
    ],
    "kerberos-material": [
        (
            "[*] base64(ticket.kirbi):\n      "
            "doIFmjCCBZagAwIBBaEDAgEWooIEsDCCBKxhggSoMIIEpKADAgEFoQ0bC0NP",
            f"[*] base64(ticket.kirbi):\n      {R('kerberos-material')}",
        ),
    ],
    "secret-object-data": [
        (
            "apiVersion: v1\nkind: Secret\ndata:\n  username: YWRtaW4=\n  tls.key: TFMwdExTMUNS\n",
            f"apiVersion: v1\nkind: Secret\ndata:\n  username: {R('secret-object-data')}\n"
            f"  tls.key: {R('secret-object-data')}\n",
        ),
    ],
    "encoded-user-password": [
        (
            "auth header was YWRtaW46UzNjcjN0IQ== (basic)",
            f"auth header was {R('encoded-user-password')} (basic)",
        ),
    ],
    "secure-string": [
        (
            "ConvertTo-SecureString 'Conv3rt!Pw' -AsPlainText",
            f"ConvertTo-SecureString '{R('secure-string')}' -AsPlainText",
        ),
        ('"Pipe!d1" | ConvertTo-SecureString', f'"{R("secure-string")}" | ConvertTo-SecureString'),
    ],
    "piped-password": [
        ("echo 'SudoPw!1' | sudo -S id", f"echo '{R('piped-password')}' | sudo -S id"),
        (
            "echo DockPw3 | docker login --password-stdin",
            f"echo {R('piped-password')} | docker login --password-stdin",
        ),
        (  # printf's format JSON-escaped
            "\"printf '%s\\\\n' 'PrintfPw4' | passwd --stdin svc\"",
            f"\"printf '%s\\\\n' '{R('piped-password')}' | passwd --stdin svc\"",
        ),
    ],
    "name-value": [
        (
            '{"name": "DB_PASSWORD", "value": "NvDbPw1!"}',
            f'{{"name": "DB_PASSWORD", "value": "{R("name-value")}"}}',
        ),
        (
            '{"key": "api_key", "enabled": true, "value": "Nv3"}',
            f'{{"key": "api_key", "enabled": true, "value": "{R("name-value")}"}}',
        ),
        (
            "- name: DB_PASSWORD\n  value: NvK8s6",
            f"- name: DB_PASSWORD\n  value: {R('name-value')}",
        ),
        (  # JSON-escaped line break: the unquoted value runs to the end of the string
            '"- name: DB_PASSWORD\\n  value: NvEsc8"',
            f'"- name: DB_PASSWORD\\n  value: {R("name-value")}',
        ),
        ('[["X-Api-Key", "NvTuple7"]]', f'[["X-Api-Key", "{R("name-value")}"]]'),
    ],
    "key-vault-secret": [
        (
            '{"id": "https://kv.vault.azure.net/secrets/a/1", "name": "a", "value": "Kv9!"}',
            f'{{"id": "https://kv.vault.azure.net/secrets/a/1", "name": "a", '
            f'"value": "{R("key-vault-secret")}"}}',
        ),
        (
            '{"value": "Kv10", "id": "https://kv.vault.azure.net/secrets/x/1"}',
            f'{{"value": "{R("key-vault-secret")}", "id": "https://kv.vault.azure.net/secrets/x/1"}}',
        ),
        (  # written into a JSON string: escaped quotes
            '"{\\"id\\": \\"https://kv.vault.azure.net/secrets/a/1\\", \\"value\\": \\"Kv11\\"}"',
            '"{\\"id\\": \\"https://kv.vault.azure.net/secrets/a/1\\", '
            f'\\"value\\": \\"{R("key-vault-secret")}\\"}}"',
        ),
        (
            '"{\\"value\\": \\"Kv12\\", \\"id\\": \\"https://kv.vault.azure.net/secrets/x/1\\"}"',
            f'"{{\\"value\\": \\"{R("key-vault-secret")}\\", '
            '\\"id\\": \\"https://kv.vault.azure.net/secrets/x/1\\"}"',
        ),
    ],
    "xml-setting": [
        (
            '<add key="SmtpPassword" value="XmlSmtp1!"/>',
            f'<add key="SmtpPassword" value="{R("xml-setting")}"/>',
        ),
        (
            '<setting name="DbPassword"><value>Xs6</value></setting>',
            f'<setting name="DbPassword"><value>{R("xml-setting")}</value></setting>',
        ),
        (
            '<entry key="db.password">Xe7</entry>',
            f'<entry key="db.password">{R("xml-setting")}</entry>',
        ),
        (  # written into a JSON string: escaped quotes
            '"<add key=\\"SmtpPassword\\" value=\\"XmlEsc8!\\" />"',
            f'"<add key=\\"SmtpPassword\\" value=\\"{R("xml-setting")}\\" />"',
        ),
        (
            '<add key="DbPassword" value="C:\\keys\\Xb9" />',
            f'<add key="DbPassword" value="{R("xml-setting")}" />',
        ),
    ],
    "tool-output": [
        (
            "    Key Content            : Wifi!Key2026",
            f"    Key Content            : {R('tool-output')}",
        ),
        ("Pre-shared key: Ps k 1", f"Pre-shared key: {R('tool-output')}"),
        (  # as json.dumps writes the German label: ASCII-escaped
            '"Schl\\u00fcsselinhalt : Wlan!3"',
            f'"Schl\\u00fcsselinhalt : {R("tool-output")}',
        ),
    ],
    "network-device-secret": [
        (
            "username admin privilege 15 password 0 C1sco!Pw",
            f"username admin privilege 15 password 0 {R('network-device-secret')}",
        ),
        ("enable secret 5 $1$mERr$hx5rVt7r", f"enable secret 5 {R('network-device-secret')}"),
        (
            "snmp-server community Pub1ic RO",
            f"snmp-server community {R('network-device-secret')} RO",
        ),
        (
            "crypto isakmp key Is4kmp! address 203.0.113.9",
            f"crypto isakmp key {R('network-device-secret')} address 203.0.113.9",
        ),
    ],
    "stated-secret": [
        ("the password is Welcome2026! now", f"the password is {R('stated-secret')} now"),
        ("password was set to Summer#24.", f"password was set to {R('stated-secret')}."),
        ("I reset his password to Kx9!mPq2", f"I reset his password to {R('stated-secret')}"),
        ("Das Passwort lautet Fruehling", f"Das Passwort lautet {R('stated-secret')}"),
        ("Das Kennwort ist Hx7$kLm2", f"Das Kennwort ist {R('stated-secret')}"),
        ("la contrase\\u00f1a es Cl4ve!9", f"la contrase\\u00f1a es {R('stated-secret')}"),
    ],
    "quoted-setting": [
        (
            "define( 'DB_PASSWORD', 'Wp!Define-3x' );",
            f"define( 'DB_PASSWORD', '{R('quoted-setting')}' );",
        ),
        ("'dbpassword' => 'Nc!Db-Arr4',", f"'dbpassword' => '{R('quoted-setting')}',"),
        (
            "gitlab_rails['smtp_password'] = \"G1tlab!Smtp2\"",
            f"gitlab_rails['smtp_password'] = \"{R('quoted-setting')}\"",
        ),
        (
            'dotnet user-secrets set "Smtp:Password" "Usr!Sec-7x"',
            f'dotnet user-secrets set "Smtp:Password" "{R("quoted-setting")}"',
        ),
    ],
    "credential-call": [
        (
            "New-Object System.Net.NetworkCredential('svc-dav', 'NetCred!9x')",
            f"New-Object System.Net.NetworkCredential('svc-dav', '{R('credential-call')}')",
        ),
        (
            "EXEC sp_addlogin 'legacy', 'Leg@cy!Login3', 'LegacyDB';",
            f"EXEC sp_addlogin 'legacy', '{R('credential-call')}', 'LegacyDB';",
        ),
        (
            "$ok = ldap_bind($ds, 'cn=svc', 'Php!Bind#6x');",
            f"$ok = ldap_bind($ds, 'cn=svc', '{R('credential-call')}');",
        ),
    ],
    "variable-default": [
        (
            'variable "sql_admin_password" {\n  type = string\n  default = "Def!Sql-4"\n}',
            'variable "sql_admin_password" {\n  type = string\n  default = "'
            + R("variable-default")
            + '"\n}',
        ),
    ],
    "expect-send": [
        (
            'expect "Password:"\nsend "Exp!ect-Pw4\\r"',
            f'expect "Password:"\nsend "{R("expect-send")}\\r"',
        ),
    ],
    "key-material": [
        ("Schluessel=4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e", f"Schluessel={R('key-material')}"),
        (
            "$ cat /etc/zabbix/agent.psk\n4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e",
            f"$ cat /etc/zabbix/agent.psk\n{R('key-material')}",
        ),
        (
            "Keytab name: FILE:/etc/krb5.keytab\n 2 h@K (0x4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e)",
            f"Keytab name: FILE:/etc/krb5.keytab\n 2 h@K ({R('key-material')})",
        ),
    ],
    "table-column": [
        (
            "Name;Benutzer;Kennwort\nScan;svc-scan;Csv!Scan-3\nFax;svc-fax;",
            f"Name;Benutzer;Kennwort\nScan;svc-scan;{R('table-column')}\nFax;svc-fax;",
        ),
        (
            '"Account","Login Name","Password"\n"NAS","admin","Kp!Nas-22"',
            '"Account","Login Name","Password"\n"NAS","admin","' + R("table-column") + '"',
        ),
        (
            "User   DefaultPassword\n----   ---------------\nkiosk  Kiosk!Out-5",
            f"User   DefaultPassword\n----   ---------------\nkiosk  {R('table-column')}",
        ),
        (
            '# client  server  secret  IP addresses\n"vpn-a"  l2tpd  "Chap!A-L2tp"  *',
            f'# client  server  secret  IP addresses\n"vpn-a"  l2tpd  "{R("table-column")}"  *',
        ),
    ],
    "netrc": [
        (
            "machine h.example login bob password NetrcPw3",
            f"machine h.example login bob password {R('netrc')}",
        ),
        (  # over several lines, JSON-escaped
            '"machine h.example\\n  login bob\\n  password NetrcEsc4\\n"',
            f'"machine h.example\\n  login bob\\n  password {R("netrc")}\\n"',
        ),
    ],
    "pgpass": [
        ("db01:5432:crm:app:PgPass1!", f"db01:5432:crm:app:{R('pgpass')}"),
        (  # a line after a JSON-escaped line break
            '"~/.pgpass:\\ndb01:5432:crm:app:PgEsc2\\nnext"',
            f'"~/.pgpass:\\ndb01:5432:crm:app:{R("pgpass")}\\nnext"',
        ),
    ],
    "nt-hash": [
        (
            "Administrator:500:aad3b435b51404eeaad3b435b51404ee:8846f7eaee8fb117ad06bdd830b7586c:::",
            f"Administrator:500:{R('nt-hash')}:::",
        )
    ],
    "teams-webhook": [
        (
            "https://contoso.webhook.office.com/webhookb2/a1@b2/IncomingWebhook/c3/d4/V2e5",
            f"https://contoso.webhook.office.com/webhookb2/{R('teams-webhook')}",
        ),
        (
            "https:\\/\\/outlook.office.com\\/webhook\\/a1@b2\\/IncomingWebhook\\/c3\\/d4",
            f"https:\\/\\/outlook.office.com\\/webhook\\/{R('teams-webhook')}",
        ),
    ],
    "discord-webhook": [
        (
            "https://discord.com/api/webhooks/1187654321/Zx9Yw8-Vu7_Ts6",
            f"https://discord.com/api/webhooks/{R('discord-webhook')}",
        ),
        (  # escaped twice: a JSON text inside a JSON string
            "https:\\\\/\\\\/discord.com\\\\/api\\\\/webhooks\\\\/118765\\\\/Zx9Yw8",
            f"https:\\\\/\\\\/discord.com\\\\/api\\\\/webhooks\\\\/{R('discord-webhook')}",
        ),
    ],
    "putty-key": [
        (
            "PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nAAAAIPuttyPriv7\n"
            "Private-MAC: 3c5d4e6f\nnext",
            f"{R('putty-key')}\nnext",
        )
    ],
    "huggingface-token": [("hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", R("huggingface-token"))],
    "digitalocean-token": [("dop_v1_" + "0a1b2c3d" * 8, R("digitalocean-token"))],
    "vault-token": [
        ("vault login hvs.CAESIJ7kQm3xYz0aBcDeFgHiJk", f"vault login {R('vault-token')}")
    ],
    "telegram-bot-token": [
        (
            "https://api.telegram.org/bot7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/getMe",
            f"https://api.telegram.org/bot{R('telegram-bot-token')}/getMe",
        )
    ],
    "azure-devops-pat": [
        (
            "FBdFol081crwkIHWJH2yiqDDyrFjVSi7HWl22hN2hTYfsB8NlGDpJQQJ99BAACAAAAAAAAAAAAASAZDOBucT",
            R("azure-devops-pat"),
        )
    ],
    "pfx-blob": [
        (
            '{"pfx": "MIIKYQIBAzCCCh0GCSqGSIb3DQEHAaCCCg4EggoK\\nMIIKBjCCBg8G=="}',
            f'{{"pfx": "{R("pfx-blob")}"}}',
        ),
        (  # JSON-escaped twice: a JSON text inside a JSON string
            '"{\\"pfx\\": \\"MIIKYQIBAzCCCh0GCSqGSIb3\\\\nMIIKBjCCBg8G==\\"}"',
            f'"{{\\"pfx\\": \\"{R("pfx-blob")}\\"}}"',
        ),
    ],
    "function-key": [
        (
            "https://fn.azurewebsites.net/api/Export?code=aBcD3fGhIjKlMnOpQrStUv==&x=1",
            f"https://fn.azurewebsites.net/api/Export?code={R('function-key')}&x=1",
        )
    ],
    "bitlocker-recovery-key": [
        (
            "Recovery: 123456-234567-345678-456789-567890-678901-789012-890123.",
            f"Recovery: {R('bitlocker-recovery-key')}.",
        )
    ],
    "email": [
        ("cc mallory@evil.example please", f"cc {R('email')} please"),
        ("bob.smith+x@corp.co.uk", R("email")),
    ],
}

EXAMPLE_CASES = [
    (name, text, expected) for name, cases in EXAMPLES.items() for text, expected in cases
]

# Near misses: each looks like a detector's form and must stay exactly as it is.
UNCHANGED = [
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
    "https://graph.microsoft.com/v1.0/users?$top=10&$select=id,displayName",
    "see https://user@docs.example/guide",  # a user name alone is no credential
    "Basic authentication is disabled for this tenant.",
    "Bearer tokens are rejected by the gateway.",
    "The authorization server is unavailable; Authorization failed.",
    'WWW-Authenticate: Bearer realm="", error="invalid_token"',
    "Cookies are disabled in the browser.",
    "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
    "EntityPath=queue",
    "Provider throttled after 3 retries; giving up.",
    "token_count=5, author: Jane, passenger=2, keyboard: de, status: 401",
    "token: expired, session: active, InvalidSignature: The token has an invalid signature",
    "passwordRequired: true; password_expiry: 2026-12-01; SharedAccessKeyName=Root",
    "authority: https://login.microsoftonline.com/common",
    "<PasswordRequired>true</PasswordRequired><Author>x</Author>",
    "eyJust kidding",
    "note: access_token=[redacted:sec",  # a placeholder cut short by a length bound
    "gh_pr_12 and ghp_short",
    "AKIA is a prefix, AKIAshort too",
    "task-abcdefghijklmnopqrstuvwxyz is done",
    "session 01JD8X5V3T6Q2W4R7Y9Z0A1B2C started",
    "token 2f0e0b1c-8d6a-4b0e-9d3e-6f1a2b3c4d5e issued",
    "The password was reset and the key vault access policy updated.",
    "Token refresh failed (AADSTS700082); check the client secret in the app registration.",
    "Restore stopped: 2 of 14 policies could not be written (conflicting assignment).",
    "curl -u admin https://api.example/v1",  # curl asks for the password
    "pip install -U requests; docker run -u 1000:1000 image; re-use -u: none",
    # second round: forms of the new detectors that carry no secret
    "mkdir -p /var/log/app && ssh -p 2222 h && docker run -p 8080:80 nginx && rsync -P a/ b/",
    "curl -w '%{http_code}' -o /dev/null https://example.com",
    "docker login --password-stdin -u ci registry.example; ansible-playbook --ask-pass x.yml",
    "New-LocalUser -Name svc -Password $securePw; Connect-X -Credential $cred",
    "restic --password-file /run/secrets/restic backup",
    "net use \\\\fs01\\share /user:CORP\\jdoe *",
    "echo $PW | sudo -S true",
    "The password is expired and must be changed; the token was revoked.",
    "Das Passwort ist abgelaufen. The password is 8 characters long.",
    "Password was reset to default policy. Set the password to expire after 90 days.",
    "the token is 6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)",
    '{"name": "LOG_LEVEL", "value": "Information"}',
    '[["Accept", "application/json"]]',
    '<add key="ClientId" value="6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"/>',
    "password: ${{ secrets.DB_PASSWORD }}, token=$(System.AccessToken), pw=%DB_PW%",
    "https://graph.microsoft.com/v1.0/users?$top=100&$skiptoken=RFNwdAIAAQAAACU6YWxpY2U",
    '"passwordCredentials": [{"keyId": "9f1c2d3e", "hint": "Abc", "secretText": null}]',
    "password:\n  minLength: 12",
    "2026-11-30 10:00:01; 12:34:56:78:90; fe80:0:0:0:1",
    "interface gi0/1 description key 2 uplink; password policy updated",
    "Discord and Teams (contoso.webhook.office.com) webhooks are configured",
    '["password", "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2C"], ["Token", "expired"]',  # words, no pair
    # command arguments that are no secret: a name that says nothing, a switch, a prompt
    'setx PATH "C:\\bin" /M; reg add HKLM\\Software\\X /v Timeout /d 30 /f',
    "net user bob /add; net user bob *; sqlplus / as sysdba; htpasswd -D .htpasswd bob",
    # configuration lines without a secret: a switch, a flag, a status, prose
    "service password-encryption\nPasswordAuthentication no\npassword required",
    "the password changed yesterday\nset admin-lockout-threshold 3",
    # hashes and keys that are no credential: a price in dollars, a serial, a GUID
    "costs $1$ a month; serial FGT60F-TK2209 and 6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    # user names where a password could have been typed
    "sshd[512]: Invalid user backup01 from 10.8.0.9; Account Name: svc-sql.01",
    # encoded blobs without the context that says they carry credentials
    "upload chunk YIIGhgYGKwYBBQUCoIIGejCCBnagMDAuBgkqhkiC9xIBAgIGCSqGSIb3 stored",
    "ConfigMap data:\n  mode: cHJvZHVjdGlvbg==\n",  # not a kind: Secret
    "auth header carries the tenant id ZmFicmlrYW0tcHJvZA== (base64 of a name)",
    # quoted names with values that are no secret: a list of names, a variable, a call
    'fields = ("username", "password", "email"); env = ["DB_HOST", "DB_PASSWORD", "DB_USER"]',
    "define('DB_PASSWORD', getenv('DB_PASSWORD'));",
    "withCredentials([usernamePassword(credentialsId: 'x', usernameVariable: 'NX_USER')])",
    "New-Object System.Net.NetworkCredential($user, $password)",
    'variable "admin_user" {\n  default = "azadmin"\n}',
    'expect "login:"\nsend "admin\\r"',
    # hex that is no key material: a public or cache key, a hash, a value in parentheses
    "public_key=4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e; cache_key: 4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e",
    "sha256=4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e; (0x4f2a8c1e9b7d3f6a0c5e8b2d7f1a9c3e)",
    # headers and cookies that carry no credential
    'curl -H "Authorization: Bearer $TOKEN" -H "X-Api-Key: ${API_KEY}" https://api.example',
    "Set-Cookie: lang=de; Path=/; Secure; SameSite=Lax",
    # tables whose headings describe a password, or whose secret cells are masked
    "User;PasswordLastSet;PasswordNeverExpires\njdoe;01.12.2026;False",
    "Name,User,Password\nScan,svc-scan,********\nFax,svc-fax,",
    "password\trequisite\tpam_deny.so\npassword\trequired\tpam_permit.so",
    "# Kennwort laut Kunde gueltig bis Jahresende\nfoo bar baz",
]


def test_every_detector_has_examples_and_a_summary() -> None:
    names = [d.name for d in CATALOGUE]
    assert len(names) == len(set(names))
    assert set(EXAMPLES) == set(names)
    for detector in CATALOGUE:
        assert detector.summary and (detector.triggers or detector.shape_trigger)


@pytest.mark.parametrize(("name", "text", "expected"), EXAMPLE_CASES)
def test_detector_removes_its_form(name: str, text: str, expected: str) -> None:
    redacted = redact_text(text)
    assert redacted == expected
    assert R(name) in redacted


@pytest.mark.parametrize(("name", "text", "expected"), EXAMPLE_CASES)
def test_redacting_twice_changes_nothing(name: str, text: str, expected: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once


@pytest.mark.parametrize("text", UNCHANGED)
def test_near_misses_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Xy7QwErTy12345AbCdEf", True),
        ("Q2xpZW50U2VjcmV0MTIzNDU2Nzg5", True),
        ("short1Aa", False),
        ("01JD8X5V3T6Q2W4R7Y9Z0A1B2C", False),  # ULID: no lower case
        ("2f0e0b1c-8d6a-4b0e-9d3e-6f1a2b3c4d5e", False),  # UUID: no upper case
        ("Aa1Aa1Aa1Aa1Aa1Aa1Aa1", False),  # all classes, but repetitive
        ("re-authentication-flow", False),
    ],
)
def test_looks_random(value: str, expected: bool) -> None:
    assert looks_random(value) is expected


def test_every_placeholder_names_its_detector() -> None:
    assert R("jwt") == "[redacted:jwt]"
    assert R("connection-string") == "[redacted:connection-string]"
