"""The tutor's test pages and the student's review page. Thin: parse a form, check the policy,
call a service from ``services/tests_admin.py`` / ``services/attempts.py``, render.

* ``/courses/<offering>/tests/``: the tutors (and the course's overseers) see every test with
  its attempt counts; an enrolled student sees the published ones with their own attempts and a
  link to the exam page, each with the dates, time limit and attempts that apply to them
  (``selectors_student.student_tests``: their own or their group's override).
* ``/tests/<pk>/``: settings, sections (random from a category or fixed questions of a bank of
  the discipline or its department), their order (up/down buttons, until the first attempt),
  overrides per student or group, publish/unpublish.
* ``/tests/<pk>/delete/``: confirm, then delete a test nobody has attempted.
* ``/tests/<pk>/attempts/``: every enrolled student's attempts and final mark; "finish now".
* ``/attempts/<pk>/``: one attempt read-only, with the right answers (staff).
* ``/attempts/<pk>/review/``: the student's review, exactly what ``serialize.review_document``
  allows at this moment and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

from . import policies, selectors_student, serialize
from .forms_tests import FixedSectionForm, OverrideForm, RandomSectionForm, TestForm
from .models import (
    AnswerOutcome,
    Attempt,
    AttemptState,
    QType,
    Question,
    QuestionBank,
    QuestionCategory,
    Test,
    TestOverride,
    TestQuestion,
    TestSection,
)
from .services import tests_admin
from .services.attempts import (
    attempt_finish_if_overdue,
    attempt_submit,
    effective_settings,
    final_mark,
    offline_answers_apply,
)

FIXED_CHOICES_MAX = 300  # questions of one bank offered for a fixed section
DATE_FIELDS = ("opens_at", "closes_at")


# --- lookups and checks ---------------------------------------------------------------------------


def _offering(pk: int) -> CourseOffering:
    offering = (
        CourseOffering.objects.select_related("discipline__department", "period")
        .filter(pk=pk)
        .first()
    )
    if offering is None:
        raise NotFound(_("There is no such course."))
    return offering


def _test(pk: int) -> Test:
    test = (
        Test.objects.select_related("offering__discipline__department", "offering__period")
        .filter(pk=pk)
        .first()
    )
    if test is None:
        raise NotFound(_("There is no such test."))
    return test


def _require_manage(user, offering) -> None:
    if not policies.can_manage_tests(user, offering):
        raise PermissionDenied(_("Only the tutors of this course may change its tests."))


def _require_results(user, test: Test) -> None:
    if not policies.can_view_test_results(user, test.offering_id):
        if not test.published:
            raise NotFound(_("There is no such test."))
        raise PermissionDenied(_("The results of this test are open to the course's tutors."))


def _banks(offering: CourseOffering):
    """The banks a test of the offering may draw from: the discipline's and its department's."""
    discipline = offering.discipline
    q = Q(discipline_id=discipline.pk)
    if discipline.department_id is not None:
        q |= Q(department_id=discipline.department_id)
    return QuestionBank.objects.filter(q).order_by("title", "pk")


def _category_choices(banks) -> list[tuple[int, str]]:
    """``(id, "Bank › parent › name (N questions)")`` for every category of the banks."""
    categories = list(
        QuestionCategory.objects.filter(bank__in=banks)
        .select_related("bank")
        .annotate(
            available=Count(
                "questions",
                filter=Q(questions__archived=False, questions__current_version__isnull=False),
            )
        )
    )
    by_id = {c.pk: c for c in categories}

    def path(category) -> str:
        names, node, seen = [], category, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = by_id.get(node.parent_id)
        return " › ".join(reversed(names))

    rows = [
        (
            c.pk,
            _("%(bank)s › %(path)s (%(count)s questions)")
            % {"bank": c.bank.title, "path": path(c), "count": c.available},
        )
        for c in categories
    ]
    return sorted(rows, key=lambda row: row[1].casefold())


def _question_choices(bank: QuestionBank | None) -> list[tuple[int, str]]:
    if bank is None:
        return []
    questions = (
        Question.objects.filter(bank=bank, archived=False, current_version__isnull=False)
        .exclude(current_version__qtype=QType.DESCRIPTION)
        .select_related("current_version", "category")
        .order_by("category__name", "pk")[:FIXED_CHOICES_MAX]
    )
    return [
        (
            q.pk,
            f"{q.category.name + ' · ' if q.category else ''}{q.current_version.name} "
            f"({q.current_version.get_qtype_display()})",
        )
        for q in questions
    ]


def _targets(offering: CourseOffering) -> list[tuple[str, str]]:
    groups = [(f"g{g.pk}", _("Group %(name)s") % {"name": g}) for g in offering.groups.all()]
    students = [
        (f"s{e.student_id}", e.student.get_full_name() or e.student.username)
        for e in Enrollment.objects.filter(offering=offering)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__username")
    ]
    return groups + students


def _local(value):
    return timezone.localtime(value) if value is not None else None


# --- the list of an offering's tests --------------------------------------------------------------


@never_cache
@login_required
@require_GET
def test_list(request, offering_pk: int):
    offering = _offering(offering_pk)
    staff = policies.can_view_test_results(request.user, offering)
    manage = policies.can_manage_tests(request.user, offering)
    student = offering.pk in policies.enrolled_offering_ids(request.user)
    if not (staff or student):
        raise PermissionDenied(_("The tests of this course are open to its students and tutors."))
    tests = Test.objects.filter(offering=offering).order_by("opens_at", "pk")
    context: dict[str, Any] = {"offering": offering, "staff": staff, "manage": manage}
    if staff:
        context["tests"] = list(
            tests.annotate(
                attempt_count=Count("attempts", distinct=True),
                in_progress_count=Count(
                    "attempts",
                    filter=Q(attempts__state=AttemptState.IN_PROGRESS),
                    distinct=True,
                ),
                student_count=Count("attempts__student", distinct=True),
            )
        )
    else:
        # the student's own dates, time limit and attempts (overrides applied)
        now = timezone.now()
        context["rows"] = [
            (row, row.state(now)) for row in selectors_student.student_tests(request.user, offering)
        ]
    return render(request, "assessments/test_list.html", context)


# --- create and edit ------------------------------------------------------------------------------


@login_required
def test_create(request, offering_pk: int):
    offering = _offering(offering_pk)
    if not policies.can_manage_tests(request.user, offering):
        raise PermissionDenied(_("Only the tutors of this course may create its tests."))
    defaults = {f: Test._meta.get_field(f).default for f in tests_admin.REVIEW_FIELDS}
    form = TestForm(request.POST or None, initial=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            test = tests_admin.test_create(actor=request.user, offering=offering, **form.settings())
        except ValidationFailed as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("The test is saved as a draft. Add questions, then publish it.")
            )
            return redirect("assessments:test_detail", test.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessments/test_form.html",
        {"form": form, "offering": offering, "test": None},
        status=status,
    )


@login_required
def test_edit(request, pk: int):
    test = _test(pk)
    _require_manage(request.user, test.offering)
    initial = {f: getattr(test, f) for f in tests_admin.TEST_FIELDS}
    for name in DATE_FIELDS:
        initial[name] = _local(initial[name])
    form = TestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tests_admin.test_update(actor=request.user, test=test, **form.settings())
        except ValidationFailed as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The settings of the test are saved."))
            return redirect("assessments:test_detail", test.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessments/test_form.html",
        {"form": form, "offering": test.offering, "test": test},
        status=status,
    )


# --- the test's page: sections, overrides, publishing ---------------------------------------------


def _detail_context(request, test: Test, **forms) -> dict[str, Any]:
    offering = test.offering
    banks = list(_banks(offering))
    bank = None
    bank_id = request.POST.get("bank") or request.GET.get("bank")
    if bank_id and str(bank_id).isdigit():
        bank = next((b for b in banks if b.pk == int(bank_id)), None)
    if bank is None and banks:
        bank = banks[0]
    sections = list(
        test.sections.select_related("category__bank").prefetch_related(
            "fixed_questions__question__current_version"
        )
    )
    overrides = list(
        test.overrides.select_related("student", "group").order_by("group_id", "student_id")
    )
    targets = _targets(offering)
    return {
        "test": test,
        "offering": offering,
        "manage": policies.can_manage_tests(request.user, offering),
        "sections": sections,
        "overrides": overrides,
        "banks": banks,
        "bank": bank,
        "random_form": forms.get("random_form")
        or RandomSectionForm(categories=_category_choices(banks), auto_id="random-%s"),
        "fixed_form": forms.get("fixed_form")
        or FixedSectionForm(questions=_question_choices(bank), auto_id="fixed-%s"),
        "override_form": forms.get("override_form")
        or OverrideForm(targets=targets, auto_id="override-%s"),
        "fixed_max": FIXED_CHOICES_MAX,
        "review_rows": _review_summary(test),
        # attempts keep the order they showed: the order of sections and questions is then fixed
        "has_attempts": Attempt.objects.filter(test=test).exists(),
    }


def _review_summary(test: Test) -> list[tuple[str, list[bool]]]:
    form = TestForm()
    return [
        (moment_label, [bool(getattr(test, field.name)) for _label, field in cells])
        for moment_label, cells in form.review_grid()
    ]


@login_required
@require_GET
def test_detail(request, pk: int):
    test = _test(pk)
    if not policies.can_view_test_results(request.user, test.offering_id):
        if policies.can_take_test(request.user, test):
            return redirect("assessments:attempt_page", test.pk)
        _require_results(request.user, test)
    return render(request, "assessments/test_detail.html", _detail_context(request, test))


def _rerender(request, test: Test, error: str | None = None, **forms):
    if error:
        messages.error(request, error)
    return render(
        request, "assessments/test_detail.html", _detail_context(request, test, **forms), status=400
    )


@login_required
@require_POST
def section_add_random(request, pk: int):
    test = _test(pk)
    _require_manage(request.user, test.offering)
    banks = _banks(test.offering)
    form = RandomSectionForm(request.POST, categories=_category_choices(banks), auto_id="random-%s")
    if not form.is_valid():
        return _rerender(request, test, random_form=form)
    category = QuestionCategory.objects.filter(
        pk=form.cleaned_data["category"], bank__in=banks
    ).first()
    if category is None:
        form.add_error("category", _("Choose a category of this discipline's banks."))
        return _rerender(request, test, random_form=form)
    try:
        tests_admin.section_add(
            actor=request.user,
            test=test,
            category=category,
            count=form.cleaned_data["count"],
            include_subcategories=form.cleaned_data["include_subcategories"],
            mark=form.cleaned_data["mark"],
        )
    except ValidationFailed as exc:
        form.add_error(None, str(exc.message))
        return _rerender(request, test, random_form=form)
    messages.success(request, _("The section is added."))
    return redirect("assessments:test_detail", test.pk)


@login_required
@require_POST
def section_add_fixed(request, pk: int):
    test = _test(pk)
    _require_manage(request.user, test.offering)
    banks = list(_banks(test.offering))
    bank_id = request.POST.get("bank", "")
    bank = next((b for b in banks if bank_id.isdigit() and b.pk == int(bank_id)), None)
    form = FixedSectionForm(request.POST, questions=_question_choices(bank), auto_id="fixed-%s")
    if bank is None or not form.is_valid():
        if bank is None:
            form.add_error(None, _("Choose a bank of this discipline."))
        return _rerender(request, test, fixed_form=form)
    chosen = form.cleaned_data["questions"]
    by_id = Question.objects.filter(pk__in=chosen, bank=bank).select_related("bank").in_bulk()
    try:
        tests_admin.section_add(
            actor=request.user,
            test=test,
            questions=[by_id[i] for i in chosen if i in by_id],
            mark=form.cleaned_data["mark"],
        )
    except ValidationFailed as exc:
        form.add_error(None, str(exc.message))
        return _rerender(request, test, fixed_form=form)
    messages.success(request, _("The section is added."))
    return redirect("assessments:test_detail", test.pk)


@login_required
@require_POST
def section_remove(request, pk: int, section_pk: int):
    test = _test(pk)
    _require_manage(request.user, test.offering)
    section = TestSection.objects.filter(pk=section_pk, test=test).first()
    if section is None:
        raise NotFound(_("There is no such section."))
    section.test = test
    was_published = test.published
    tests_admin.section_remove(actor=request.user, section=section)
    messages.success(request, _("The section is removed."))
    if was_published and not test.published:
        messages.warning(request, _("The test has no questions left and is hidden from students."))
    return redirect("assessments:test_detail", test.pk)


def _direction(request) -> str:
    direction = request.POST.get("direction", "")
    if direction not in tests_admin.MOVE_DIRECTIONS:
        raise ValidationFailed(_("Move a section or a question up or down."), code="bad_direction")
    return direction


@login_required
@require_POST
def section_move(request, pk: int, section_pk: int):
    """Move a section up or down (POST ``direction``); refused once the test has attempts."""
    test = _test(pk)
    _require_manage(request.user, test.offering)
    section = TestSection.objects.filter(pk=section_pk, test=test).first()
    if section is None:
        raise NotFound(_("There is no such section."))
    section.test = test
    return _after_move(
        request,
        test,
        lambda: tests_admin.section_move(
            actor=request.user, section=section, direction=_direction(request)
        ),
        saved=_("The order of the sections is saved."),
        at_end=_("The section is already at that end of the test."),
    )


def _after_move(request, test, move, *, saved: str, at_end: str):
    """Run a move service; say what happened and go back to the test's sections."""
    try:
        moved = move()
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, str(exc.message))
    else:
        if moved:
            messages.success(request, saved)
        else:
            messages.info(request, at_end)
    return redirect(f"{reverse('assessments:test_detail', args=[test.pk])}#test-sections-title")


@login_required
@require_POST
def test_question_move(request, pk: int, section_pk: int, question_pk: int):
    """Move a fixed question up or down within its section; refused once the test has attempts."""
    test = _test(pk)
    _require_manage(request.user, test.offering)
    test_question = (
        TestQuestion.objects.filter(pk=question_pk, section_id=section_pk, section__test=test)
        .select_related("section")
        .first()
    )
    if test_question is None:
        raise NotFound(_("There is no such question in this section."))
    test_question.section.test = test
    return _after_move(
        request,
        test,
        lambda: tests_admin.test_question_move(
            actor=request.user, test_question=test_question, direction=_direction(request)
        ),
        saved=_("The order of the questions is saved."),
        at_end=_("The question is already at that end of its section."),
    )


@login_required
def test_delete(request, pk: int):
    """GET: the confirmation page (or, for a test with attempts, why it cannot be deleted);
    POST: delete the test and go back to the course's tests."""
    test = _test(pk)
    _require_manage(request.user, test.offering)
    attempt_count = Attempt.objects.filter(test=test).count()
    if request.method == "POST":
        offering_pk = test.offering_id
        try:
            tests_admin.test_delete(actor=request.user, test=test)
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect("assessments:test_detail", test.pk)
        messages.success(request, _("The test “%(title)s” is deleted.") % {"title": test.title})
        return redirect("assessments:test_list", offering_pk)
    return render(
        request,
        "assessments/test_delete.html",
        {
            "test": test,
            "offering": test.offering,
            "attempt_count": attempt_count,
            "section_count": test.sections.count(),
            "override_count": test.overrides.count(),
        },
    )


def _target(test: Test, value: str):
    """``("student", user)`` or ``("group", group)`` of the offering, from ``s12``/``g3``."""
    if len(value) > 1 and value[1:].isdigit():
        ident = int(value[1:])
        if value[0] == "s":
            enrollment = (
                Enrollment.objects.filter(offering_id=test.offering_id, student_id=ident)
                .select_related("student")
                .first()
            )
            if enrollment is not None:
                return "student", enrollment.student
        elif value[0] == "g":
            group = test.offering.groups.filter(pk=ident).first()
            if group is not None:
                return "group", group
    return None


@login_required
@require_POST
def override_save(request, pk: int):
    test = _test(pk)
    _require_manage(request.user, test.offering)
    form = OverrideForm(request.POST, targets=_targets(test.offering), auto_id="override-%s")
    if not form.is_valid():
        return _rerender(request, test, override_form=form)
    target = _target(test, form.cleaned_data["target"])
    if target is None:
        form.add_error("target", _("Choose a student or a group of this course."))
        return _rerender(request, test, override_form=form)
    values = {name: form.cleaned_data[name] for name in ("opens_at", "closes_at")}
    values["time_limit"] = form.cleaned_data["time_limit"]
    values["attempts_allowed"] = form.cleaned_data["attempts_allowed"]
    try:
        override = tests_admin.override_set(
            actor=request.user, test=test, **{target[0]: target[1]}, **values
        )
    except ValidationFailed as exc:
        form.add_error(None, str(exc.message))
        return _rerender(request, test, override_form=form)
    if override is None:
        messages.success(request, _("The override is removed."))
    else:
        messages.success(request, _("The override is saved."))
    return redirect("assessments:test_detail", test.pk)


@login_required
@require_POST
def override_remove(request, pk: int, override_pk: int):
    test = _test(pk)
    _require_manage(request.user, test.offering)
    override = (
        TestOverride.objects.filter(pk=override_pk, test=test)
        .select_related("student", "group")
        .first()
    )
    if override is None:
        raise NotFound(_("There is no such override."))
    target = {"student": override.student} if override.student_id else {"group": override.group}
    tests_admin.override_set(actor=request.user, test=test, **target)
    messages.success(request, _("The override is removed."))
    return redirect("assessments:test_detail", test.pk)


@login_required
@require_POST
def test_publish(request, pk: int):
    test = _test(pk)
    _require_manage(request.user, test.offering)
    publish = request.POST.get("published") == "1"
    try:
        tests_admin.test_publish(actor=request.user, test=test, published=publish)
    except ValidationFailed as exc:
        return _rerender(request, test, error=str(exc.message))
    messages.success(
        request,
        _("The test is published.") if publish else _("The test is hidden from students."),
    )
    return redirect("assessments:test_detail", test.pk)


# --- attempts of a test ---------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def test_attempts(request, pk: int):
    test = _test(pk)
    _require_results(request.user, test)
    attempts = list(
        Attempt.objects.filter(test=test).select_related("student").order_by("student_id", "number")
    )
    by_student: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_student.setdefault(attempt.student_id, []).append(attempt)
    students = {
        e.student_id: e.student
        for e in Enrollment.objects.filter(offering_id=test.offering_id).select_related("student")
    }
    for attempt in attempts:  # someone who left the course keeps their attempts on this page
        students.setdefault(attempt.student_id, attempt.student)
    rows = []
    for student_id, student in students.items():
        mine = by_student.get(student_id, [])
        scores = [a.score for a in mine if a.state == AttemptState.FINISHED and a.score is not None]
        rows.append(
            {
                "student": student,
                "name": student.get_full_name() or student.username,
                "attempts": mine,
                "final": final_mark(scores, test.grading_method),
            }
        )
    rows.sort(key=lambda r: r["name"].casefold())
    return render(
        request,
        "assessments/test_attempts.html",
        {
            "test": test,
            "offering": test.offering,
            "rows": rows,
            "manage": policies.can_manage_tests(request.user, test.offering_id),
            "now": timezone.now(),
        },
    )


def _attempt(pk: int) -> Attempt:
    attempt = (
        Attempt.objects.select_related(
            "student", "test__offering__discipline", "test__offering__period"
        )
        .filter(pk=pk)
        .first()
    )
    if attempt is None:
        raise NotFound(_("There is no such attempt."))
    return attempt


@login_required
@require_POST
def attempt_finish(request, pk: int):
    """A tutor finishes a student's attempt now (a student who left the room)."""
    attempt = _attempt(pk)
    if not policies.can_manage_tests(request.user, attempt.test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may finish an attempt."))
    if attempt.state == AttemptState.IN_PROGRESS:
        attempt_submit(actor=request.user, attempt=attempt)
        messages.success(request, _("The attempt is finished."))
    else:
        messages.info(request, _("The attempt was already finished."))
    return redirect("assessments:test_attempts", attempt.test_id)


OFFLINE_FILE_MAX_BYTES = 2 * 1024 * 1024


@login_required
@require_POST
def attempt_offline_file(request, pk: int):
    """A tutor applies a student's offline answers file to the attempt (the service decrypts and
    checks it; a damaged file or another attempt's changes nothing)."""
    attempt = _attempt(pk)
    if not policies.can_view_test_results(request.user, attempt.test.offering_id):
        raise NotFound(_("There is no such attempt."))
    upload = request.FILES.get("answers_file")
    if upload is None or upload.size > OFFLINE_FILE_MAX_BYTES:
        messages.error(
            request, _("Choose the answers file the exam page saved (a small .json file).")
        )
        return redirect("assessments:attempt_view", attempt.pk)
    try:
        report = offline_answers_apply(actor=request.user, attempt=attempt, document=upload.read())
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:attempt_view", attempt.pk)
    saved = sum(1 for row in report if row["outcome"] == AnswerOutcome.SAVED)
    messages.success(
        request,
        _(
            "The file held %(total)s answer(s): %(saved)s applied, %(kept)s already saved or "
            "older than the saved ones."
        )
        % {"total": len(report), "saved": saved, "kept": len(report) - saved},
    )
    return redirect("assessments:attempt_view", attempt.pk)


# --- one attempt: the tutor's view and the student's review ---------------------------------------


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("True") if value else _("False")
    return str(value)


def _numerical(correct: Any) -> str:
    if isinstance(correct, dict):
        value, tolerance = correct.get("value"), correct.get("tolerance") or 0
        return f"{value} ± {tolerance}" if tolerance else _text(value)
    return _text(correct)


def _choice_text(options: list[dict], option_id: Any) -> str:
    for option in options:
        if option.get("id") == option_id:
            return option.get("text_html", "")
    return escape(_text(option_id))


def review_rows(doc: dict) -> list[dict[str, Any]]:
    """The slots of a review document as the template draws them. Only what the document holds
    is used: a response, a score, a right answer or feedback it leaves out stays out."""
    labels = dict(QType.choices)
    rows = []
    for entry in doc.get("slots", []):
        qtype = entry.get("qtype")
        has_response = "response" in entry
        has_correct = "correct" in entry
        response = entry.get("response")
        correct = entry.get("correct")
        row: dict[str, Any] = {
            "number": entry.get("slot"),
            "qtype": labels.get(qtype, qtype),
            "text_html": mark_safe(entry.get("text_html", "")),  # noqa: S308 (sanitised)
            "mark": entry.get("mark"),
            "has_score": "score" in entry,
            "score": entry.get("score"),
            "feedback_html": mark_safe(entry.get("feedback") or ""),  # noqa: S308 (sanitised)
            "rubric": entry.get("rubric") or [],
            "has_response": has_response,
            "has_correct": has_correct,
            "options": [],
            "lines": [],
        }
        if qtype in (QType.SINGLE, QType.MULTIPLE):
            chosen = {response} if isinstance(response, str) else set(response or [])
            right = {correct} if isinstance(correct, str) else set(correct or [])
            row["options"] = [
                {
                    "text_html": mark_safe(o.get("text_html", "")),  # noqa: S308
                    "chosen": has_response and o.get("id") in chosen,
                    "correct": has_correct and o.get("id") in right,
                }
                for o in entry.get("options", [])
            ]
        elif qtype in (QType.TRUEFALSE, QType.SHORT, QType.NUMERICAL):
            row["lines"].append(
                {
                    "label": _("Answer"),
                    "yours": escape(_text(response)),
                    "right": escape(
                        _numerical(correct) if qtype == QType.NUMERICAL else _text(correct)
                    ),
                }
            )
        elif qtype == QType.MATCHING:
            response = response if isinstance(response, dict) else {}
            correct = correct if isinstance(correct, dict) else {}
            for prompt in entry.get("prompts", []):
                row["lines"].append(
                    {
                        "label": mark_safe(prompt.get("text_html", "")),  # noqa: S308
                        "yours": escape(_text(response.get(prompt.get("id")))),
                        "right": escape(_text(correct.get(prompt.get("id")))),
                    }
                )
        elif qtype == QType.ORDERING:
            items = entry.get("items", [])

            def order(ids: Any, items=items) -> str:
                if not isinstance(ids, list) or not ids:
                    return "—"
                return mark_safe(  # noqa: S308
                    " → ".join(_choice_text(items, i) for i in ids)
                )

            row["lines"].append(
                {"label": _("Order"), "yours": order(response), "right": order(correct)}
            )
        elif qtype == QType.CLOZE:
            response = response if isinstance(response, dict) else {}
            correct = correct if isinstance(correct, dict) else {}
            for number, gap in enumerate(entry.get("gaps", []), start=1):
                gap_id = gap.get("id")
                options = gap.get("options") or []

                def shown(value: Any, options=options) -> str:
                    if options and isinstance(value, str):
                        return _choice_text(options, value)
                    if isinstance(value, dict):
                        return escape(_numerical(value))
                    return escape(_text(value))

                row["lines"].append(
                    {
                        "label": _("Gap %(number)s") % {"number": number},
                        "yours": shown(response.get(gap_id)),
                        "right": shown(correct.get(gap_id)),
                    }
                )
        elif qtype == QType.ESSAY:
            text = response.get("text") if isinstance(response, dict) else response
            essay = serialize.html(text, "html") if isinstance(text, str) else ""
            row["essay_html"] = mark_safe(essay)  # noqa: S308 (sanitised by nh3)
        if qtype in (QType.ESSAY, QType.FILE) and has_response:
            referenced = response.get("files") if isinstance(response, dict) else None
            uploaded = entry.get("files")
            if isinstance(uploaded, list):  # the files the document lists, with their links
                wanted = {str(i) for i in referenced} if isinstance(referenced, list) else None
                row["file_links"] = [
                    {"name": f.get("name") or "", "url": f.get("url") or ""}
                    for f in uploaded
                    if isinstance(f, dict) and (wanted is None or str(f.get("id")) in wanted)
                ]
            row["files"] = len(referenced) if isinstance(referenced, list) else 0
        rows.append(row)
    return rows


def _render_attempt(request, attempt: Attempt, doc: dict, *, staff: bool):
    return render(
        request,
        "assessments/attempt_review.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "doc": doc,
            "rows": review_rows(doc),
            "staff": staff,
            "manage": staff and policies.can_manage_tests(request.user, attempt.test.offering_id),
            "has_score": "score" in doc,
        },
    )


@never_cache
@login_required
@require_GET
def attempt_view(request, pk: int):
    """The staff's read-only view of one attempt, right answers included."""
    attempt = _attempt(pk)
    if not policies.can_view_test_results(request.user, attempt.test.offering_id):
        if attempt.student_id == request.user.pk:
            return redirect("assessments:attempt_review", attempt.pk)
        raise NotFound(_("There is no such attempt."))
    attempt_finish_if_overdue(attempt)
    doc = serialize.review_document(attempt, staff=True)
    return _render_attempt(request, attempt, doc, staff=True)


@never_cache
@login_required
@require_GET
def attempt_review(request, pk: int):
    """The student's review: what the test's review options allow now, nothing more."""
    attempt = _attempt(pk)
    if attempt.student_id != request.user.pk:
        if policies.can_view_test_results(request.user, attempt.test.offering_id):
            return redirect("assessments:attempt_view", attempt.pk)
        raise NotFound(_("There is no such attempt."))
    now = timezone.now()
    attempt_finish_if_overdue(attempt, now=now)
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect("assessments:attempt_page", attempt.test_id)
    closes_at = effective_settings(attempt.test, request.user).closes_at
    doc = serialize.review_document(attempt, now=now, closes_at=closes_at)
    return _render_attempt(request, attempt, doc, staff=False)


__all__ = [
    "attempt_finish",
    "attempt_offline_file",
    "attempt_review",
    "attempt_view",
    "final_mark",
    "override_remove",
    "override_save",
    "review_rows",
    "section_add_fixed",
    "section_add_random",
    "section_move",
    "section_remove",
    "test_attempts",
    "test_create",
    "test_delete",
    "test_detail",
    "test_edit",
    "test_list",
    "test_publish",
    "test_question_move",
]
