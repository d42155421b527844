"""互学互鉴: records that a district took up another district's published practice.

It lives in ``cases`` (its own subpackage) because the officer's case form and the public
case page, both in ``cases``, show adoptions, and apps import only the apps before them
(tests/test_layout.py): a later app could not be read from those pages.
"""
