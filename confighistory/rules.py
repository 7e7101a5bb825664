"""Who may read the history of configuration: admins all of it, department administrators that of
their own departments' objects (confighistory.selectors.scope_for says which)."""

import rules

from departments.rules import administers, is_admin

rules.add_perm("confighistory.view_log", is_admin | administers)
