"""Actors, roles and the authorisation rule every context calls; the tables of users,
memberships and tokens and password hashing. Their administration is :mod:`neutrality.accounts`."""
