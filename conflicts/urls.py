"""Conflicts between departments: negotiation, mediation, arbitration."""

app_name = "conflicts"

urlpatterns = []
