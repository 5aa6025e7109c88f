"""Learning from moderators: candidates fitted on their decisions, shadow scoring, reports,
promotion and rescoring.

Every moderator decision on a comment the model scored is a label. A *candidate* is a
small head (logistic regression, pure Python) over the live model's calibrated label
scores, which every model decision already stores, fitted on a site's decided comments
with a seeded part held back for evaluation. Candidates live in the database, so workers
need no new files, and shadow scoring costs no extra forward pass.
"""
