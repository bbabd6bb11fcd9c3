"""EIE (Han et al., ISCA 2016): compressed sparse fully connected layers on a PE array."""
