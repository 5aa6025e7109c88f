"""The embeddable comment widget, its CORS rules, and the demo article that shows it."""
