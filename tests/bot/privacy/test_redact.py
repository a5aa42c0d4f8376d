"""Redaction of personal data in free text: a table of Dutch examples, valid and invalid."""

from __future__ import annotations

from datetime import date

import pytest

from bot.privacy.redact import bsn_is_valid, find_personal_data, iban_is_valid, redact

TODAY = date(2026, 11, 25)

CASES = [
    # BSN: valid by the elfproef, in several notations; invalid ones stay unless called a BSN.
    ("Mijn BSN is 111222333.", "Mijn BSN is [BSN]."),
    ("nummer 123456782 staat op de brief", "nummer [BSN] staat op de brief"),
    ("bsn: 1234.56.782", "bsn: [BSN]"),
    ("het is 123 456 782 geloof ik", "het is [BSN] geloof ik"),
    ("klantnummer 123456789 bij de verzekeraar", "klantnummer 123456789 bij de verzekeraar"),
    ("mijn burgerservicenummer is 123456788", "mijn burgerservicenummer is [BSN]"),
    # IBAN: checked with mod 97.
    ("Stort het op NL91ABNA0417164300 aub", "Stort het op [IBAN] aub"),
    ("rekening NL91 ABNA 0417 1643 00.", "rekening [IBAN]."),
    ("NL12ABNA0417164300 klopt niet", "NL12ABNA0417164300 klopt niet"),
    # E-mail and phone numbers.
    ("mail naar j.de.vries@voorbeeld.nl graag", "mail naar [E-MAIL] graag"),
    ("bel 06-12345678 of 0612345678", "bel [TELEFOON] of [TELEFOON]"),
    ("mijn nummer: +31 6 1234 5678", "mijn nummer: [TELEFOON]"),
    ("vaste lijn (010) 123 4567", "vaste lijn [TELEFOON]"),
    ("0031 20 123 4567 overdag", "[TELEFOON] overdag"),
    # Desk numbers of 7-8 digits are no personal numbers.
    ("ik heb 0800-0113 al gebeld", "ik heb 0800-0113 al gebeld"),
    # Dates of birth: a birth word nearby, or a full date long ago; recent dates stay.
    ("geboren op 12-03-1956", "geboren op [GEBOORTEDATUM]"),
    ("mijn zoon (geb. 4 juli 2015) heeft autisme", "mijn zoon (geb. [GEBOORTEDATUM]) heeft autisme"),
    ("moeder, 1941-02-28, woont alleen", "moeder, [GEBOORTEDATUM], woont alleen"),
    ("op 3-11-2025 hebben we gebeld", "op 3-11-2025 hebben we gebeld"),
    ("de brief van 31-02-1980", "de brief van 31-02-1980"),  # no such date
    # Postcode with house number, and street addresses.
    ("wij wonen op 1234 AB 12", "wij wonen op [ADRES]"),
    ("Kerkstraat 12a in Utrecht", "[ADRES] in Utrecht"),
    ("postcode 3511ab, nr 4", "[ADRES]"),
    ("in 2020 de gemeente gebeld", "in 2020 de gemeente gebeld"),
    # Names where the text introduces them.
    ("Ik heet Fatima el Amrani en zoek hulp", "Ik heet [NAAM] en zoek hulp"),
    ("het gaat om meneer De Boer", "het gaat om meneer [NAAM]"),
    # Nothing personal: untouched.
    ("mijn vader van 84 wacht al 14 weken", "mijn vader van 84 wacht al 14 weken"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redaction_table(text, expected):
    assert redact(text, TODAY) == expected


def test_several_kinds_in_one_message_keep_the_rest_intact():
    text = "Ik ben Jan (bsn 111222333), bel 06 12345678 of mail jan@x.nl. Wij wonen Dorpsweg 3, 1234 AB Ede."
    redacted = redact(text, TODAY)
    assert redacted == ("Ik ben Jan (bsn [BSN]), bel [TELEFOON] of mail [E-MAIL]. Wij wonen [ADRES], [ADRES] Ede.")
    kinds = [finding.kind for finding in find_personal_data(text, TODAY)]
    assert kinds == ["bsn", "phone", "email", "address", "address"]


@pytest.mark.parametrize(("number", "valid"), [
    ("111222333", True), ("123456782", True), ("123456789", False), ("000000000", False), ("12345672", True),
    ("12345678", False), ("1234", False),
])
def test_elfproef(number, valid):
    assert bsn_is_valid(number) is valid


@pytest.mark.parametrize(("iban", "valid"), [("NL91ABNA0417164300", True), ("nl91 abna 0417 1643 00", True),
                                              ("NL91ABNA041716430", False), ("DE89370400440532013000", True),
                                              ("GB00WEST12345698765432", False)])
def test_iban_check(iban, valid):
    assert iban_is_valid(iban) is valid
