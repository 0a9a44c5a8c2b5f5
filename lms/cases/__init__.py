"""Case library: posts in 「DX導入事例」 marked as cases, searchable across every cohort."""
