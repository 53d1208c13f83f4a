"""The pages: the body's staff work here in a browser, the public checks certificates (issue 15).

Server-rendered (Jinja2 templates in api/templates), in Chinese with an English switch, and usable
without JavaScript (the process diagram aside). The staff pages are a thin layer over the staff API:
they call it in-process with the signed-in person's token (api/pages/backend.py), so who may do what,
every refusal and its rule id are the API's, and a page can never do more than the API lets its
reader do.
"""
