"""Personal data: redaction of free text and validation of the consented contact details."""
