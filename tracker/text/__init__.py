"""Text formats shared by the layers above: Markdown escaping, Jinja2 templates and fast JSON."""
