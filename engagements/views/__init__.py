"""Owner pages for engagements, one module per page group: `engagement` (list, create, edit,
detail, timeline, lifecycle, end, review), `brief`, `milestone`, `reporting` (status updates,
check-ins, update prompts), `access`, `playbook`, `conversation` (the thread, its files),
`reminders` (reminder settings, new-date answers) and `reliability`; urls.py maps them.

Views are thin: fetch through `get_for_workspace` (404 outside the workspace), validate a form,
call one action, redirect. Pages render in the viewer's time zone. What they share is in
`_helpers`; a view module never imports a sibling.
"""
