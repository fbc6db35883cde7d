"""Domain-free plumbing shared by every context: database, errors, text, dates, clock."""
