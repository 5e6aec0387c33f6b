from django.urls import path

from . import views, views_manage

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/change/", views.password_change_view, name="password_change"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("otp/", views.otp_setup_view, name="otp_setup"),
    path("otp/verify/", views.otp_verify_view, name="otp_verify"),
    path("manage/", views_manage.manage_list, name="manage"),
    path("manage/new/", views_manage.manage_new, name="manage_new"),
    path("manage/addresses/unblock/", views_manage.manage_unblock_address, name="manage_unblock_address"),
    path("manage/<int:pk>/", views_manage.manage_user, name="manage_user"),
    path("manage/<int:pk>/<slug:action>/", views_manage.manage_action, name="manage_action"),
]
