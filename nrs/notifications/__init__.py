"""Notifications: what NRS tells a user happened (in the app and by e-mail), once per event.

``services.notify`` is the one entry point; the hooks in ``events`` call it from the domains;
``jobs`` holds the daily agreement scan and the daily digest; ``unsubscribe`` the signed
one-click links every NRS e-mail carries.
"""
