"""RDS error codes, raised by the DB nodes and the controller alike."""
