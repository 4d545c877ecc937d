"""URLs of the registrar's summer pages (included by registrar.urls under the same namespace)."""

from django.urls import path

from .views import summer as views

urlpatterns: list = [
    # the student
    path("debts/", views.my_debts, name="debts_mine"),
    path("summer/", views.summer_mine, name="summer_mine"),
    path("summer/<int:summer_id>/register/", views.summer_register, name="summer_register"),
    path(
        "summer/registrations/<int:registration_id>/cancel/",
        views.summer_cancel,
        name="summer_cancel",
    ),
    # a reader of a student's record (the student, the registrar, a linked parent)
    path("students/<int:student_id>/debts/", views.student_debts, name="debts_student"),
    path("children/debts/", views.children_debts, name="debts_children"),
    # the registrar
    path("registrar/debts/", views.debtors_list, name="debts_list"),
    path("registrar/summer/", views.summer_list, name="summer_list"),
    path("registrar/summer/open/", views.summer_open, name="summer_open"),
    path("registrar/summer/<int:summer_id>/", views.summer_detail, name="summer_detail"),
    path("registrar/summer/<int:summer_id>/edit/", views.summer_edit, name="summer_edit"),
    path("registrar/summer/<int:summer_id>/courses/", views.summer_course, name="summer_course"),
]
