"""The portal's actions, one module per aggregate:

- invitation: inviting a freelancer (and the sweep inviting those offered work), what accepting
  means (the role hook registered in apps.py), revoking their access, a link asked for again.
- profile: the freelancer's name, time zone and email choices, in every workspace.

Everything the freelancer does on an engagement is an engagements or payments action; the
portal's reads are in `selectors`.
"""
