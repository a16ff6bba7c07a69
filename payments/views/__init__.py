"""The owner's money pages, one module per page group (mapped in payments/urls.py): `overview`,
`engagement` (an engagement's money, its ledger, budget, bonus and payout forms), `milestone`
(the milestone actions with their confirmation step), `timesheets`, `statements` (screen, CSV,
print), `payment_settings`, `invoices` (invoices, credit notes, the
workspace's tax details); `_helpers` holds what they share."""
