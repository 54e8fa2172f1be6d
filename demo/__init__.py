"""Demo data for every app, loaded in the order the layers build on each other.

The top layer: it may import every app, and no app imports it. Each app keeps its own demo
rows in its `demo.py` (a `seed(out)` function); `python manage.py seed_demo` runs them here.
"""
