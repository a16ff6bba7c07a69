"""The portal's pages, one module per page group: `home` (what waits, switching workspaces, the
profile, money overall), `engagement` (one engagement: brief, playbook, updates, check-ins,
access, money, review), `conversation` (the thread with the owner, its files), `work`
(milestones, handed-in files, timesheets), `dates` (asking for a new due date),
`agreement` (reading and signing the agreement, its PDF), `public` (the
invitation link, accepting it, asking for a new one) and `owner` (the owner's side: a
freelancer's portal access, the workspace's invitations).

Thin: fetch through portal.access (404 for anything that is not the current freelancer's; owner
pages through accounts.access.get_for_workspace), validate a form, call one action, redirect.
What several modules share is in `_helpers`; a view module never imports a sibling.
"""
