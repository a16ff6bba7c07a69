"""Payments' beat sweeps, one module per ladder: `auto_release` (release and approve what
nobody reviewed in time), `review_warnings` (warn the owner before that happens) and
`pay_models` (retainer periods and commission reports)."""
