"""One audit log for every state change in LibCoop."""
