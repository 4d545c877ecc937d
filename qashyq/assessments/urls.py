from django.urls import path

from . import (
    views_analysis,
    views_attempt,
    views_bank,
    views_grading,
    views_questions,
    views_tests,
)

app_name = "assessments"

urlpatterns = [
    # --- the student's exam page (views_attempt.py) ---
    path("tests/<int:test_id>/take/", views_attempt.attempt_page, name="attempt_page"),
    # --- end of the exam page ---
    # --- question banks: list, detail, preview, import, export (views_bank.py) ---
    path("question-banks/", views_bank.bank_list, name="bank_list"),
    path("question-banks/<int:pk>/", views_bank.bank_detail, name="bank_detail"),
    path(
        "question-banks/<int:pk>/questions/<int:question_pk>/",
        views_bank.bank_question,
        name="bank_question",
    ),
    path("question-banks/<int:pk>/export/", views_bank.bank_export, name="bank_export"),
    path("question-banks/<int:pk>/import/", views_bank.bank_import, name="bank_import"),
    path(
        "question-banks/<int:pk>/import/<str:token>/",
        views_bank.bank_import_preview,
        name="bank_import_preview",
    ),
    path(
        "question-banks/<int:pk>/import/<str:token>/cancel/",
        views_bank.bank_import_cancel,
        name="bank_import_cancel",
    ),
    # --- end of the question banks ---
    # --- question editor: new, edit, archive, restore (views_questions.py) ---
    path(
        "question-banks/<int:pk>/questions/new/",
        views_questions.question_new,
        name="question_new",
    ),
    path(
        "question-banks/<int:pk>/questions/<int:question_pk>/edit/",
        views_questions.question_edit,
        name="question_edit",
    ),
    path(
        "question-banks/<int:pk>/questions/<int:question_pk>/archive/",
        views_questions.question_archive,
        name="question_archive",
    ),
    path(
        "question-banks/<int:pk>/questions/<int:question_pk>/restore/",
        views_questions.question_restore,
        name="question_restore",
    ),
    # --- end of the question editor ---
    # --- tests: tutor pages and the student's review ---
    path("courses/<int:offering_pk>/tests/", views_tests.test_list, name="test_list"),
    path("courses/<int:offering_pk>/tests/new/", views_tests.test_create, name="test_create"),
    path("tests/<int:pk>/", views_tests.test_detail, name="test_detail"),
    path("tests/<int:pk>/edit/", views_tests.test_edit, name="test_edit"),
    path("tests/<int:pk>/publish/", views_tests.test_publish, name="test_publish"),
    path("tests/<int:pk>/delete/", views_tests.test_delete, name="test_delete"),
    path(
        "tests/<int:pk>/sections/<int:section_pk>/move/",
        views_tests.section_move,
        name="test_section_move",
    ),
    path(
        "tests/<int:pk>/sections/<int:section_pk>/questions/<int:question_pk>/move/",
        views_tests.test_question_move,
        name="test_question_move",
    ),
    path(
        "tests/<int:pk>/sections/random/",
        views_tests.section_add_random,
        name="test_section_add_random",
    ),
    path(
        "tests/<int:pk>/sections/fixed/",
        views_tests.section_add_fixed,
        name="test_section_add_fixed",
    ),
    path(
        "tests/<int:pk>/sections/<int:section_pk>/remove/",
        views_tests.section_remove,
        name="test_section_remove",
    ),
    path("tests/<int:pk>/overrides/", views_tests.override_save, name="test_override_save"),
    path(
        "tests/<int:pk>/overrides/<int:override_pk>/remove/",
        views_tests.override_remove,
        name="test_override_remove",
    ),
    path("tests/<int:pk>/attempts/", views_tests.test_attempts, name="test_attempts"),
    path("attempts/<int:pk>/", views_tests.attempt_view, name="attempt_view"),
    path("attempts/<int:pk>/finish/", views_tests.attempt_finish, name="attempt_finish"),
    path(
        "attempts/<int:pk>/offline-file/",
        views_tests.attempt_offline_file,
        name="attempt_offline_file",
    ),
    path("attempts/<int:pk>/review/", views_tests.attempt_review, name="attempt_review"),
    # --- end of the tests' tutor pages ---
    # --- grading, regrade, item analysis (views_grading.py, views_analysis.py) ---
    path("tests/<int:test_id>/grading/", views_grading.grading_queue, name="grading_queue"),
    path(
        "tests/<int:test_id>/grading/<int:answer_id>/",
        views_grading.grading_answer,
        name="grading_answer",
    ),
    path("tests/<int:test_id>/regrade/", views_grading.regrade, name="test_regrade"),
    path(
        "tests/<int:test_id>/regrade/report/",
        views_grading.regrade_report,
        name="test_regrade_report",
    ),
    path("tests/<int:test_id>/post-marks/", views_grading.marks_post, name="test_marks_post"),
    path("tests/<int:test_id>/analysis/", views_analysis.analysis, name="test_analysis"),
    path(
        "tests/<int:test_id>/analysis.xlsx",
        views_analysis.analysis_download,
        name="test_analysis_xlsx",
    ),
    # --- end of grading, regrade, item analysis ---
]
