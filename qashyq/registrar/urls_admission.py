"""URLs of the registrar's admission pages (included by registrar.urls under the same namespace)."""

from django.urls import path

from .views import admission as views

urlpatterns: list = [
    path("admission/", views.admission_mine, name="admission_mine"),
    path("admission/new/", views.admission_new, name="admission_new"),
    path("admission/queue/", views.admission_queue, name="admission_queue"),
    path("admission/<int:pk>/", views.admission_detail, name="admission_detail"),
    path("admission/<int:pk>/edit/", views.admission_edit, name="admission_edit"),
    path(
        "admission/<int:pk>/documents/", views.admission_document_add, name="admission_document_add"
    ),
    path(
        "admission/<int:pk>/documents/<int:document_pk>/",
        views.admission_document,
        name="admission_document",
    ),
    path(
        "admission/<int:pk>/documents/<int:document_pk>/remove/",
        views.admission_document_remove,
        name="admission_document_remove",
    ),
    path("admission/<int:pk>/submit/", views.admission_submit, name="admission_submit"),
    path("admission/<int:pk>/withdraw/", views.admission_withdraw, name="admission_withdraw"),
    path("admission/<int:pk>/plan/", views.admission_start_plan, name="admission_start_plan"),
    path("admission/<int:pk>/decide/", views.admission_decide, name="admission_decide"),
    path("admission/<int:pk>/contract/", views.admission_contract, name="admission_contract"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/remove-line/", views.order_remove_line, name="order_remove_line"),
    path("orders/<int:pk>/delete/", views.order_delete, name="order_delete"),
    path("orders/<int:pk>/register/", views.order_register, name="order_register"),
    path("orders/<int:pk>/pdf/", views.order_pdf_view, name="order_pdf"),
]
