"""Dashboards, the organisation report and global search."""

app_name = "reports"

urlpatterns = []
