"""The JSON documents of docs/subsystems/attempts.md, built in one place.

``attempt_document`` is what the exam page receives at the start, on a reload and on
``GET /attempts/{id}``: the questions of the attempt as it shows them, with the student's saved
responses, and nothing that reveals a key — no fraction, feedback, accepted answer, tolerance,
grader information or correct order, and in a sequential test no slot beyond the current one.
Every field is picked by name from a question's data (never copied wholesale), so a key added to
the data later cannot leak by accident; ``test_attempts_noleak`` scans the raw JSON for every
type's keys.

``review_document`` is what the review options of the test allow at this moment; fields they do
not allow are absent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import nh3
from django.utils import timezone
from django.utils.html import escape, linebreaks

from qashyq.core.text import ALLOWED_TAGS, render_markdown

from . import files as attempt_files
from . import version_cache
from .models import (
    MANUAL_QTYPES,
    Attempt,
    AttemptSlot,
    AttemptState,
    Navigation,
    QType,
    QuestionVersion,
    TextFormat,
)

# "immediately after the attempt" lasts this long (Moodle's two minutes)
IMMEDIATELY = datetime.timedelta(minutes=2)


def iso(value: datetime.datetime | None, *, ms: bool = False) -> str | None:
    if value is None:
        return None
    value = value.astimezone(datetime.UTC)
    return value.isoformat(timespec="milliseconds" if ms else "seconds").replace("+00:00", "Z")


def _html(text: str, text_format: str) -> str:
    if text_format == TextFormat.HTML:
        return nh3.clean(text or "", tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")
    if text_format == TextFormat.PLAIN:
        return linebreaks(escape(text or ""))
    return render_markdown(text or "")


@lru_cache(maxsize=50_000)
def _cached_html(text: str, text_format: str) -> str:
    return _html(text, text_format)


def html(text: Any, text_format: str) -> str:
    """Question texts repeat across a cohort (versions never change): render each once."""
    if not isinstance(text, str):
        return ""
    if len(text) > 20_000:
        return _html(text, text_format)
    return _cached_html(text, text_format)


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _options_in_order(options: list[dict], order: list | None) -> list[dict]:
    by_id = {str(o.get("id")): o for o in options if isinstance(o, dict)}
    ids = [i for i in (order or []) if i in by_id] or list(by_id)
    return [by_id[i] for i in ids]


def question_display(version: QuestionVersion, option_order: dict) -> dict[str, Any]:
    """What the page needs to draw a question, without any key."""
    data = version.data if isinstance(version.data, dict) else {}
    fmt = version.text_format
    qtype = version.qtype
    out: dict[str, Any] = {"qtype": qtype, "text_html": html(version.text, fmt)}
    if qtype in (QType.SINGLE, QType.MULTIPLE):
        out["options"] = [
            {"id": str(o.get("id")), "text_html": html(o.get("text"), fmt)}
            for o in _options_in_order(data.get("options") or [], option_order.get("options"))
        ]
    elif qtype == QType.MATCHING:
        pairs = [
            p
            for p in data.get("pairs") or []
            if isinstance(p, dict) and isinstance(p.get("prompt"), str) and p["prompt"].strip()
        ]
        out["prompts"] = [
            {"id": str(p.get("id")), "text_html": html(p.get("prompt"), fmt)}
            for p in _options_in_order(pairs, option_order.get("prompts"))
        ]
        out["choices"] = [c for c in option_order.get("choices") or [] if isinstance(c, str)]
    elif qtype == QType.ORDERING:
        out["items"] = [
            {"id": str(i.get("id")), "text_html": html(i.get("text"), fmt)}
            for i in _options_in_order(data.get("items") or [], option_order.get("items"))
        ]
    elif qtype == QType.CLOZE:
        gap_orders = option_order.get("gaps") or {}
        gaps = []
        for gap in data.get("gaps") or []:
            if not isinstance(gap, dict):
                continue
            entry: dict[str, Any] = {"id": str(gap.get("id")), "kind": gap.get("kind")}
            if gap.get("kind") == "single":
                entry["options"] = [
                    {"id": str(o.get("id")), "text_html": html(o.get("text"), fmt)}
                    for o in _options_in_order(
                        gap.get("options") or [], gap_orders.get(str(gap.get("id")))
                    )
                ]
            gaps.append(entry)
        out["gaps"] = gaps
    elif qtype == QType.ESSAY:
        out["response_format"] = data.get("response_format", "rich")
        out["attachments"] = data.get("attachments", 0)
        if attempt_files.slot_max_files(version):
            out["accept_types"] = _accept_types(version)
    elif qtype == QType.FILE:
        out["accept"] = list(data.get("accept") or [])
        out["max_files"] = data.get("max_files", 1)
        out["accept_types"] = _accept_types(version)
    return out


@lru_cache(maxsize=2_000)
def _accept_types_of(kinds: frozenset[str]) -> str:
    return attempt_files.accept_attribute(kinds)


def _accept_types(version: QuestionVersion) -> str:
    """The file input's ``accept`` attribute (MIME types and extensions) for the slot's kinds."""
    return _accept_types_of(attempt_files.slot_file_kinds(version))


def slot_files(attempt: Attempt, slots: list[AttemptSlot]) -> dict[int, list[dict]]:
    """``{slot id: [{"id", "name", "size", "kind", "url"}]}``: every file uploaded into the
    attempt's essay and file slots, attached or not (the response says which it references).
    One query, and none when the attempt has no such slot."""
    if not any(s.question_version.qtype in MANUAL_QTYPES for s in slots):
        return {}
    return {
        slot_id: [
            {
                "id": f.pk,
                "name": f.original_name,
                "size": f.size,
                "kind": f.kind,
                "url": attempt_files.download_url(attempt.pk, f.pk),
            }
            for f in rows
        ]
        for slot_id, rows in attempt_files.files_by_slot(attempt.pk).items()
    }


def _visible_slots(attempt: Attempt, slots: list[AttemptSlot]) -> list[AttemptSlot]:
    if attempt.test.navigation == Navigation.SEQUENTIAL and attempt.state == (
        AttemptState.IN_PROGRESS
    ):
        return [s for s in slots if s.number <= attempt.current_slot]
    return slots


def load_slots(attempt: Attempt) -> list[AttemptSlot]:
    """The attempt's slots with their answers, in order; the question versions come from the
    process's cache (they never change), not from a join that would decode each one again."""
    return version_cache.attach_versions(
        list(attempt.slots.select_related("answer").order_by("number"))
    )


def attempt_document(
    attempt: Attempt,
    *,
    now: datetime.datetime | None = None,
    slots: list[AttemptSlot] | None = None,
    include_offline_key: bool = True,
) -> dict[str, Any]:
    """The attempt as the page draws it (contract: "Start or resume")."""
    now = now or timezone.now()
    test = attempt.test
    slots = load_slots(attempt) if slots is None else slots
    doc: dict[str, Any] = {
        "id": attempt.pk,
        "test": {"id": test.pk, "title": test.title, "navigation": test.navigation},
        "number": attempt.number,
        "state": attempt.state,
        "started_at": iso(attempt.started_at),
        "deadline": iso(attempt.deadline),
        "server_time": iso(now, ms=True),
    }
    if include_offline_key:
        doc["offline_key"] = attempt.offline_key
    if test.navigation == Navigation.SEQUENTIAL:
        doc["current_slot"] = attempt.current_slot
        doc["slot_count"] = len(slots)
    out = []
    uploaded = slot_files(attempt, slots)
    for slot in _visible_slots(attempt, slots):
        entry = {"slot": slot.number, **question_display(slot.question_version, slot.option_order)}
        entry["mark"] = _float(slot.mark)
        answer = getattr(slot, "answer", None)
        entry["response"] = answer.response if answer is not None else None
        entry["seq"] = answer.seq if answer is not None else 0
        if slot.question_version.qtype in MANUAL_QTYPES:
            entry["files"] = uploaded.get(slot.pk, [])
        out.append(entry)
    doc["slots"] = out
    return doc


# --- review -----------------------------------------------------------------------------------


def review_moment(attempt: Attempt, *, now: datetime.datetime, closes_at) -> str:
    """during / immediately / later / after_close (Moodle's order: a closed test is "after
    close" even within the two minutes)."""
    if attempt.state == AttemptState.IN_PROGRESS:
        return "during"
    if closes_at is not None and now >= closes_at:
        return "after_close"
    if attempt.finished_at is not None and now < attempt.finished_at + IMMEDIATELY:
        return "immediately"
    return "later"


def correct_answer(version: QuestionVersion) -> Any:
    """The right answer in the shape of a response (for the review only)."""
    data = version.data if isinstance(version.data, dict) else {}
    qtype = version.qtype
    if qtype == QType.SINGLE:
        best = [o for o in data.get("options") or [] if o.get("fraction", 0) >= 1]
        return str(best[0]["id"]) if best else None
    if qtype == QType.MULTIPLE:
        return [str(o["id"]) for o in data.get("options") or [] if o.get("fraction", 0) > 0]
    if qtype == QType.TRUEFALSE:
        return data.get("correct")
    if qtype == QType.SHORT:
        best = [a for a in data.get("answers") or [] if a.get("fraction", 0) >= 1]
        return best[0].get("text") if best else None
    if qtype == QType.NUMERICAL:
        best = [a for a in data.get("answers") or [] if a.get("fraction", 0) >= 1]
        if not best:
            return None
        return {"value": best[0].get("value"), "tolerance": best[0].get("tolerance", 0)}
    if qtype == QType.MATCHING:
        return {
            str(p["id"]): p.get("answer")
            for p in data.get("pairs") or []
            if isinstance(p.get("prompt"), str) and p["prompt"].strip()
        }
    if qtype == QType.ORDERING:
        return [str(i["id"]) for i in data.get("items") or []]
    if qtype == QType.CLOZE:
        return {str(g.get("id")): correct_answer_of_gap(g) for g in data.get("gaps") or []}
    return None


def correct_answer_of_gap(gap: dict) -> Any:
    kind = gap.get("kind")
    fake = QuestionVersion(qtype=kind if kind in QType.values else QType.SHORT, data=gap)
    return correct_answer(fake)


def _rubric_choice(version: QuestionVersion, chosen: dict) -> list[dict[str, Any]]:
    """The grader's choice on the question's rubric, for a review that may show feedback:
    ``[{"criterion", "level", "points", "max"}]`` (empty when the rubric is gone or unusable)."""
    from .services.validation import rubric_of

    rubric = rubric_of(version.data) or []
    out = []
    for criterion in rubric:
        levels = {level["id"]: level for level in criterion["levels"]}
        level = levels.get(chosen.get(criterion["id"]))
        if level is None:
            continue
        out.append(
            {
                "criterion": criterion["criterion"],
                "level": level["label"],
                "points": _float(Decimal(str(level["points"]))),
                "max": _float(max(Decimal(str(lv["points"])) for lv in criterion["levels"])),
            }
        )
    return out


def _specific_feedback(version: QuestionVersion, response: Any) -> list[str]:
    data = version.data if isinstance(version.data, dict) else {}
    qtype = version.qtype
    texts: list[str] = []
    if qtype in (QType.SINGLE, QType.MULTIPLE):
        chosen = {response} if isinstance(response, str) else set(response or [])
        chosen = {c for c in chosen if isinstance(c, str)}
        texts = [o.get("feedback", "") for o in data.get("options") or [] if o.get("id") in chosen]
    elif qtype == QType.TRUEFALSE and isinstance(response, bool):
        texts = [data.get("feedback_true" if response else "feedback_false", "")]
    elif qtype in (QType.SHORT, QType.NUMERICAL) and response is not None:
        from . import scoring

        for answer in data.get("answers") or []:
            if scoring.score(qtype, {**data, "answers": [{**answer, "fraction": 1}]}, response):
                texts = [answer.get("feedback", "")]
                break
    return [t for t in texts if isinstance(t, str) and t.strip()]


def review_document(
    attempt: Attempt,
    *,
    now: datetime.datetime | None = None,
    closes_at=None,
    staff: bool = False,
) -> dict[str, Any]:
    """What the student may see now (``staff``: everything, for the tutor's view)."""
    now = now or timezone.now()
    test = attempt.test
    moment = "staff" if staff else review_moment(attempt, now=now, closes_at=closes_at)

    def allowed(item: str) -> bool:
        return staff or test.review_option(moment, item)

    slots = load_slots(attempt)
    doc: dict[str, Any] = {
        "id": attempt.pk,
        "test": {"id": test.pk, "title": test.title, "navigation": test.navigation},
        "number": attempt.number,
        "state": attempt.state,
        "moment": moment,
        "started_at": iso(attempt.started_at),
        "finished_at": iso(attempt.finished_at),
        "server_time": iso(now, ms=True),
    }
    show_score = allowed("score") and attempt.state != AttemptState.IN_PROGRESS
    if show_score:
        doc["score"] = _float(attempt.score)
        doc["max_score"] = _float(attempt.max_score)
        doc["needs_grading"] = attempt.needs_grading
    out = []
    uploaded = slot_files(attempt, slots) if allowed("responses") else {}
    for slot in _visible_slots(attempt, slots):
        version = slot.question_version
        answer = getattr(slot, "answer", None)
        response = answer.response if answer is not None else None
        entry = {"slot": slot.number, **question_display(version, slot.option_order)}
        entry["mark"] = _float(slot.mark)
        if allowed("responses"):
            entry["response"] = response
            if version.qtype in MANUAL_QTYPES:
                entry["files"] = uploaded.get(slot.pk, [])
        if show_score:
            entry["score"] = _float(answer.effective_points) if answer is not None else None
        if allowed("right_answers") and attempt.state != AttemptState.IN_PROGRESS:
            entry["correct"] = correct_answer(version)
        if allowed("feedback") and attempt.state != AttemptState.IN_PROGRESS:
            parts = [html(t, version.text_format) for t in _specific_feedback(version, response)]
            if version.general_feedback.strip():
                parts.append(html(version.general_feedback, version.text_format))
            if answer is not None and answer.comment.strip():  # the grader's comment
                parts.append(render_markdown(answer.comment))
            entry["feedback"] = "".join(parts)
            if answer is not None and answer.rubric_levels:
                entry["rubric"] = _rubric_choice(version, answer.rubric_levels)
        out.append(entry)
    doc["slots"] = out
    return doc
