"""Payments' beat sweeps, one module per ladder: `auto_release` (release and approve what
nobody reviewed in time) and `review_warnings` (warn the owner before that happens)."""
