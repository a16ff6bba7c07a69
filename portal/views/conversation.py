"""The conversation, as the freelancer sees it: the same thread as the owner's (seeing it marks
it read), writing with files, editing or retracting their own message within ten minutes, and
the files of the thread, only for this freelancer's engagements."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from engagements.forms import MessageEditForm, MessageForm
from engagements.models import Message
from engagements.selectors import conversation as threads
from engagements.services import conversation
from engagements.services.transitions import ConflictError, NotAllowed
from freelancers.uploads import attachment_response, preview_response

from ..access import engagement_child, portal_engagement, portal_required
from ._helpers import render_portal


def _thread_url(engagement):
    return reverse("portal:messages", kwargs={"pk": engagement.pk})


@portal_required
def thread(request, pk):
    engagement = portal_engagement(request, pk)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation.message_post(engagement=engagement, author=request.user, body=form.cleaned_data["body"],
                                      files=form.cleaned_data["files"], as_freelancer=True)
        except NotAllowed:
            raise Http404 from None
        except ConflictError as exc:
            messages.error(request, str(exc))
            return redirect(_thread_url(engagement))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(_thread_url(engagement) + "#latest")
    items = threads.thread(engagement, side=threads.FREELANCER)
    shown = [i.message.pk for i in items if i.message]
    if shown and request.method == "GET":
        conversation.thread_mark_read(engagement=engagement, user=request.user, through_id=shown[-1])
    response = render_portal(request, "portal/messages.html", {
        "items": items, "form": form, "writable": threads.thread_open(engagement), "side": "portal",
    }, engagement=engagement, tab="messages")
    if request.method == "POST":
        response.status_code = 400
    return response


@portal_required
def message_edit(request, pk, message_pk):
    engagement = portal_engagement(request, pk)
    message = engagement_child(request, engagement, Message, message_pk)
    if message.author_user_id != request.user.pk:
        raise Http404("Not your message")
    form = MessageEditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            conversation.message_edit(message_id=message.pk, author=request.user, body=form.cleaned_data["body"])
        except NotAllowed:
            raise Http404 from None
        except ConflictError as exc:
            messages.error(request, str(exc))
            return redirect(_thread_url(engagement))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(_thread_url(engagement) + f"#m{message.pk}")
    response = render_portal(request, "portal/message_edit.html", {"message": message, "form": form, "side": "portal"},
                             engagement=engagement, tab="messages")
    if request.method == "POST":
        response.status_code = 400
    return response


@portal_required
@require_POST
def message_retract(request, pk, message_pk):
    engagement = portal_engagement(request, pk)
    message = engagement_child(request, engagement, Message, message_pk)
    try:
        conversation.message_retract(message_id=message.pk, author=request.user)
    except NotAllowed:
        raise Http404 from None
    except ConflictError as exc:
        messages.error(request, str(exc))
    return redirect(_thread_url(engagement) + f"#m{message.pk}")


def _attachment(request, pk, attachment_pk):
    engagement = portal_engagement(request, pk)
    attachment = threads.visible_attachments(engagement).filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404("No such file")
    return attachment


@portal_required
def attachment(request, pk, attachment_pk):
    a = _attachment(request, pk, attachment_pk)
    return attachment_response(a.file, filename=a.name, content_type=a.content_type)


@portal_required
def attachment_preview(request, pk, attachment_pk):
    a = _attachment(request, pk, attachment_pk)
    if not a.thumbnail:
        raise Http404("No preview")
    return preview_response(a.thumbnail)
