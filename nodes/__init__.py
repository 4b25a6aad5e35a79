"""AZ-scoped code: the node agent actor and what it supervises."""
