"""Password hashing: Argon2id, salted, and a constant-shape answer for unknown users."""

from __future__ import annotations

from argon2 import PasswordHasher

from support_app.services.passwords import hash_password, upgraded_hash, verify_password

PASSWORD = "correct horse battery staple"


def test_hash_verifies_the_right_password() -> None:
    assert verify_password(hash_password(PASSWORD), PASSWORD) is True


def test_wrong_password_is_rejected() -> None:
    stored = hash_password(PASSWORD)
    assert verify_password(stored, PASSWORD + "!") is False
    assert verify_password(stored, PASSWORD.upper()) is False
    assert verify_password(stored, "") is False


def test_missing_hash_of_an_unknown_user_is_false_for_any_password() -> None:
    assert verify_password(None, PASSWORD) is False
    assert verify_password(None, "") is False
    # The dummy hash used for unknown users must not open the door either.
    assert verify_password(None, "not-a-real-password") is False


def test_malformed_hash_is_false_not_an_error() -> None:
    assert verify_password("not-a-hash", PASSWORD) is False
    assert verify_password("", PASSWORD) is False


def test_hash_is_argon2id_and_does_not_contain_the_password() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    # OWASP's minimum Argon2id profile: 19 MiB, two passes, one lane.
    assert "$m=19456,t=2,p=1$" in stored
    assert upgraded_hash(stored, PASSWORD) is None


def test_a_hash_with_older_parameters_gets_a_current_one() -> None:
    older = PasswordHasher().hash(PASSWORD)  # argon2-cffi's defaults, used before issue 22
    upgraded = upgraded_hash(older, PASSWORD)
    assert upgraded is not None and "$m=19456,t=2,p=1$" in upgraded
    assert verify_password(upgraded, PASSWORD)


def test_hashes_are_salted() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert verify_password(first, PASSWORD) and verify_password(second, PASSWORD)
