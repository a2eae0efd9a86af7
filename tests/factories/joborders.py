"""Factory fixtures for this domain (filled in with the domain)."""
