"""Demo data of admission to distance study: ``seed_admission(ctx)``, called from
``registrar/demo.py`` after the IUP demo (it needs the accounts and academics demo: the
``admission``, ``registrar`` and ``rector`` logins and the demo students).

* 14 applications of demo students of the blended programs (the fully distance programs need
  no ground), with the grounds in turn (special educational needs with and without a disability
  group, exchange study abroad, a foreign business trip, additional education), each with its
  required document (a small generated PDF);
* 10 of them approved by the `admission` login and admitted by one REGISTERED rector's order
  (№ ``<year>-ДОТ-01``, signed and effective two weeks ago, so it is applied: the students'
  profiles carry the ground); the paid ones have a contract recorded by the `registrar` login;
* one approved application in a DRAFT order, one submitted (waiting in the committee's queue),
  one rejected with a reason, one draft.

Idempotent: a student who already has an application is left as they are, the registered order
is found by its number and the draft order by its application, so a second run changes nothing.
Everything goes through the services (the same checks and audit entries as a user's actions).
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from qashyq.academics.models import (
    DeliveryFormat,
    DistanceGround,
    Funding,
    StudentProfile,
    StudentStatus,
)

from .models import AdmissionApplication, ApplicationStatus, OrderKind, OrderLine, RectorOrder
from .services import admission as services
from .services import orders as order_services

COUNT = 14
ORDERED = 10
GROUNDS = (
    (DistanceGround.SPECIAL_NEEDS, 2),
    (DistanceGround.EXCHANGE_ABROAD, None),
    (DistanceGround.BUSINESS_TRIP, None),
    (DistanceGround.SPECIAL_NEEDS, None),
    (DistanceGround.ADDITIONAL_EDUCATION, None),
    (DistanceGround.SPECIAL_NEEDS, 3),
    (DistanceGround.EXCHANGE_ABROAD, None),
)
STATEMENTS = {
    DistanceGround.SPECIAL_NEEDS: (
        "Денсаулығыма байланысты оқуды қашықтықтан білім беру технологиялары бойынша "
        "жалғастыруға рұқсат беруіңізді сұраймын. Медициналық қорытынды қоса беріледі."
    ),
    DistanceGround.EXCHANGE_ABROAD: (
        "Академиялық ұтқырлық бағдарламасы бойынша шетелде оқитын кезеңде оқуды қашықтықтан "
        "жалғастыруға рұқсат беруіңізді сұраймын. Шақыру хаты қоса беріледі."
    ),
    DistanceGround.BUSINESS_TRIP: (
        "Екі айдан астам шетелдік іссапарға байланысты оқуды қашықтықтан жалғастыруға рұқсат "
        "беруіңізді сұраймын. Іссапар туралы бұйрық қоса беріледі."
    ),
    DistanceGround.ADDITIONAL_EDUCATION: (
        "Басқа білім беру ұйымында қосымша білім алуыма байланысты оқуды қашықтықтан "
        "жалғастыруға рұқсат беруіңізді сұраймын. Анықтама қоса беріледі."
    ),
}
REJECTION = "Медициналық қорытындының мерзімі өтіп кеткен; жаңа қорытындымен қайта өтініш беріңіз."


def _pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1>{title}</h1><p>Qashyq demo</p>").write_pdf()


def _order_number(ctx) -> str:
    return f"{ctx.today:%Y}-ДОТ-01"


def _students() -> list[StudentProfile]:
    return list(
        StudentProfile.objects.select_related("user", "program")
        .filter(
            program__delivery_format=DeliveryFormat.BLENDED,
            distance_ground="",
            status=StudentStatus.ACTIVE,
            user__is_demo=True,
        )
        .order_by("student_number")[:COUNT]
    )


def _file(profile: StudentProfile, index: int, pdf: bytes) -> AdmissionApplication:
    ground, group = GROUNDS[index % len(GROUNDS)]
    user = profile.user
    application = services.application_create(
        actor=user,
        program=profile.program,
        ground=ground,
        funding=profile.funding,
        statement=STATEMENTS[ground],
        disability_group=group,
    )
    for kind in services.required_documents(application):
        services.application_add_document(
            actor=user,
            application=application,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.pdf", pdf, content_type="application/pdf"),
        )
    return application


def seed_admission(ctx) -> None:
    users = ctx.objects.get("users", {})
    committee = users.get("admission") or ctx.actor
    registrar = users.get("registrar") or ctx.actor
    rector = users.get("rector") or ctx.actor
    number = _order_number(ctx)
    if RectorOrder.objects.filter(number=number).exists():
        ctx.log("  registrar: admission demo already there")
        return

    profiles = _students()
    pdf = _pdf("Анықтама / Справка / Certificate")
    applications: list[AdmissionApplication] = []
    for index, profile in enumerate(profiles):
        existing = AdmissionApplication.objects.filter(applicant=profile.user).first()
        applications.append(existing or _file(profile, index, pdf))

    def submit(application):
        if application.status == ApplicationStatus.DRAFT:
            return services.application_submit(actor=application.applicant, application=application)
        return application

    def approve(application):
        application = submit(application)
        if application.status == ApplicationStatus.SUBMITTED:
            application = services.application_approve(
                actor=committee, application=application, note="Негіз расталды."
            )
        if application.funding == Funding.PAID and not application.contract_number:
            application = services.application_record_contract(
                actor=registrar,
                application=application,
                number=f"Ш-{ctx.today:%Y}/{application.pk:04d}",
                signed_on=ctx.today - datetime.timedelta(days=20),
            )
        return application

    ordered = [approve(a) for a in applications[:ORDERED]]
    rest = applications[ORDERED:]
    order = order_services.order_create_draft(
        actor=registrar,
        kind=OrderKind.DLT_ADMISSION,
        lines=[order_services.OrderLineSpec(student=a.applicant, application=a) for a in ordered],
    )
    order_services.order_register(
        actor=rector,
        order=order,
        number=number,
        signed_on=ctx.today - datetime.timedelta(days=14),
        effective_on=ctx.today - datetime.timedelta(days=14),
    )
    if len(rest) >= 1:
        in_draft = approve(rest[0])
        if not OrderLine.objects.filter(application=in_draft).exists():
            order_services.order_create_draft(
                actor=registrar,
                kind=OrderKind.DLT_ADMISSION,
                lines=[
                    order_services.OrderLineSpec(student=in_draft.applicant, application=in_draft)
                ],
            )
    if len(rest) >= 2:
        submit(rest[1])
    if len(rest) >= 3:
        rejected = submit(rest[2])
        if rejected.status == ApplicationStatus.SUBMITTED:
            services.application_reject(actor=committee, application=rejected, reason=REJECTION)
    # rest[3], if there, stays a draft
    ctx.log(
        f"  registrar: {len(applications)} applications for distance study, "
        f"order № {number} admitting {len(ordered)} students, one draft order"
    )
