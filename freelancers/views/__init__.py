"""Owner pages for the talent pool and vetting, and the referee's questionnaire (no login),
one module per topic: `pool` (list, pipeline board, bench, profile), `portfolio` (samples and
testimonials), `references` (the owner's side of reference checks), `referee` (the public
questionnaire), `interviews` (scheduling, scorecards, criteria) and `scorecard` (the vetting
scorecard and the decision).

Views are thin: they parse a form, call one action, and show the result. What several of them
share is in `_helpers`; a view module never imports a sibling. Every object is
fetched through accounts.access.get_for_workspace (see `_helpers`), so anything outside the
request's workspace is a 404.
"""
