"""Editing incidents in the browser and reading their history: the edit form, field diffs and corrections."""
