"""Every write to the academic structure. Each checks its policy and runs in one transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.accounts import services as account_services
from qashyq.accounts.roles import Role, ScopeType
from qashyq.core.errors import PermissionDenied, ValidationFailed

from . import policies
from .models import (
    CourseOffering,
    DistanceGround,
    Enrollment,
    Funding,
    Program,
    StudentProfile,
    StudentStatus,
    StudyGroup,
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


def _group_code_taken(code: str) -> bool:
    # Compared in Python: SQLite's case-insensitive match folds only ASCII, and group codes are
    # Cyrillic ("АР-26-01" vs "ар-26-01"). A university has hundreds of groups, not millions.
    folded = code.casefold()
    return any(
        existing.casefold() == folded
        for existing in StudyGroup.objects.values_list("code", flat=True).iterator()
    )


def group_create(
    *,
    actor,
    code: str,
    program: Program,
    admission_year: int,
    year_of_study: int,
    language: str = "kk",
    curator=None,
    check: bool = True,
) -> StudyGroup:
    if check:
        _require(policies.can_manage_structure(actor))
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(details={"code": _("A group code is required.")})
    if _group_code_taken(code):
        raise ValidationFailed(
            details={"code": _("The group %(code)s already exists.") % {"code": code}}
        )
    if not 1 <= int(year_of_study) <= 8:
        raise ValidationFailed(details={"year_of_study": _("Year of study must be 1 to 8.")})
    return StudyGroup.objects.create(
        code=code,
        program=program,
        admission_year=admission_year,
        year_of_study=year_of_study,
        language=language,
        curator=curator,
    )


def student_create(
    *,
    actor,
    username: str,
    first_name: str,
    last_name: str,
    iin: str,
    program: Program,
    student_number: str,
    year_of_study: int,
    funding: str = Funding.STATE_GRANT,
    group: StudyGroup | None = None,
    middle_name: str = "",
    email: str = "",
    password: str | None = None,
    preferred_language: str = "kk",
    shortened_period: bool = False,
    distance_ground: str = DistanceGround.NONE,
    disability_group: int | None = None,
    enrolled_on: datetime.date | None = None,
    is_demo: bool = False,
    check: bool = True,
) -> StudentProfile:
    """Create a student's account, profile and student role; enrol them in the group's offerings
    that have not ended yet."""
    if check:
        _require(policies.can_manage_structure(actor))
    errors: dict[str, str] = {}
    if funding not in Funding.values:
        errors["funding"] = _("Funding must be a state grant or paid.")
    if distance_ground not in DistanceGround.values:
        errors["distance_ground"] = _("Unknown ground for distance study.")
    if disability_group is not None and distance_ground != DistanceGround.SPECIAL_NEEDS:
        errors["disability_group"] = _(
            "A disability group is recorded only with the special-needs ground."
        )
    if group is not None and group.program_id != program.pk:
        errors["group"] = _("The group %(group)s belongs to another program.") % {
            "group": group.code
        }
    if StudentProfile.objects.filter(student_number=student_number).exists():
        errors["student_number"] = _("The record book number %(number)s is already used.") % {
            "number": student_number
        }
    if errors:
        raise ValidationFailed(details=errors)
    with transaction.atomic():
        user = account_services.user_create(
            actor=actor,
            username=username,
            first_name=first_name,
            last_name=last_name,
            middle_name=middle_name,
            email=email,
            iin=iin,
            password=password,
            preferred_language=preferred_language,
            is_student=True,
            is_demo=is_demo,
            check=False,
        )
        profile = StudentProfile.objects.create(
            user=user,
            student_number=student_number,
            program=program,
            group=group,
            year_of_study=year_of_study,
            status=StudentStatus.ACTIVE,
            funding=funding,
            shortened_period=shortened_period,
            distance_ground=distance_ground,
            disability_group=disability_group,
            enrolled_on=enrolled_on,
        )
        account_services.role_assign(actor=actor, user=user, role=Role.STUDENT, check=False)
        if group is not None:
            # only the offerings still running or ahead: a student joining a group later did
            # not study what the group studied in earlier periods
            for offering in group.offerings.filter(period__ends_on__gte=timezone.localdate()):
                Enrollment.objects.get_or_create(
                    offering=offering, student=user, defaults={"group": group}
                )
    return profile


def offering_create(
    *,
    actor,
    discipline,
    period,
    language: str = "kk",
    groups=(),
    tutors=(),
    check: bool = True,
) -> CourseOffering:
    """Create an offering and enrol every student of its groups."""
    if check:
        _require(policies.can_manage_structure(actor))
    if CourseOffering.objects.filter(
        discipline=discipline, period=period, language=language
    ).exists():
        raise ValidationFailed(_("This discipline is already offered in this period."))
    with transaction.atomic():
        offering = CourseOffering.objects.create(
            discipline=discipline, period=period, language=language
        )
        offering.tutors.set(tutors)
        for tutor in tutors:
            account_services.role_assign(
                actor=actor,
                user=tutor,
                role=Role.TUTOR,
                scope_type=ScopeType.COURSE,
                scope_id=offering.pk,
                check=False,
            )
        offering_add_groups(actor=actor, offering=offering, groups=groups, check=False)
    return offering


def offering_add_groups(*, actor, offering: CourseOffering, groups, check: bool = True) -> int:
    """Attach groups to an offering and enrol their students; returns how many were enrolled."""
    if check:
        _require(policies.can_manage_structure(actor))
    created = 0
    with transaction.atomic():
        for group in groups:
            offering.groups.add(group)
            existing = set(
                Enrollment.objects.filter(offering=offering).values_list("student_id", flat=True)
            )
            new = [
                Enrollment(offering=offering, student_id=user_id, group=group)
                for user_id in group.students.filter(status=StudentStatus.ACTIVE).values_list(
                    "user_id", flat=True
                )
                if user_id not in existing
            ]
            Enrollment.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
    return created


# --- bulk import of students, groups and staff ---------------------------------------------------
# Reading and checking the file lives in imports.py (nothing there writes); these two services are
# the dry run and the write. The write checks every row again and creates everything in one
# transaction: a row that fails at write time rolls the whole import back.


def people_import_check(*, actor, kind: str, upload):
    """Dry run: read an uploaded XLSX/CSV file and check every row. Writes nothing.

    Returns an ``imports.ImportReport``; raises ValidationFailed when the file can't be read.
    """
    from . import imports
    from .formats.tables import read_table

    _require(policies.can_import_people(actor))
    if kind not in imports.ImportKind.values:
        raise ValidationFailed(_("Unknown kind of import."))
    table = read_table(upload)
    mapped = imports.keyed_rows(kind, table)
    if not mapped.errors:
        report = imports.validate(kind, mapped.rows, actor=actor)
        report.ignored_columns = mapped.ignored_columns
        mapped = report
    mapped.file_name = str(getattr(upload, "name", ""))[:200]
    return mapped


# Columns every people file maps onto the account itself (students and staff alike).
IMPORTED_ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "middle_name",
    "iin",
    "email",
    "password",
    "preferred_language",
)
IMPORTED_STUDENT_FIELDS = (
    "program",
    "group",
    "student_number",
    "year_of_study",
    "funding",
    "shortened_period",
    "distance_ground",
    "disability_group",
)


def _fields(data: dict, names: tuple[str, ...]) -> dict:
    return {name: data[name] for name in names}


def _import_student(actor, data: dict) -> None:
    student_create(
        actor=actor,
        check=False,
        **_fields(data, IMPORTED_ACCOUNT_FIELDS),
        **_fields(data, IMPORTED_STUDENT_FIELDS),
    )


def _import_group(actor, data: dict) -> None:
    group_create(actor=actor, check=False, **data)


def _import_staff_member(actor, data: dict) -> None:
    user = account_services.user_create(
        actor=actor, check=False, **_fields(data, IMPORTED_ACCOUNT_FIELDS)
    )
    account_services.role_assign(
        actor=actor,
        user=user,
        role=data["role"],
        scope_type=data["scope_type"],
        scope_id=data["scope_id"],
        reason=_("Imported from a staff file."),
        check=False,
    )
    if data["offering"] is not None and data["role"] == Role.TUTOR:
        data["offering"].tutors.add(user)


def people_import(*, actor, kind: str, rows, file_name: str = "") -> int:
    """Check ``rows`` (as kept from the dry run) again and create them all, or nothing.

    Returns the number of rows imported; raises ``imports.ImportRejected`` listing the bad rows.
    """
    from django.db import IntegrityError

    from qashyq.core.errors import ApplicationError
    from qashyq.core.services import audit_record

    from . import imports

    _require(policies.can_import_people(actor))
    report = imports.validate(kind, rows, actor=actor)
    if report.errors:
        raise imports.ImportRejected(report.errors)
    if not report.clean:
        raise ValidationFailed(_("There is nothing to import."))
    writer = {
        imports.ImportKind.STUDENTS: _import_student,
        imports.ImportKind.GROUPS: _import_group,
        imports.ImportKind.STAFF: _import_staff_member,
    }[kind]
    with transaction.atomic():
        for row in report.clean:
            try:
                writer(actor, row.data)
            except ApplicationError as exc:
                details = exc.details if isinstance(exc.details, dict) else {"": exc.message}
                raise imports.ImportRejected(
                    [imports.RowError(row.number, str(k), str(v)) for k, v in details.items()]
                ) from exc
            except IntegrityError as exc:
                message = _("This row conflicts with data saved meanwhile; nothing was imported.")
                raise imports.ImportRejected([imports.RowError(row.number, "", message)]) from exc
        audit_record(
            actor=actor,
            action=f"import.{kind}",
            object_type="academics.import",
            object_id=kind,
            new={"rows": len(report.clean), "file": file_name},
        )
    return len(report.clean)
