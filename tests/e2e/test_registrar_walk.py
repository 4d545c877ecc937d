"""The registrar's part of the demo academy walked through in the browser, in Kazakh, by the demo
logins (issue 5): three walks a product owner would recognise.

1. **Individual study plan.** The `programleader` reopens the approved plan of the `student`
   login; the student swaps the elective of group КВ-2.1 (HWA1204 -> FPT1204) and submits again;
   the leader approves it from the queue, together with one of the three groupmates the demo
   left waiting there. The student is then enrolled in the FPT1204 course, every item of both
   plans has its course offering, and the student's individual schedule lists the disciplines.
2. **Distance study and the rector's order.** The `learner` login (an account with no student
   profile) applies for distance study on the special-needs ground, attaches a PDF for every
   required document (identity and medical report), submits; `admission` approves; `registrar`
   drafts an admission order from the approved application, registers it with a number and
   today's date; the order's Kazakh PDF names the learner, and the learner is now a student of
   the program with the distance ground.
3. **Summer semester.** The `student` login has an F (recorded on top of the demo: the demo
   students' debts are all cleared by last year's re-sits and summer); the `registrar` opens this
   year's summer registration from today, the student registers for the debt, and the registrar
   sees them on the summer semester's page and creates the summer course, which enrols them.

Everything a user does goes through the pages (clicks, form fills, a real download); the
database is read for the assertions and, in walk 3, written once to record the F.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import (
    AcademicPeriod,
    CourseOffering,
    DistanceGround,
    Enrollment,
    PeriodKind,
    Program,
    ProgramPlanEntry,
    StudentProfile,
    StudentStatus,
)
from qashyq.accounts.models import User
from qashyq.gradebook.models import FinalGrade
from qashyq.registrar.models import (
    AdmissionApplication,
    ApplicationStatus,
    DocumentKind,
    IndividualPlan,
    OrderStatus,
    PlanStatus,
    RectorOrder,
    SummerRegistration,
    SummerRegistrationStatus,
    SummerSemester,
)
from qashyq.registrar.services.admission import REQUIRED_DOCUMENTS

pytestmark = pytest.mark.usefixtures("no_staff_mfa")

ART_HISTORY = "6B02105"
OWN_ELECTIVE, OTHER_ELECTIVE = "HWA1204", "FPT1204"  # group КВ-2.1, both taught in semester 2


def tr(message) -> str:
    with translation.override("kk"):
        return str(translation.gettext(message))


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return one_line("\n".join(page.extract_text() for page in reader.pages))


def minimal_pdf(title: str) -> bytes:
    """A one-page PDF 1.4 with a correct cross-reference table (what a scanner would send)."""
    text = f"BT /F1 18 Tf 20 150 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def logged_in(page: Page, log_in, login: str) -> None:
    log_in(page, login)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


# --- 1. the individual study plan -----------------------------------------------------------------


@pytest.fixture
def iup_walk(demo_academy):
    student = User.objects.get(username="student")
    plan = IndividualPlan.objects.get(student=student, status=PlanStatus.APPROVED)
    group_id = student.student_profile.group_id
    waiting = list(
        IndividualPlan.objects.filter(
            status=PlanStatus.SUBMITTED,
            academic_year=plan.academic_year,
            student__student_profile__group_id=group_id,
        ).order_by("pk")
    )
    assert len(waiting) == 3, "the IUP demo leaves three groupmates of `student` in the queue"
    entries = {
        e.discipline.code: e
        for e in ProgramPlanEntry.objects.filter(
            program__code=ART_HISTORY, discipline__code__in=[OWN_ELECTIVE, OTHER_ELECTIVE]
        ).select_related("discipline")
    }
    other_offering = CourseOffering.objects.get(
        discipline__code=OTHER_ELECTIVE,
        period__year=plan.academic_year,
        period__kind=PeriodKind.SEMESTER_2,
    )
    assert not Enrollment.objects.filter(student=student, offering=other_offering).exists()
    return student, plan, waiting[0], entries, other_offering


def test_iup_reopened_changed_and_approved_from_the_queue(page: Page, log_in, log_out, iup_walk):
    student, plan, mate_plan, entries, other_offering = iup_walk
    plan_url = reverse("registrar:iup_plan", args=[plan.pk])
    reason = "КВ-2.1 тобынан басқа элективті таңдауға болады."

    # The program leader reopens the student's approved plan, with a reason.
    logged_in(page, log_in, "programleader")
    page.goto(plan_url)
    expect(page.locator("#plan-status")).to_have_text(tr(PlanStatus.APPROVED.label))
    page.locator("#reopen textarea[name=reason]").fill(reason)
    page.locator("#reopen button[type=submit]").click()
    expect(page.locator("#plan-status")).to_have_text(tr(PlanStatus.RETURNED.label))
    log_out(page)

    # The student sees the reason, swaps the elective and submits again.
    logged_in(page, log_in, "student")
    page.goto(reverse("registrar:iup_mine"))
    page.locator(f'a[href="{plan_url}"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(plan_url) + "$"))
    expect(page.locator("#decision-note")).to_contain_text(reason)
    own, other = entries[OWN_ELECTIVE], entries[OTHER_ELECTIVE]
    expect(page.locator(f"#entry-{own.pk}")).to_be_checked()
    page.locator(f"#entry-{own.pk}").uncheck()
    page.locator(f"#entry-{other.pk}").check()
    page.locator("#electives button[type=submit]").click()
    expect(page.locator(f"#entry-{other.pk}")).to_be_checked()
    expect(page.locator(f"#entry-{own.pk}")).not_to_be_checked()
    page.locator("#submit button[type=submit]").click()
    expect(page.locator("#plan-status")).to_have_text(tr(PlanStatus.SUBMITTED.label))
    log_out(page)

    # The leader approves both the student's and a groupmate's plan from the queue.
    logged_in(page, log_in, "programleader")
    page.goto(reverse("registrar:iup_queue"))
    rows = page.locator("#iup-queue tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator(f"#plan-{plan.pk}")).to_contain_text(student.full_name)
    page.locator(f"#plan-{plan.pk} input[name=note]").fill("Бекітілді.")
    page.locator(f"#plan-{plan.pk} button[value=approve]").click()
    expect(page.locator(f"#plan-{plan.pk}")).to_have_count(0)
    expect(rows).to_have_count(3)
    page.locator(f"#plan-{mate_plan.pk} button[value=approve]").click()
    expect(page.locator(f"#plan-{mate_plan.pk}")).to_have_count(0)
    expect(rows).to_have_count(2)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.decided_by.username == "programleader"
    assert plan.decision_note == "Бекітілді."
    codes = set(plan.items.values_list("discipline__code", flat=True))
    assert OTHER_ELECTIVE in codes and OWN_ELECTIVE not in codes
    assert Enrollment.objects.filter(student=student, offering=other_offering).exists()
    for approved in (plan, mate_plan):
        approved.refresh_from_db()
        assert approved.status == PlanStatus.APPROVED
        items = list(approved.items.select_related("offering"))
        assert items and all(item.offering_id for item in items), approved.student.username
        enrolled = set(
            Enrollment.objects.filter(student=approved.student).values_list(
                "offering_id", flat=True
            )
        )
        assert {item.offering_id for item in items} <= enrolled
    log_out(page)

    # The student's individual schedule lists the disciplines of the plan.
    logged_in(page, log_in, "student")
    page.goto(reverse("registrar:iup_mine"))
    schedule_url = reverse("registrar:iup_schedule", args=[plan.pk])
    page.locator(f'a[href="{schedule_url}"]').click()
    expect(page).to_have_url(re.compile(re.escape(schedule_url) + "$"))
    expect(page.locator("h1")).to_have_text(tr("Individual schedule"))
    for item in plan.items.select_related("discipline"):
        expect(page.locator(f"#schedule-{item.period_kind}")).to_contain_text(
            f"{item.discipline.code} · {item.discipline.name_kk}"
        )
    expect(page.locator("#schedule-semester_2")).not_to_contain_text(OWN_ELECTIVE)


# --- 2. distance study and the rector's order -----------------------------------------------------


def test_application_for_distance_study_up_to_the_rectors_order(page: Page, log_in, log_out):
    learner = User.objects.get(username="learner")
    assert not StudentProfile.objects.filter(user=learner).exists()
    program = Program.objects.get(code="6B02101")
    statement = "Денсаулығыма байланысты қашықтықтан оқуға рұқсат беруіңізді сұраймын."
    today = timezone.localdate()
    number = f"{today:%Y}-ДОТ-77"
    assert not RectorOrder.objects.filter(number=number).exists()

    # The learner files the application and attaches every document the ground needs.
    logged_in(page, log_in, "learner")
    page.goto(reverse("registrar:admission_mine"))
    page.locator("#admission-new").click()
    form = page.locator("#application-form")
    form.locator("#id_program").select_option(str(program.pk))
    form.locator("#id_ground").select_option(DistanceGround.SPECIAL_NEEDS.value)
    form.locator("#id_disability_group").select_option("2")
    form.locator("#id_funding").select_option("grant")
    form.locator("#id_statement").fill(statement)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admission/\d+/$"))
    application = AdmissionApplication.objects.get(applicant=learner)
    assert application.status == ApplicationStatus.DRAFT
    expect(page.locator("#missing-documents")).to_be_visible()

    kinds = [DocumentKind.IDENTITY, *REQUIRED_DOCUMENTS[DistanceGround.SPECIAL_NEEDS]]
    for count, kind in enumerate(kinds, start=1):
        documents = page.locator("#document-form")
        documents.locator("#id_kind").select_option(kind.value)
        documents.locator("#id_file").set_input_files(
            {
                "name": f"{kind.value}.pdf",
                "mimeType": "application/pdf",
                "buffer": minimal_pdf(kind.value),
            }
        )
        documents.locator("button[type=submit]").click()
        expect(page.locator("#documents li")).to_have_count(count)
    expect(page.locator("#missing-documents")).to_have_count(0)
    assert set(application.documents.values_list("kind", flat=True)) == set(kinds)
    page.locator("#submit-form button[type=submit]").click()
    expect(page.locator("#application-status")).to_have_text(tr(ApplicationStatus.SUBMITTED.label))
    log_out(page)

    # The admission committee approves it from its queue.
    logged_in(page, log_in, "admission")
    page.goto(reverse("registrar:admission_queue"))
    page.locator("#queue").get_by_role("link", name=learner.full_name).click()
    expect(page.locator("#applicant")).to_have_text(learner.full_name)
    decision = page.locator("#decision-form")
    decision.locator("#id_decision").select_option("approve")
    decision.locator("#id_note").fill("Негіз расталды.")
    decision.locator("button[type=submit]").click()
    expect(page.locator("#application-status")).to_have_text(tr(ApplicationStatus.APPROVED.label))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by.username == "admission"
    log_out(page)

    # The registrar drafts the order from this application only and registers it today.
    logged_in(page, log_in, "registrar")
    page.goto(reverse("registrar:order_list"))
    page.locator("#order-new").click()
    order_form = page.locator("#order-form")
    boxes = order_form.locator("input[name=applications]")
    for index in range(boxes.count()):
        boxes.nth(index).uncheck()
    order_form.locator(f"#app-{application.pk}").check()
    order_form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    order = RectorOrder.objects.get(lines__application=application)
    assert order.status == OrderStatus.DRAFT
    expect(page.locator("#order-lines tbody tr")).to_have_count(1)
    expect(page.locator("#order-lines")).to_contain_text(learner.full_name)
    register = page.locator("#register-form")
    register.locator("#id_number").fill(number)
    register.locator("#id_signed_on").fill(today.isoformat())
    register.locator("#id_effective_on").fill(today.isoformat())
    register.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("#register-form")).to_have_count(0)
    order.refresh_from_db()
    assert order.status == OrderStatus.REGISTERED
    assert order.number == number and order.signed_on == today and order.effective_on == today
    assert order.registered_by.username == "registrar"
    assert order.applied_at is not None  # it takes effect today: applied at registration

    # The order's Kazakh PDF, downloaded through the page's link.
    pdf_url = reverse("registrar:order_pdf", args=[order.pk])
    with page.expect_download() as info:
        page.locator(f'a[href="{pdf_url}?lang=kk"]').click()
    download = info.value
    assert download.failure() is None
    with open(download.path(), "rb") as pdf_file:
        data = pdf_file.read()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert one_line(learner.full_name) in text
    assert "БҰЙРЫҚ" in text and "БҰЙЫРАМЫН" in text  # the Kazakh heading and preamble
    assert one_line(program.name_kk) in text
    assert number in text and f"{today:%d.%m.%Y}" in text

    # The learner is now a student of the program, by distance technologies.
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ORDERED
    profile = StudentProfile.objects.get(user=learner)
    assert profile.program_id == program.pk
    assert profile.distance_ground == DistanceGround.SPECIAL_NEEDS
    assert profile.disability_group == 2
    assert profile.status == StudentStatus.ACTIVE
    assert profile.ground_document


# --- 3. the summer semester -----------------------------------------------------------------------


@pytest.fixture
def summer_walk(demo_academy):
    """The `student` login failed one discipline of this year's first semester (an F), and this
    year's summer semester is set up but not open yet."""
    student = User.objects.get(username="student")
    enrollment = (
        Enrollment.objects.filter(student=student, offering__period__kind=PeriodKind.SEMESTER_1)
        .select_related("offering__discipline", "offering__period")
        .order_by("offering__discipline__code")
        .first()
    )
    assert enrollment is not None
    offering = enrollment.offering
    FinalGrade.objects.create(
        student=student,
        discipline=offering.discipline,
        offering=offering,
        period=offering.period,
        attempt_kind="regular",
        letter="F",
        points=Decimal("0"),
        percent=Decimal("20"),
        credits=offering.discipline.credits,
        ects=offering.discipline.ects,
    )
    summer_period = AcademicPeriod.objects.get(year=offering.period.year, kind=PeriodKind.SUMMER)
    summer = SummerSemester.objects.get(period=summer_period)
    today = timezone.localdate()
    # Registration opens a month before the summer period; during the academic year it is not
    # open yet, and the registrar can still change its dates.
    if today >= summer.registration_closes_on:
        # from the close of summer registration (mid-June) to the next academic year the demo's
        # current summer semester cannot be opened any more: nothing to walk through then
        pytest.skip("this academic year's summer registration has closed")
    assert not SummerRegistration.objects.filter(summer=summer, student=student).exists()
    return student, offering.discipline, summer


def test_summer_registration_for_a_debt(page: Page, log_in, log_out, summer_walk):
    student, discipline, summer = summer_walk
    today = timezone.localdate()
    detail_url = reverse("registrar:summer_detail", args=[summer.pk])

    # The registrar opens this year's summer registration from today.
    logged_in(page, log_in, "registrar")
    page.goto(reverse("registrar:summer_list"))
    page.locator(f'#summers a[href="{detail_url}"]').click()
    expect(page).to_have_url(re.compile(re.escape(detail_url) + "$"))
    page.locator(f'a[href="{reverse("registrar:summer_edit", args=[summer.pk])}"]').click()
    page.locator("#id_registration_opens_on").fill(today.isoformat())
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(detail_url) + "$"))
    expect(page.locator("main")).to_contain_text(tr("Registration is open"))
    summer.refresh_from_db()
    assert summer.registration_opens_on == today
    log_out(page)

    # The student registers for the debt.
    logged_in(page, log_in, "student")
    page.goto(reverse("registrar:summer_mine"))
    block = page.locator(f'section[data-summer="{summer.pk}"]')
    debt = block.locator(".options-debt li").filter(has_text=discipline.code)
    expect(debt).to_contain_text(re.compile(r"· F ·"))
    debt.locator("button[type=submit]").click()
    block = page.locator(f'section[data-summer="{summer.pk}"]')
    expect(block.locator(".registrations li")).to_contain_text(discipline.code)
    registration = SummerRegistration.objects.get(summer=summer, student=student)
    assert registration.discipline_id == discipline.pk
    assert registration.reason == "debt"
    assert registration.status == SummerRegistrationStatus.REGISTERED
    assert registration.credits == discipline.credits
    log_out(page)

    # The registrar sees the student there and creates the summer course, which enrols them.
    logged_in(page, log_in, "registrar")
    page.goto(detail_url)
    section = page.locator(f'section[data-discipline="{discipline.code}"]')
    expect(section.locator(".students")).to_contain_text(student.full_name)
    tutor_value = section.locator("select[name=tutors] option").first.get_attribute("value")
    section.locator("select[name=tutors]").select_option(tutor_value)
    section.locator("button[type=submit]").click()
    section = page.locator(f'section[data-discipline="{discipline.code}"]')
    expect(section.locator(".students li").filter(has_text=student.full_name)).to_contain_text(
        tr(SummerRegistrationStatus.ENROLLED.label)
    )
    expect(section.locator('a[href$="/journal/"]')).to_have_count(1)
    registration.refresh_from_db()
    assert registration.status == SummerRegistrationStatus.ENROLLED
    assert registration.offering is not None
    assert registration.offering.period_id == summer.period_id
    assert Enrollment.objects.filter(student=student, offering=registration.offering).exists()
