"""What the app shows, computed without Streamlit: tables, figures, help text and diagrams.

``app.py`` only lays out widgets and calls these functions, so everything the
user sees can be tested without a browser.
"""
