from .models import Notification


def workspace_notifications(workspace):
    return Notification.objects.filter(workspace=workspace).select_related("recipient_user")
