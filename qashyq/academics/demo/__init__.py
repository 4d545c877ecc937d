"""Demo data of academics: the Qashyq Academy of Arts.

Run by ``manage.py seed_demo`` after ``qashyq.accounts.demo`` (see the command's docstring for the
``ctx`` it passes). Creates 3 faculties with departments, 6 programs (art history and arts
management fully distance, the four studio programs blended), the previous and the current
academic year with periods and calendar events, 32 disciplines, 10 groups, 300 students and the
course offerings of both semesters of the current year, and grants the scoped staff roles.

The data (names, texts, curricula) lives in ``catalogue.py``; this module creates the rows.
Everything is looked up by a natural key (codes, titles, usernames) before it is created, so a
second run creates nothing. Students, groups and offerings go through the academic services (with
``check=False`` and ``is_demo=True``), which keeps their invariants: a user with a student profile,
the site-wide student role and enrolments in the group's offerings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from qashyq.accounts import services as account_services
from qashyq.accounts.demo import STUDENT_LOGIN, email_for, next_iin, set_demo_password
from qashyq.accounts.models import User
from qashyq.accounts.roles import Role, ScopeType

from .. import services
from ..models import (
    AcademicPeriod,
    AcademicYear,
    CalendarEvent,
    CourseOffering,
    DeliveryFormat,
    Department,
    Discipline,
    DistanceGround,
    EventKind,
    Faculty,
    Funding,
    PeriodKind,
    Program,
    StudentProfile,
    StudentStatus,
    StudyGroup,
)
from .catalogue import (
    CURRICULA,
    DEPARTMENTS,
    DISCIPLINES,
    FACULTIES,
    FATHER_NAMES,
    FEMALE_NAMES,
    GROUPS,
    MALE_NAMES,
    PROGRAMS,
    SCOPED_STAFF,
    SURNAMES,
    curriculum,
    program_values,
)


@dataclass
class StudentSpec:
    username: str
    student_number: str
    first_name: str
    last_name: str
    middle_name: str
    female: bool
    iin: str
    group_index: int
    funding: str
    shortened: bool = False
    ground: str = DistanceGround.NONE
    disability_group: int | None = None
    on_leave: bool = False


def _person_name(rng, female: bool) -> tuple[str, str, str]:
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    suffix = "қызы" if female else "ұлы"
    father = rng.choice(FATHER_NAMES)
    if rng.random() < 0.12:  # a surname in the -ұлы / -қызы form, without a separate patronymic
        return first, rng.choice(FATHER_NAMES) + suffix, ""
    surname = rng.choice(SURNAMES)
    return first, surname + ("а" if female else ""), father + suffix


def group_code(abbr: str, admission_year: int, language: str) -> str:
    return f"{abbr}-{admission_year % 100:02d}{'K' if language == 'kk' else 'R'}"


def student_specs(ctx, year_start: int) -> list[StudentSpec]:
    """Every demo student, drawn from ``ctx.rng`` in the same order on every run."""
    rng = ctx.rng
    abbrs = {p.code: p.abbr for p in PROGRAMS}
    formats = {p.code: p.delivery_format for p in PROGRAMS}
    specs: list[StudentSpec] = []
    for index, (program_code, year, _lang, size, _curator) in enumerate(GROUPS):
        admission = year_start - year + 1
        prefix = f"{abbrs[program_code]}{admission % 100:02d}"
        for n in range(1, size + 1):
            female = rng.random() < 0.6
            first, last, middle = _person_name(rng, female)
            birth_year = admission - 18 - (1 if rng.random() < 0.25 else 0)
            birth = datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
            grant_share = 0.35 if program_code == "6B02106" else 0.6
            funding = Funding.STATE_GRANT if rng.random() < grant_share else Funding.PAID
            username = f"{prefix.lower()}{n:03d}"
            if program_code == "6B02105" and year == 1 and n == 1:
                # The `student` login, the child of the `parent` login.
                username, female, funding = STUDENT_LOGIN, True, Funding.STATE_GRANT
                first, last, middle = "Аружан", "Төлеуова", "Серікқызы"
                birth = datetime.date(admission - 18, 4, 14)
            specs.append(
                StudentSpec(
                    username=username,
                    student_number=f"{prefix}{n:03d}",
                    first_name=first,
                    last_name=last,
                    middle_name=middle,
                    female=female,
                    iin=next_iin(ctx, birth, female=female),
                    group_index=index,
                    funding=funding,
                )
            )
    # Grounds for distance study, for some students of the blended programs.
    blended = [
        s
        for s in specs
        if formats[GROUPS[s.group_index][0]] == DeliveryFormat.BLENDED
        and s.username != STUDENT_LOGIN
    ]
    grounds = (
        (DistanceGround.SPECIAL_NEEDS, 2),
        (DistanceGround.SPECIAL_NEEDS, 3),
        (DistanceGround.SPECIAL_NEEDS, None),
        (DistanceGround.EXCHANGE_ABROAD, None),
        (DistanceGround.EXCHANGE_ABROAD, None),
        (DistanceGround.EXCHANGE_ABROAD, None),
        (DistanceGround.BUSINESS_TRIP, None),
        (DistanceGround.BUSINESS_TRIP, None),
        (DistanceGround.ADDITIONAL_EDUCATION, None),
        (DistanceGround.ADDITIONAL_EDUCATION, None),
        (DistanceGround.ADDITIONAL_EDUCATION, None),
    )
    for spec, (ground, disability) in zip(rng.sample(blended, len(grounds)), grounds, strict=True):
        spec.ground, spec.disability_group = ground, disability
    # A few college graduates on a shortened period (paid), a couple on academic leave.
    junior = [
        s
        for s in specs
        if GROUPS[s.group_index][1] <= 2 and s.username != STUDENT_LOGIN and not s.ground
    ]
    for spec in rng.sample(junior, 6):
        spec.shortened, spec.funding = True, Funding.PAID
    senior = [s for s in specs if GROUPS[s.group_index][1] >= 2 and not s.ground]
    for spec in rng.sample(senior, 2):
        spec.on_leave = True
    return specs


# --- the academic calendar -----------------------------------------------------------------------


def _week(monday: datetime.date, n: int) -> tuple[datetime.date, datetime.date]:
    """Monday and Saturday of the n-th week (1-based) counted from ``monday``."""
    start = monday + datetime.timedelta(weeks=n - 1)
    return start, start + datetime.timedelta(days=5)


def calendar_for(year_start: int) -> tuple[dict, list]:
    """The periods and events of the academic year starting on 1 September of ``year_start``."""
    day = datetime.timedelta(days=1)
    sep1 = datetime.date(year_start, 9, 1)
    mon1 = sep1 - datetime.timedelta(days=sep1.weekday())
    s1_classes_end = _week(mon1, 15)[1]
    s1_exams = (_week(mon1, 16)[0], _week(mon1, 19)[1])
    winter = (_week(mon1, 20)[0], _week(mon1, 21)[0] + 6 * day)
    mon2 = _week(mon1, 22)[0]
    s2_classes_end = _week(mon2, 15)[1]
    s2_exams = (_week(mon2, 16)[0], _week(mon2, 18)[1])
    practice = (_week(mon2, 19)[0], _week(mon2, 21)[1])
    attestation = (_week(mon2, 17)[0], _week(mon2, 21)[1])
    summer = (_week(mon2, 22)[0], _week(mon2, 27)[1])
    periods = {
        PeriodKind.SEMESTER_1: (sep1, s1_exams[1]),
        PeriodKind.SEMESTER_2: (mon2, practice[1]),
        PeriodKind.SUMMER: summer,
    }
    s1, s2, su = PeriodKind.SEMESTER_1, PeriodKind.SEMESTER_2, PeriodKind.SUMMER
    events = [
        (s1, EventKind.CLASSES, sep1, s1_classes_end,
         "1-семестрдің теориялық оқуы (15 апта)", "Теоретическое обучение, 1 семестр (15 недель)",
         "Semester 1 classes (15 weeks)"),
        (s1, EventKind.MIDTERM_1, *_week(mon1, 8),
         "1-аралық бақылау (АБ1), 8-апта", "Рубежный контроль 1 (РК1), 8-я неделя",
         "Midterm 1 (RK1), week 8"),
        (s1, EventKind.MIDTERM_2, *_week(mon1, 15),
         "2-аралық бақылау (АБ2), 15-апта", "Рубежный контроль 2 (РК2), 15-я неделя",
         "Midterm 2 (RK2), week 15"),
        (s1, EventKind.EXAM_SESSION, *s1_exams,
         "Қысқы емтихан сессиясы", "Зимняя экзаменационная сессия", "Winter exam session"),
        (None, EventKind.HOLIDAYS, *winter, "Қысқы демалыс", "Зимние каникулы", "Winter holidays"),
        (s2, EventKind.CLASSES, mon2, s2_classes_end,
         "2-семестрдің теориялық оқуы (15 апта)", "Теоретическое обучение, 2 семестр (15 недель)",
         "Semester 2 classes (15 weeks)"),
        (s2, EventKind.MIDTERM_1, *_week(mon2, 8),
         "1-аралық бақылау (АБ1), 8-апта", "Рубежный контроль 1 (РК1), 8-я неделя",
         "Midterm 1 (RK1), week 8"),
        (s2, EventKind.HOLIDAYS, datetime.date(year_start + 1, 3, 21),
         datetime.date(year_start + 1, 3, 23), "Наурыз мейрамы", "Праздник Наурыз",
         "Nauryz holidays"),
        (s2, EventKind.MIDTERM_2, *_week(mon2, 15),
         "2-аралық бақылау (АБ2), 15-апта", "Рубежный контроль 2 (РК2), 15-я неделя",
         "Midterm 2 (RK2), week 15"),
        (s2, EventKind.EXAM_SESSION, *s2_exams,
         "Жазғы емтихан сессиясы", "Летняя экзаменационная сессия", "Summer exam session"),
        (s2, EventKind.FINAL_ATTESTATION, *attestation,
         "Қорытынды аттестация (4-курс)", "Итоговая аттестация (4 курс)",
         "Final attestation (year 4)"),
        (s2, EventKind.PRACTICE, *practice,
         "Кәсіптік практика (1–3-курстар)", "Профессиональная практика (1–3 курсы)",
         "Professional practice (years 1–3)"),
        (su, EventKind.SUMMER_SEMESTER, *summer,
         "Жазғы семестр: академиялық берешекті жою және қосымша кредиттер",
         "Летний семестр: ликвидация академической задолженности и дополнительные кредиты",
         "Summer semester: clearing academic debts and extra credits"),
        (None, EventKind.HOLIDAYS, summer[0], datetime.date(year_start + 1, 8, 31),
         "Жазғы демалыс", "Летние каникулы", "Summer holidays"),
    ]  # fmt: skip
    return periods, events


def seed_year(ctx, year_start: int, *, current: bool) -> dict[str, AcademicPeriod]:
    title = f"{year_start}-{year_start + 1}"
    if current:  # only one year may be current
        others = AcademicYear.objects.filter(is_current=True).exclude(title=title)
        if others.exists():
            others.update(is_current=False)
    year, _ = ctx.upsert(
        AcademicYear,
        {"title": title},
        {
            "starts_on": datetime.date(year_start, 9, 1),
            "ends_on": datetime.date(year_start + 1, 8, 31),
            "is_current": current,
        },
    )
    period_dates, events = calendar_for(year_start)
    periods = {}
    for kind, (starts_on, ends_on) in period_dates.items():
        periods[kind], _ = ctx.upsert(
            AcademicPeriod,
            {"year": year, "kind": kind},
            {"starts_on": starts_on, "ends_on": ends_on},
        )
    for period_kind, kind, starts_on, ends_on, kk, ru, en in events:
        ctx.upsert(
            CalendarEvent,
            {"year": year, "kind": kind, "starts_on": starts_on},
            {
                "period": periods[period_kind] if period_kind else None,
                "ends_on": ends_on,
                "note_kk": kk,
                "note_ru": ru,
                "note_en": en,
            },
        )
    return periods


def academic_year_start(today: datetime.date) -> int:
    """The academic year runs from 1 September to 31 August."""
    return today.year if today.month >= 9 else today.year - 1


# --- seed ----------------------------------------------------------------------------------------


def seed(ctx) -> None:
    users: dict[str, User] = ctx.objects["users"]
    actor = ctx.actor
    year_start = academic_year_start(ctx.today)

    faculties = {}
    for code, kk, ru, en in FACULTIES:
        faculties[code], _ = ctx.upsert(
            Faculty, {"code": code}, {"name_kk": kk, "name_ru": ru, "name_en": en}
        )
    departments = {}
    for code, faculty, kk, ru, en in DEPARTMENTS:
        departments[code], _ = ctx.upsert(
            Department,
            {"code": code},
            {"faculty": faculties[faculty], "name_kk": kk, "name_ru": ru, "name_en": en},
        )
    programs = {}
    for spec in PROGRAMS:
        programs[spec.code], _ = ctx.upsert(
            Program,
            {"code": spec.code},
            program_values(spec, departments[spec.department], year_start),
        )
    ctx.log(f"  academics: {len(faculties)} faculties, {len(programs)} programs")

    seed_year(ctx, year_start - 1, current=False)
    periods = seed_year(ctx, year_start, current=True)

    disciplines = {}
    for code, department, credits, form, kk, ru, en, _tutors in DISCIPLINES:
        disciplines[code], _ = ctx.upsert(
            Discipline,
            {"code": code},
            {
                "department": departments[department],
                "credits": credits,
                "ects": Decimal(credits),
                "control_form": form,
                "name_kk": kk,
                "name_ru": ru,
                "name_en": en,
            },
        )
    through = Discipline.programs.through
    linked = set(through.objects.values_list("discipline_id", "program_id"))
    missing = [
        through(discipline_id=disciplines[code].pk, program_id=programs[program_code].pk)
        for program_code in CURRICULA
        for code in sorted({c for sem in range(1, 9) for c in curriculum(program_code, sem)})
        if (disciplines[code].pk, programs[program_code].pk) not in linked
    ]
    through.objects.bulk_create(missing)

    abbrs = {p.code: p.abbr for p in PROGRAMS}
    existing_groups = {g.code: g for g in StudyGroup.objects.filter(program__in=programs.values())}
    groups: list[StudyGroup] = []
    for program_code, year, language, _size, curator in GROUPS:
        admission = year_start - year + 1
        code = group_code(abbrs[program_code], admission, language)
        group = existing_groups.get(code)
        if group is None:
            group = services.group_create(
                actor=actor,
                code=code,
                program=programs[program_code],
                admission_year=admission,
                year_of_study=year,
                language=language,
                curator=users[curator],
                check=False,
            )
        groups.append(group)

    specs = student_specs(ctx, year_start)
    existing = set(
        User.objects.filter(username__in=[s.username for s in specs]).values_list(
            "username", flat=True
        )
    )
    created_ids: list[int] = []
    leave_ids: list[int] = []
    for spec in specs:
        if spec.username in existing:
            continue
        group = groups[spec.group_index]
        profile = services.student_create(
            actor=actor,
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            middle_name=spec.middle_name,
            email=email_for(spec.username),
            iin=spec.iin,
            program=programs[GROUPS[spec.group_index][0]],
            group=group,
            student_number=spec.student_number,
            year_of_study=group.year_of_study,
            funding=spec.funding,
            preferred_language=group.language,
            shortened_period=spec.shortened,
            distance_ground=spec.ground,
            disability_group=spec.disability_group,
            enrolled_on=datetime.date(group.admission_year, 8, 25),
            is_demo=True,
            check=False,
        )
        created_ids.append(profile.user_id)
        if spec.on_leave:
            leave_ids.append(profile.pk)
    if leave_ids:
        StudentProfile.objects.filter(pk__in=leave_ids).update(status=StudentStatus.ACADEMIC_LEAVE)
    student_user = User.objects.get(username=STUDENT_LOGIN)
    if student_user.pk in created_ids:
        set_demo_password(ctx, [student_user.pk])
    users[STUDENT_LOGIN] = student_user
    ctx.log(f"  academics: {len(groups)} groups, {len(specs)} students ({len(created_ids)} new)")

    offering_count = seed_offerings(ctx, groups, disciplines, periods, users)
    ctx.log(f"  academics: {offering_count} course offerings in the current year")

    for username, role, scope_type, key in SCOPED_STAFF:
        target = faculties[key] if scope_type == ScopeType.FACULTY else programs[key]
        account_services.role_assign(
            actor=actor,
            user=users[username],
            role=role,
            scope_type=scope_type,
            scope_id=target.pk,
            check=False,
        )
    account_services.parent_link(
        actor=actor, parent=users["parent"], student=student_user, relation="әкесі", check=False
    )
    ctx.login(STUDENT_LOGIN, str(Role.STUDENT.label))
    ctx.login("parent", str(Role.PARENT.label))
    ctx.objects.update(
        faculties=faculties,
        departments=departments,
        programs=programs,
        disciplines=disciplines,
        groups=groups,
        periods=periods,
    )


def seed_offerings(ctx, groups, disciplines, periods, users) -> int:
    """Both semesters of the current year: each group gets its program's disciplines for the
    semester, one offering per discipline and language of instruction, shared by the groups."""
    tutors_of = {row[0]: row[7] for row in DISCIPLINES}
    count = 0
    for kind, parity in ((PeriodKind.SEMESTER_1, 1), (PeriodKind.SEMESTER_2, 0)):
        period = periods[kind]
        wanted: dict[tuple[str, str], list[StudyGroup]] = {}
        for group in groups:
            semester = group.year_of_study * 2 - parity
            for code in curriculum(group.program.code, semester):
                wanted.setdefault((code, group.language), []).append(group)
        existing = {
            (o.discipline.code, o.language): o
            for o in CourseOffering.objects.filter(period=period)
            .select_related("discipline")
            .prefetch_related("groups")
        }
        for (code, language), offering_groups in sorted(wanted.items()):
            offering = existing.get((code, language))
            if offering is None:
                names = tutors_of[code]
                if isinstance(names, dict):
                    names = names[language]
                if isinstance(names, str):
                    names = (names,)
                services.offering_create(
                    actor=ctx.actor,
                    discipline=disciplines[code],
                    period=period,
                    language=language,
                    groups=offering_groups,
                    tutors=[users[name] for name in names],
                    check=False,
                )
            else:  # students created later were enrolled by student_create; add new groups only
                attached = {g.pk for g in offering.groups.all()}
                missing = [g for g in offering_groups if g.pk not in attached]
                if missing:
                    services.offering_add_groups(
                        actor=ctx.actor, offering=offering, groups=missing, check=False
                    )
            count += 1
    return count
