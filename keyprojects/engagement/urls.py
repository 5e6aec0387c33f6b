from django.urls import path

from . import views, views_meetings

app_name = "engagement"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("export.xlsx", views.request_export, name="export"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.request_action, name="action"),
    path("<int:pk>/files/<int:file_pk>/", views.attachment_download, name="attachment"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("departments/", views.departments, name="departments"),
    path("departments/export.xlsx", views.departments_export, name="departments_export"),
    path("meetings/", views_meetings.meeting_list, name="meetings"),
    path("meetings/export.xlsx", views_meetings.meeting_export, name="meetings_export"),
    path("meetings/new/", views_meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes.docx", views_meetings.meeting_minutes, name="meeting_minutes"),
    path("open311-keys/", views_meetings.keys, name="keys"),
    path("open311-keys/<int:pk>/revoke/", views_meetings.key_revoke, name="key_revoke"),
]
