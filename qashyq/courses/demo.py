"""Demo EUMKs (run by ``manage.py seed_demo`` after academics).

Three disciplines of the Department of Art History and Theory (faculty FAS, where the demo
``methodologist`` works):

* IAS1104 Introduction to Art Studies -- complete and approved (in Kazakh, 16 weeks, ~85 % online),
  with a generated video lecture and Kazakh captions in week 1 (``demo_media/``, made by
  ``scripts/make-demo-video``), consultations (online and in person, one booked by the demo
  ``student``) and the offline package's media cap;
* ACR3102 Art Criticism -- an incomplete draft (three components written, no plan);
* HWA1204 History of World Art -- complete, submitted and returned with a comment.

Everything goes through the services, with the demo ``tutor`` as author where they teach the
discipline (else the methodologist) and the ``methodologist`` as reviewer. A discipline that has
an EUMK already is left as it is, and each extra (the video, the consultations, the offline
settings) is added only when missing, so a second run creates nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import zoneinfo
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.utils import timezone

from qashyq.academics.models import CourseOffering, Discipline

from . import consultations, offline, policies, selectors, services
from .models import (
    MANDATORY_COMPONENTS,
    ClassMode,
    ClassType,
    ComponentKind,
    ConsultationMode,
    ConsultationSlot,
    Eumk,
    Material,
    MaterialKind,
    OfflinePackageSettings,
    VersionStatus,
)

MEDIA_DIR = Path(__file__).resolve().parent / "demo_media"
VIDEO_FILE = "intro-lecture.webm"
CAPTIONS_FILE = "intro-lecture.kk.vtt"
VIDEO_TITLE = "1-бейнедәріс: Өнертануға кіріспе"
VIDEO_BODY = "Бес слайдтан тұратын қысқа бейнедәріс (34 с). Субтитрлер қазақ тілінде."
OFFLINE_MEDIA_CAP_MB = 20
MEETING_URL = "https://meet.jit.si/qashyq-ias1104-konsultatsiia"
ROOM = "Б-214"

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


def _add_video(author, version) -> Material | None:
    """The generated video lecture with its captions, as the first week's video material."""
    topic = version.topics.filter(week=1).order_by("position", "pk").first()
    if topic is None:
        return None
    with contextlib.ExitStack() as stack:
        video = stack.enter_context((MEDIA_DIR / VIDEO_FILE).open("rb"))
        captions = stack.enter_context((MEDIA_DIR / CAPTIONS_FILE).open("rb"))
        return services.material_add(
            actor=author,
            topic=topic,
            kind=MaterialKind.VIDEO,
            title=VIDEO_TITLE,
            body=VIDEO_BODY,
            file=File(video, name=VIDEO_FILE),
            captions=File(captions, name=CAPTIONS_FILE),
        )


def _has_video(version) -> bool:
    return Material.objects.filter(
        topic__version=version, kind=MaterialKind.VIDEO, title=VIDEO_TITLE
    ).exists()


def _ensure_video(ctx, author, reviewer, eumk: Eumk) -> None:
    """An approved EUMK seeded before the video existed gets it as a new approved version."""
    approved = selectors.latest_approved_version(eumk.discipline_id, contents=False)
    if approved is None or _has_video(approved) or not approved.topics.filter(week=1).exists():
        return
    if eumk.versions.exclude(status=VersionStatus.APPROVED).exists():
        return  # someone is working on a new version: leave it to them
    draft = services.eumk_draft_open(actor=author, eumk=eumk)
    if _add_video(author, draft) is None:
        return
    services.eumk_version_submit(actor=author, version=draft)
    services.eumk_version_approve(actor=reviewer, version=draft, comment="")
    ctx.log(f"    EUMK {eumk.discipline.code}: video lecture added as version {draft.number}")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(consultations.DISPLAY_TZ)
    )


def _seed_consultations(ctx, users, discipline: Discipline) -> None:
    """Two consultations of the tutor's course, the online one booked by the demo student."""
    tutor, student = users.get("tutor"), users.get("student")
    if tutor is None:
        return
    taught = CourseOffering.objects.filter(discipline=discipline, tutors=tutor).order_by(
        "period__starts_on", "pk"
    )
    offering = None
    if student is not None:  # the demo student's course, so they can book
        offering = taught.filter(enrollments__student=student).first()
    offering = offering or taught.first()
    if offering is None or ConsultationSlot.objects.filter(offering=offering).exists():
        return
    today = timezone.localdate()
    online = consultations.consultation_slot_create(
        actor=tutor,
        offering=offering,
        starts_at=_at(today + datetime.timedelta(days=2), 15),
        ends_at=_at(today + datetime.timedelta(days=2), 16),
        mode=ConsultationMode.ONLINE,
        meeting_url=MEETING_URL,
        capacity=5,
        note="Эссе жоспары бойынша сұрақтар (СӨЖ 1).",
    )
    consultations.consultation_slot_create(
        actor=tutor,
        offering=offering,
        starts_at=_at(today + datetime.timedelta(days=4), 11),
        ends_at=_at(today + datetime.timedelta(days=4), 12),
        mode=ConsultationMode.IN_PERSON,
        room=ROOM,
        capacity=10,
        note="Аралық бақылауға дайындық.",
    )
    if student is not None and consultations.can_book_consultation(student, offering):
        consultations.consultation_book(actor=student, slot=online)
    ctx.log(f"    consultations {discipline.code}: 2 slots, 1 booking")


def _seed_offline_settings(author, eumk: Eumk) -> None:
    if not OfflinePackageSettings.objects.filter(eumk=eumk).exists():
        offline.offline_media_cap_set(actor=author, eumk=eumk, megabytes=OFFLINE_MEDIA_CAP_MB)


def seed(ctx) -> None:
    users = ctx.objects.get("users", {})
    reviewer = users.get("methodologist")
    if reviewer is None:
        return
    plans = (("IAS1104", "approved"), ("ACR3102", "draft"), ("HWA1204", "returned"))
    for code, outcome in plans:
        discipline = Discipline.objects.select_related("department").filter(code=code).first()
        if discipline is None:
            continue
        author = _author(users, discipline)
        eumk = Eumk.objects.filter(discipline=discipline).first()
        if eumk is None:
            eumk = services.eumk_start(actor=author, discipline=discipline)
            version = eumk.versions.get()
            _fill(
                author,
                version,
                complete=outcome != "draft",
                weeks=16 if outcome == "approved" else 4,
            )
            if outcome == "approved":
                _add_video(author, version)
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
        if outcome == "approved":
            _ensure_video(ctx, author, reviewer, eumk)
            _seed_offline_settings(author, eumk)
            _seed_consultations(ctx, users, discipline)
    from .demo_open import seed as seed_open_courses  # open courses over the approved EUMK

    seed_open_courses(ctx)
