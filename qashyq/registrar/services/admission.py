"""Applications for distance study: filing, documents, submitting, withdrawing, the admission
committee's decision and the paid-study contract the registrar records.

The life of an application (``ApplicationStatus``)::

    draft --submit--> submitted --approve--> approved --(rector's order applied)--> ordered
      |                   |     \\--reject--> rejected
      \\----withdraw------/--> withdrawn

A person has at most one open application (draft, submitted or approved). A student with a
profile applies within their own program (moving to another program is another order). The
documents each ground needs (``REQUIRED_DOCUMENTS``, and an identity document for an applicant
who is not a student yet) are checked on submit. Every change of status is audit-logged.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import DistanceGround, Funding, Program, StudentProfile
from qashyq.core import files
from qashyq.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .. import contracts
from ..models import (
    OPEN_APPLICATION_STATUSES,
    AdmissionApplication,
    ApplicationDocument,
    ApplicationStatus,
    DocumentKind,
)
from ..policies import admission as policies

DOCUMENT_KINDS = frozenset({"pdf", "jpeg", "png"})
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_FOLDER = "admission"
MAX_DOCUMENTS = 20

# The document each ground needs (the DLT regulation: a medical report for special educational
# needs, the exchange or invitation letter, the order on the business trip, the certificate of
# the other institution for additional education).
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    DistanceGround.SPECIAL_NEEDS: (DocumentKind.MEDICAL,),
    DistanceGround.EXCHANGE_ABROAD: (DocumentKind.EXCHANGE,),
    DistanceGround.BUSINESS_TRIP: (DocumentKind.BUSINESS_TRIP,),
    DistanceGround.ADDITIONAL_EDUCATION: (DocumentKind.EDUCATION,),
}
GROUNDS = tuple(value for value in DistanceGround.values if value)


def max_upload_bytes() -> int:
    return getattr(settings, "QASHYQ_ADMISSION_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def required_documents(application: AdmissionApplication) -> list[str]:
    """The document kinds the application must carry before it is submitted."""
    kinds = list(REQUIRED_DOCUMENTS.get(application.ground, ()))
    if not StudentProfile.objects.filter(user_id=application.applicant_id).exists():
        kinds.insert(0, DocumentKind.IDENTITY)
    return kinds


def missing_documents(application: AdmissionApplication) -> list[str]:
    present = set(application.documents.values_list("kind", flat=True))
    return [kind for kind in required_documents(application) if kind not in present]


# --- checking input ------------------------------------------------------------------------------


def _clean(*, actor, program, ground: str, funding: str, statement: str, disability_group) -> dict:
    """The application's fields, checked; ValidationFailed lists every problem at once."""
    errors: dict[str, str] = {}
    if not isinstance(program, Program):
        errors["program"] = _("Choose an educational program.")
    if ground not in GROUNDS:
        errors["ground"] = _("Choose a ground for distance study.")
    if funding not in Funding.values:
        errors["funding"] = _("Choose a state grant or paid study.")
    statement = (statement or "").strip()
    if not statement:
        errors["statement"] = _("Write what you ask the rector and why.")
    if disability_group in ("", None):
        disability_group = None
    else:
        try:
            disability_group = int(disability_group)
        except (TypeError, ValueError):
            disability_group = -1
        if ground != DistanceGround.SPECIAL_NEEDS:
            errors["disability_group"] = _(
                "A disability group is given only with the special-needs ground."
            )
        elif not 1 <= disability_group <= 3:
            errors["disability_group"] = _("The disability group is 1, 2 or 3.")
    profile = StudentProfile.objects.filter(user_id=actor.pk).only("program_id").first()
    if profile is not None and isinstance(program, Program) and profile.program_id != program.pk:
        errors["program"] = _(
            "You study in another program: distance study is granted within your own program."
        )
    if errors:
        raise ValidationFailed(" ".join(errors.values()), details=errors)
    return {
        "program": program,
        "ground": ground,
        "funding": funding,
        "statement": statement,
        "disability_group": disability_group,
    }


def _locked(application: AdmissionApplication) -> AdmissionApplication:
    return AdmissionApplication.objects.select_for_update().get(pk=application.pk)


def _require_status(application: AdmissionApplication, *statuses: str, message) -> None:
    if application.status not in statuses:
        raise Conflict(message, code="application_status", details={"status": application.status})


def _values(application: AdmissionApplication) -> dict:
    return {
        "status": application.status,
        "program": application.program_id,
        "ground": application.ground,
        "disability_group": application.disability_group,
        "funding": application.funding,
    }


# --- the applicant -------------------------------------------------------------------------------


def application_create(
    *,
    actor,
    program: Program,
    ground: str,
    funding: str,
    statement: str,
    disability_group: int | None = None,
) -> AdmissionApplication:
    """A new draft application of ``actor``, with a draft IUP started when it can be."""
    if not policies.can_file_application(actor):
        raise PermissionDenied(_("Sign in to file an application."))
    values = _clean(
        actor=actor,
        program=program,
        ground=ground,
        funding=funding,
        statement=statement,
        disability_group=disability_group,
    )
    open_one = AdmissionApplication.objects.filter(
        applicant=actor, status__in=OPEN_APPLICATION_STATUSES
    ).exists()
    if open_one:
        raise Conflict(
            _("You already have an open application; finish or withdraw it first."),
            code="application_open",
        )
    try:
        with transaction.atomic():
            application = AdmissionApplication.objects.create(applicant=actor, **values)
            audit_record(
                actor=actor, action="dlt_application.created", obj=application,
                new=_values(application),
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            _("You already have an open application; finish or withdraw it first."),
            code="application_open",
        ) from None
    _try_start_plan(actor, application)
    return application


def _current_year():
    from qashyq.academics.selectors import current_year

    return current_year()


def _try_start_plan(actor, application: AdmissionApplication) -> None:
    """Start the draft IUP when it can be; an error there (no open academic year, an applicant
    the IUP part does not let start their own plan) leaves the application without a plan: the
    committee's approval starts it, or the applicant retries from the application's page."""
    try:
        with transaction.atomic():
            application_start_plan(actor=actor, application=application)
    except ApplicationError:
        pass


def application_start_plan(*, actor, application: AdmissionApplication) -> AdmissionApplication:
    """Start the applicant's draft IUP for the current academic year (``services.iup.iup_start``)
    and link it to the application. The applicant or the admission committee may."""
    if not (
        policies.can_edit_application(actor, application)
        or policies.can_decide_application(actor, application)
    ):
        raise PermissionDenied(_("Only the applicant or the committee starts the draft plan."))
    from .iup import iup_start  # the IUP part's service; imported late on purpose

    year = _current_year()
    if year is None:
        raise ValidationFailed(_("No academic year is open; the plan cannot be started yet."))
    with transaction.atomic():
        locked = _locked(application)
        _require_status(
            locked,
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.APPROVED,
            message=_("The application is closed; its plan is kept as it is."),
        )
        if locked.draft_plan_id is None:
            profile = StudentProfile.objects.filter(user_id=locked.applicant_id).first()
            plan = iup_start(
                actor=actor,
                student=locked.applicant,
                academic_year=year,
                program=locked.program,
                year_of_study=profile.year_of_study if profile is not None else 1,
            )
            locked.draft_plan = plan
            locked.save(update_fields=["draft_plan", "updated_at"])
    application.draft_plan = locked.draft_plan
    return locked


def application_update(
    *,
    actor,
    application: AdmissionApplication,
    program: Program,
    ground: str,
    funding: str,
    statement: str,
    disability_group: int | None = None,
) -> AdmissionApplication:
    """Change a draft's program, ground, funding, text or disability group."""
    if not policies.can_edit_application(actor, application):
        raise PermissionDenied(_("Only the applicant changes the application."))
    values = _clean(
        actor=actor,
        program=program,
        ground=ground,
        funding=funding,
        statement=statement,
        disability_group=disability_group,
    )
    with transaction.atomic():
        locked = _locked(application)
        _require_status(
            locked,
            ApplicationStatus.DRAFT,
            message=_("A submitted application can no longer be changed."),
        )
        old = _values(locked)
        program_changed = locked.program_id != values["program"].pk
        for name, value in values.items():
            setattr(locked, name, value)
        if program_changed:
            locked.draft_plan = None  # the plan was of the other program
        locked.save()
        audit_record(
            actor=actor, action="dlt_application.changed", obj=locked, old=old,
            new=_values(locked),
        )  # fmt: skip
    if program_changed:
        _try_start_plan(actor, locked)
    return locked


def _delete_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def application_add_document(
    *, actor, application: AdmissionApplication, kind: str, upload
) -> ApplicationDocument:
    """Attach a PDF, JPEG or PNG to a draft. The file is checked by its content; a refused file
    is not stored."""
    if not policies.can_edit_application(actor, application):
        raise PermissionDenied(_("Only the applicant adds documents."))
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            _("Choose what the document is."), details={"kind": _("Choose what the document is.")}
        )
    if upload is None:
        raise ValidationFailed(_("Choose a file."), details={"file": _("Choose a file.")})
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict(
            _("Documents are added while the application is a draft."), code="application_status"
        )
    if application.documents.count() >= MAX_DOCUMENTS:
        raise ValidationFailed(
            _("An application carries at most %(count)s documents.") % {"count": MAX_DOCUMENTS}
        )
    stored = files.accept_upload(
        upload,
        folder=f"{UPLOAD_FOLDER}/{timezone.localdate():%Y}",
        max_bytes=max_upload_bytes(),
        allowed_kinds=DOCUMENT_KINDS,
    )
    try:
        with transaction.atomic():
            locked = _locked(application)
            _require_status(
                locked,
                ApplicationStatus.DRAFT,
                message=_("Documents are added while the application is a draft."),
            )
            document = ApplicationDocument.objects.create(
                application=locked,
                kind=kind,
                file=stored.name,
                original_name=stored.original_name[:255] or "document",
                content_type=stored.mime_type[:100],
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=actor,
            )
    except BaseException:
        _delete_files([stored.name])
        raise
    return document


def application_remove_document(*, actor, document: ApplicationDocument) -> None:
    application = document.application
    if not policies.can_edit_application(actor, application):
        raise PermissionDenied(_("Only the applicant removes documents."))
    with transaction.atomic():
        locked = _locked(application)
        _require_status(
            locked,
            ApplicationStatus.DRAFT,
            message=_("Documents are removed while the application is a draft."),
        )
        name = document.file.name
        ApplicationDocument.objects.filter(pk=document.pk).delete()
        transaction.on_commit(lambda: _delete_files([name]))


def application_submit(*, actor, application: AdmissionApplication) -> AdmissionApplication:
    """Send a draft to the admission committee; every required document must be attached."""
    if not policies.can_edit_application(actor, application):
        raise PermissionDenied(_("Only the applicant submits the application."))
    with transaction.atomic():
        locked = _locked(application)
        _require_status(
            locked, ApplicationStatus.DRAFT, message=_("The application is already submitted.")
        )
        missing = missing_documents(locked)
        if missing:
            labels = ", ".join(str(DocumentKind(kind).label) for kind in missing)
            raise ValidationFailed(
                _("Attach the required documents first: %(documents)s.") % {"documents": labels},
                code="documents_missing",
                details={"missing": missing},
            )
        old = _values(locked)
        locked.status = ApplicationStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_record(
            actor=actor, action="dlt_application.submitted", obj=locked, old=old,
            new=_values(locked),
        )  # fmt: skip
    return locked


def application_withdraw(
    *, actor, application: AdmissionApplication, reason: str = ""
) -> AdmissionApplication:
    """The applicant takes the application back, before the committee decides."""
    if not policies.can_withdraw_application(actor, application):
        raise PermissionDenied(_("Only the applicant withdraws the application."))
    with transaction.atomic():
        locked = _locked(application)
        _require_status(
            locked,
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            message=_("The admission committee has decided; the application cannot be withdrawn."),
        )
        old = _values(locked)
        locked.status = ApplicationStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action="dlt_application.withdrawn", obj=locked, old=old,
            new=_values(locked), reason=(reason or "").strip(),
        )  # fmt: skip
    return locked


# --- the admission committee ---------------------------------------------------------------------


def _decide(actor, application, *, status: str, note: str, action: str) -> AdmissionApplication:
    with transaction.atomic():
        locked = _locked(application)
        _require_status(
            locked,
            ApplicationStatus.SUBMITTED,
            message=_("Only a submitted application is decided (this one is: %(status)s).")
            % {"status": locked.get_status_display()},
        )
        old = _values(locked)
        locked.status = status
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decision_note = note
        locked.save(
            update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"]
        )
        audit_record(
            actor=actor, action=action, obj=locked, old=old, new=_values(locked), reason=note
        )
    return locked


def application_approve(
    *, actor, application: AdmissionApplication, note: str = ""
) -> AdmissionApplication:
    """SUBMITTED -> APPROVED; starts the draft IUP if the applicant could not."""
    if not policies.can_decide_application(actor, application):
        raise PermissionDenied(_("Only the admission committee decides applications."))
    with transaction.atomic():
        approved = _decide(
            actor,
            application,
            status=ApplicationStatus.APPROVED,
            note=(note or "").strip(),
            action="dlt_application.approved",
        )
        if approved.draft_plan_id is None:
            _try_start_plan(actor, approved)
    return approved


def application_reject(
    *, actor, application: AdmissionApplication, reason: str
) -> AdmissionApplication:
    if not policies.can_decide_application(actor, application):
        raise PermissionDenied(_("Only the admission committee decides applications."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason for the refusal."),
            details={"reason": _("Give the reason for the refusal.")},
        )
    return _decide(
        actor,
        application,
        status=ApplicationStatus.REJECTED,
        note=reason,
        action="dlt_application.rejected",
    )


def application_record_contract(
    *, actor, application: AdmissionApplication, number: str, signed_on
) -> AdmissionApplication:
    """The registrar records the signed paid-study contract (until the finance part does)."""
    if not policies.can_record_contract(actor, application):
        raise PermissionDenied(_("Only the registrar records contracts."))
    number = (number or "").strip()
    errors = {}
    if not number:
        errors["contract_number"] = _("Give the contract's number.")
    elif len(number) > 64:
        errors["contract_number"] = _("The number is too long.")
    if signed_on is None:
        errors["contract_signed_on"] = _("Give the date the contract was signed.")
    if errors:
        raise ValidationFailed(" ".join(str(v) for v in errors.values()), details=errors)
    with transaction.atomic():
        locked = _locked(application)
        if not contracts.needs_contract(locked):
            raise ValidationFailed(
                _("The application is for a state grant: no contract is needed."),
                code="contract_not_needed",
            )
        _require_status(
            locked,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.APPROVED,
            message=_("A contract is recorded on a submitted or approved application."),
        )
        old = {"number": locked.contract_number, "signed_on": str(locked.contract_signed_on or "")}
        locked.contract_number = number
        locked.contract_signed_on = signed_on
        locked.save(update_fields=["contract_number", "contract_signed_on", "updated_at"])
        audit_record(
            actor=actor, action="dlt_application.contract", obj=locked, old=old,
            new={"number": number, "signed_on": signed_on.isoformat()},
        )  # fmt: skip
    return locked
