from django.urls import path

from . import views, views_reports

app_name = "attraction"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("export.xlsx", views_reports.pipeline_export, name="export"),
    path("funnel/", views_reports.funnel_view, name="funnel"),
    path("leaders/", views_reports.leader_view, name="leaders"),
    path("activities/", views_reports.activity_list, name="activities"),
    path("activities/new/", views_reports.activity_create, name="activity_create"),
    path("activities/export.xlsx", views_reports.activity_export, name="activity_export"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/step/<slug:action>/", views.lead_step, name="step"),
    path("<int:pk>/check/<int:item>/", views.lead_check, name="check"),
    path("<int:pk>/funds/", views.lead_funds, name="funds"),
    path("<int:pk>/funds/<int:entry>/decide/", views.fund_decide, name="fund_decide"),
    path("<int:pk>/funds/<int:entry>/void/", views.fund_void, name="fund_void"),
    path("<int:pk>/funds/<int:entry>/withdraw/", views.fund_withdraw, name="fund_withdraw"),
]
