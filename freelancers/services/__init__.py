"""The actions of the freelancers app, `<entity>_<verb>(*, ...)`, one module per aggregate:

- freelancer: the profile, the pipeline's moves through `freelancer_transition` (the one place a
  status changes), do-not-hire.
- reference: naming referees, requesting (a single-use link by email), answering, declining.
- interview: scheduling with an .ics, rescheduling, cancelling, the scorecard, the criteria.
- portfolio: samples (uploads checked by content) and testimonials.
- vetting: the owner's decision, read against the scorecard.
- imports: freelancers from a CSV file: a checked preview, then all or nothing (a task when large).

Reads the pages share are in `selectors`; the emails in `emails`; the beat sweeps in
`reminders`. Import the module you need (`from freelancers.services import reference`).
"""
