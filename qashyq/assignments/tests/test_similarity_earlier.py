"""The similarity check against earlier years: a task's submissions are compared with those of
the discipline's earlier offerings, which are not re-reported among themselves; the report labels
such a match with the earlier period and names the earlier student only to who may see them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    CourseOfferingFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts import services as account_services
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assignments import services
from qashyq.assignments.models import SimilarityReport
from qashyq.assignments.similarity import SimilarityIndex
from qashyq.assignments.tests.factories import TaskFactory
from qashyq.assignments.tests.test_similarity import (
    KK_INDEPENDENT,
    KK_NEAR_COPY,
    KK_ORIGINAL,
    RU_ORIGINAL,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _period(title: str, start_year: int, kind: str = "semester_1"):
    year = AcademicYearFactory(
        title=title,
        starts_on=datetime.date(start_year, 9, 1),
        ends_on=datetime.date(start_year + 1, 8, 31),
        is_current=False,
    )
    month = 9 if kind == "semester_1" else 2
    start = datetime.date(start_year + (kind != "semester_1"), month, 1)
    return AcademicPeriodFactory(
        year=year, kind=kind, starts_on=start, ends_on=start + datetime.timedelta(days=120)
    )


def _offering(discipline, period, students: int):
    group = StudyGroupFactory()
    profiles = [StudentProfileFactory(group=group) for _ in range(students)]
    tutor = UserFactory()
    offering = CourseOfferingFactory(
        discipline=discipline, period=period, groups=[group], tutors=[tutor]
    )
    return offering, tutor, [p.user for p in profiles]


def _submit(task, student, text):
    # Earlier years' tasks are long past: submit "then".
    return services.submission_submit(
        actor=student, task=task, text=text, now=task.due_at - datetime.timedelta(days=1)
    )


def _task(offering, tutor, due):
    return TaskFactory(
        offering=offering, created_by=tutor, due_at=due, cut_off_at=due, title="Арал эссе"
    )


class World:
    """One discipline taught in 2024-2025 (two near-copies of each other there), 2025-2026
    (the original essay) and now (a near-copy of it and an independent essay); another
    discipline's earlier copy, and a later offering's copy, which must not be compared."""

    def __init__(self):
        now = datetime.datetime.now(datetime.UTC)
        current_period = _period("2026-2027", 2026)
        self.current, self.tutor, (self.copier, self.honest) = _offering(
            _discipline(), current_period, 2
        )
        discipline = self.current.discipline
        self.old, self.old_tutor, (self.old_author,) = _offering(
            discipline, _period("2025-2026", 2025), 1
        )
        self.older, _t, (self.older_a, self.older_b) = _offering(
            discipline, _period("2024-2025", 2024), 2
        )
        later, _t2, (self.later_student,) = _offering(
            discipline, _period("2026-2027", 2026, kind="semester_2"), 1
        )
        other, _t3, (self.other_discipline_student,) = _offering(
            _discipline(), _period("2025-2026", 2025), 1
        )
        self.task = _task(self.current, self.tutor, now + datetime.timedelta(days=5))
        old_task = _task(self.old, self.old_tutor, now - datetime.timedelta(days=400))
        older_task = _task(self.older, _t, now - datetime.timedelta(days=700))
        later_task = _task(later, _t2, now + datetime.timedelta(days=150))
        other_task = _task(other, _t3, now - datetime.timedelta(days=400))

        self.original = _submit(old_task, self.old_author, KK_ORIGINAL)
        _submit(older_task, self.older_a, RU_ORIGINAL)
        _submit(older_task, self.older_b, RU_ORIGINAL + " Қосымша сөйлем.")
        _submit(later_task, self.later_student, KK_ORIGINAL)
        _submit(other_task, self.other_discipline_student, KK_ORIGINAL)
        self.copy = _submit(self.task, self.copier, KK_NEAR_COPY)
        _submit(self.task, self.honest, KK_INDEPENDENT)
        SimilarityReport.objects.all().delete()  # what the on-commit checks left, if anything
        self.methodologist = user_with_role(
            "methodologist", "faculty", discipline.department.faculty_id
        )


def _discipline():
    from qashyq.academics.tests.factories import DisciplineFactory

    return DisciplineFactory()


@pytest.fixture
def world():
    return World()


def test_a_copy_of_an_earlier_years_submission_is_reported(world):
    rows = services.similarity_check_run(task_id=world.task.pk)
    assert len(rows) == 1
    report = SimilarityReport.objects.get()
    assert report.task == world.task
    assert report.submission_a == world.copy
    assert report.submission_b == world.original
    assert report.text_a == KK_NEAR_COPY and report.text_b == KK_ORIGINAL
    # Passages point into each text: the earlier year's side really is the earlier text.
    for passage in report.passages:
        a0, a1 = passage["a"]
        b0, b1 = passage["b"]
        assert KK_NEAR_COPY[a0:a1] and KK_ORIGINAL[b0:b1]
    assert report.jaccard >= 0.3 or report.containment >= 0.5


def test_earlier_submissions_are_not_reported_among_themselves(world):
    # The two 2024-2025 submissions are identical, yet nothing of theirs is reported again.
    services.similarity_check_run(task_id=world.task.pk)
    reported = set(SimilarityReport.objects.values_list("submission_a_id", "submission_b_id"))
    assert reported == {(world.copy.pk, world.original.pk)}


def test_later_offerings_and_other_disciplines_are_not_compared(world):
    # The later offering and the other discipline hold verbatim copies of the original: had
    # they been compared, they would be reported (containment 1.0) with the current copy.
    services.similarity_check_run(task_id=world.task.pk)
    assert SimilarityReport.objects.count() == 1


def test_the_earlier_years_own_check_does_not_look_forward(world):
    old_task = world.original.task
    services.similarity_check_run(task_id=old_task.pk)
    assert not SimilarityReport.objects.filter(task=old_task).exists()


def _page(client, user, world):
    client.force_login(user)
    return client.get(reverse("assignments:similarity", args=[world.task.pk])).content.decode()


@pytest.fixture
def reported(world, settings, client):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    services.similarity_check_run(task_id=world.task.pk)
    return world


def test_tutor_who_cannot_see_the_earlier_submission_gets_no_name(client, reported):
    world = reported
    body = _page(client, world.tutor, world)
    assert "earlier year: 2025-2026, Semester 1" in body
    assert "a student of an earlier year" in body
    assert world.old_author.full_name not in body
    assert world.copier.full_name in body
    # Only the overlapping passages of the earlier text are shown, not the whole of it.
    assert "Only the overlapping passages of the earlier submission are shown." in body
    assert "<mark>" in body
    assert "үйренуі тиіс" not in body  # the original's last sentence was not copied


def test_methodologist_who_may_see_it_gets_the_name_and_the_text(client, reported):
    world = reported
    body = _page(client, world.methodologist, world)
    assert "earlier year: 2025-2026, Semester 1" in body
    assert world.old_author.full_name in body
    assert "a student of an earlier year" not in body
    assert "үйренуі тиіс" in body


def test_the_earlier_offerings_own_tutor_teaching_now_sees_the_name(client, reported):
    world = reported
    world.current.tutors.add(world.old_tutor)
    body = _page(client, world.old_tutor, world)
    assert world.old_author.full_name in body


def test_api_report_hides_the_earlier_student_from_who_may_not_see_them(client, reported):
    world = reported

    def get(user):
        _t, key = account_services.api_token_create(actor=user, owner=user)
        response = client.get(
            f"/api/v1/tasks/{world.task.pk}/similarity",
            headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"},
        )
        assert response.status_code == 200
        return response.json()

    (hidden,) = get(world.tutor)
    assert hidden["earlier_year"] is True
    assert hidden["earlier_period"] == "2025-2026, Semester 1"
    assert hidden["student_b"] == "a student of an earlier year"
    assert hidden["submission_b_id"] is None
    assert world.old_author.full_name not in str(hidden)
    assert "үйренуі тиіс" not in hidden["text_b"]
    for passage in hidden["passages"]:
        b0, b1 = passage["b"]
        assert hidden["text_b"][b0:b1] in KK_ORIGINAL

    (shown,) = get(world.methodologist)
    assert shown["student_b"] == world.old_author.full_name
    assert shown["submission_b_id"] == world.original.pk
    assert shown["text_b"] == KK_ORIGINAL


def test_index_never_pairs_two_earlier_documents():
    index = SimilarityIndex()
    index.add("now", KK_INDEPENDENT)
    index.add("old1", KK_ORIGINAL, earlier=True)
    index.add("old2", KK_ORIGINAL, earlier=True)
    assert index.find_similar() == []
    index.add("now2", KK_NEAR_COPY)
    found = {(m.a_id, m.b_id) for m in index.find_similar()}
    assert found == {("old1", "now2"), ("old2", "now2")}
    assert index.is_earlier("old1") and not index.is_earlier("now2")


# --- stored fingerprints ------------------------------------------------------------------------


def test_fingerprints_are_stored_once_and_reused(world, monkeypatch):
    from qashyq.assignments.models import SubmissionFingerprint
    from qashyq.assignments.similarity import FINGERPRINT_SCHEME

    services.similarity_check_run(task_id=world.task.pk)
    first = list(SimilarityReport.objects.values_list("submission_a", "submission_b", "jaccard"))
    # this task's two submissions, the 2025-2026 one and the two of 2024-2025; not the later
    # offering's nor the other discipline's
    assert SubmissionFingerprint.objects.count() == 5
    assert set(SubmissionFingerprint.objects.values_list("scheme", flat=True)) == {
        FINGERPRINT_SCHEME
    }
    stored = SubmissionFingerprint.objects.get(submission=world.original)
    assert stored.text == KK_ORIGINAL

    def no_extraction(submission):
        raise AssertionError("the stored fingerprint should have been used")

    monkeypatch.setattr(services, "submission_check_text", no_extraction)
    services.similarity_check_run(task_id=world.task.pk)
    again = list(SimilarityReport.objects.values_list("submission_a", "submission_b", "jaccard"))
    assert again == first


def test_a_fingerprint_of_an_older_scheme_is_recomputed(world):
    from qashyq.assignments.models import SubmissionFingerprint
    from qashyq.assignments.similarity import FINGERPRINT_SCHEME

    services.similarity_check_run(task_id=world.task.pk)
    SubmissionFingerprint.objects.filter(submission=world.original).update(
        scheme="k4-old", shingles=b"", text=""
    )
    services.similarity_check_run(task_id=world.task.pk)
    fp = SubmissionFingerprint.objects.get(submission=world.original)
    assert fp.scheme == FINGERPRINT_SCHEME and fp.text == KK_ORIGINAL
    assert SimilarityReport.objects.get().submission_b == world.original


def test_index_from_stored_shingles_finds_what_the_texts_find():
    from qashyq.assignments.similarity import fingerprint, pack_shingles, unpack_shingles

    texts = {"a": KK_ORIGINAL, "b": KK_NEAR_COPY, "c": KK_INDEPENDENT, "d": RU_ORIGINAL}
    from_texts, from_stored = SimilarityIndex(), SimilarityIndex()
    for doc_id, text in texts.items():
        from_texts.add(doc_id, text)
        packed = pack_shingles(fingerprint(text).shingle_set)
        assert len(packed) % 8 == 0
        from_stored.add_shingles(doc_id, unpack_shingles(memoryview(packed)), text=text)
    assert from_stored.find_similar() == from_texts.find_similar()
    assert [m.a_id + m.b_id for m in from_stored.find_similar()] == ["ab"]
    assert from_stored.passages("a", "b") == from_texts.passages("a", "b")
    assert from_stored.signature("c") == from_texts.signature("c")
