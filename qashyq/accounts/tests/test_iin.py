import datetime

import pytest
from django.core.exceptions import ValidationError

from qashyq.accounts.iin import iin_check_digit, iin_error, make_iin, validate_iin

pytestmark = pytest.mark.usefixtures("english")


def test_a_well_formed_iin_passes():
    iin = make_iin(datetime.date(2004, 5, 17), female=True, serial=123)
    assert len(iin) == 12
    validate_iin(iin)


@pytest.mark.parametrize(
    "value",
    ["", "12345", "abcdefghijkl", "0413015012345", "041301501234"],
)
def test_malformed_iins_are_refused_with_a_reason(value):
    assert iin_error(value)
    with pytest.raises(ValidationError):
        validate_iin(value)


def test_a_single_typo_is_caught_by_the_check_digit():
    iin = make_iin(datetime.date(1999, 12, 31), female=False, serial=7)
    wrong_last = iin[:11] + str((int(iin[11]) + 1) % 10)
    assert "check digit" in iin_error(wrong_last)


def test_an_impossible_birth_date_is_refused():
    head = "990231" + "3" + "0001"  # 31 February
    check = iin_check_digit(head)
    assert check is not None
    assert "birth date" in iin_error(head + str(check))


def test_second_weight_set_is_used_when_first_gives_ten():
    # Find a head whose first weighted sum is 10 and check that the digit comes from weights 2.
    for serial in range(10000):
        head = f"0001015{serial:04d}"
        first = sum(int(c) * w for c, w in zip(head, range(1, 12), strict=True)) % 11
        if first == 10:
            second = (
                sum(
                    int(c) * w
                    for c, w in zip(head, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)
                )
                % 11
            )
            assert iin_check_digit(head) == (None if second == 10 else second)
            return
    pytest.fail("no head with a first sum of 10 found")
