from django.urls import path

from . import views_attempt, views_bank

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
]
