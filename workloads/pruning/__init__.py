"""Pruning methods (weights -> boolean masks, True = keep) and pruning procedures."""
