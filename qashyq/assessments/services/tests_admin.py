"""Writes of a test's settings: create, update, delete, sections (and their order), publish,
overrides.

Every service checks ``policies.can_manage_tests`` first (the tutors of the offering), validates
everything before writing, and writes in one transaction; bad input raises ``ValidationFailed``
with a specific translated message and changes nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .. import policies
from ..models import (
    REVIEW_ITEMS,
    REVIEW_MOMENTS,
    Attempt,
    GradingMethod,
    Navigation,
    Question,
    QuestionCategory,
    Test,
    TestKind,
    TestOverride,
    TestQuestion,
    TestSection,
)

__all__ = [
    "TEST_FIELDS",
    "eligible_questions",
    "override_set",
    "parse_ip_ranges",
    "section_add",
    "section_move",
    "section_remove",
    "test_create",
    "test_delete",
    "test_publish",
    "test_question_move",
    "test_update",
]

REVIEW_FIELDS = tuple(f"review_{m}_{i}" for m in REVIEW_MOMENTS for i in REVIEW_ITEMS)
TEST_FIELDS = (
    "title",
    "intro",
    "kind",
    "opens_at",
    "closes_at",
    "time_limit",
    "attempts_allowed",
    "grading_method",
    "navigation",
    "shuffle_questions",
    "shuffle_options",
    "password",
    "allowed_ip_ranges",
    "proctored",
    "gradebook_column",
    *REVIEW_FIELDS,
)
BOOLEAN_FIELDS = {"shuffle_questions", "shuffle_options", "proctored", *REVIEW_FIELDS}


def _fail(message, code: str):
    raise ValidationFailed(message, code=code)


def parse_ip_ranges(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """One address or CIDR range per line; blank lines and ``#`` comments are ignored."""
    networks = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            networks.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            _fail(
                _("Line %(line)s of the allowed IP ranges is not an address or a range: %(text)s")
                % {"line": number, "text": line[:60]},
                "bad_ip_range",
            )
    return networks


def _clean(fields: dict[str, Any], current: Test | None) -> dict[str, Any]:
    unknown = set(fields) - set(TEST_FIELDS)
    if unknown:
        raise TypeError(f"Unknown test fields: {sorted(unknown)}")
    cleaned = dict(fields)
    if "title" in cleaned or current is None:
        title = " ".join(str(cleaned.get("title") or "").split())
        if not title:
            _fail(_("Give the test a title."), "title_required")
        if len(title) > 255:
            _fail(_("The title is too long (at most 255 characters)."), "title_too_long")
        cleaned["title"] = title
    if "kind" in cleaned and cleaned["kind"] not in TestKind.values:
        _fail(_("Unknown kind of test."), "bad_kind")
    if "grading_method" in cleaned and cleaned["grading_method"] not in GradingMethod.values:
        _fail(_("Unknown grading method."), "bad_grading_method")
    if "navigation" in cleaned and cleaned["navigation"] not in Navigation.values:
        _fail(_("Unknown navigation."), "bad_navigation")
    if cleaned.get("time_limit") is not None:
        limit = cleaned["time_limit"]
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 24 * 60:
            _fail(_("The time limit is a number of minutes from 1 to 1440."), "bad_time_limit")
    if "attempts_allowed" in cleaned:
        allowed = cleaned["attempts_allowed"]
        if isinstance(allowed, bool) or not isinstance(allowed, int) or not 0 <= allowed <= 100:
            _fail(_("Attempts allowed is a number from 0 (unlimited) to 100."), "bad_attempts")
    for name in BOOLEAN_FIELDS & set(cleaned):
        cleaned[name] = bool(cleaned[name])
    if "password" in cleaned:
        cleaned["password"] = str(cleaned["password"] or "").strip()
        if len(cleaned["password"]) > 64:
            _fail(_("The password is too long (at most 64 characters)."), "bad_password")
    if "allowed_ip_ranges" in cleaned:
        cleaned["allowed_ip_ranges"] = str(cleaned["allowed_ip_ranges"] or "").strip()
        parse_ip_ranges(cleaned["allowed_ip_ranges"])
    if "gradebook_column" in cleaned:
        cleaned["gradebook_column"] = str(cleaned["gradebook_column"] or "").strip()[:32]
    opens = cleaned.get("opens_at", getattr(current, "opens_at", None))
    closes = cleaned.get("closes_at", getattr(current, "closes_at", None))
    if opens is not None and closes is not None and closes <= opens:
        _fail(_("The test must close after it opens."), "closes_before_opening")
    return cleaned


def test_create(*, actor, offering, **fields) -> Test:
    if not policies.can_manage_tests(actor, offering):
        raise PermissionDenied(_("Only the tutors of this course may create its tests."))
    cleaned = _clean(fields, None)
    with transaction.atomic():
        return Test.objects.create(
            offering=offering,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **cleaned,
        )


test_create.__test__ = False  # type: ignore[attr-defined]


def test_update(*, actor, test: Test, **fields) -> Test:
    """Change settings. Attempts already started keep their deadline and questions."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may change its tests."))
    cleaned = _clean(fields, test)
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(test, name, value)
        test.save()
    return test


test_update.__test__ = False  # type: ignore[attr-defined]


def eligible_questions(section: TestSection):
    """The questions a random section draws from: not archived, with a version."""
    if section.category_id is None:
        return Question.objects.none()
    categories = [section.category_id]
    if section.include_subcategories:
        frontier = [section.category_id]
        while frontier:
            frontier = list(
                QuestionCategory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            categories += frontier
    return Question.objects.filter(
        category_id__in=categories, archived=False, current_version__isnull=False
    ).exclude(current_version__qtype="description")


def section_add(
    *,
    actor,
    test: Test,
    category: QuestionCategory | None = None,
    count: int = 0,
    questions: Iterable[Question] = (),
    include_subcategories: bool = False,
    mark: Any = None,
) -> TestSection:
    """``count`` random questions of ``category``, or (without a category) fixed ``questions``.
    The banks must belong to the test's discipline or its department."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may change its tests."))
    questions = list(questions)
    if category is not None and questions:
        _fail(_("A section draws from a category or lists questions, not both."), "bad_section")
    bad_count = isinstance(count, bool) or not isinstance(count, int) or count < 1
    if category is not None and bad_count:
        _fail(_("Say how many questions to draw (at least 1)."), "bad_count")
    if category is None and not questions:
        _fail(_("Choose a category or some questions."), "empty_section")
    if mark is not None:
        try:
            mark = Decimal(str(mark))
        except InvalidOperation:
            mark = Decimal(-1)
        if not mark.is_finite():
            mark = Decimal(-1)
        if not Decimal(0) <= mark <= Decimal(1000):
            _fail(_("The mark is a number from 0 to 1000."), "bad_mark")
    discipline = test.offering.discipline
    banks = {category.bank} if category is not None else {q.bank for q in questions}
    for bank in banks:
        if not (
            bank.discipline_id == discipline.pk
            or (bank.department_id is not None and bank.department_id == discipline.department_id)
        ):
            _fail(
                _("The questions must come from a bank of this discipline or its department."),
                "bank_other_discipline",
            )
    with transaction.atomic():
        position = (test.sections.aggregate(m=Max("position"))["m"] or 0) + 1
        section = TestSection.objects.create(
            test=test,
            position=position,
            category=category,
            include_subcategories=include_subcategories,
            count=count if category is not None else 0,
            mark=mark,
        )
        TestQuestion.objects.bulk_create(
            [
                TestQuestion(section=section, question=q, position=i)
                for i, q in enumerate(questions, start=1)
            ]
        )
    return section


def section_remove(*, actor, section: TestSection) -> None:
    """Remove a section (its fixed questions go with it). Attempts already started keep the
    questions they drew: their slots point to question versions, not to sections."""
    test = section.test
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may change its tests."))
    with transaction.atomic():
        TestSection.objects.filter(pk=section.pk).delete()
        if test.published and not test.sections.exists():
            # a published test without questions could only refuse every student
            Test.objects.filter(pk=test.pk).update(published=False)
            test.published = False


def test_publish(*, actor, test: Test, published: bool = True) -> Test:
    """Open the test to its students; refuses a test without questions or with a section that
    asks for more questions than its category holds."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may publish its tests."))
    if published:
        sections = list(test.sections.all())
        if not sections:
            _fail(_("The test has no questions yet."), "no_questions")
        for section in sections:
            if section.category_id is not None:
                available = eligible_questions(section).count()
                if available < section.count:
                    _fail(
                        _(
                            "Section %(position)s asks for %(count)s questions but its category "
                            "holds %(available)s."
                        )
                        % {
                            "position": section.position,
                            "count": section.count,
                            "available": available,
                        },
                        "not_enough_questions",
                    )
    with transaction.atomic():
        Test.objects.filter(pk=test.pk).update(published=published)
    test.published = published
    return test


test_publish.__test__ = False  # type: ignore[attr-defined]


def override_set(
    *,
    actor,
    test: Test,
    student=None,
    group=None,
    opens_at=None,
    closes_at=None,
    time_limit: int | None = None,
    attempts_allowed: int | None = None,
) -> TestOverride | None:
    """Set (or, with every value None, remove) the override of one student or one group."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may change its tests."))
    if (student is None) == (group is None):
        _fail(_("An override is for one student or one group."), "bad_override_target")
    if time_limit is not None and (
        isinstance(time_limit, bool) or not isinstance(time_limit, int) or time_limit < 1
    ):
        _fail(_("The time limit is a number of minutes from 1 to 1440."), "bad_time_limit")
    if attempts_allowed is not None and (
        isinstance(attempts_allowed, bool)
        or not isinstance(attempts_allowed, int)
        or attempts_allowed < 0
    ):
        _fail(_("Attempts allowed is a number from 0 (unlimited) to 100."), "bad_attempts")
    opens = opens_at or test.opens_at
    closes = closes_at or test.closes_at
    if opens is not None and closes is not None and closes <= opens:
        _fail(_("The test must close after it opens."), "closes_before_opening")
    target = {"student": student} if student is not None else {"group": group}
    values = {
        "opens_at": opens_at,
        "closes_at": closes_at,
        "time_limit": time_limit,
        "attempts_allowed": attempts_allowed,
    }
    with transaction.atomic():
        if all(v is None for v in values.values()):
            TestOverride.objects.filter(test=test, **target).delete()
            return None
        override, _created = TestOverride.objects.update_or_create(
            test=test, **target, defaults=values
        )
    return override


# --- order of sections and questions, deletion ---------------------------------------------------

MOVE_DIRECTIONS = ("up", "down")
AUDIT_TEST_DELETED = "assessments.test_deleted"


def _lock_test(test: Test) -> None:
    """Serialise the structural writes of one test (two reorders, a reorder and a delete)."""
    Test.objects.select_for_update().filter(pk=test.pk).first()


def _refuse_if_attempted(test: Test, message) -> None:
    if Attempt.objects.filter(test_id=test.pk).exists():
        raise Conflict(message, code="test_has_attempts")


def _move(rows: list, row_pk: int, direction: str) -> list | None:
    """``rows`` reordered with ``row_pk`` swapped with its neighbour; None at the edge."""
    index = next(i for i, row in enumerate(rows) if row.pk == row_pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return None
    rows = list(rows)
    rows[index], rows[other] = rows[other], rows[index]
    return rows


def _check_direction(direction: str) -> None:
    if direction not in MOVE_DIRECTIONS:
        _fail(_("Move a section or a question up or down."), "bad_direction")


def _reorder(*, actor, test: Test, item, siblings, direction: str, gone: Conflict) -> bool:
    """Move ``item`` one place up or down among ``siblings`` (a queryset of its model ordered
    by position); the positions become 1..n. ``gone`` is raised when the item is no longer
    among them."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may change its tests."))
    _check_direction(direction)
    with transaction.atomic():
        _lock_test(test)
        _refuse_if_attempted(
            test,
            _(
                "The order cannot change: students have already taken this test, and their "
                "attempts keep the order they were shown."
            ),
        )
        rows = list(siblings.order_by("position", "id"))
        if not any(row.pk == item.pk for row in rows):
            raise gone
        moved = _move(rows, item.pk, direction)
        if moved is None:
            return False
        for position, row in enumerate(moved, start=1):
            row.position = position
        siblings.model.objects.bulk_update(moved, ["position"])
    item.position = next(row.position for row in moved if row.pk == item.pk)
    return True


def section_move(*, actor, section: TestSection, direction: str) -> bool:
    """Move a section one place up or down; the positions become 1..n. Returns False when the
    section is already first (up) or last (down). Refused (``Conflict``) once the test has
    attempts: they keep the order they showed, and new ones should not differ from them."""
    test = section.test
    return _reorder(
        actor=actor,
        test=test,
        item=section,
        siblings=TestSection.objects.filter(test_id=test.pk),
        direction=direction,
        gone=Conflict(_("The section is no longer in the test."), code="section_gone"),
    )


def test_question_move(*, actor, test_question: TestQuestion, direction: str) -> bool:
    """Move a fixed question one place up or down within its section (the order students see
    when the test does not shuffle questions). Same rules as ``section_move``."""
    section = test_question.section
    return _reorder(
        actor=actor,
        test=section.test,
        item=test_question,
        siblings=TestQuestion.objects.filter(section_id=section.pk),
        direction=direction,
        gone=Conflict(_("The question is no longer in the section."), code="question_gone"),
    )


test_question_move.__test__ = False  # type: ignore[attr-defined]


def test_delete(*, actor, test: Test) -> None:
    """Delete a test that nobody has attempted, with its sections and overrides; audit-logged.
    A test with attempts is refused (``Conflict``): its results belong to the students, so the
    tutor closes it instead (unpublishes it, or sets its closing time)."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course may delete its tests."))
    refusal = _(
        "This test cannot be deleted: students have attempts at it, and their results must be "
        "kept. Unpublish it or set its closing time instead."
    )
    with transaction.atomic():
        _lock_test(test)
        _refuse_if_attempted(test, refusal)
        sections = list(
            TestSection.objects.filter(test_id=test.pk)
            .order_by("position", "id")
            .prefetch_related("fixed_questions")
        )
        old = {
            "title": test.title,
            "offering": test.offering_id,
            "kind": test.kind,
            "published": test.published,
            "opens_at": test.opens_at.isoformat() if test.opens_at else None,
            "closes_at": test.closes_at.isoformat() if test.closes_at else None,
            "sections": [
                {
                    "category": s.category_id,
                    "count": s.count,
                    "questions": [tq.question_id for tq in s.fixed_questions.all()],
                }
                for s in sections
            ],
            "overrides": TestOverride.objects.filter(test_id=test.pk).count(),
        }
        audit_record(actor=actor, action=AUDIT_TEST_DELETED, obj=test, old=old)
        try:
            with transaction.atomic():
                Test.objects.filter(pk=test.pk).delete()
        except ProtectedError as exc:  # an attempt started after the check (no row locks)
            raise Conflict(refusal, code="test_has_attempts") from exc


test_delete.__test__ = False  # type: ignore[attr-defined]
