"""The registrar's records. Results themselves live in ``gradebook.FinalGrade``; this app reads
them and keeps what the office registrar owns:

* ``thresholds`` -- transfer-GPA thresholds per year of study;
* ``iup`` -- individual study plans (IUP) and the credit limits they must keep;
* ``admission`` -- applications for distance study and rector's orders;
* ``summer`` -- the summer semester and registrations for it;
* ``graduation`` -- final attestation events and their results.
"""

from .admission import (
    OPEN_APPLICATION_STATUSES,
    AdmissionApplication,
    ApplicationDocument,
    ApplicationStatus,
    DocumentKind,
    OrderKind,
    OrderLine,
    OrderStatus,
    RectorOrder,
)
from .graduation import (
    AttestationFormat,
    AttestationKind,
    FinalAttestationEvent,
    FinalAttestationResult,
)
from .iup import CreditLimits, IndividualPlan, IndividualPlanItem, PlanStatus
from .summer import SummerReason, SummerRegistration, SummerRegistrationStatus, SummerSemester
from .thresholds import TransferThreshold

__all__ = [
    "OPEN_APPLICATION_STATUSES",
    "AdmissionApplication",
    "ApplicationDocument",
    "ApplicationStatus",
    "AttestationFormat",
    "AttestationKind",
    "CreditLimits",
    "DocumentKind",
    "FinalAttestationEvent",
    "FinalAttestationResult",
    "IndividualPlan",
    "IndividualPlanItem",
    "OrderKind",
    "OrderLine",
    "OrderStatus",
    "PlanStatus",
    "RectorOrder",
    "SummerReason",
    "SummerRegistration",
    "SummerRegistrationStatus",
    "SummerSemester",
    "TransferThreshold",
]
