"""The academic structure over the API: the current user, programs, disciplines, groups, students.

Thin: each endpoint parses its input, reads through a selector, checks a policy and lets the
schema render. Lists are paginated (``limit``/``offset``, with ``total``) and fetch their related
rows in the same query, so a page costs the same number of queries whatever its size.
"""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from qashyq.accounts import services as account_services
from qashyq.accounts.api import AUTH, PUBLIC, PUBLIC_OPENAPI, PersonOut, RoleOut, roles_of
from qashyq.accounts.selectors import children_of, primary_role
from qashyq.core.api import ErrorOut, LimitOffset, NamedOut
from qashyq.core.errors import NotFound, PermissionDenied
from qashyq.core.models import translated

from . import policies, selectors
from .models import (
    DeliveryFormat,
    Program,
    ProgramLevel,
    StudentProfile,
    StudentStatus,
    StudyGroup,
)

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _display(obj, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")())


# --- schemas ------------------------------------------------------------------------------------


class FacultyRef(NamedOut):
    id: int
    code: str


class DepartmentRef(NamedOut):
    id: int
    code: str


class ProgramRef(NamedOut):
    id: int
    code: str


class GroupRef(Schema):
    id: int
    code: str


class ProgramOut(NamedOut):
    id: int
    code: str
    level: str
    level_display: str
    delivery_format: str
    delivery_format_display: str
    duration_years: int
    total_credits: int
    faculty: FacultyRef
    department: DepartmentRef

    @staticmethod
    def resolve_level_display(obj) -> str:
        return _display(obj, "level")

    @staticmethod
    def resolve_delivery_format_display(obj) -> str:
        return _display(obj, "delivery_format")

    @staticmethod
    def resolve_faculty(obj):
        return obj.department.faculty


class ProgramDetailOut(ProgramOut):
    description: str
    learning_outcomes: str
    admission_criteria: str
    criteria_approved_on: datetime.date | None

    @staticmethod
    def resolve_description(obj) -> str:
        return translated(obj, "description")

    @staticmethod
    def resolve_learning_outcomes(obj) -> str:
        return translated(obj, "learning_outcomes")

    @staticmethod
    def resolve_admission_criteria(obj) -> str:
        return translated(obj, "admission_criteria")


class DisciplineOut(NamedOut):
    id: int
    code: str
    credits: int
    ects: float
    control_form: str
    control_form_display: str
    department: DepartmentRef | None
    programs: list[str] = Field(..., description="Codes of the published programs it belongs to")

    @staticmethod
    def resolve_control_form_display(obj) -> str:
        return _display(obj, "control_form")

    @staticmethod
    def resolve_programs(obj) -> list[str]:
        return [program.code for program in obj.published_programs]


class GroupOut(Schema):
    id: int
    code: str
    program: ProgramRef
    admission_year: int
    year_of_study: int
    language: str
    curator: PersonOut | None
    student_count: int


class StudentSummaryOut(Schema):
    id: int
    student_number: str
    program: ProgramRef
    group: GroupRef | None
    year_of_study: int
    status: str
    status_display: str

    @staticmethod
    def resolve_status_display(obj) -> str:
        return _display(obj, "status")


class StudentOut(StudentSummaryOut):
    user_id: int
    username: str = Field(..., alias="user.username")
    full_name: str = Field(..., alias="user.full_name")
    first_name: str = Field(..., alias="user.first_name")
    last_name: str = Field(..., alias="user.last_name")
    middle_name: str = Field(..., alias="user.middle_name")
    email: str = Field(..., alias="user.email")
    funding: str
    funding_display: str
    iin: str | None = Field(
        None,
        description="Only for the student, their parent, and admin / registrar / admission",
    )

    @staticmethod
    def resolve_funding_display(obj) -> str:
        return _display(obj, "funding")

    @staticmethod
    def resolve_iin(obj, context) -> str | None:
        if _may_see_sensitive(context["request"], obj):
            return obj.user.iin or None
        return None


class StudentDetailOut(StudentOut):
    shortened_period: bool
    distance_ground: str
    distance_ground_display: str
    disability_group: int | None = Field(None, description="Visible to the same callers as IIN")
    enrolled_on: datetime.date | None

    @staticmethod
    def resolve_distance_ground_display(obj) -> str:
        return _display(obj, "distance_ground") if obj.distance_ground else ""

    @staticmethod
    def resolve_disability_group(obj, context) -> int | None:
        if _may_see_sensitive(context["request"], obj):
            return obj.disability_group
        return None


class ChildOut(PersonOut):
    student: StudentSummaryOut | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    first_name: str
    last_name: str
    middle_name: str
    email: str
    iin: str
    phone: str
    preferred_language: str
    primary_role: str | None
    roles: list[RoleOut]
    student: StudentSummaryOut | None
    children: list[ChildOut]


class MeUpdateIn(Schema):
    preferred_language: str = Field(..., max_length=8, examples=["ru"])


# --- helpers ------------------------------------------------------------------------------------


def _may_see_sensitive(request: HttpRequest, profile: StudentProfile) -> bool:
    return policies.can_view_student_iin(request.user, profile)


def _student_rows(user):
    """Students the user may see, with everything a row and its IIN check need joined in."""
    return selectors.visible_students(user).select_related("program__department", "group")


def _me(request: HttpRequest) -> dict:
    user = request.user
    children = children_of(user)
    profiles = {}
    if children:
        rows = _student_rows(user).filter(user_id__in=[child.pk for child in children])
        profiles = {profile.user_id: profile for profile in rows}
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "middle_name": user.middle_name,
        "email": user.email,
        "iin": user.iin,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "primary_role": primary_role(user),
        "roles": roles_of(user),
        "student": selectors.student_profile(user),
        "children": [
            {
                "id": child.pk,
                "username": child.username,
                "full_name": child.full_name,
                "student": profiles.get(child.pk),
            }
            for child in children
        ],
    }


# --- the current user ---------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=AUTH, tags=["me"])
def me(request: HttpRequest):
    """The caller: their roles with scopes, their student record, and their children if a
    parent."""
    return _me(request)


@router.patch(
    "/me",
    response={200: MeOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    auth=AUTH,
    tags=["me"],
)
def me_update(request: HttpRequest, payload: MeUpdateIn):
    """Change the caller's preferred language (``kk``, ``ru`` or ``en``)."""
    account_services.user_set_language(user=request.user, language=payload.preferred_language)
    return _me(request)


# --- programs -----------------------------------------------------------------------------------


@router.get(
    "/programs",
    response=list[ProgramOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    tags=["programs"],
)
@paginate(LimitOffset)
def program_list(
    request: HttpRequest,
    level: ProgramLevel | None = None,
    delivery_format: DeliveryFormat | None = None,
):
    """The public catalogue of educational programs."""
    programs = selectors.published_programs().order_by("code")
    if level:
        programs = programs.filter(level=level)
    if delivery_format:
        programs = programs.filter(delivery_format=delivery_format)
    return programs


@router.get(
    "/programs/{code}",
    response={200: ProgramDetailOut, **ERRORS},
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    tags=["programs"],
)
def program_detail(request: HttpRequest, code: str):
    program = selectors.published_programs().filter(code=code).first()
    if program is None or not policies.can_view_program(request.user, program):
        raise NotFound(_("There is no such program."))
    return program


# --- disciplines --------------------------------------------------------------------------------


def _disciplines(user):
    published = Program.objects.filter(is_published=True).only("id", "code").order_by("code")
    return selectors.visible_disciplines(user).prefetch_related(
        Prefetch("programs", queryset=published, to_attr="published_programs")
    )


@router.get(
    "/disciplines",
    response=list[DisciplineOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    tags=["disciplines"],
)
@paginate(LimitOffset)
def discipline_list(request: HttpRequest, program: str | None = None):
    """Disciplines, optionally only those of one program (``?program=<program code>``)."""
    disciplines = _disciplines(request.user).order_by("code")
    if program:
        disciplines = disciplines.filter(programs__code=program, programs__is_published=True)
    return disciplines


@router.get(
    "/disciplines/{code}",
    response={200: DisciplineOut, **ERRORS},
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    tags=["disciplines"],
)
def discipline_detail(request: HttpRequest, code: str):
    discipline = _disciplines(request.user).filter(code=code).first()
    if discipline is None:
        raise NotFound(_("There is no such discipline."))
    return discipline


# --- groups -------------------------------------------------------------------------------------


def _with_student_count(groups):
    counts = (
        StudentProfile.objects.filter(group_id=OuterRef("pk"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return groups.annotate(student_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


@router.get("/groups", response={200: list[GroupOut], 401: ErrorOut}, auth=AUTH, tags=["groups"])
@paginate(LimitOffset)
def group_list(
    request: HttpRequest,
    program: str | None = None,
    year_of_study: int | None = None,
):
    """Study groups the caller may see: their own group, groups they teach or curate, groups
    within the scope of their staff roles, or all of them for the administration."""
    groups = _with_student_count(selectors.visible_groups(request.user)).order_by("code")
    if program:
        groups = groups.filter(program__code=program)
    if year_of_study:
        groups = groups.filter(year_of_study=year_of_study)
    return groups


@router.get("/groups/{group_id}", response={200: GroupOut, **ERRORS}, auth=AUTH, tags=["groups"])
def group_detail(request: HttpRequest, group_id: int):
    groups = StudyGroup.objects.select_related("program__department", "curator")
    group = _with_student_count(groups).filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("There is no such group."))
    if not policies.can_view_group(request.user, group):
        raise PermissionDenied(_("You are not a member of this group."))
    return group


# --- students -----------------------------------------------------------------------------------


@router.get(
    "/students", response={200: list[StudentOut], 401: ErrorOut}, auth=AUTH, tags=["students"]
)
@paginate(LimitOffset)
def student_list(
    request: HttpRequest,
    group: int | None = None,
    program: str | None = None,
    status: StudentStatus | None = None,
):
    """Students the caller may see (``?group=<group id>``, ``?program=<program code>``,
    ``?status=``). IIN is given only to the student, their parent and admin / registrar /
    admission; others get ``null``."""
    students = _student_rows(request.user).order_by("user__last_name", "user__first_name", "pk")
    if group:
        students = students.filter(group_id=group)
    if program:
        students = students.filter(program__code=program)
    if status:
        students = students.filter(status=status)
    return students


@router.get(
    "/students/{student_id}",
    response={200: StudentDetailOut, **ERRORS},
    auth=AUTH,
    tags=["students"],
)
def student_detail(request: HttpRequest, student_id: int):
    profile = (
        StudentProfile.objects.select_related("user", "program__department", "group")
        .filter(pk=student_id)
        .first()
    )
    if profile is None:
        raise NotFound(_("There is no such student."))
    if not policies.can_view_student(request.user, profile):
        raise PermissionDenied(_("You may not see this student's record."))
    return profile
