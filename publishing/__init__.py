"""Publishing: the public notice period, the published notice, and the public archive's API.

Why an app of its own: everything here begins when the selection ends. Once staff approve a
result, the round's output has a lifecycle the selection apps (``cases`` for submissions,
``reviews`` for the vote and the experts) know nothing about: a public notice period with
objections from anyone, the notice written and published, its Word and PDF documents generated
in the background and kept as files, an unpublish that takes a list back, and a read-only API
and feed that outside readers depend on for years. Keeping that apart keeps its rules in one
place (``publication``, ``objections``, ``notice_documents``) and lets the selection apps change
without touching what the public reads.
"""
