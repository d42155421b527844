"""The public vote, by responsibility:

- ``identity``: phones, one-time codes and the signed cookie that names a verified voter
  (with its token version: revocable);
- ``casting``: casting a vote (the hot path, its statements written as SQL);
- ``monitor``: the staff side (tally, chart, bursts, voiding, closing the vote and its cut);
- ``budget``: how many codes may be sent (site-wide, per phone and requester);
- ``throttle``: rate limits of the pages; ``counters``: their rates and counters in the shared
  cache; ``sms``: the code senders; ``errors``: ``VoteError`` and its kinds.
"""
