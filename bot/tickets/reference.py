"""Ticket references citizens can quote on the phone: ``ZR-`` + 6 characters + 1 check character.

The alphabet leaves out 0, 1, I, L, O and U, which are easily confused when read aloud or typed
over, and the check character catches one wrong character and most swapped pairs.
"""

from __future__ import annotations

import hashlib
import re

PREFIX = "ZR-"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 6
_VALID = re.compile(rf"{PREFIX}[{ALPHABET}]{{{BODY_LENGTH + 1}}}")


def _check_character(body: str) -> str:
    total = sum((index + 2) * ALPHABET.index(ch) for index, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def reference_for(handover_key: str, attempt: int = 0) -> str:
    """The reference of a handover; the same key always gives the same reference.

    ``attempt`` > 0 gives another reference for the rare case that one is already taken.
    """
    digest = int.from_bytes(hashlib.sha256(f"{handover_key}:{attempt}".encode()).digest(), "big")
    body = ""
    for _ in range(BODY_LENGTH):
        digest, index = divmod(digest, len(ALPHABET))
        body += ALPHABET[index]
    return f"{PREFIX}{body}{_check_character(body)}"


def normalise_reference(text: str) -> str:
    """What someone typed as a reference, in canonical form (upper case, with the prefix)."""
    compact = re.sub(r"[\s\-_.]", "", text.strip().upper())
    if compact.startswith("ZR"):
        compact = compact[2:]
    return f"{PREFIX}{compact}"


def is_well_formed(reference: str) -> bool:
    """The reference has the right form and its check character matches."""
    if not _VALID.fullmatch(reference):
        return False
    body = reference[len(PREFIX):len(PREFIX) + BODY_LENGTH]
    return reference[-1] == _check_character(body)
