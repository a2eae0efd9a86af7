"""Users, roles, logging in, and who may do what."""
