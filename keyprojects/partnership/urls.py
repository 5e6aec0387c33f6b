from django.urls import path

from . import views, views_profile

app_name = "partnership"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("export.xlsx", views.agreement_export, name="export"),
    path("new/", views.agreement_new, name="new"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/commitments/new/", views.commitment_new, name="commitment_new"),
    path("commitments/<int:pk>/claim/", views.claim, name="claim"),
    path("commitments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("commitments/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("alerts/", views.alerts, name="alerts"),
    path("rates/", views.rates, name="rates"),
    path("enterprises/", views_profile.profile_list, name="profiles"),
    path("enterprises/<int:pk>/", views_profile.profile_detail, name="profile"),
    path("enterprises/<int:pk>/liaison/", views_profile.liaison_edit, name="liaison"),
    path("enterprises/<int:pk>/measures/new/", views_profile.measure_add, name="measure_add"),
    path("measures/<int:pk>/edit/", views_profile.measure_edit, name="measure_edit"),
    path("enterprises/<int:pk>/grants/new/", views_profile.grant_add, name="grant_add"),
]
