"""Comments on a request, with @mentions and attachments."""

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from departments.models import User
from tasks.models import Comment, Task
from tasks.services.common import TaskError, _store_attachments, notify_about

MENTION = re.compile(r"@([\w.\-]+)")


def task_comment(*, task: Task, by: User, body: str, attachments: Iterable = ()) -> Comment | None:
    body = body.strip()
    attachments = list(attachments)
    if not body and not attachments:
        raise TaskError(_("Write a comment or attach a file."))
    from tasks.rules import can

    if not can(by, "comment", task):
        raise PermissionDenied
    usernames = sorted(set(MENTION.findall(body)))
    people = list(User.objects.filter(username__in=usernames, is_active=True))
    unknown = sorted(set(usernames) - {p.username for p in people})
    if unknown:
        raise TaskError(_("No such person: %(names)s.") % {"names": ", ".join("@" + u for u in unknown)})
    blind = [p for p in people if not can(p, "view", task)]
    if blind:
        raise TaskError(
            _("%(names)s may not see this request; mention only people who can.")
            % {"names": ", ".join(p.name for p in blind)}
        )
    with transaction.atomic():
        comment = None
        if body:
            comment = Comment.objects.create(task=task, author=by, body=body)
            comment.mentions.set(people)
        _store_attachments(task, by, attachments)
        notify_about(people, task, by, "mention", gettext_noop("%(who)s mentioned you on %(number)s."))
        others = [p for p in (task.requester, task.assignee) if p and p not in people]
        notify_about(others, task, by, "comment", gettext_noop("%(who)s commented on %(number)s."))
    return comment
