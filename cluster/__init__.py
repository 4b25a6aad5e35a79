"""Region-level code: config, Ray bootstrap, the region controller, chaos, CLI and SDK."""
