from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import errors, pages
from api.views import requests

app_name = "api"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs page for people signed in to the portal (its own init script: the CSP allows no inline one).
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("api/v1/requests/", requests.RequestList.as_view(), name="requests"),
    path("api/v1/requests/<str:number>/", requests.RequestDetail.as_view(), name="request"),
    *(
        path(f"api/v1/requests/<str:number>/{step}/", requests.step_view(step).as_view(), name=f"request_{step}")
        for step in requests.STEPS
    ),
    # The person's tokens, on their profile page.
    path("me/tokens/new/", pages.token_new, name="token_new"),
    path("me/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    re_path(r"^api/", errors.not_found, name="not_found"),
]
