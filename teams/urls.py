"""Collaboration teams: goals, plans, meetings and conflicts."""

app_name = "teams"

urlpatterns = []
