"""SQS code both halves run: the queue model the replicas apply, the call stream, the error codes."""
