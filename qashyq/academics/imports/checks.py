"""Checking every row against the file itself and the database; nothing here writes."""

from __future__ import annotations

import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from qashyq.accounts.iin import iin_error
from qashyq.accounts.models import User
from qashyq.accounts.policies import can_manage_roles
from qashyq.accounts.roles import STAFF_ROLES, Role, ScopeType
from qashyq.core.errors import ValidationFailed

from ..models import (
    CourseOffering,
    DistanceGround,
    Faculty,
    Funding,
    Program,
    StudentProfile,
    StudyGroup,
)
from .columns import PRIVILEGED_ROLES, ImportKind, column_keys
from .report import CleanRow, ImportReport, RowError
from .values import (
    FUNDING_EXTRA,
    LANGUAGE_EXTRA,
    NO,
    YES,
    choice_aliases,
    int_in,
    norm,
    normalise_iin,
    username_base,
)


class _Checker:
    """Collects errors and cross-row duplicates for one validation run."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.seen: dict[str, dict[str, int]] = {}
        self.languages = choice_aliases(settings.LANGUAGES, LANGUAGE_EXTRA)

    def error(self, row: int, column: str, message: str) -> None:
        self.report.errors.append(RowError(row, column, message))

    def unique_in_file(self, row: int, column: str, value: str) -> bool:
        if not value:
            return True
        seen = self.seen.setdefault(column, {})
        key = value.casefold()
        if key in seen:
            self.error(
                row,
                column,
                _("%(value)s is repeated: row %(first)s has it too.")
                % {"value": value, "first": seen[key]},
            )
            return False
        seen[key] = row
        return True


def _existing(model, field_name: str, values, *, lower: bool = False) -> set[str]:
    values = {v for v in values if v}
    if not values:
        return set()
    if lower:
        found = (
            model.objects.annotate(_v=Lower(field_name))
            .filter(_v__in={v.lower() for v in values})
            .values_list("_v", flat=True)
        )
        return {v.casefold() for v in found}
    return set(
        model.objects.filter(**{f"{field_name}__in": values}).values_list(field_name, flat=True)
    )


def _by_code(model, codes) -> dict[str, Any]:
    """Objects whose code matches (ignoring case) one of ``codes``, keyed by the casefolded code."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    variants = codes | {c.upper() for c in codes} | {c.lower() for c in codes}
    qs = model.objects.filter(code__in=variants)
    if model is StudyGroup:
        qs = qs.select_related("program")
    return {obj.code.casefold(): obj for obj in qs}


def _person(check: _Checker, number: int, values: dict[str, str], *, iin_required: bool):
    """Validate the person columns shared by students and staff; return the cleaned dict."""
    data: dict[str, Any] = {}
    for key in ("last_name", "first_name"):
        if not values.get(key):
            check.error(number, key, _("This value is required."))
    for key in ("last_name", "first_name", "middle_name"):
        if len(values.get(key, "")) > 150:
            check.error(number, key, _("At most 150 characters."))
        data[key] = values.get(key, "")
    iin = normalise_iin(values.get("iin", ""))
    if not iin:
        if iin_required:
            check.error(number, "iin", _("An IIN is required for a student."))
    else:
        reason = iin_error(iin)
        if reason:
            check.error(number, "iin", f"{iin}: {reason}")
        else:
            check.unique_in_file(number, "iin", iin)
    data["iin"] = iin
    email = values.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            check.error(
                number, "email", _("%(value)s is not an e-mail address.") % {"value": email}
            )
        else:
            check.unique_in_file(number, "email", email)
    data["email"] = email
    username = values.get("username", "")
    if username:
        try:
            User.username_validator(username)
        except ValidationError:
            check.error(
                number,
                "username",
                _("A login may hold only letters, digits and @ . + - _ (got %(value)s).")
                % {"value": username},
            )
        else:
            check.unique_in_file(number, "username", username)
    data["username"] = username
    language = values.get("language", "")
    if language:
        choice = check.languages.get(norm(language))
        if choice is None:
            check.error(
                number,
                "language",
                _("Unknown language %(value)s: use kk, ru or en.") % {"value": language},
            )
        data["preferred_language"] = choice or "kk"
    else:
        data["preferred_language"] = "kk"
    password = values.get("password", "")
    if password:
        try:
            validate_password(password)
        except ValidationError as exc:
            check.error(number, "password", " ".join(exc.messages))
    data["password"] = password or None
    return data


def _check_people_against_database(check: _Checker) -> None:
    """IINs, logins and e-mails that already belong to someone, in three queries."""
    report = check.report
    iins = _existing(User, "iin", [c.data["iin"] for c in report.clean])
    usernames = _existing(User, "username", [c.data["username"] for c in report.clean], lower=True)
    emails = _existing(User, "email", [c.data["email"] for c in report.clean], lower=True)
    for row in report.clean:
        data = row.data
        if data["iin"] in iins:
            check.error(
                row.number,
                "iin",
                _("The IIN %(iin)s already belongs to another user.") % {"iin": data["iin"]},
            )
        if data["username"] and data["username"].casefold() in usernames:
            check.error(
                row.number,
                "username",
                _("The username “%(username)s” is already taken.") % {"username": data["username"]},
            )
        if data["email"] and data["email"].casefold() in emails:
            check.error(
                row.number,
                "email",
                _("The e-mail %(email)s already belongs to another user.")
                % {"email": data["email"]},
            )


def _generate_usernames(report: ImportReport) -> None:
    """Give every row without a login ``surname.initial``, numbered when that is taken."""
    pending = [row for row in report.clean if not row.data["username"]]
    if not pending:
        return
    bases = {username_base(r.data["last_name"], r.data["first_name"]) for r in pending}
    taken = {r.data["username"].casefold() for r in report.clean if r.data["username"]}
    condition = reduce(or_, (Q(username__istartswith=b) for b in bases))
    taken |= {
        u.casefold() for u in User.objects.filter(condition).values_list("username", flat=True)
    }
    for row in pending:
        base = username_base(row.data["last_name"], row.data["first_name"])
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate)
        row.data["username"] = candidate
        row.data["username_generated"] = True


def _validate_students(check: _Checker) -> None:
    report = check.report
    groups = _by_code(StudyGroup, [v.get("group", "") for _n, v in report.rows])
    programs = _by_code(Program, [v.get("program", "") for _n, v in report.rows])
    fundings = choice_aliases(Funding.choices, FUNDING_EXTRA)
    grounds = choice_aliases(DistanceGround.choices, {"-": "", "нет": "", "жоқ": "", "no": ""})
    for number, values in report.rows:
        before = len(report.errors)
        data = _person(check, number, values, iin_required=True)
        group = program = None
        group_code, program_code = values.get("group", ""), values.get("program", "")
        if group_code:
            group = groups.get(group_code.casefold())
            if group is None:
                check.error(
                    number, "group", _("Unknown group code %(code)s.") % {"code": group_code}
                )
        if program_code:
            program = programs.get(program_code.casefold())
            if program is None:
                check.error(
                    number, "program", _("Unknown program code %(code)s.") % {"code": program_code}
                )
        if not group_code and not program_code:
            check.error(number, "group", _("Give the student's group or at least the program."))
        if group is not None and program is not None and group.program_id != program.pk:
            check.error(
                number,
                "program",
                _("The group %(group)s belongs to the program %(program)s, not %(given)s.")
                % {"group": group.code, "program": group.program.code, "given": program.code},
            )
        program = program or (group.program if group else None)
        number_value = values.get("student_number", "")
        if not number_value:
            check.error(number, "student_number", _("This value is required."))
        elif len(number_value) > 32:
            check.error(number, "student_number", _("At most 32 characters."))
        else:
            check.unique_in_file(number, "student_number", number_value)
        year_raw = values.get("year_of_study", "")
        year = int_in(year_raw, 1, 8) if year_raw else (group.year_of_study if group else None)
        if year is None and (year_raw or group_code == ""):
            check.error(number, "year_of_study", _("Year of study must be 1 to 8."))
        funding = fundings.get(norm(values.get("funding", "")))
        if funding is None:
            check.error(
                number,
                "funding",
                _("Funding must be “grant” (state grant) or “paid”, not “%(value)s”.")
                % {"value": values.get("funding", "")},
            )
        ground = grounds.get(norm(values.get("distance_ground", "")))
        if ground is None:
            check.error(
                number,
                "distance_ground",
                _("Unknown ground for distance study: %(value)s.")
                % {"value": values.get("distance_ground", "")},
            )
        disability_raw = values.get("disability_group", "")
        disability = None
        if disability_raw:
            disability = int_in(disability_raw, 1, 3)
            if disability is None:
                check.error(number, "disability_group", _("A disability group is 1, 2 or 3."))
            elif ground != DistanceGround.SPECIAL_NEEDS:
                check.error(
                    number,
                    "disability_group",
                    _("A disability group is recorded only with the special-needs ground."),
                )
        shortened = norm(values.get("shortened_period", ""))
        if shortened not in YES | NO:
            check.error(number, "shortened_period", _("Write yes or no."))
        if len(report.errors) == before:
            data.update(
                group=group,
                program=program,
                student_number=number_value,
                year_of_study=year,
                funding=funding,
                distance_ground=ground,
                disability_group=disability,
                shortened_period=shortened in YES,
            )
            report.clean.append(CleanRow(number, data))
    numbers = _existing(
        StudentProfile, "student_number", [c.data["student_number"] for c in report.clean]
    )
    for row in report.clean:
        if row.data["student_number"] in numbers:
            check.error(
                row.number,
                "student_number",
                _("The record book number %(number)s is already used.")
                % {"number": row.data["student_number"]},
            )
    _check_people_against_database(check)


def _validate_groups(check: _Checker) -> None:
    report = check.report
    programs = _by_code(Program, [v.get("program", "") for _n, v in report.rows])
    existing = _by_code(StudyGroup, [v.get("code", "") for _n, v in report.rows])
    curator_names = {v.get("curator", "") for _n, v in report.rows} - {""}
    curators = {
        u.username.casefold(): u
        for u in User.objects.annotate(_u=Lower("username")).filter(
            _u__in={c.lower() for c in curator_names}
        )
    }
    languages = check.languages
    this_year = datetime.date.today().year  # noqa: DTZ011 - a calendar year, zone irrelevant
    for number, values in report.rows:
        before = len(report.errors)
        code = values.get("code", "")
        if not code:
            check.error(number, "code", _("This value is required."))
        elif len(code) > 32:
            check.error(number, "code", _("At most 32 characters."))
        elif code.casefold() in existing:
            check.error(number, "code", _("The group %(code)s already exists.") % {"code": code})
        else:
            check.unique_in_file(number, "code", code)
        program_code = values.get("program", "")
        program = programs.get(program_code.casefold()) if program_code else None
        if program is None:
            check.error(
                number,
                "program",
                _("Unknown program code %(code)s.") % {"code": program_code}
                if program_code
                else _("This value is required."),
            )
        admission_year = int_in(values.get("admission_year", ""), 1990, this_year + 1)
        if admission_year is None:
            check.error(
                number,
                "admission_year",
                _("Year of admission must be a year from 1990 to %(max)s.")
                % {"max": this_year + 1},
            )
        year = int_in(values.get("year_of_study", ""), 1, 8)
        if year is None:
            check.error(number, "year_of_study", _("Year of study must be 1 to 8."))
        language = languages.get(norm(values.get("language", "") or "kk"))
        if language is None:
            check.error(
                number,
                "language",
                _("Unknown language %(value)s: use kk, ru or en.") % {"value": values["language"]},
            )
        curator = None
        if values.get("curator"):
            curator = curators.get(values["curator"].casefold())
            if curator is None:
                check.error(
                    number,
                    "curator",
                    _("No user has the login %(value)s.") % {"value": values["curator"]},
                )
        if len(report.errors) == before:
            report.clean.append(
                CleanRow(
                    number,
                    {
                        "code": code,
                        "program": program,
                        "admission_year": admission_year,
                        "year_of_study": year,
                        "language": language,
                        "curator": curator,
                    },
                )
            )


_SCOPE_MODELS = {
    ScopeType.FACULTY: Faculty,
    ScopeType.PROGRAM: Program,
    ScopeType.GROUP: StudyGroup,
}


def _validate_staff(check: _Checker, actor) -> None:
    report = check.report
    roles = choice_aliases([(r.value, r.label) for r in Role if r in STAFF_ROLES], {})
    all_roles = choice_aliases(Role.choices, {})
    scopes = choice_aliases(ScopeType.choices, {})
    codes: dict[str, set[str]] = {t: set() for t in _SCOPE_MODELS}
    for _n, values in report.rows:
        scope_type = scopes.get(norm(values.get("scope_type", "") or "site"))
        if scope_type in codes:
            codes[scope_type].add(values.get("scope_code", ""))
    found = {t: _by_code(model, codes[t]) for t, model in _SCOPE_MODELS.items()}
    offering_ids = {
        int(v.get("scope_code")) for _n, v in report.rows if v.get("scope_code", "").isdigit()
    }
    offerings = CourseOffering.objects.in_bulk(offering_ids) if offering_ids else {}
    may_grant_privileged = can_manage_roles(actor)
    for number, values in report.rows:
        before = len(report.errors)
        data = _person(check, number, values, iin_required=False)
        role_raw = values.get("role", "")
        role = roles.get(norm(role_raw))
        if role is None:
            if all_roles.get(norm(role_raw)):
                message = _("The role %(value)s is not a staff role; import students separately.")
            else:
                message = _("Unknown role %(value)s.")
            check.error(number, "role", message % {"value": role_raw})
        elif role in PRIVILEGED_ROLES and not may_grant_privileged:
            check.error(
                number,
                "role",
                _("Only a system administrator may grant the role %(value)s.")
                % {"value": Role(role).label},
            )
        scope_type = scopes.get(norm(values.get("scope_type", "") or "site"))
        scope_code = values.get("scope_code", "")
        scope_id = offering = None
        if scope_type is None:
            check.error(
                number,
                "scope_type",
                _("Unknown scope %(value)s: use site, faculty, program, group or course.")
                % {"value": values["scope_type"]},
            )
        elif scope_type == ScopeType.SITE:
            if scope_code:
                check.error(number, "scope_code", _("A site-wide role takes no scope code."))
        elif not scope_code:
            check.error(number, "scope_code", _("Give the code of the faculty, program or group."))
        elif scope_type == ScopeType.COURSE:
            offering = offerings.get(int(scope_code)) if scope_code.isdigit() else None
            if offering is None:
                check.error(
                    number,
                    "scope_code",
                    _("No course offering has the number %(value)s.") % {"value": scope_code},
                )
            else:
                scope_id = offering.pk
        else:
            target = found[scope_type].get(scope_code.casefold())
            if target is None:
                check.error(
                    number,
                    "scope_code",
                    _("Unknown %(scope)s code %(code)s.")
                    % {"scope": ScopeType(scope_type).label.lower(), "code": scope_code},
                )
            else:
                scope_id = target.pk
        if len(report.errors) == before:
            data.update(role=role, scope_type=scope_type, scope_id=scope_id, offering=offering)
            report.clean.append(CleanRow(number, data))
    _check_people_against_database(check)


def validate(kind: str, rows: list[tuple[int, dict[str, str]]], *, actor) -> ImportReport:
    """Check every row; the report's ``clean`` rows are ready to write when ``errors`` is empty."""
    if kind not in ImportKind.values:
        raise ValidationFailed(_("Unknown kind of import."))
    report = ImportReport(kind=kind, rows=[(int(n), dict(v)) for n, v in rows])
    check = _Checker(report)
    if kind == ImportKind.STUDENTS:
        _validate_students(check)
    elif kind == ImportKind.GROUPS:
        _validate_groups(check)
    else:
        _validate_staff(check, actor)
    if kind != ImportKind.GROUPS:
        _generate_usernames(report)
    order = {key: position for position, key in enumerate(column_keys(kind))}
    report.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
    return report
