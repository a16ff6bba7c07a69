"""Owner pages of the conversation: the thread (seeing it marks it read), writing a message with
files, editing or retracting one's own message within ten minutes, and the files themselves,
served only to readers of the thread (as downloads that are never sniffed; image previews
inline)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from freelancers.uploads import attachment_response, preview_response

from ..forms import MessageEditForm, MessageForm
from ..models import Message
from ..selectors import conversation as threads
from ..services import conversation
from ..services.transitions import ConflictError, NotAllowed
from ._helpers import child_of, engagement_for, owner_page


def _thread_url(engagement):
    return reverse("engagements:messages", kwargs={"pk": engagement.pk})


@owner_page
def thread(request, pk):
    engagement = engagement_for(request, pk)
    form = MessageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                conversation.message_post(engagement=engagement, author=request.user, body=form.cleaned_data["body"],
                                          files=form.cleaned_data["files"])
            except NotAllowed:
                raise Http404 from None
            except ConflictError as exc:
                messages.error(request, str(exc))
                return redirect(_thread_url(engagement))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect(_thread_url(engagement) + "#latest")
        status = 400
    items = threads.thread(engagement, side=threads.OWNER)
    shown = [i.message.pk for i in items if i.message]
    if shown and request.method == "GET":
        conversation.thread_mark_read(engagement=engagement, user=request.user, through_id=shown[-1])
    return render(request, "engagements/messages.html", {
        "engagement": engagement, "items": items, "form": form, "tab": "messages",
        "writable": threads.thread_open(engagement), "side": "engagements",
    }, status=status)


@owner_page
def message_edit(request, pk, message_pk):
    engagement = engagement_for(request, pk)
    message = child_of(request, Message, engagement, message_pk)
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
    return render(request, "engagements/message_edit.html", {
        "engagement": engagement, "message": message, "form": form, "tab": "messages", "side": "engagements",
    }, status=400 if request.method == "POST" else 200)


@owner_page
@require_POST
def message_retract(request, pk, message_pk):
    engagement = engagement_for(request, pk)
    message = child_of(request, Message, engagement, message_pk)
    try:
        conversation.message_retract(message_id=message.pk, author=request.user)
    except NotAllowed:
        raise Http404 from None
    except ConflictError as exc:
        messages.error(request, str(exc))
    return redirect(_thread_url(engagement) + f"#m{message.pk}")


def _attachment(request, pk, attachment_pk):
    engagement = engagement_for(request, pk)
    attachment = threads.visible_attachments(engagement).filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404("No such file")
    return attachment


@owner_page
def attachment(request, pk, attachment_pk):
    a = _attachment(request, pk, attachment_pk)
    return attachment_response(a.file, filename=a.name, content_type=a.content_type)


@owner_page
def attachment_preview(request, pk, attachment_pk):
    a = _attachment(request, pk, attachment_pk)
    if not a.thumbnail:
        raise Http404("No preview")
    return preview_response(a.thumbnail)
