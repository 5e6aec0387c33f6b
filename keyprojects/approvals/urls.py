from django.urls import path

from . import views, views_consultations, views_needs

app_name = "approvals"
urlpatterns = [
    path("", views.approval_list, name="list"),
    path("export.xlsx", views.approval_export, name="export"),
    path("departments/", views.department_view, name="departments"),
    path("project/<int:pk>/", views.project_approvals, name="project"),
    path("<int:pk>/edit/", views.approval_edit, name="edit"),
    path("needs/", views_needs.need_list, name="needs"),
    path("needs/export.xlsx", views_needs.need_export, name="needs_export"),
    path("needs/import/", views_needs.need_import, name="needs_import"),
    path("project/<int:pk>/needs/new/", views_needs.need_create, name="need_create"),
    path("needs/<int:pk>/edit/", views_needs.need_edit, name="need_edit"),
    path("consultations/", views_consultations.consultation_list, name="consultations"),
    path("consultations/new/", views_consultations.consultation_new, name="consultation_new"),
    path("consultations/topics/<int:pk>/done/", views_consultations.topic_done, name="topic_done"),
]
