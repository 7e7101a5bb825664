from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# Without a namespace: "login" and "logout" are the names Django's settings and templates use.
urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/two-step/", views.two_step, name="two_step"),
    path("accounts/two-step/qr.svg", views.two_step_qr, name="two_step_qr"),
    path("accounts/two-step/verify/", views.two_step_verify, name="two_step_verify"),
    path("accounts/oidc/start/", views.OIDCStartView.as_view(), name="oidc_authentication_init"),
    path("accounts/oidc/callback/", views.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
]
