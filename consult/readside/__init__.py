"""The read side: the one place stored input becomes what an audience may see.

Writes go through each area's services; every output reads input through here, so moderation,
redaction, consent and masking are decided once:

- the public (pages, public API, open data, the public report): ``public`` — published text
  frozen at review, with its redactions; a name only by ``naming.shown_name``;
- a meeting's participants (their page, the minutes) and the projector: ``meetings`` —
  the record with every piece of personal data masked;
- staff (pages, exports, the staff API): ``staff`` — the text as written, CPR numbers masked
  (only the moderator's review of one contribution shows the original);
- the høringsnotat and the public report: ``quotes`` — moderated text only; input awaiting
  moderation is counted, never quoted.

``labels`` holds the words for every enum a person reads about input; ``masking`` the masks;
``templating`` gives templates the labels and one text filter per audience.
"""
