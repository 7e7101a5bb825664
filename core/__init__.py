"""The shared kernel: what every app uses and that knows no app (DESIGN §3).

Working hours, upload checks, exports, the .docx rendering service, the action
log with `log_action(...)` and the workflow step helper live here. Nothing in
this package imports departments, notifications or a workflow app.
"""
