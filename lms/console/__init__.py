"""The organizer's console: creating cohorts from course templates, settings, archiving.

Orchestration (like the CLI): it builds across domains, so it sits above all of them."""
