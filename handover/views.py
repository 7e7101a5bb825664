from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from departments.models import User
from handover import rules, services
from handover.forms import HandoverForm
from handover.sources import GROUPS, held_by


def _person_for(user: User, username: str) -> User:
    """The person whose work `user` may hand over: 404 for an unknown or deactivated person they
    may not hand over (deactivated people are not in the directory), 403 for an active one."""
    person = User.objects.filter(username=username).first()
    if person is None:
        raise Http404
    if not rules.may_hand_over(user, person):
        if not person.is_active:
            raise Http404
        raise PermissionDenied
    return person


@login_required
@require_http_methods(["GET", "POST"])
def page(request, username: str):
    person = _person_for(request.user, username)
    may_deactivate = person.is_active and rules.may_deactivate(request.user, person)
    items = held_by(person)
    form = HandoverForm(
        request.POST if request.method == "POST" else None,
        person=person,
        by=request.user,
        items=items,
        may_deactivate=may_deactivate,
    )
    if request.method == "POST" and form.is_valid():
        deactivate = form.cleaned_data.get("deactivate", False)
        try:
            moved = services.hand_over(
                person=person,
                by=request.user,
                default=form.cleaned_data["default"],
                chosen=form.chosen(),
                deactivate=deactivate,
            )
        except services.HandoverError as exc:
            for key, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(f"to_{key}" if key and f"to_{key}" in form.fields else None, problem)
        else:
            messages.success(request, _("%(count)s items handed over.") % {"count": moved})
            if deactivate:
                messages.success(request, _("%(name)s's account is deactivated.") % {"name": person.name})
            return redirect("handover:page", username=person.username)
    rows = form.rows()
    groups = [(label, [row for row in rows if row[0].group == key]) for key, label in GROUPS.items()]
    return render(
        request,
        "handover/page.html",
        {
            "person": person,
            "form": form,
            "groups": [(label, group_rows) for label, group_rows in groups if group_rows],
            "count": len(items),
        },
    )
