"""The webhook pages: admins manage every endpoint, department heads their departments'. Anyone
else gets 403 on every page; a head asking for another department's endpoint gets 404."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from webhooks import selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import Endpoint, Event
from webhooks.services import WebhookError


def _may_manage(request) -> None:
    if not rules.has_perm("webhooks.manage", request.user):
        raise PermissionDenied


def _endpoint(request, pk: int) -> Endpoint:
    _may_manage(request)
    return selectors.endpoint_for_page(request.user, pk)


@login_required
@require_GET
def endpoint_list(request):
    _may_manage(request)
    endpoints = list(selectors.endpoints_for(request.user))
    labels = dict(Event.choices)
    for endpoint in endpoints:
        endpoint.event_labels = [labels.get(e, e) for e in endpoint.events]
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_new(request):
    _may_manage(request)
    form = EndpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_save(endpoint=form.save(commit=False), by=request.user)
        except WebhookError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The endpoint is registered. Give its secret to the receiver."))
            return redirect("webhooks:detail", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, pk: int):
    endpoint = _endpoint(request, pk)
    form = EndpointForm(request.POST or None, instance=endpoint, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_save(endpoint=form.save(commit=False), by=request.user)
        except WebhookError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect("webhooks:detail", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@login_required
@require_GET
def endpoint_detail(request, pk: int):
    endpoint = _endpoint(request, pk)
    labels = dict(Event.choices)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "event_labels": [labels.get(e, e) for e in endpoint.events],
            "deliveries": selectors.recent_deliveries(endpoint),
        },
    )


def _act(request, pk: int, action) -> Endpoint:
    endpoint = _endpoint(request, pk)
    try:
        message = action(endpoint)
    except WebhookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return endpoint


@login_required
@require_POST
def endpoint_rotate(request, pk: int):
    def rotate(endpoint):
        services.endpoint_rotate_secret(endpoint=endpoint, by=request.user)
        return _("A new secret is in place; deliveries carry a signature by the old one too for a day.")

    _act(request, pk, rotate)
    return redirect("webhooks:detail", pk)


@login_required
@require_POST
def endpoint_pause(request, pk: int):
    def pause(endpoint):
        services.endpoint_pause(endpoint=endpoint, by=request.user)
        return _("The endpoint is paused.")

    _act(request, pk, pause)
    return redirect("webhooks:detail", pk)


@login_required
@require_POST
def endpoint_resume(request, pk: int):
    def resume(endpoint):
        owed = services.endpoint_resume(endpoint=endpoint, by=request.user)
        return _("The endpoint is active again; %(count)s waiting deliveries are on their way.") % {"count": owed}

    _act(request, pk, resume)
    return redirect("webhooks:detail", pk)


@login_required
@require_POST
def endpoint_delete(request, pk: int):
    endpoint = _endpoint(request, pk)
    services.endpoint_delete(endpoint=endpoint, by=request.user)
    messages.success(request, _("The endpoint is deleted."))
    return redirect("webhooks:list")


@login_required
@require_POST
def delivery_resend(request, pk: int, delivery_pk: int):
    endpoint = _endpoint(request, pk)
    delivery = get_object_or_404(endpoint.deliveries.select_related("endpoint"), pk=delivery_pk)
    try:
        services.delivery_resend(delivery=delivery, by=request.user)
    except WebhookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The delivery is on its way again."))
    return redirect("webhooks:detail", pk)
