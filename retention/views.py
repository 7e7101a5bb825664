"""Legal holds on the portal's pages: the list of what is held, and placing or lifting a hold on a
request or an official document (the panel on their pages, retention/templatetags)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.workflow import StepConflict, StepError
from documents.selectors import visible_documents
from retention import rules, selectors, services
from retention.forms import LegalHoldForm
from tasks.models import Task

STEPS = {"place": services.legal_hold_place, "lift": services.legal_hold_lift}


@login_required
def hold_list(request):
    if not rules.may_manage_legal_holds(request.user):
        raise PermissionDenied
    return render(request, "retention/holds.html", {"holds": selectors.holds_visible_to(request.user)})


@login_required
@require_POST
def request_hold(request, number: str, step: str):
    item = get_object_or_404(Task.objects.visible_to(request.user), number=number)
    return _take(request, item, step)


@login_required
@require_POST
def document_hold(request, pk: int, step: str):
    item = get_object_or_404(visible_documents(request.user), pk=pk)
    return _take(request, item, step)


def _take(request, item, step: str):
    """Someone who may not see the item got a 404 above; one who may see it but lacks the
    permission gets a 403; a missing reason or a second click, a message on the item's page."""
    if step not in STEPS:
        raise Http404
    if not rules.may_manage_legal_holds(request.user):
        raise PermissionDenied
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(item.get_absolute_url())
    try:
        STEPS[step](item=item, by=request.user, reason=form.cleaned_data["reason"])
    except StepConflict as exc:
        messages.warning(request, str(exc))
    except StepError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Placed under legal hold.") if step == "place" else _("The legal hold was lifted."))
    return redirect(item.get_absolute_url())
