"""Learning from moderators: candidates fitted on their decisions, shadow scoring, reports,
promotion and rescoring.

Every moderator decision on a comment the model scored is a label. A *candidate* is a
logistic regression over the comment's sentence vector (a middle encoder layer's mean,
from the forward pass that scored it, stored beside each model decision: ``vectors``) and
its six score logits, fitted with scikit-learn (``fitting``, run by ``building``) on a
site's decided comments with a seeded part held back for evaluation, and applied with
numpy (``vector_head``). Candidates live in the database, so workers need no new files,
and shadow scoring costs no extra forward pass.
"""
