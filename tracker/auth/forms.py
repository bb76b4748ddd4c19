"""Forms for signing in, two-factor codes and passwords."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from tracker.auth.passwords import MAX_LENGTH


def email_field(required_message: str = "Enter your email address") -> StringField:
    """An email address field, with the same length limit everywhere an address is typed."""
    return StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message=required_message),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code or a recovery code"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class NewPasswordMixin:
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter the new password again"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SetUpAccountForm(NewPasswordMixin, FlaskForm):
    email = email_field()
    code = StringField(
        "Set-up code",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the set-up code your administrator gave you"),
            Length(max=40, message="Enter the set-up code as you were given it"),
        ],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ConfirmButtonForm(FlaskForm):
    """A form that is only a button: it still carries a CSRF token."""
