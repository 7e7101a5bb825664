from django.contrib import admin
from django.urls import include, path

from collab_portal import health, views

handler500 = "collab_portal.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on their own (pages also link the icon).
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # Sign-in and sign-out: passwords, LDAP and OpenID Connect (accounts/).
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("", include("departments.urls")),
    path("", include("notifications.urls")),
    path("", include("tasks.urls")),
    path("", include("documents.urls")),
    path("", include("teams.urls")),
    path("", include("conflicts.urls")),
    path("", include("reports.urls")),
    path("", include("webhooks.urls")),
    path("", include("api.urls")),
    path("", include("handover.urls")),
    path("", include("imports.urls")),
    path("", include("deptadmin.urls")),
    path("", include("catalogue.urls")),
    path("", include("confighistory.urls")),
    path("", include("retention.urls")),
]
