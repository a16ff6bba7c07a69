"""The beat sweeps of the freelancers app, one module per ladder, each only its decision and its
email on the shared frame (notifications.sweeps.run_ladder and drain): `references` reminds
referees who have not answered and expires their requests."""
