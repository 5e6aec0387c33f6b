from django.urls import path

from . import views, views_plans, views_plans_bulk

app_name = "projects"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list_view, name="list"),
    path("projects/new/", views.project_create_view, name="create"),
    path("projects/export.xlsx", views.project_export, name="export"),
    path("projects/plans/", views_plans_bulk.plans_bulk_view, name="monthly_plans_bulk"),
    path("projects/plans/confirm/", views_plans_bulk.plans_bulk_confirm, name="monthly_plans_bulk_confirm"),
    path("projects/plans/<int:year>/sheet.xlsx", views_plans_bulk.plans_bulk_export, name="monthly_plans_bulk_export"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/<int:pk>/edit/", views.project_edit_view, name="edit"),
    path("projects/<int:pk>/transition/", views.project_transition_view, name="transition"),
    path("projects/<int:pk>/plans/<int:year>/", views_plans.monthly_plan_view, name="monthly_plan"),
    path("projects/<int:pk>/plans/<int:year>/export.xlsx", views_plans.monthly_plan_export, name="monthly_plan_export"),
    path("leaders/", views.leader_list, name="leaders"),
    path("leaders/export.xlsx", views.leader_export, name="leader_export"),
    path("leaders/<int:pk>/", views.leader_detail, name="leader_detail"),
]
