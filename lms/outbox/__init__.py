"""Outbox: work after the response (mail), queued in the request's transaction."""
