"""The outbox: every e-mail the site sends is a row here first, written in the transaction of
the action it tells about, and sent by the task worker with retries (:mod:`.services`)."""
