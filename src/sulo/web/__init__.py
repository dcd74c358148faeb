"""The web layer: FastAPI pages (server-rendered + htmx) and the JSON API. Thin: it calls the stages."""
