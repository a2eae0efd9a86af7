"""Municipalities, the nine NRS job centres, and which centre leads which company."""
