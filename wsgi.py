"""What gunicorn serves: ``gunicorn wsgi:app``."""

from nrs import create_app

app = create_app()
