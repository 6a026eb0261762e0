"""Readers of free text: every structure read from a pupil's words, in one place.

Pure Python (the standard library, PyYAML and knowledge/), no Rasa: the NLU components in nlu/
run them inside the Rasa engine (Python 3.10), the actions on the services (Python 3.12).
See nlu/README.md for what each reader returns.
"""
