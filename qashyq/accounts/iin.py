"""IIN: the 12-digit Kazakh individual identification number.

Digits 1-6 are the birth date (YYMMDD), digit 7 the century and sex (1-2: 1800s, 3-4: 1900s,
5-6: 2000s), digits 8-11 a serial number, digit 12 a check digit: the weighted sum of the first
eleven digits with weights 1..11, modulo 11; when that is 10, weights 3..11,1,2 are used instead,
and when it is 10 again the number is never issued.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS_1 = tuple(range(1, 12))
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def iin_check_digit(first_eleven: str) -> int | None:
    digits = [int(c) for c in first_eleven]
    value = sum(d * w for d, w in zip(digits, _WEIGHTS_1, strict=True)) % 11
    if value == 10:
        value = sum(d * w for d, w in zip(digits, _WEIGHTS_2, strict=True)) % 11
        if value == 10:
            return None
    return value


def iin_birth_date(iin: str) -> datetime.date | None:
    century = _CENTURY.get(iin[6])
    if century is None:
        return None
    try:
        return datetime.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def iin_error(value: str) -> str | None:
    """Return a translated reason why ``value`` is not a valid IIN, or None when it is."""
    if len(value) != 12 or not value.isdigit():
        return str(_("An IIN has exactly 12 digits."))
    if iin_birth_date(value) is None:
        return str(_("The first seven digits of an IIN must be a real birth date and century."))
    if iin_check_digit(value[:11]) != int(value[11]):
        return str(_("The IIN check digit does not match; please check the number for a typo."))
    return None


def validate_iin(value: str) -> None:
    error = iin_error(value or "")
    if error:
        raise ValidationError(error, code="invalid_iin")


def make_iin(birth: datetime.date, *, female: bool, serial: int) -> str:
    """Build a valid IIN (used by the demo academy and tests). Skips serials with no check digit."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (1 if female else 0)
    while True:
        head = f"{birth:%y%m%d}{century_digit}{serial % 10000:04d}"
        check = iin_check_digit(head)
        if check is not None:
            return head + str(check)
        serial += 1
