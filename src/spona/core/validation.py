"""Normalise and validate contact data: e-mail, phone (E.164), tax ids (python-stdnum)."""

from __future__ import annotations

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum import util as stdnum_util
from stdnum.exceptions import ValidationError as StdnumError


def normalise_email(value: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{value!r} is not a valid e-mail address.") from None
    return email


def normalise_phone(value: str, default_region: str = "") -> str:
    """Return the number in E.164 form (+381641234567) or raise ValidationError."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, (default_region or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"{value!r} is not a phone number; write it with its country code, e.g. +381 11 123 4567."
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"{value!r} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_tax_id(value: str, country: str) -> str:
    """Validate a VAT / tax number with python-stdnum for the country and return its compact form.

    Countries python-stdnum does not know are accepted as typed (trimmed), since the number
    cannot be checked rather than being wrong.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    code = (country or "").lower()
    if not code:
        raise ValidationError("Give the country of the tax id, so that it can be checked.")
    module = None
    for kind in ("vat", "tin", "pib"):
        try:
            module = stdnum_util.get_cc_module(code, kind)
        except Exception:
            module = None
        if module is not None:
            break
    if module is None:
        return raw
    try:
        return str(module.validate(raw))
    except StdnumError:
        raise ValidationError(f"{value!r} is not a valid tax id for {country.upper()}.") from None


def search_key(text: str) -> str:
    """Lower-case, accent-free, single-spaced: the form in which duplicates are compared."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    for old, new in (("đ", "dj"), ("Đ", "Dj")):
        plain = plain.replace(old, new)
    return " ".join(plain.lower().replace(",", " ").replace(".", " ").split())
