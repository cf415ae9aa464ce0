"""The codes of personal links and one-time codes.

A link's code is 20 characters of Crockford's base 32 (100 random bits), written in groups of four so
that it can be typed from a letter: ``7KQ2-M9XD-4HTP-WZ3C-8F1R``. Reading it back forgives case,
spaces and the letters people mistake for digits (O for 0, I and L for 1). Only its SHA-256 is stored.
"""

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
GROUPS = 5
GROUP = 4
LENGTH = GROUPS * GROUP
_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(code: str) -> str | None:
    """The code as stored (no dashes, upper case), or None when it cannot be one."""
    text = "".join((code or "").split()).replace("-", "").upper().translate(_READ)
    if len(text) != LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text


def written(code: str) -> str:
    """The stored form in its groups, for the URL and the letter."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_pin(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"
