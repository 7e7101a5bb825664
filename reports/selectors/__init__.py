"""Read queries for the department dashboard and the organisation report.

Every figure is computed in the database (aggregate/annotate, an ordered-set aggregate for
percentiles on PostgreSQL); Python only arranges rows whose number is bounded by the number
of departments, people of one department, request types, weeks or reasons. Every query
starts from what the viewer may see (`tasks.selectors.visible_tasks_filter`,
`documents.selectors.visible_documents`).

Definitions (shown on the pages):
- accepting SLA: measured for requests with an accept-by time that were accepted, or are still
  waiting past it; kept when accepted by then.
- finishing SLA: measured for requests with a due time that were finished (handed over for
  verification), or are still being worked past it; kept when finished by then (due times
  already move by the working time on hold).
- cycle time: from submission to the result, in calendar hours.
- waiting charged: working hours of finished holds that name the department waited on.
"""

from reports.selectors.common import PAGE_ROWS as PAGE_ROWS
from reports.selectors.common import has_percentiles as has_percentiles
from reports.selectors.department import DepartmentReport as DepartmentReport
from reports.selectors.organisation import OrganisationReport as OrganisationReport
from reports.selectors.organisation import heatmap as heatmap
