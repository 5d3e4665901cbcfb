"""A service's refusal, said on the page in the reader's language.

The services speak English (the API's JSON carries the same words). The
messages listed here are in the accounts catalogue, so a page shows them
translated; a message not listed is shown as the service wrote it.
"""

from django.contrib import messages
from django.utils.translation import gettext, gettext_noop

from common.errors import ServiceError

# Marked for makemessages only: the services raise these exact English sentences.
KNOWN = (
    gettext_noop("A user with that username already exists."),
    gettext_noop("This email address is already in use."),
    gettext_noop("This verification link is not valid."),
    gettext_noop("This verification link was already used."),
    gettext_noop("This verification link has expired; ask for a new one."),
    gettext_noop("This address is already verified."),
    gettext_noop("A verification mail was just sent; wait a minute before asking again."),
    gettext_noop("Only a verified address can become primary."),
    gettext_noop("The primary address cannot be deleted; make another verified address primary first."),
    gettext_noop("No such email address."),
    gettext_noop("A team with this name already exists."),
    gettext_noop("Only the team's captain can do this."),
    gettext_noop("This address belongs to a member of the team."),
    gettext_noop("This address already has a pending invitation."),
    gettext_noop("This invitation link is not valid."),
    gettext_noop("This invitation was sent to an address that is not verified on your account."),
    gettext_noop("This invitation has expired; ask the captain for a new one."),
    gettext_noop("You are already a member of this team."),
    gettext_noop("No such invitation."),
    gettext_noop("This user is not a member of the team."),
    gettext_noop("The captain cannot be removed; transfer the captaincy to another member first."),
    gettext_noop("The captain cannot leave the team; transfer the captaincy to another member first."),
    gettext_noop("This member is already the captain."),
    gettext_noop("No such team."),
)


def said(exc: ServiceError) -> str:
    """The refusal's sentence, translated when the catalogue knows it."""
    return gettext(exc.message)


def form_refused(form, exc: ServiceError) -> None:
    """Put the refusal next to its field when the form has it, above the form otherwise."""
    form.add_error(exc.field if exc.field in form.fields else None, said(exc))


def notice_refused(request, exc: ServiceError) -> None:
    messages.error(request, said(exc))
