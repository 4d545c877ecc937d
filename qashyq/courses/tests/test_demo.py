from qashyq.academics.tests.factories import DisciplineFactory, FacultyFactory
from qashyq.accounts.tests.factories import user_with_role
from qashyq.courses import demo, selectors
from qashyq.courses.models import Eumk, EumkVersion


class Ctx:
    def __init__(self, users):
        self.objects = {"users": users}
        self.lines = []

    def log(self, line):
        self.lines.append(line)


def test_demo_seeds_three_eumks_once(db):
    faculty = FacultyFactory()
    for code in ("IAS1104", "ACR3102", "HWA1204"):
        DisciplineFactory(code=code, department__faculty=faculty)
    methodologist = user_with_role("methodologist", "faculty", faculty.pk)
    ctx = Ctx({"methodologist": methodologist, "tutor": user_with_role("tutor")})
    demo.seed(ctx)
    demo.seed(ctx)
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
