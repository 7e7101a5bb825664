"""The person's personal access tokens, on their profile page (the panel is the api_tokens tag)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.forms import TokenForm
from api.models import AccessToken


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = services.token_create(
                user=request.user, name=data["name"], scope=data["scope"], expires_in_days=data["expires_in_days"]
            )
        except services.TokenError as exc:
            form.add_error(None, str(exc))
        else:
            # Shown in this answer only: the page is not cached and the secret is stored nowhere.
            response = render(request, "api/token_created.html", {"token": token, "secret": secret})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/token_form.html", {"form": form})


@login_required
@require_POST
def token_revoke(request, pk: int):
    # One's own tokens; an admin anyone's. Anyone else's token does not exist for them.
    tokens = AccessToken.objects.all() if request.user.is_superuser else AccessToken.objects.filter(user=request.user)
    token = get_object_or_404(tokens, pk=pk)
    services.token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    if token.user_id != request.user.pk:
        return redirect("departments:person", username=token.user.username)
    return redirect("departments:me")
