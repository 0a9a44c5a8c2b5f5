"""Pages that gather several domains: my dashboard and the cohort overview."""
