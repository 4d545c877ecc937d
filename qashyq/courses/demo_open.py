"""Demo open courses (called at the end of ``courses.demo.seed``).

Two published open courses over IAS1104 Introduction to Art Studies, the demo discipline whose
EUMK is approved: an open online course and a retraining course for school art teachers. The
demo ``learner`` (password ``demo``) has no student account and no role: they are enrolled in
the open online course, have completed its materials and hold a certificate. Everything goes
through the services; a second run creates nothing new.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from qashyq.academics.models import Discipline
from qashyq.accounts import services as account_services
from qashyq.accounts.demo import email_for, set_demo_password

from . import certificates, open_courses, selectors
from .models import OpenCourse

LEARNER = "learner"

COURSES = (
    {
        "slug": "art-studies-mooc",
        "kind": "mooc",
        "title_kk": "Өнертануға кіріспе: ашық онлайн курс",
        "title_ru": "Введение в искусствоведение: открытый онлайн-курс",
        "title_en": "Introduction to Art Studies: an open online course",
        "description_kk": (
            "Өнер түрлері, стильдер мен дәуірлер туралы 16 апталық ашық курс. "
            "Студент болу қажет емес: тіркеліп, материалдарды оқып, **сертификат** алыңыз."
        ),
        "description_ru": (
            "Открытый 16-недельный курс о видах искусства, стилях и эпохах. "
            "Быть студентом не нужно: зарегистрируйтесь, изучите материалы и получите "
            "**сертификат**."
        ),
        "description_en": (
            "An open 16-week course on the kinds of art, styles and periods. No student account "
            "is needed: register, study the materials and earn a **certificate**."
        ),
        "hours": 72,
    },
    {
        "slug": "art-teachers-retraining",
        "kind": "retraining",
        "title_kk": "Бейнелеу өнері мұғалімдерін қайта даярлау",
        "title_ru": "Переподготовка учителей изобразительного искусства",
        "title_en": "Retraining for school art teachers",
        "description_kk": "Мектеп мұғалімдеріне арналған өнертану негіздері (қашықтықтан).",
        "description_ru": "Основы искусствоведения для школьных учителей (дистанционно).",
        "description_en": "Foundations of art studies for school teachers (distance learning).",
        "hours": 108,
        "threshold_percent": 80,
    },
)


def _learner(ctx):
    user = account_services.user_create(
        actor=None,
        username=LEARNER,
        first_name="Айгерім",
        last_name="Нұрланқызы",
        email=email_for(LEARNER),
        is_demo=True,
        check=False,
    )
    set_demo_password(ctx, [user.pk])
    user.refresh_from_db(fields=["password"])
    return user


def seed(ctx) -> None:
    users = ctx.objects.get("users", {})
    admin = users.get("admin")
    discipline = Discipline.objects.select_related("department").filter(code="IAS1104").first()
    if admin is None or discipline is None:
        return
    if selectors.latest_approved_version(discipline.pk, contents=False) is None:
        return
    courses = {}
    for spec in COURSES:
        course = OpenCourse.objects.filter(slug=spec["slug"]).first()
        if course is None:
            course = open_courses.open_course_create(
                actor=admin, discipline=discipline, published=True, **spec
            )
        courses[spec["slug"]] = course
    learner = get_user_model().objects.filter(username=LEARNER).first() or _learner(ctx)
    users[LEARNER] = learner
    ctx.login(LEARNER, str(_("Open-course learner (no student account)")))
    course = open_courses.course_by_slug("art-studies-mooc")
    open_courses.open_course_enrol(actor=learner, course=course)
    if certificates.valid_certificate(learner, course) is None:
        version = open_courses.approved_version(course)
        for topic in version.topics.all():
            for material in topic.materials.all():
                open_courses.open_material_mark_complete(
                    actor=learner, course=course, material=material
                )
        certificate = certificates.certificate_issue(actor=learner, course=course, user=learner)
        ctx.log(f"    open courses: {len(courses)}, learner certificate {certificate.code}")
