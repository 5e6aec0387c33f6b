from django.urls import path

from . import views

app_name = "cultivation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("new/", views.list_new, name="list_new"),
    path("<int:pk>/", views.list_detail, name="list"),
    path("<int:pk>/export.xlsx", views.list_export, name="export"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/carry-over/", views.carry_over, name="carry_over"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/decide/", views.decide, name="decide"),
    path("entries/<int:pk>/removal/", views.propose_removal, name="propose_removal"),
    path("entries/<int:pk>/removal/confirm/", views.confirm_removal, name="confirm_removal"),
    path("entries/<int:pk>/agreement/", views.link_agreement, name="link_agreement"),
]
