"""Pledges: the pledge frame, categories, lifecycle, donor groups, aggregation."""
