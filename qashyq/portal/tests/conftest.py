import datetime

import pytest

from qashyq.academics.models import CalendarEvent
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    DisciplineFactory,
    ProgramFactory,
)
from qashyq.portal.models import NormativeDocument


@pytest.fixture
def program(db):
    program = ProgramFactory(
        code="6B02101",
        name_kk="Өнертану",
        name_ru="Искусствоведение",
        name_en="Art history",
        delivery_format="distance",
        level="bachelor",
        admission_criteria_kk="ҰБТ нәтижесі 75 балдан кем емес",
        admission_criteria_ru="Результат ЕНТ не ниже 75 баллов",
        admission_criteria_en="UNT score of at least 75",
        criteria_approved_on=datetime.date(2026, 3, 27),
        learning_outcomes_en="- Analyse works of art\n- Curate an exhibition",
    )
    discipline = DisciplineFactory(
        code="ART101",
        name_kk="Өнер тарихы",
        name_ru="История искусств",
        name_en="History of art",
        credits=5,
        control_form="exam",
    )
    discipline.programs.add(program)
    return program


@pytest.fixture
def calendar_year(db):
    year = AcademicYearFactory(title="2026-2027", is_current=True)
    period = AcademicPeriodFactory(year=year, kind="semester_1")
    CalendarEvent.objects.create(
        year=year,
        period=period,
        kind="exam_session",
        starts_on=datetime.date(2026, 12, 20),
        ends_on=datetime.date(2027, 1, 10),
        note_kk="Қысқы емтихан сессиясы",
        note_ru="Зимняя экзаменационная сессия",
        note_en="Winter exam session",
    )
    old = AcademicYearFactory(
        title="2025-2026",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 8, 31),
        is_current=False,
    )
    CalendarEvent.objects.create(
        year=old,
        kind="holidays",
        starts_on=datetime.date(2026, 1, 11),
        ends_on=datetime.date(2026, 1, 24),
        note_en="Winter holidays of the old year",
    )
    return year


@pytest.fixture
def document(db):
    return NormativeDocument.objects.create(
        slug="dlt-regulation",
        kind="regulation",
        title_kk="Қашықтықтан оқыту туралы ереже",
        title_ru="Положение о дистанционном обучении",
        title_en="Regulation on distance learning",
        body_kk="## Жалпы ережелер\n\nМәтін",
        body_ru="## Общие положения\n\nТекст",
        body_en="## General provisions\n\nThe **regulation** text.",
        approved_on=datetime.date(2026, 6, 1),
    )
