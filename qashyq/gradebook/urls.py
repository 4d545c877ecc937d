from django.urls import path

from . import views

app_name = "gradebook"

urlpatterns = [
    path("courses/<int:pk>/journal/", views.journal, name="journal"),
    path("courses/<int:pk>/journal/weeks/", views.journal_weeks, name="journal_weeks"),
    path(
        "courses/<int:pk>/journal/attendance/",
        views.journal_attendance,
        name="journal_attendance",
    ),
    path("courses/<int:pk>/journal/mine/", views.journal_mine, name="journal_mine"),
    path("courses/<int:pk>/journal.xlsx", views.journal_xlsx, name="journal_xlsx"),
    path("courses/<int:pk>/journal/import/", views.journal_import, name="journal_import"),
    path(
        "courses/<int:pk>/journal/platonus.xlsx",
        views.journal_platonus,
        {"fmt": "xlsx"},
        name="journal_platonus_xlsx",
    ),
    path(
        "courses/<int:pk>/journal/platonus.csv",
        views.journal_platonus,
        {"fmt": "csv"},
        name="journal_platonus_csv",
    ),
    path("journal/", views.my_journal, name="my_journal"),
    path("journal/late-edits/", views.late_edits, name="late_edits"),
    path("journal/late-edits/<int:pk>/", views.late_edit_decide, name="late_edit_decide"),
    path("courses/<int:pk>/statements/", views.statements, name="statements"),
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("statements/<int:pk>/sign/", views.statement_sign, name="statement_sign"),
    path("statements/<int:pk>/lock/", views.statement_lock, name="statement_lock"),
    path("statements/<int:pk>/correct/", views.statement_correct, name="statement_correct"),
    path(
        "statements/<int:pk>/commission/",
        views.statement_commission,
        name="statement_commission",
    ),
    path("statements/<int:pk>.pdf", views.statement_pdf, name="statement_pdf"),
]
