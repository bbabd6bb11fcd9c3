"""Accelerator models: each compiles a workload to its own encoding and runs it."""
