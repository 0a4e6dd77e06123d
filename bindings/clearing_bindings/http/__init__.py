"""The HTTP binding (the ``[service]`` extra): FastAPI app, uvicorn server, metrics, OpenAPI.

``clearing serve --http`` runs :func:`clearing_bindings.http.server.run`;
:func:`clearing_bindings.http.app.create_app` builds the app for embedding in another ASGI
server.
"""
