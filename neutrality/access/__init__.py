"""Actors, roles and the authorisation rule every context calls; the tables of users,
memberships, tokens, signed-in sessions and invitations, and password hashing. Their administration is :mod:`neutrality.accounts`."""
