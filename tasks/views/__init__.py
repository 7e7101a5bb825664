"""Request pages: filing, the request page and its actions, the lists, the inbox, bulk actions."""

from tasks.views.filing import edit_request as edit_request
from tasks.views.filing import file_request as file_request
from tasks.views.filing import new_request as new_request
from tasks.views.filing import preview as preview
from tasks.views.lists import SCOPES as SCOPES
from tasks.views.lists import bulk as bulk
from tasks.views.lists import department_inbox as department_inbox
from tasks.views.lists import department_workload as department_workload
from tasks.views.lists import task_list as task_list
from tasks.views.request_page import act as act
from tasks.views.request_page import attachment_preview as attachment_preview
from tasks.views.request_page import detail as detail
from tasks.views.request_page import download as download
from tasks.views.request_page import follow as follow
from tasks.views.request_page import mention_search as mention_search
from tasks.views.request_page import request_form as request_form
from tasks.views.request_page import run_action as run_action
