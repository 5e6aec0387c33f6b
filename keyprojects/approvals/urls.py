from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.approval_list, name="list"),
    path("departments/", views.department_view, name="departments"),
    path("project/<int:pk>/", views.project_approvals, name="project"),
    path("<int:pk>/edit/", views.approval_edit, name="edit"),
]
