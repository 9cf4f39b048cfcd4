"""Web adapters: the JSON API infrastructure, server-rendered pages and error mapping."""
