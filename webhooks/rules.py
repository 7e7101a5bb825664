"""Who may manage webhooks: admins every endpoint, department heads (and deputies, managers) the
endpoints of the departments they manage. The pages scope their queries with selectors.py."""

import rules

from departments.rules import is_admin, manages_any_department

may_manage = is_admin | manages_any_department

rules.add_perm("webhooks.manage", may_manage)
