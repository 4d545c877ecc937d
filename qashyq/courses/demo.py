"""Demo EUMKs (run by ``manage.py seed_demo`` after academics).

Three disciplines of the Department of Art History and Theory (faculty FAS, where the demo
``methodologist`` works):

* IAS1104 Introduction to Art Studies -- complete and approved (in Kazakh, 16 weeks, ~85 % online);
* ACR3102 Art Criticism -- an incomplete draft (three components written, no plan);
* HWA1204 History of World Art -- complete, submitted and returned with a comment.

Everything goes through the services, with the demo ``tutor`` as author where they teach the
discipline (else the methodologist) and the ``methodologist`` as reviewer. A discipline that has
an EUMK already is left as it is, so a second run creates nothing.
"""

from __future__ import annotations

from decimal import Decimal

from qashyq.academics.models import Discipline

from . import policies, services
from .models import MANDATORY_COMPONENTS, ClassMode, ClassType, ComponentKind, Eumk

COMPONENT_TEXT = {
    ComponentKind.SYLLABUS: (
        "## Пәннің мақсаты\nӨнертанудың негізгі ұғымдары мен әдістерімен таныстыру.\n\n"
        "## Әдебиет\n1. Гомбрих Э. Өнер тарихы.\n2. Кеңесбаев А. Қазақ өнерінің тарихы."
    ),
    ComponentKind.THEORY: "Дәрістер конспектісі мен хрестоматия апта бойынша төменде берілген.",
    ComponentKind.VIDEO_LECTURES: "Әр аптаның бейнедәрісі тақырыптың материалдарында.",
    ComponentKind.SEMINARS: "Семинар сұрақтары: шығарманы сипаттау, стильді анықтау.",
    ComponentKind.SRO: "СӨЖ: бір мұражай экспонатына талдау эссе (1500 сөз).",
    ComponentKind.SROP: "ОСӨЖ: эссе жоспарын оқытушымен талқылау.",
    ComponentKind.CONTROL: "Тест сұрақтары (30) және емтихан билеттері (25).",
    ComponentKind.CONSULTATIONS: "Онлайн кеңес: сейсенбі 15:00–16:00, бейнебайланыс арқылы.",
}
CONTROL_CRITERIA = "- 90–100: толық, дәлелді жауап\n- 70–89: негізгі ойлар бар\n- 50–69: үстірт"
WEEK_TOPICS = (
    "Өнертану ғылым ретінде",
    "Өнер түрлері мен жанрлары",
    "Көркем бейне",
    "Стиль және бағыт",
    "Ежелгі дүние өнері",
    "Орта ғасыр өнері",
    "Қайта өрлеу дәуірі",
    "Барокко және классицизм",
    "Романтизм және реализм",
    "Импрессионизм",
    "Авангард",
    "Қазақ дәстүрлі өнері",
    "Қазақстанның кеңестік өнері",
    "Заманауи өнер",
    "Мұражай және көрме",
    "Қорытынды",
)


def _author(users, discipline):
    tutor = users.get("tutor")
    if tutor is not None and policies.can_edit_discipline_eumk(tutor, discipline):
        return tutor
    return users["methodologist"]


def _fill(author, version, *, complete: bool, weeks: int) -> None:
    kinds = MANDATORY_COMPONENTS if complete else MANDATORY_COMPONENTS[:3]
    for kind in kinds:
        services.component_save(
            actor=author,
            version=version,
            kind=kind,
            body=COMPONENT_TEXT[kind],
            grading_criteria=CONTROL_CRITERIA if kind == ComponentKind.CONTROL else "",
        )
    if not complete:
        return
    services.component_save(
        actor=author,
        version=version,
        kind=ComponentKind.REFERENCE,
        body="Терминдер сөздігі.",
        url="https://kk.wikipedia.org/wiki/Өнертану",
    )
    for week, title in enumerate(WEEK_TOPICS[:weeks], start=1):
        services.plan_class_add(
            actor=author,
            version=version,
            week=week,
            topic=title,
            hours=Decimal(2),
            mode=ClassMode.ONLINE_ASYNC,
            class_type=ClassType.LECTURE,
        )
        services.plan_class_add(
            actor=author,
            version=version,
            week=week,
            topic=title,
            hours=Decimal(1),
            mode=ClassMode.IN_PERSON if week % 2 else ClassMode.ONLINE_SYNC,
            class_type=ClassType.SEMINAR,
        )
        topic = services.topic_add(actor=author, version=version, week=week, title=title)
        services.material_add(
            actor=author,
            topic=topic,
            kind="text",
            title=f"{week}-дәріс конспектісі",
            body=f"## {title}\n\nДәрістің негізгі ұғымдары және **өзін-өзі тексеру** сұрақтары.",
            printable=True,
        )
        if week <= 4:
            services.material_add(
                actor=author,
                topic=topic,
                kind="link",
                title="Қосымша оқу",
                url="https://www.metmuseum.org/toah/",
            )


def seed(ctx) -> None:
    users = ctx.objects.get("users", {})
    reviewer = users.get("methodologist")
    if reviewer is None:
        return
    plans = (("IAS1104", "approved"), ("ACR3102", "draft"), ("HWA1204", "returned"))
    for code, outcome in plans:
        discipline = Discipline.objects.select_related("department").filter(code=code).first()
        if discipline is None or Eumk.objects.filter(discipline=discipline).exists():
            continue
        author = _author(users, discipline)
        eumk = services.eumk_start(actor=author, discipline=discipline)
        version = eumk.versions.get()
        _fill(
            author, version, complete=outcome != "draft", weeks=16 if outcome == "approved" else 4
        )
        if outcome == "approved":
            services.eumk_version_submit(actor=author, version=version)
            services.eumk_version_approve(actor=reviewer, version=version, comment="")
        elif outcome == "returned":
            services.eumk_version_submit(actor=author, version=version)
            services.eumk_version_return(
                actor=reviewer,
                version=version,
                comment=(
                    "Бейнедәрістерге субтитр қосыңыз және бақылау-өлшеу материалдарында "
                    "әр билеттің бағалау критерийін көрсетіңіз."
                ),
            )
        ctx.log(f"    EUMK {code}: {outcome}")
    from .demo_open import seed as seed_open_courses  # open courses over the approved EUMK

    seed_open_courses(ctx)
