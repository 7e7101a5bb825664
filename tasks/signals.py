"""Signals of the requests app for the apps above it.

`request_overdue`: the reminder sweep found requests past their due time and sent their first
overdue reminder (once per request and due moment). Sent inside the sweep's transaction with
sender=Task and `tasks`, the list of those requests, so what a receiver writes commits with the
sweep's record of the reminder. Being overdue is not a step of the request, so the action log
does not carry it (core.actions.action_logged covers the steps)."""

from django.dispatch import Signal

request_overdue = Signal()
