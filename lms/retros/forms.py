"""Forms of the retro pages. The board's many small forms carry only the CSRF token; their
fields go to the same service arguments as the JSON API, so the rules live once."""

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """Only the CSRF token."""
