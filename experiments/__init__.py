"""Batch experiments: design, execution, storage and analysis of many seeded runs."""
