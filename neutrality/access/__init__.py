"""Users, roles, organisation memberships, API tokens and the authorisation rules."""
