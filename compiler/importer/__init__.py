"""Importing existing policies: YAML emission, facts as variables, translation alignment, checks."""
