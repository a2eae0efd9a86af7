"""A user's last filters per list, restored when the list is opened without any."""
