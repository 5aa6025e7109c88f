"""The public API that the widget and other readers' clients use."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request, url_for
from sqlalchemy.orm import Session

from service import db
from service.apidoc import Tag
from service.commenters.gate import identify
from service.commenters.models import Commenter
from service.commenters.tokens import InvalidToken, bearer_token, verify
from service.comments.appeals import appeal_rejection, check_author
from service.comments.intake import Gate, read_gate
from service.comments.nudge import after_posting, nudge_first
from service.comments.reasons import author_view
from service.comments.reports import report_comment, reporter_of
from service.comments.responses import (
    Appeal,
    AuthorView,
    Comment,
    CommentPage,
    PostedComment,
    ReportAccepted,
)
from service.comments.schemas import (
    NewAppeal,
    NewComment,
    NewReport,
    NudgeAnswer,
    PageQuery,
    valid_thread_id,
)
from service.comments.services import (
    author_token_hash,
    find_comment,
    post_comment,
    public_view,
    thread_page,
)
from service.comments.spam import client_key
from service.cursors import InvalidCursor
from service.errors import APIError, json_object, whole_number
from service.limits import limiter, posting_limit
from service.sites.models import DEFAULT_SLUG
from service.sites.services import find_site, origins_of
from service.threads.gate import open_thread, public_thread

bp = Blueprint("comments", __name__, url_prefix="/api/v1")

MAX_PAGE_SIZE = 100
doc = Tag("comments")
AUTHOR_TOKEN = "The author_token that posting the comment answered."
THREAD_ERRORS = {404: "No site has that name (site_not_found), or the thread id is not valid."}
POST_ERRORS = THREAD_ERRORS | {
    401: "invalid_token: the commenter's token is malformed, expired or signed with another "
         "secret; sign_in_required: the site takes no anonymous comments.",
    403: "commenter_banned: the commenter may not comment; thread_closed: the thread takes "
         "no new comments.",
    409: "The same comment was posted just before.",
    429: "Too many comments from this client, or too many waiting in the thread; see "
         "Retry-After.",
}
LIST_ERRORS = THREAD_ERRORS | {400: "A bad limit, order or cursor."}


@bp.post("/threads/<thread_id>/comments")
@doc(PostedComment, 202, body=NewComment, errors=POST_ERRORS, more={200: NudgeAnswer})
@limiter.limit(posting_limit, methods=["POST"])
def create_comment(thread_id: str) -> tuple[dict[str, Any] | NudgeAnswer, int, dict[str, str]]:
    """Store a new comment on the site ``default`` as pending and queue it for scoring (202);
    with ``"nudge": true``, a nudge (200) instead when its text would be held."""
    return _create(DEFAULT_SLUG, thread_id)


@bp.post("/sites/<site>/threads/<thread_id>/comments")
@doc(PostedComment, 202, body=NewComment, errors=POST_ERRORS, more={200: NudgeAnswer})
@limiter.limit(posting_limit, methods=["POST"])
def create_site_comment(site: str, thread_id: str
                        ) -> tuple[dict[str, Any] | NudgeAnswer, int, dict[str, str]]:
    """Store a new comment on the site as pending and queue it for scoring (202); with
    ``"nudge": true``, a nudge (200) instead when its text would be held."""
    return _create(site, thread_id)


def _create(slug: str, thread_id: str) -> tuple[dict[str, Any] | NudgeAnswer, int, dict[str, str]]:
    if not valid_thread_id(thread_id):
        find_site(db.session(), slug)  # an unknown site is the first thing said
        _check_thread_id(thread_id)
    session = db.session()
    gate = _read_gate(session, slug, thread_id)
    new = NewComment.model_validate(json_object())
    commenter = _admit(session, gate, thread_id, new)
    if new.nudge:  # refused above like a post; asked here, with nothing of it kept
        if (shown := nudge_first(session, gate.site, new, current_app.config)) is not None:
            return NudgeAnswer(nudge=shown), 200, {}
        # read again: the thread may have closed or filled up while the nudge waited
        gate = _read_gate(session, slug, thread_id)
        commenter = _admit(session, gate, thread_id, new)
    if commenter is not None:
        new = new.model_copy(update={"author": commenter.name})
    comment, token = post_comment(session, thread_id, new, current_app.config,
                                  client=request.remote_addr, site=gate.site,
                                  commenter_id=commenter.id if commenter else None,
                                  pending=gate.pending)
    after_posting(gate.site.id, new, current_app.config)
    location = url_for(".get_comment", comment_id=comment.id)
    return comment.public_dict() | {"author_token": token}, 202, {"Location": location}


def _read_gate(session: Session, slug: str, thread_id: str) -> Gate:
    """The site, the thread and its pending count, in one statement
    (``service.comments.intake``); the site is the CORS hook's too (``g.site``)."""
    gate = read_gate(session, slug, thread_id, current_app.config["MAX_PENDING_PER_THREAD"])
    g.site = gate.site
    return gate


def _admit(session: Session, gate: Gate, thread_id: str, new: NewComment) -> Commenter | None:
    """Who posts, and to which thread: both refuse here (401, 403), before anything is
    stored; what they make is committed with the comment, in post_comment."""
    site = gate.site
    commenter = identify(session, site, request.headers.get("Authorization"))
    # The POST's url is only a hint: the service reads the headline and link from that
    # page, if it is on one of the site's origins (service.threads.pages).
    open_thread(session, site, thread_id, origins=origins_of(site, current_app.config),
                url=new.url, known=gate.thread)
    return commenter


@bp.get("/comments/<comment_id>")
@doc((Comment, AuthorView), errors={
    401: "X-Author-Token is empty.", 403: "X-Author-Token is not this comment's.",
    404: "No comment has that id."}, headers={"X-Author-Token": (False, AUTHOR_TOKEN)})
def get_comment(comment_id: str) -> dict[str, Any] | AuthorView:
    """A comment's status; its text too once it is published, and whether it is listed.

    With ``X-Author-Token``, the author's view: their text in any status, the reason for
    a hold or a rejection, whether automated means decided, and their appeal.
    """
    session, comment = db.session(), find_comment(comment_id)
    public = public_view(session, comment)
    token = request.headers.get("X-Author-Token")
    if token is None:
        return public
    check_author(comment, token, author_token_hash(token))
    return AuthorView.model_validate(author_view(session, comment, public))


@bp.post("/comments/<comment_id>/reports")
@doc(ReportAccepted, 202, body=NewReport, errors={
    401: "invalid_token: the commenter's token is malformed, expired or signed with another "
         "secret.",
    404: "No comment has that id.", 409: "The comment is not published.",
    429: "Too many requests from this client."})
@limiter.limit(posting_limit, methods=["POST"])
def report(comment_id: str) -> tuple[dict[str, Any], int]:
    """A reader reports a published comment (202); one report per signed-in commenter
    (``Authorization: Bearer <JWT>``), or per network for anonymous readers, counts."""
    comment = find_comment(comment_id)
    new = NewReport.model_validate(json_object())
    site = comment.site
    try:
        token = bearer_token(request.headers.get("Authorization"))
        identity = verify(token, site.sso_secret, site.token_max_age) if token else None
    except InvalidToken as error:
        raise APIError(401, "invalid_token", f"Sign in again: {error}.") from None
    sub = identity.sub if identity is not None else None
    reporter = client_key(reporter_of(request.remote_addr, sub, site.id),
                          current_app.config["SECRET_KEY"])
    with db.transaction() as session:
        counted, _ = report_comment(session, comment, new, reporter or "unknown")
    return {"comment_id": str(comment.id), "counted": counted, "status": comment.status}, 202


@bp.post("/comments/<comment_id>/appeals")
@doc(Appeal, 202, body=NewAppeal, headers={"X-Author-Token": (True, AUTHOR_TOKEN)}, errors={
    401: "No X-Author-Token.", 403: "X-Author-Token is not this comment's.",
    404: "No comment has that id.", 409: "Not rejected, appealed already, or too late.",
    429: "Too many requests from this client."})
@limiter.limit(posting_limit, methods=["POST"])
def appeal(comment_id: str) -> tuple[dict[str, Any], int]:
    """The author appeals the rejection of their comment (202, with ``X-Author-Token``)."""
    comment = find_comment(comment_id)
    token = request.headers.get("X-Author-Token")
    check_author(comment, token, author_token_hash(token or ""))
    new = NewAppeal.model_validate(json_object())
    with db.transaction() as session:
        opened = appeal_rejection(session, comment, new)
    return opened.as_dict() | {"status": opened.status}, 202


@bp.get("/threads/<thread_id>/comments")
@doc(CommentPage, query=PageQuery, errors=LIST_ERRORS)
def list_comments(thread_id: str) -> dict[str, Any]:
    """The thread's published comments on the site ``default``, oldest first
    (``order=newest``: newest first), a page at a time."""
    return _listing(DEFAULT_SLUG, thread_id)


@bp.get("/sites/<site>/threads/<thread_id>/comments")
@doc(CommentPage, query=PageQuery, errors=LIST_ERRORS)
def list_site_comments(site: str, thread_id: str) -> dict[str, Any]:
    """The thread's published comments on the site, oldest first (``order=newest``:
    newest first), a page at a time."""
    return _listing(site, thread_id)


def _listing(slug: str, thread_id: str) -> dict[str, Any]:
    g.site = site = find_site(db.session(), slug)  # the CORS hook's too
    _check_thread_id(thread_id)
    try:
        page, next_cursor = thread_page(db.session(), thread_id, limit=_limit(),
                                        newest=_newest_first(), cursor=request.args.get("cursor"),
                                        site_id=site.id)
    except InvalidCursor:
        raise APIError(400, "invalid_cursor", "cursor is not one this API gave out.") from None
    return {
        "thread_id": thread_id,
        "site": site.public_dict(),
        "thread": public_thread(db.session(), site.id, thread_id),
        "comments": [comment.public_dict() for comment in page],
        "next_cursor": next_cursor,
    }


def _check_thread_id(thread_id: str) -> None:
    if not valid_thread_id(thread_id):
        raise APIError(404, "invalid_thread_id", "A thread id has 1 to 200 letters, digits, "
                       "'-', '_' or '.'.")


def _limit() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return min(current_app.config["PAGE_SIZE"], MAX_PAGE_SIZE)
    return whole_number("limit", raw, 1, MAX_PAGE_SIZE)


def _newest_first() -> bool:
    order = request.args.get("order", "oldest")
    if order not in ("oldest", "newest"):
        raise APIError(400, "invalid_order", "order must be 'oldest' or 'newest'.")
    return order == "newest"
