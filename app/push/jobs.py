"""The push domain's background job: sending a notification to some users' browsers."""

from app.jobs.queue import JobContext, job
from app.push.services import PUSH, message_from, notify


@job(PUSH)
def push_job(ctx: JobContext) -> dict:
    """Push the message to every browser of the users; how many browsers took it."""
    delivered = notify(ctx.params["user_ids"], message_from(ctx.params["message"]))
    return {"delivered": delivered}
