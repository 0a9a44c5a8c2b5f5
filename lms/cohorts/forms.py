"""Forms of the cohort pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class EnrolmentUploadForm(FlaskForm):
    csv_file = FileField("受講者名簿（CSVファイル）",
                         validators=[FileRequired("CSVファイルを選んでください。")])
