"""Built-in dimension scorers of threshold, one module per dimension."""
