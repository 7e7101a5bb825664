"""Who may import and export the organisation: the admins (superusers), as in departments.rules."""

import rules

from departments.rules import is_admin

rules.add_perm("imports.import_organisation", is_admin)
rules.add_perm("imports.import_holidays", is_admin)
