"""The Celery settings shared by the sender (web app) and the workers."""

from typing import Any

from ...config import Settings

QUEUE = "celery"
"""The one queue of tasks: Celery's default, durable on every broker."""
RUN_PLUGIN_JOB = "proxyservice.run_plugin_job"
"""Name of the one Celery task: run a plugin's job. Sent by name, so the web app
need not import the workers' code."""
DELIVER_CALLBACK = "proxyservice.deliver_callback"
"""Name of the task that calls a client back when one of its tasks ended: sent by the worker that ran it."""
CONVERTER_STATUS = "proxyservice_converter_status"
"""Remote-control command workers answer with their sandbox's and converters' state."""


def celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery configuration for these settings; each value says why it is set."""
    return {
        "broker_url": settings.broker_url,
        # The durable task records hold every outcome; a result backend would be
        # a second, expiring copy.
        "task_ignore_result": True,
        # Ack after the task ran, so a task whose worker died is delivered again.
        "task_acks_late": True,
        # A worker child that dies mid-task (killed, out of memory) gives its
        # task back instead of acking it.
        "task_reject_on_worker_lost": True,
        # A worker takes one task at a time; workers can vanish, and a long
        # render must not hold others back in its prefetch buffer.
        "worker_prefetch_multiplier": 1,
        # A render stuck past the soft limit gets SoftTimeLimitExceeded; past the
        # hard limit its child process is killed and replaced.
        "task_soft_time_limit": settings.TASK_SOFT_TIME_LIMIT,
        "task_time_limit": settings.TASK_TIME_LIMIT,
        "task_serializer": "json",
        "accept_content": ["json"],
        # Say "broker unreachable" quickly instead of hanging a web request.
        "broker_connection_timeout": settings.BROKER_TIMEOUT,
        "broker_transport_options": {
            "socket_connect_timeout": settings.BROKER_TIMEOUT,
            "socket_timeout": max(settings.BROKER_TIMEOUT, 5.0),
            # Redis only (RabbitMQ gives a dead connection's tasks back at once): a task
            # a worker took but never acked (the worker was killed) goes back to the
            # queue after this long. A task delivered again while its first worker
            # still runs it waits on that worker's lease (TASK_LEASE), so this is no
            # longer what keeps a slow task from running twice.
            "visibility_timeout": settings.VISIBILITY_TIMEOUT,
            # Workers look for such tasks this often (kombu's default is about
            # every 100 s): a killed worker's task is back within about
            # VISIBILITY_TIMEOUT and a quarter.
            "unacked_restore_interval": max(1, min(30, settings.VISIBILITY_TIMEOUT // 4)),
            "unacked_restore_throttle": 1,
        },
        # Workers keep trying to reach a broker that went away, and come back
        # by themselves when it returns.
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
    }
