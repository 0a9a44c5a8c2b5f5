"""The goal checker's page and API; the checker itself (lms.goals) stays Flask-free."""
