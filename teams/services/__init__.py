"""Team use cases: each step goes through core.workflow.step, which locks the team row and checks
the state and the rule of teams/rules.py; the step writes, logs and notifies (in the same
transaction, through notifications.services.notify)."""

from teams.services.common import TeamConflict as TeamConflict
from teams.services.common import TeamError as TeamError
from teams.services.common import team_people as team_people
from teams.services.evaluation import criteria_set as criteria_set
from teams.services.evaluation import goal_attainment as goal_attainment
from teams.services.evaluation import reading_add as reading_add
from teams.services.evaluation import team_evaluate as team_evaluate
from teams.services.feeds import feed_revoke as feed_revoke
from teams.services.feeds import feed_rotate as feed_rotate
from teams.services.lifecycle import TEAM_FIELDS as TEAM_FIELDS
from teams.services.lifecycle import team_cancel as team_cancel
from teams.services.lifecycle import team_complete as team_complete
from teams.services.lifecycle import team_create as team_create
from teams.services.lifecycle import team_start as team_start
from teams.services.lifecycle import team_update as team_update
from teams.services.meetings import action_add as action_add
from teams.services.meetings import action_done as action_done
from teams.services.meetings import agenda_with_overdue as agenda_with_overdue
from teams.services.meetings import meeting_add as meeting_add
from teams.services.meetings import meeting_cancel as meeting_cancel
from teams.services.meetings import meeting_record as meeting_record
from teams.services.meetings import meetings_generate as meetings_generate
from teams.services.plan import milestone_delete as milestone_delete
from teams.services.plan import milestone_save as milestone_save
from teams.services.plan import plan_set as plan_set
from teams.services.requests import action_to_request as action_to_request
from teams.services.requests import simple_request_types as simple_request_types
from teams.services.requests import team_request_file as team_request_file
from teams.services.requests import team_request_link as team_request_link
