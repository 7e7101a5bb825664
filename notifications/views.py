from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import decisions, forms, selectors, services
from notifications.models import NotificationPreference

PAGE_SIZE = 25


@login_required
@require_GET
def notifications(request):
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdecimal()] or None
    services.mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    safe = bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if safe and "\x00" not in target:
        # An address, never a URL pattern's name: redirect() would try to reverse a value without
        # a slash, and fail on it.
        return HttpResponseRedirect(target)
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    preference, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = forms.PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Notification settings saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, token: str):
    """A decision link from an e-mail or IM message. Whatever is wrong with the link is said
    before anything of its target is read; a sound link is handed to the view its app registered,
    which shows the page (GET changes nothing) or takes the step (POST)."""
    link = decisions.find(token)
    if link is None:
        return decisions.refusal(request, _("This link is not valid. Open the portal to see what waits for you."), 404)
    if link.user_id != request.user.pk:
        return decisions.refusal(
            request,
            _("This link was sent to someone else and works only for them. Nothing was changed."),
            403,
        )
    if link.used_at is not None:
        return decisions.refusal(request, _("This link was already used. Nothing was changed."), 410)
    if link.expires_at <= timezone.now():
        return decisions.refusal(
            request, _("This link has expired. Nothing was changed; open the portal to decide there."), 410
        )
    known = decisions.registered(f"{link.target_type.app_label}.{link.target_type.model}")
    target = known.load(link.target_id) if known is not None else None
    if target is None:
        return decisions.refusal(request, _("What this link was for no longer exists."), 404)
    return known.view(request, link, target)
