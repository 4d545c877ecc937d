"""Demo data of the final attestation: ``seed_graduation(ctx)``, called from ``registrar/demo.py``
after the academics demo (it needs ``ctx.objects["programs"]`` and ``ctx.actor``).

* Every demo program gets two final attestation events in the current academic year: the
  comprehensive state exam by distance (a week ago, with a link to the online room) and the
  defence of the thesis on site (in June, or two weeks ahead when June has passed).
* The final-year students of the demo academy (the 4th-year group of 6B02102) get results of
  the state exam for the first five of them: four passes and one FX, recorded by the demo
  administrator through the service (so the audit log has them too).

Idempotent: an event is created only when its program has none of its kind in the year (its
date is never moved afterwards), and a student who has a result keeps it.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from qashyq.academics.models import AcademicYear, StudentProfile, StudentStatus

from .models import AttestationFormat, AttestationKind, FinalAttestationEvent
from .services import graduation as services

COMMISSION = (
    "Төраға: Серікбаев Ә. Н., өнертану докторы\n"
    "Мүшелері: Жақыпова Д. М., Сүлейменов Қ. Т., Тұрсынова Ж. А.\n"
    "Хатшы: Мақсұтова А. Б."
)
MARKS = ("92", "85", "74", "61", "43")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _dates(year: AcademicYear, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    exam = max(year.starts_on, today - datetime.timedelta(days=7))
    june = datetime.date(year.ends_on.year, 6, 15)
    thesis = june if june > today else today + datetime.timedelta(days=14)
    return exam, min(max(thesis, exam), year.ends_on)


def seed_graduation(ctx) -> None:
    programs = ctx.objects.get("programs") or {}
    year = AcademicYear.objects.filter(is_current=True).first()
    if not programs or year is None:
        return
    exam_day, thesis_day = _dates(year, ctx.today)
    created = 0
    exams = {}
    for code in sorted(programs):
        program = programs[code]
        specs = (
            (
                AttestationKind.STATE_EXAM,
                AttestationFormat.DISTANCE,
                _at(exam_day, 10),
                f"https://meet.qashyq.example/ga-{code.lower()}",
            ),
            (
                AttestationKind.THESIS,
                AttestationFormat.ONSITE,
                _at(thesis_day, 9),
                "Бас ғимарат, 204 аудитория",
            ),
        )
        for kind, format_, starts_at, place in specs:
            event = FinalAttestationEvent.objects.filter(
                program=program, academic_year=year, kind=kind
            ).first()
            if event is None:
                event = FinalAttestationEvent.objects.create(
                    program=program,
                    academic_year=year,
                    kind=kind,
                    format=format_,
                    starts_at=starts_at,
                    place=place,
                    commission=COMMISSION,
                    created_by=ctx.actor,
                )
                created += 1
            if kind == AttestationKind.STATE_EXAM:
                exams[code] = event
    recorded = 0
    now = timezone.now()
    for code, event in exams.items():
        program = programs[code]
        if event.starts_at > now:
            continue
        students = StudentProfile.objects.filter(
            program=program,
            status=StudentStatus.ACTIVE,
            year_of_study__gte=program.duration_years,
        ).order_by("student_number")[: len(MARKS)]
        done = set(event.results.values_list("student_id", flat=True))
        for profile, mark in zip(students, MARKS, strict=False):
            if profile.user_id in done:  # recorded before (perhaps changed since): keep it
                continue
            services.attestation_result_record(
                actor=ctx.actor, event_id=event.pk, student_id=profile.user_id, percent=mark
            )
            recorded += 1
    ctx.log(f"  registrar: {created} new final attestation events, {recorded} new results")
