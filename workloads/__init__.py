"""Workloads: sparse formats, weight sharing, benchmark layers and model files."""
