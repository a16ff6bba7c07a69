"""The engagement actions, functions named `<entity>_<verb>` with keyword-only arguments, one
module per aggregate. Each owns its transaction; views, the API, the portal, tasks and payments
call them.

- lifecycle: create and change an engagement, offer, withdraw, activate (the freelancer's
  brief acknowledgement), pause, resume, complete, cancel. It orchestrates: it may call brief
  and access; they never import it.
- brief: versions, sending, recording the acknowledgement, questions and answers.
- milestone: planning against the budget, and the work moves (submit, request changes).
- due_date: the freelancer's requests for a new due date and the owner's answer.
- reporting: status updates, their prompts, check-ins.
- access: shared secrets, their reveal and revocation.
- playbook, review: workspace documents and their acknowledgement; the end review.
- transitions: the one path for every state change, and the map of a milestone's whole life.
- deadlines, ladders: the deadline columns and the reminder ladders armed whenever they move.
- activity: the timeline line every action writes.
"""
