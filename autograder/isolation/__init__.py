"""Containing student code: the bubblewrap sandbox and its limits, warm processes (fork server,
zygote), the function server and its wire format, process helpers."""
