"""The worker heartbeat (outsourcing/heartbeat.py): the ping each worker sends itself, and the
note taken after every other task a worker runs."""

from celery import shared_task
from celery.signals import task_postrun

from . import heartbeat


@shared_task(bind=True, ignore_result=True)
def heartbeat_record(self):
    """Sent by every worker to the queue each WORKER_HEARTBEAT_SECONDS: running it is the proof."""
    heartbeat.heartbeat_record(hostname=self.request.hostname)


@task_postrun.connect(dispatch_uid="outsourcing.heartbeat_after_task")
def heartbeat_after_task(sender=None, task=None, **kwargs):
    # Worker plumbing, not domain logic: any finished task shows the worker consumes, even when
    # its pings wait behind a long queue. A task run inline (eager, in a web process) shows nothing.
    if task is None or task.request.is_eager or not task.request.hostname or task.name == heartbeat_record.name:
        return
    heartbeat.heartbeat_task_done(hostname=task.request.hostname)
