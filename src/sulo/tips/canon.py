"""Canonical forms of identifiers, so that the same account written two ways is one key.

Only changes a provider itself ignores are undone: case and surrounding whitespace everywhere; dots in
the local part only at Gmail (https://support.google.com/mail/answer/7436150 "dots don't matter");
"+tag" sub-addressing only at providers that document it (Gmail, Outlook.com / Hotmail, iCloud, Proton,
Fastmail). Any other provider may treat "a.b" and "ab" as two mailboxes, so those stay apart.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import phonenumbers

# gmail.example is the synthetic world's stand-in for Gmail (".example" is reserved by RFC 2606 and can
# never be a real mailbox), so the tests exercise the same rule.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com", "gmail.example"})
PLUS_DOMAINS = GMAIL_DOMAINS | frozenset({
    "outlook.com", "hotmail.com", "live.com", "msn.com",  # Microsoft: "plus addressing" in Outlook.com
    "icloud.com", "me.com", "mac.com",  # Apple: "+" aliases in iCloud Mail
    "proton.me", "protonmail.com", "pm.me",  # Proton: "+aliases"
    "fastmail.com", "fastmail.fm",  # Fastmail: plus addressing
})


def _clean(value: str) -> str:
    # NFKC folds full-width and compatibility characters ("ｍｄｃ" -> "mdc") people paste from phones.
    return " ".join(unicodedata.normalize("NFKC", value).split())


def canonical_email(value: str) -> str | None:
    """Lower-cased address with provider-ignored parts removed; None when it is not an address."""
    text = _clean(value).replace(" ", "").casefold()
    local, sep, domain = text.rpartition("@")
    if not sep or not local or "." not in domain:
        return None
    if domain in PLUS_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com" if domain == "googlemail.com" else domain
    return f"{local}@{domain}" if local else None


def canonical_username(value: str) -> str | None:
    """Screen names: case-insensitive on the platforms we see, a leading '@' is decoration."""
    text = _clean(value).casefold().lstrip("@").strip()
    return text or None


def canonical_esp(value: str | None) -> str:
    """The ESP scope of an identifier: 'ExampleSocial' and 'examplesocial ' are one platform."""
    return _clean(value or "").casefold() or "unknown-esp"


def canonical_device(id_type: str, value: str) -> str | None:
    digits = "".join(ch for ch in _clean(value) if ch.isalnum()).upper()
    return f"{_clean(id_type).upper() or 'UNKNOWN'}:{digits}" if digits else None


@lru_cache(maxsize=65536)
def canonical_phone(raw: str, calling_code: str | None, default_region: str | None) -> str | None:
    """E.164 when the number parses as a possible number; None otherwise (never grouped on).

    The countryCode attribute wins over the report's country: a Philippine number reported with an
    Indonesian address is still Philippine.
    """
    region = default_region
    if calling_code and calling_code.isdigit():
        region = phonenumbers.region_code_for_country_code(int(calling_code)) or region
    try:
        number = phonenumbers.parse(_clean(raw), region if region and region != "ZZ" else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
