"""User accounts, sign-in and sessions, API tokens, memberships (the roles of users in
organisations) and the invitations that make them: the administration of who may act, above the
organisations it names and the audit log it writes. The identity values and the permission rule
every context calls stay in :mod:`neutrality.access`."""
