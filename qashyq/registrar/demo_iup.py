"""Demo data of study plans: ``seed_iup(ctx)``, called from ``registrar/demo.py`` after the
academics demo (it needs ``ctx.objects["programs"]``, ``"disciplines"`` and ``"users"``).

* Each demo program's study plan (``ProgramPlanEntry``) from the curricula the demo academy
  already teaches (``academics/demo/catalogue.py``): the general disciplines are mandatory, the
  program's own university-component; two elective groups (``КВ-2.1`` for art history, where the
  `student` login studies, and ``КВ-4.1`` for acting) offer disciplines taught that semester to
  other groups, so a choice leads to a real enrolment.
* Credit limits for the current year. The demo catalogue is a slice of a real one (a year has
  15-40 credits, not 60), so the demo minimum is lower than a university's.
* An individual plan for every active demo student of the current year: approved and enrolled,
  except three groupmates of the `student` login whose plans wait in the program leader's queue.
  The `student` login's own plan is approved (by the `programleader` login).

Idempotent: rows are looked up before they are created and a plan is only moved forward from
the state the first run left it in, so a second run changes nothing.
"""

from __future__ import annotations

from qashyq.academics.demo.catalogue import CURRICULA, GENERAL_CURRICULUM, curriculum
from qashyq.academics.models import PlanComponent, ProgramPlanEntry, StudentProfile, StudentStatus
from qashyq.accounts.demo import STUDENT_LOGIN

from .models import CreditLimits, PlanStatus
from .selectors import iup as selectors
from .services import iup as services

# program code -> term -> (group, credits to choose, discipline codes); the first code is the
# program's own discipline of that term, the others are taught to other programs' groups then.
ELECTIVES = {
    "6B02105": {2: ("КВ-2.1", 5, ("HWA1204", "FPT1204", "SSP1204"))},
    "6B02103": {4: ("КВ-4.1", 5, ("HTH2201", "KFD2201"))},
}
LIMITS = {"max_credits_per_semester": 30, "max_credits_per_year": 60, "min_credits_per_year": 20}
SUBMITTED_GROUPMATES = 3


def _entries(program_code: str) -> list[dict]:
    """The rows of a program's study plan: (term, discipline code, component, group, credits)."""
    electives = ELECTIVES.get(program_code, {})
    rows = []
    for term in range(1, 9):
        general = set(GENERAL_CURRICULUM.get(term, ()))
        group = electives.get(term)
        elective_codes = set(group[2]) if group else set()
        for code in curriculum(program_code, term):
            if code in elective_codes:
                continue
            component = PlanComponent.MANDATORY if code in general else PlanComponent.UNIVERSITY
            rows.append({"term": term, "code": code, "component": component})
        if group:
            key, credits, codes = group
            for index, code in enumerate(codes):
                rows.append(
                    {
                        "term": term,
                        "code": code,
                        "component": PlanComponent.ELECTIVE,
                        "elective_group": key,
                        "elective_credits": credits if index == 0 else None,
                    }
                )
    return rows


def seed_study_plans(ctx) -> int:
    programs, disciplines = ctx.objects["programs"], ctx.objects["disciplines"]
    count = 0
    for program_code in CURRICULA:
        program = programs[program_code]
        for row in _entries(program_code):
            ctx.upsert(
                ProgramPlanEntry,
                {"program": program, "discipline": disciplines[row["code"]]},
                {
                    "term": row["term"],
                    "component": row["component"],
                    "elective_group": row.get("elective_group", ""),
                    "elective_credits": row.get("elective_credits"),
                },
            )
            count += 1
    return count


def _choose(summary, group_curriculum: set[str]):
    """The electives a demo student keeps: in each group, the discipline of their group's own
    curriculum when the group offers it, else the first one."""
    chosen = []
    for group in summary.groups:
        if not group.key:
            continue
        own = [e for e in group.entries if e.discipline.code in group_curriculum]
        chosen.append(own[0] if own else group.entries[0])
    return chosen


def seed_iup(ctx) -> None:
    year = selectors.current_year()
    if year is None:
        return
    entries = seed_study_plans(ctx)
    ctx.upsert(CreditLimits, {"academic_year": year}, LIMITS)
    users = ctx.objects["users"]
    leader = users.get("programleader")
    profiles = list(
        StudentProfile.objects.filter(status=StudentStatus.ACTIVE, group__isnull=False)
        .select_related("user", "group", "program__department")
        .order_by("group__code", "student_number")
    )
    student_login = next((p for p in profiles if p.user.username == STUDENT_LOGIN), None)
    waiting = set()
    if student_login is not None:
        mates = [
            p.pk
            for p in profiles
            if p.group_id == student_login.group_id and p.pk != student_login.pk
        ]
        waiting = set(mates[:SUBMITTED_GROUPMATES])
    counts = {"started": 0, "approved": 0}
    for profile in profiles:
        plan = services.iup_start(
            actor=ctx.actor,
            student=profile.user,
            academic_year=year,
            program=profile.program,
            year_of_study=profile.year_of_study,
        )
        if plan.status == PlanStatus.DRAFT:
            counts["started"] += 1
            summary = selectors.plan_summary(selectors.plan_for_page(plan.pk))
            own = {
                code
                for term in selectors.terms_of(profile.year_of_study)
                for code in curriculum(profile.program.code, term)
            }
            chosen = _choose(summary, own)
            if chosen:
                services.iup_set_electives(actor=profile.user, plan=plan, entries=chosen)
            services.iup_submit(actor=profile.user, plan=plan)
            plan.refresh_from_db()
        if plan.status == PlanStatus.SUBMITTED and profile.pk not in waiting:
            approver = ctx.actor
            if leader is not None and profile.program.code == "6B02105":
                approver = leader
            services.iup_approve(actor=approver, plan=selectors.plan_for_page(plan.pk))
            counts["approved"] += 1
    ctx.log(
        f"  registrar: {entries} study plan entries, {len(profiles)} individual plans "
        f"({counts['started']} new, {counts['approved']} approved now)"
    )
