"""Who sets a password, and what follows.

Every password goes through Django's validators (settings.AUTH_PASSWORD_VALIDATORS), wherever
it is set: staff registering an expert (reviews.forms.ExpertForm), the admin's add-user and
set-password forms, the user's own change (PasswordChangeView), createsuperuser.

A password someone else set is known to them: the account is marked ``must_change_password``
and accounts.middleware sends its user to the change page until they pick their own. Demo
accounts (cases.demo) are created with a known password and not marked.
"""

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def set_password_by_staff(user, raw_password):
    """Set a password chosen by someone else: the user must change it at the next login."""
    user.set_password(raw_password)
    user.must_change_password = True


def validate_for(form, field_name, user):
    """Run the validators on ``form``'s password field against ``user``'s attributes (name,
    e-mail: a password like the username is refused); errors go to that field."""
    password = form.cleaned_data.get(field_name)
    if not password:
        return
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        form.add_error(field_name, error)


class SetByStaffMixin:
    """For the admin's forms: a password set there is someone else's choice."""

    def set_password_and_save(self, user, *args, **kwargs):
        user.must_change_password = bool(self.cleaned_data.get("set_usable_password", True))
        return super().set_password_and_save(user, *args, **kwargs)


class StaffUserCreationForm(SetByStaffMixin, auth_forms.AdminUserCreationForm):
    pass


class StaffSetPasswordForm(SetByStaffMixin, auth_forms.AdminPasswordChangeForm):
    pass


class OwnPasswordChangeForm(auth_forms.PasswordChangeForm):
    """The user's own change (old password asked): the password is theirs from now on, so it
    may not be the one they were given."""

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("新密码不能与原密码相同。"))
        return cleaned

    def set_password_and_save(self, user, *args, **kwargs):
        user.must_change_password = False
        return super().set_password_and_save(user, *args, **kwargs)
