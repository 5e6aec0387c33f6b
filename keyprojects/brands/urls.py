from django.urls import path

from . import views

app_name = "brands"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("results/", views.results, name="results"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/export.xlsx", views.round_export, name="export"),
    path("<int:pk>/step/", views.round_step, name="round_step"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit_view, name="submit"),
    path("applications/<int:pk>/review/", views.review, name="review"),
    path("applications/<int:pk>/score/", views.score, name="score"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("applications/<int:pk>/attachment/", views.attachment, name="attachment"),
]
