"""Forms of the survey pages: the answers are built from the survey's questions, so the form
itself carries only the CSRF token and the service checks each answer."""

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """Only the CSRF token."""
