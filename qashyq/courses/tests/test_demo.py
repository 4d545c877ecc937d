import pytest

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DisciplineFactory,
    FacultyFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.courses import demo, selectors
from qashyq.courses.models import (
    ConsultationBooking,
    ConsultationSlot,
    Eumk,
    EumkVersion,
    Material,
    OfflinePackageSettings,
)

MEDIA = demo.MEDIA_DIR


class Ctx:
    def __init__(self, users):
        self.objects = {"users": users}
        self.lines = []

    def log(self, line):
        self.lines.append(line)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def academy(db):
    """The three disciplines; the tutor teaches IAS1104 to the student's group."""
    faculty = FacultyFactory()
    disciplines = {
        code: DisciplineFactory(code=code, department__faculty=faculty)
        for code in ("IAS1104", "ACR3102", "HWA1204")
    }
    group = StudyGroupFactory()
    student = StudentProfileFactory(group=group).user
    tutor = UserFactory(username="tutor")
    offering = CourseOfferingFactory(
        discipline=disciplines["IAS1104"], groups=[group], tutors=[tutor]
    )
    users = {
        "methodologist": user_with_role("methodologist", "faculty", faculty.pk),
        "tutor": tutor,
        "student": student,
    }
    return Ctx(users), offering


def _files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def _rows():
    return [
        m.objects.count()
        for m in (
            Eumk,
            EumkVersion,
            Material,
            ConsultationSlot,
            ConsultationBooking,
            OfflinePackageSettings,
        )
    ]


def test_committed_media_is_a_small_webm_with_kazakh_captions():
    video = (MEDIA / demo.VIDEO_FILE).read_bytes()
    assert video[:4] == b"\x1a\x45\xdf\xa3"  # EBML (Matroska/WebM)
    assert b"webm" in video[:64]
    assert 100_000 < len(video) < 1_500_000
    captions = (MEDIA / demo.CAPTIONS_FILE).read_text(encoding="utf-8")
    assert captions.startswith("WEBVTT")
    cues = [line for line in captions.splitlines() if " --> " in line]
    assert len(cues) == 5
    assert cues[-1].split(" --> ")[1] > "00:00:20.000"  # a 20-40 s lecture
    assert "Өнертану" in captions


def test_demo_seeds_three_eumks_once(academy, media):
    ctx, _offering = academy
    demo.seed(ctx)
    rows, files = _rows(), _files(media)
    demo.seed(ctx)
    assert _rows() == rows  # the second run writes nothing new ...
    assert _files(media) == files  # ... and stores no file
    assert Eumk.objects.count() == 3
    status = dict(EumkVersion.objects.values_list("eumk__discipline__code", "status"))
    assert status == {"IAS1104": "approved", "ACR3102": "draft", "HWA1204": "returned"}
    approved = selectors.latest_approved_version(
        Eumk.objects.get(discipline__code="IAS1104").discipline_id
    )
    assert selectors.missing_components(approved) == []
    assert selectors.classify_share(selectors.online_share(approved)) == "distance"
    draft = selectors.working_version(Eumk.objects.get(discipline__code="ACR3102"))
    assert selectors.missing_components(draft)
    returned = EumkVersion.objects.get(eumk__discipline__code="HWA1204")
    assert returned.review_comment


def test_approved_eumk_has_the_video_lecture_with_captions(academy, media):
    ctx, _offering = academy
    demo.seed(ctx)
    video = Material.objects.get(kind="video", topic__version__status="approved")
    assert video.topic.week == 1
    assert video.topic.version.eumk.discipline.code == "IAS1104"
    assert video.file.read() == (MEDIA / demo.VIDEO_FILE).read_bytes()
    assert video.captions.read().decode().startswith("WEBVTT")
    assert Material.objects.filter(kind="video").count() == 1


def test_consultations_and_offline_settings(academy, media):
    ctx, offering = academy
    demo.seed(ctx)
    slots = {s.mode: s for s in ConsultationSlot.objects.filter(offering=offering)}
    assert set(slots) == {"online", "in_person"}
    assert slots["online"].meeting_url.startswith("https://")
    assert slots["in_person"].room
    booking = ConsultationBooking.objects.get()
    assert (booking.slot, booking.student) == (slots["online"], ctx.objects["users"]["student"])
    cap = OfflinePackageSettings.objects.get(eumk__discipline__code="IAS1104")
    assert cap.media_cap_mb == demo.OFFLINE_MEDIA_CAP_MB


def test_an_approved_eumk_without_the_video_gets_it_as_a_new_version(academy, media):
    ctx, _offering = academy
    demo.seed(ctx)
    Material.objects.filter(kind="video").delete()  # as seeded before the video existed
    demo.seed(ctx)
    versions = EumkVersion.objects.filter(eumk__discipline__code="IAS1104").order_by("number")
    assert [v.status for v in versions] == ["approved", "approved"]
    latest = selectors.latest_approved_version(versions[0].eumk.discipline_id)
    assert latest.number == 2
    assert Material.objects.filter(topic__version=latest, kind="video").count() == 1
    rows = _rows()
    demo.seed(ctx)
    assert _rows() == rows


def test_without_tutor_and_student_the_methodologist_authors_and_no_consultations(db, media):
    faculty = FacultyFactory()
    for code in ("IAS1104", "ACR3102", "HWA1204"):
        DisciplineFactory(code=code, department__faculty=faculty)
    methodologist = user_with_role("methodologist", "faculty", faculty.pk)
    ctx = Ctx({"methodologist": methodologist, "tutor": user_with_role("tutor")})
    demo.seed(ctx)
    demo.seed(ctx)
    assert Eumk.objects.count() == 3
    assert EumkVersion.objects.get(eumk__discipline__code="IAS1104").author == methodologist
    assert Material.objects.filter(kind="video").count() == 1
    assert not ConsultationSlot.objects.exists()
