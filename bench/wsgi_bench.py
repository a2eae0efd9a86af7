"""The app as gunicorn serves it, plus the floor route the page benchmark compares against.

``/_bench/floor`` returns a constant through the same server, workers, Flask request cycle and
security hooks, without touching the database: what any page costs at the very least. It lives
here only, never in the product.
"""

from nrs import create_app, served
from nrs.security import access

app = create_app()


@app.get("/_bench/floor")
@access("public")
def bench_floor():
    return "ok"


served(app)  # as wsgi.py serves it
