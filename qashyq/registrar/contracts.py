"""The paid-study contract check before a rector's order (the place of the finance part).

An application for distance study on paid funding may go into an admission order only when a
paid-study contract is signed. Until the finance issue lands, the registrar records the
contract's number and date on the application (``AdmissionApplication.contract_number`` and
``contract_signed_on``, through ``services.admission.application_record_contract``) and
``contract_ok`` reads them. The finance issue replaces the body of ``contract_ok`` (and
``contract_of``) with a call to ``finance.selectors``; nothing else changes, since
``services.orders`` and the pages ask only these two functions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from qashyq.academics.models import Funding


@dataclass(frozen=True)
class ContractInfo:
    number: str
    signed_on: datetime.date


def needs_contract(application) -> bool:
    return application.funding == Funding.PAID


def contract_of(application) -> ContractInfo | None:
    """The signed paid-study contract of the application, if one is recorded."""
    number = (application.contract_number or "").strip()
    if not number or application.contract_signed_on is None:
        return None
    return ContractInfo(number=number, signed_on=application.contract_signed_on)


def contract_ok(application) -> bool:
    """True when the application may go into an order as far as money goes: a state grant, or
    paid study with a signed contract."""
    return not needs_contract(application) or contract_of(application) is not None
