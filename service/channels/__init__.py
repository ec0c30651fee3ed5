"""Twilio in and out: webhooks for texts and calls, signatures, limits, and sending texts."""
