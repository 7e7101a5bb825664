"""What the request pages share: the page size, the request or 404, form errors."""

from django.http import Http404

from tasks import selectors
from tasks.models import Task

PAGE_SIZE = 25


def _task_or_404(request, number: str) -> Task:
    """The request if the user may see it; everyone else gets 404, so numbers reveal nothing."""
    try:
        return selectors.task_for_page(request.user, number)
    except Task.DoesNotExist:
        raise Http404 from None


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )
