"""Check and normalise how a citizen wants to be contacted (phone or e-mail)."""

from __future__ import annotations

import re

from bot.errors import InvalidContactError

PHONE_EXAMPLE = "Bijvoorbeeld: 06 12345678 of 030 1234567."
EMAIL_EXAMPLE = "Bijvoorbeeld: naam@voorbeeld.nl."
MAX_NAME_CHARS = 80

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}")
# Paid and service numbers are no callback numbers for a citizen.
_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909", "084", "087", "088", "112")


def normalise_phone(text: str) -> str:
    """A Dutch or international phone number in one readable form.

    Dutch numbers become ``06 12345678`` / ``030 1234567``; other countries keep ``+CC ...``.

    Raises:
        InvalidContactError: not a number we can call back.
    """
    raw = text.strip()
    if not raw or re.search(r"[^\d\s+().\-/]", raw):
        raise InvalidContactError("phone: not a number", f"Dat lijkt geen telefoonnummer. {PHONE_EXAMPLE}")
    digits = re.sub(r"\D", "", raw)
    international = raw.startswith("+") or digits.startswith("00")
    if international:
        digits = digits[2:] if digits.startswith("00") else digits
        if digits.startswith("31"):
            rest = digits[2:]
            rest = rest[1:] if rest.startswith("0") else rest  # "+31 (0)6 ..."
            digits = "0" + rest
            international = False
        elif not 8 <= len(digits) <= 15:
            raise InvalidContactError("phone: bad international length",
                                      f"Dit nummer heeft niet genoeg of te veel cijfers. {PHONE_EXAMPLE}")
        else:
            return f"+{digits}"
    if len(digits) != 10 or not digits.startswith("0") or digits.startswith("00"):
        raise InvalidContactError("phone: not 10 digits",
                                  f"Een Nederlands telefoonnummer heeft 10 cijfers en begint met 0. {PHONE_EXAMPLE}")
    if digits.startswith(_SERVICE_PREFIXES):
        raise InvalidContactError(
            "phone: service number",
            f"Geef een nummer waarop wij u kunnen terugbellen, geen servicenummer. {PHONE_EXAMPLE}",
        )
    if digits.startswith("06"):
        return f"06 {digits[2:]}"
    area = 3 if digits[:3] in _THREE_DIGIT_AREAS else 4
    return f"{digits[:area]} {digits[area:]}"


# Netnummers with three digits (010 Rotterdam, 020 Amsterdam, ...); the others have four.
_THREE_DIGIT_AREAS = frozenset({"010", "013", "015", "020", "023", "024", "026", "030", "033", "035", "036",
                                "038", "040", "043", "045", "046", "050", "053", "055", "058", "070", "071",
                                "072", "073", "074", "075", "076", "077", "078", "079"})


def normalise_email(text: str) -> str:
    """An e-mail address with a lower-case domain.

    Raises:
        InvalidContactError: not a usable address.
    """
    raw = text.strip().strip("<>").strip()
    if len(raw) > 254 or not _EMAIL.fullmatch(raw) or ".." in raw:
        raise InvalidContactError("email: invalid", f"Dat lijkt geen geldig e-mailadres. {EMAIL_EXAMPLE}")
    local, domain = raw.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def normalise_name(text: str) -> str | None:
    """An optional name to ask for: trimmed, control characters removed; empty means none.

    Raises:
        InvalidContactError: the name is longer than a name can be.
    """
    cleaned = " ".join("".join(ch for ch in text if ch.isprintable()).split())
    if not cleaned:
        return None
    if len(cleaned) > MAX_NAME_CHARS:
        raise InvalidContactError("name: too long", f"Die naam is te lang. Geef hoogstens {MAX_NAME_CHARS} tekens.")
    return cleaned
