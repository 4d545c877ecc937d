"""Demo data of accounts: the administrator, the academy's 25 staff and the parent login.

Run by ``manage.py seed_demo`` (see ``qashyq/portal/management/commands/seed_demo.py``). Site-wide
roles are granted here; roles scoped to a faculty, program or course are granted by
``qashyq.academics.demo`` once those exist. Helpers used by the later demo modules (IINs, the
shared demo password) live here too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from . import services
from .iin import make_iin
from .models import User
from .roles import Role

# Serial numbers of demo IINs start high so that they stand out from factory-made ones in tests.
IIN_FIRST_SERIAL = 7000


@dataclass(frozen=True)
class Person:
    username: str
    last_name: str
    first_name: str
    middle_name: str
    female: bool
    site_roles: tuple[str, ...] = ()
    department: str = ""  # the department a tutor teaches in (a Department code)
    login_role: str = ""  # set for the one demo login of a role; shown in the table


# The demo logins (username = the role's short name) come first, then the rest of the staff.
STAFF: tuple[Person, ...] = (
    Person("admin", "Әбдіқадыров", "Данияр", "Маратұлы", False, (Role.ADMIN,), "", Role.ADMIN),
    Person("rector", "Жұмабеков", "Ғалым", "Сәкенұлы", False, (Role.RECTOR,), "", Role.RECTOR),
    Person("methodologist", "Омарова", "Гүлнар", "Төлегенқызы", True, (), "", Role.METHODOLOGIST),
    Person(
        "programleader", "Есенова", "Жанар", "Қайратқызы", True, (), "ARTH", Role.PROGRAM_LEADER
    ),
    Person("tutor", "Қасымов", "Асқар", "Нұрланұлы", False, (), "ARTH", Role.TUTOR),
    Person(
        "registrar", "Байжанова", "Мәдина", "Ерланқызы", True, (Role.REGISTRAR,), "", Role.REGISTRAR
    ),
    Person(
        "admission", "Тоқтаров", "Ерлан", "Жомартұлы", False, (Role.ADMISSION,), "", Role.ADMISSION
    ),
    Person("proctor", "Исаев", "Дәулет", "Серікұлы", False, (Role.PROCTOR,), "", Role.PROCTOR),
    Person(
        "librarian", "Ахметова", "Сәуле", "Маратқызы", True, (Role.LIBRARIAN,), "", Role.LIBRARIAN
    ),
    Person(
        "practice",
        "Мұқанов",
        "Бауыржан",
        "Талғатұлы",
        False,
        (Role.PRACTICE_SUPERVISOR,),
        "",
        Role.PRACTICE_SUPERVISOR,
    ),
    Person(
        "accountant",
        "Нұрпейісова",
        "Ләззат",
        "Бекетқызы",
        True,
        (Role.ACCOUNTANT,),
        "",
        Role.ACCOUNTANT,
    ),
    Person("vicerector", "Сәрсенбаева", "Әйгерім", "Болатқызы", True, (Role.VICE_RECTOR,)),
    # Heads of department (scoped to their faculty by academics.demo); they teach as well.
    Person("k.suleimenov", "Сүлейменов", "Қанат", "Әбілұлы", False, (), "PNT"),
    Person("d.zhakypova", "Жақыпова", "Динара", "Асанқызы", True, (), "ACT"),
    Person("b.kenzhebaev", "Кенжебаев", "Бақыт", "Оразұлы", False, (), "AMG"),
    # Tutors.
    Person("n.seitkali", "Сейітқали", "Нұржан", "Ерболатұлы", False, (), "GEN"),
    Person("a.dosmagambetova", "Досмағамбетова", "Алия", "Мұратқызы", True, (), "GEN"),
    Person("y.zhanabayev", "Жаңабаев", "Ержан", "Асқарұлы", False, (), "GEN"),
    Person("g.ospanova", "Оспанова", "Гүлмира", "Сейілқызы", True, (), "GEN"),
    Person("m.alimzhanov", "Әлімжанов", "Мұрат", "Бекұлы", False, (), "PNT"),
    Person("a.beisenova", "Бейсенова", "Айнұр", "Тимурқызы", True, (), "CIN"),
    Person("s.rakhymzhanov", "Рақымжанов", "Самат", "Ерікұлы", False, (), "CIN"),
    Person("zh.tursynova", "Тұрсынова", "Жұлдыз", "Абайқызы", True, (), "ACT"),
    Person("a.maksutova", "Мақсұтова", "Ақмарал", "Нұрболатқызы", True, (), "CHO"),
    Person("t.yermekov", "Ермеков", "Тимур", "Сабитұлы", False, (), "AMG"),
)

# The parent of the demo student (the `student` login is created by academics.demo).
PARENT = Person("parent", "Төлеуов", "Серік", "Ахметұлы", False, (), "", Role.PARENT)
STUDENT_LOGIN = "student"


def next_iin(ctx, birth: datetime.date, *, female: bool) -> str:
    """A valid IIN, unique among the demo people; the same sequence on every run."""
    used: set[str] = ctx.objects.setdefault("iins", set())
    serial = ctx.objects.get("iin_serial", IIN_FIRST_SERIAL)
    while True:
        iin = make_iin(birth, female=female, serial=serial)
        serial = int(iin[7:11]) + 1
        if iin not in used:
            break
    ctx.objects["iin_serial"] = serial
    used.add(iin)
    return iin


def demo_password_hash(ctx) -> str:
    """The hash of the demo password, computed once per run (hashing is slow on purpose)."""
    if "password_hash" not in ctx.objects:
        ctx.objects["password_hash"] = make_password(ctx.password)
    return ctx.objects["password_hash"]


def set_demo_password(ctx, user_ids) -> None:
    User.objects.filter(pk__in=list(user_ids)).update(password=demo_password_hash(ctx))


def email_for(username: str) -> str:
    # The reserved .example top-level domain: no demo e-mail can reach a real person.
    return f"{username}@qashyq-academy.example"


def ensure_person(ctx, person: Person, *, birth: datetime.date, iin: str) -> User:
    """Return the demo user with this username, creating it (with the demo password) if missing."""
    user = User.objects.filter(username=person.username).first()
    if user is None:
        user = services.user_create(
            actor=ctx.actor,
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            middle_name=person.middle_name,
            email=email_for(person.username),
            iin=iin,
            is_demo=True,
            check=False,
        )
        set_demo_password(ctx, [user.pk])
        user.refresh_from_db(fields=["password"])
    return user


def seed(ctx) -> None:
    users: dict[str, User] = ctx.objects.setdefault("users", {})
    people = (*STAFF, PARENT)
    # Draw every birth date first, in the same order on every run.
    births = {
        p.username: datetime.date(
            ctx.rng.randint(1962, 1996), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28)
        )
        for p in people
    }
    for person in people:
        iin = next_iin(ctx, births[person.username], female=person.female)
        user = ensure_person(ctx, person, birth=births[person.username], iin=iin)
        users[person.username] = user
        if person.username == "admin":
            ctx.actor = user
            if not (user.is_superuser and user.is_staff):
                User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
                user.is_superuser = user.is_staff = True
        for role in person.site_roles:
            services.role_assign(actor=ctx.actor, user=user, role=role, check=False)
        if person.login_role and person is not PARENT:
            ctx.login(person.username, str(Role(person.login_role).label))
    ctx.objects["staff"] = [users[p.username] for p in STAFF]
    ctx.objects["staff_departments"] = {p.username: p.department for p in STAFF if p.department}
    ctx.log(f"  accounts: {len(STAFF)} staff, the parent login")
