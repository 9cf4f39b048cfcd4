"""User accounts, API tokens and memberships (the roles of users in organisations): the
administration of who may act, above the organisations it names and the audit log it writes.
The identity values and the permission rule every context calls stay in :mod:`neutrality.access`."""
