"""Password hashing (argon2id; bcrypt verified for legacy hashes only) and policy."""

from __future__ import annotations

from functools import lru_cache

from passlib.context import CryptContext

from services.errors import BadInput

MIN_LENGTH = 12
# argon2 accepts more, but an unbounded input is a cheap denial of service
MAX_LENGTH = 128

# argon2 (argon2id in passlib >= 1.7) is the default; bcrypt hashes from an
# older system still verify and are replaced by argon2 on the next login
pwd_context = CryptContext(schemes=["argon2", "bcrypt"], deprecated=["bcrypt"])


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return str(pwd_context.hash(password))


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash when the old one is outdated."""
    try:
        ok, new_hash = pwd_context.verify_and_update(password, password_hash)
    except (ValueError, TypeError):
        return False, None
    return bool(ok), new_hash


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("dummy-password-for-timing-Aa1!")


def dummy_verify(password: str) -> None:
    """Spend the time of a real verification, so unknown emails answer as slowly."""
    pwd_context.verify(password, _dummy_hash())


def check_password_policy(password: str, field: str = "password") -> None:
    """BAD_USER_INPUT unless 12+ characters with upper, lower, digit and special."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise BadInput(field, f"Password must be at most {MAX_LENGTH} characters")
    if not any(c.isupper() for c in password):
        problems.append("an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("a lower-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("a digit")
    if all(c.isalnum() for c in password):
        problems.append("a special character")
    if problems:
        raise BadInput(field, "Password needs " + ", ".join(problems))
