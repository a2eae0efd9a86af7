"""Companies from the CVR register, their contacts, and their lead job centre."""
