/*! Comment widget of the moderation service (docs/widget.md).
 *
 *   <div data-moderation-site="SITE" data-moderation-thread="THREAD-ID" data-title="HEADLINE"
 *        data-url="URL" data-auth-token="JWT" data-locale="fr"></div>
 *   <script src="https://HOST/widget.js" async></script>
 *
 * Signing in later: window.ModerationComments.setAuthToken(jwt). User text is only
 * ever inserted as text nodes, never parsed as HTML.
 */
/*
 * Every element with data-moderation-thread gets the thread's published comments and a
 * form to join in; only the thread is required. The API is the one that served this
 * script; data-moderation-site picks the site (none: the site "default"). The first page
 * of comments names the site's locale and whether the thread is closed; data-locale
 * overrides the locale. English is EN below; other languages are JSON files of the same
 * keys in static/locales/, fetched when needed. Styles live in a shadow root; pages theme
 * them with the --comments-* custom properties.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const base = new URL(".", script ? script.src : location.href);
  const MAX_LENGTH = 5000;
  const MAX_NAME = 80;
  const PAGE_SIZE = 20;
  const DEPTH = 3;
  const POLL_FIRST_MS = 1000;
  const POLL_MAX_MS = 30000;
  const KEEP_DAYS = 7;
  const REASONS = ["abusive", "spam", "off_topic", "other"];
  /** API error codes the widget explains in the reader's language. */
  const CODES = ["invalid_token", "sign_in_required", "commenter_banned", "thread_closed", "site_not_found"];
  const JSON_TYPE = { "Content-Type": "application/json" };
  const TONES = { held: "pending", approved: "approved", rejected: "rejected" };
  /** The English strings, in JSON: a locale file translates these keys ({name}s stay). */
  const EN = {
    "comments": "Comments",
    "prompt": "What are your thoughts? Share your views in the comments below!",
    "write": "Write a comment",
    "name": "Name",
    "comment": "Comment",
    "yourReply": "Your reply",
    "count": "{used} / {max} characters",
    "post": "Post comment",
    "postReply": "Post reply",
    "cancel": "Cancel",
    "as": "Commenting as {name}",
    "signedIn": "You are signed in.",
    "signIn": "Please sign in to comment.",
    "closed": "Comments are closed.",
    "yours": "Your comments",
    "published": "Published comments",
    "empty": "No comments yet. Be the first to share your view.",
    "notLoaded": "Comments could not be loaded.",
    "retry": "Try again",
    "more": "Load more comments",
    "sort": "Sort:",
    "sortLabel": "Sort comments",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "reply": "Reply",
    "replyTo": "Reply to {name}",
    "repliesTo": "Replies to {name}",
    "needName": "Please enter your name.",
    "needBody": "Please write your comment first.",
    "posting": "Posting\u2026",
    "nudgeTitle": "Before you post",
    "edit": "Edit",
    "postAnyway": "Post anyway",
    "thanks": "Thanks! Your comment is awaiting moderation.",
    "nowPublished": "Your comment is now published.",
    "notPublished": "Your comment was not published.",
    "pending": "Awaiting moderation",
    "held": "Awaiting moderation: a moderator will review it",
    "approved": "Published",
    "rejected": "Not published",
    "dismiss": "Dismiss",
    "removed": "Removed.",
    "report": "Report",
    "reportOf": "Report the comment of {name}",
    "why": "Why should moderators look at it?",
    "abusive": "Abusive",
    "spam": "Spam",
    "off_topic": "Off topic",
    "other": "Other",
    "sendReport": "Send report",
    "reported": "Reported",
    "reportThanks": "Thank you. The moderators will look at it.",
    "decidedBy": "Decided by {name}.",
    "theirReason": "Their reason:",
    "appeal": "Appeal",
    "appealUntil": "You may appeal until {date}.",
    "whyPublish": "Why should it be published?",
    "sendAppeal": "Send appeal",
    "unreachable": "We couldn't reach the comment service. Check your connection and try again.",
    "tooFast": "You're posting too fast; please wait a moment and try again.",
    "tooFast1": "You're posting too fast; try again in 1 second.",
    "tooFastN": "You're posting too fast; try again in {n} seconds.",
    "failed": "Something went wrong (error {n}). Please try again.",
    "invalid_token": "Your sign-in has expired. Please sign in again.",
    "sign_in_required": "Please sign in to comment.",
    "commenter_banned": "You can no longer comment on this site.",
    "thread_closed": "Comments are closed.",
    "site_not_found": "These comments are not available."
  };

  const STYLE = `
:host{display:block;container-type:inline-size;color:var(--comments-text,inherit);font-family:var(--comments-font,inherit);font-size:var(--comments-font-size,1rem);line-height:1.5;margin:2rem 0}
*{box-sizing:border-box}
[hidden]{display:none!important}
.widget{display:grid;gap:1rem}
h2{font-size:1.3em;line-height:1.2;margin:0}
.prompt{margin:0;color:var(--comments-muted,#555)}
form{display:grid;gap:.6rem;padding:1rem;border:1px solid var(--comments-border,#ccc);border-radius:var(--comments-radius,8px);background:var(--comments-surface,transparent)}
label{font-weight:600}
.field{display:grid;gap:.25rem}
input,textarea{width:100%;font:inherit;color:inherit;padding:.5rem .6rem;border:1px solid var(--comments-border,#bbb);border-radius:calc(var(--comments-radius,8px)/2);background:var(--comments-background,#fff)}
textarea{min-height:7rem;resize:vertical}
[aria-invalid=true]{border-color:var(--comments-danger,#b3261e)}
.counter,.meta,.note{font-size:.875em;color:var(--comments-muted,#555)}
.counter,.note{margin:0}
.counter.near{color:var(--comments-danger,#b3261e)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
button{font:inherit;cursor:pointer;min-height:2.5rem;padding:.4rem 1rem;border-radius:calc(var(--comments-radius,8px)/2);border:1px solid var(--comments-accent,#1a5fb4);background:var(--comments-background,#fff);color:var(--comments-accent,#1a5fb4)}
button.primary{background:var(--comments-accent,#1a5fb4);color:var(--comments-accent-text,#fff)}
button.link{border:0;background:none;min-height:0;padding:.2rem 0;text-decoration:underline}
button[aria-pressed=true]{background:var(--comments-accent,#1a5fb4);color:var(--comments-accent-text,#fff)}
button:disabled{opacity:.6;cursor:progress}
:focus-visible{outline:3px solid var(--comments-focus,#f6a800);outline-offset:2px}
.status{margin:0}
.status.error{color:var(--comments-danger,#b3261e);font-weight:600}
.sort{display:flex;flex-wrap:wrap;gap:.25rem .5rem;align-items:center;justify-content:flex-end}
.sort button{font-size:.875em;min-height:2.25rem;padding:.25rem .75rem}
ol{list-style:none;margin:0;padding:0;display:grid;gap:1rem}
ol:empty{display:none}
.thread>li+li{border-top:1px solid var(--comments-border,#ddd);padding-top:1rem}
.replies{margin-top:.75rem;padding-left:1rem;border-left:3px solid var(--comments-border,#ddd)}
article{display:grid;gap:.3rem}
article:focus{outline:none}
.author{font-weight:600;overflow-wrap:anywhere;unicode-bidi:isolate}
.body{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate}
.badge{display:inline-block;font-size:.8em;font-weight:600;padding:0 .5em;border-radius:1em;border:1px solid currentColor}
.badge.pending{color:var(--comments-warning,#8a5a00)}
.badge.approved{color:var(--comments-success,#1e7b34)}
.badge.rejected{color:var(--comments-danger,#b3261e)}
.shut{margin:0;padding:1rem;border:1px solid var(--comments-border,#ccc);border-radius:var(--comments-radius,8px)}
.signed{margin:0;font-weight:600}
.nudge{padding:0 .75rem;border-left:4px solid var(--comments-warning,#8a5a00)}
.mine article{padding:.75rem;border-radius:var(--comments-radius,8px);border:1px dashed var(--comments-border,#bbb)}
@container (max-width:24rem){form{padding:.75rem}.replies{padding-left:.6rem}}
`;

  const threads = new Set();
  const languages = new Map();
  let formCount = 0;
  let pageToken = null;

  /** An element with attributes and children; strings become text nodes, never HTML. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (typeof value === "function") element.addEventListener(name.slice(2), value);
      else if (value === true) element.setAttribute(name, "");
      else if (value !== false && value != null) element.setAttribute(name, String(value));
    }
    element.append(...children.filter((child) => child != null && child !== false));
    return element;
  }

  /** A polite live region for a form's messages. */
  function live() {
    return h("p", { class: "status", role: "status", "aria-live": "polite" });
  }

  function readStore(key, fallback) {
    try {
      const raw = localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function writeStore(key, value) {
    try {
      if (value == null || (Array.isArray(value) && !value.length)) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Storage may be full or disabled; the widget works without it.
    }
  }

  /** Calls the API; resolves to the JSON answer, or rejects with an Error carrying the
   * answer's status, error code, message (detail) and Retry-After (no status: unreachable). */
  async function call(path, options) {
    let response;
    let data = null;
    try {
      response = await fetch(new URL("api/v1/" + path, base), { credentials: "omit", ...options });
    } catch (error) {
      throw new Error("unreachable");
    }
    try {
      data = await response.json();
    } catch (error) {
      // Not JSON: the status explains it.
    }
    if (response.ok && data) return data;
    throw Object.assign(new Error("error " + response.status), {
      status: response.status, code: data && data.error,
      detail: data && typeof data.message === "string" && data.message,
      wait: parseInt(response.headers.get("Retry-After") || (data && data.retry_after), 10),
    });
  }

  /** [language tag, strings]: English, under the language's shipped translation if any. */
  function strings(tag) {
    const lang = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(tag || "") ? tag : "en";
    const primary = lang.split("-")[0].toLowerCase();
    if (!languages.has(primary)) {
      languages.set(primary, primary === "en" ? Promise.resolve({})
        : fetch(new URL("widget/static/locales/" + primary + ".json", base), { credentials: "omit" })
          .then((response) => (response.ok ? response.json() : null)).catch(() => null));
    }
    return languages.get(primary).then((found) => (found ? [lang, { ...EN, ...found }] : ["en", EN]));
  }

  /** The name in a commenter token, for display only: the server checks the token. */
  function tokenName(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const name = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)))).name;
      return typeof name === "string" ? name.trim() : "";
    } catch (error) {
      return "";
    }
  }

  /** One widget: a thread's comments and the forms to add to them. */
  class Thread {
    constructor(host, threadId) {
      const data = (name) => host.getAttribute("data-" + name);
      const site = data("moderation-site");
      this.path = (site ? "sites/" + encodeURIComponent(site) + "/" : "") + "threads/" + encodeURIComponent(threadId) + "/comments";
      this.about = {};
      for (const name of ["title", "url"]) if (data(name)) this.about[name] = data(name);
      this.order = data("order") === "oldest" ? "oldest" : "newest";
      this.pendingKey = "moderation:" + base.host + ":pending:" + (site ? site + "/" : "") + threadId;
      this.nameKey = "moderation:" + base.host + ":author";
      this.shown = new Map();
      this.waiting = new Map();
      this.own = new Map();
      this.generation = 0;
      this.cursor = null;
      this.anonymous = true;
      this.signIn(data("auth-token") || pageToken);

      this.root = host.attachShadow({ mode: "open" });
      if (this.root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
        this.root.adoptedStyleSheets = [sheet];
      } else {
        this.root.append(h("style", null, STYLE));
      }
      this.start(data("locale"));
    }

    /** Reads the first page (it names the site's locale), then shows the widget in it. */
    async start(locale) {
      const first = this.fetchPage();
      const page = await first.catch(() => ({}));
      [this.lang, this.dict] = await strings(locale || (page.site && page.site.locale));
      const t = this.t.bind(this);
      this.prompt = h("p", { class: "prompt" }, t("prompt"));
      this.formSlot = h("div");
      this.mine = h("ol", { class: "mine", "aria-label": t("yours") });
      this.list = h("ol", { class: "thread", "aria-label": t("published") });
      this.empty = h("p", { class: "note", hidden: true }, t("empty"));
      this.loadError = h("p", { class: "status error", role: "alert", hidden: true });
      this.retry = h("button", { type: "button", hidden: true, onclick: () => this.load(true) }, t("retry"));
      this.more = h("button", { type: "button", class: "more", hidden: true, onclick: () => this.load(false) }, t("more"));
      this.sortButtons = ["newest", "oldest"].map((order) => h("button", {
        type: "button", "data-order": order, "aria-pressed": String(order === this.order),
        onclick: () => this.sort(order),
      }, t(order)));
      this.root.append(h("section", { class: "widget", "aria-label": t("comments"), lang: this.lang },
        h("h2", null, t("comments")), this.prompt, this.formSlot, this.mine,
        h("div", { class: "sort", role: "group", "aria-label": t("sortLabel") },
          h("span", { class: "meta", "aria-hidden": "true" }, t("sort")), ...this.sortButtons),
        this.list, this.empty, this.loadError, this.retry, this.more));
      this.learn(page);

      const remembered = this.stored();
      writeStore(this.pendingKey, remembered);
      for (const entry of remembered) {
        this.showOwn(entry);
        if (entry.status !== "approved") this.check(entry.id);
      }
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") this.pollAllNow();
      });
      this.load(true, first);
    }

    /** The string ``key`` in the widget's language, with {name}s filled in. */
    t(key, values) {
      return String(this.dict[key]).replace(/\{(\w+)\}/g, (match, name) => values[name]);
    }

    /** Plain words in the reader's language for a failed call. */
    words(error) {
      const { status, code, wait } = error;
      if (!status) return this.t("unreachable");
      if (CODES.includes(code)) return this.t(code);
      if (status === 429) return wait > 0 ? this.t(wait === 1 ? "tooFast1" : "tooFastN", { n: wait }) : this.t("tooFast");
      return error.detail || this.t("failed", { n: status });
    }

    /** Uses a commenter token (or none) from now on. */
    signIn(token) {
      this.token = token || null;
      this.author = token ? tokenName(token) : "";
      if (this.formSlot) {
        this.draw();
        this.load(true);
      }
    }

    /** Takes the thread's and the site's state from a listing. */
    learn(page) {
      this.closed = Boolean(page.thread && page.thread.closed);
      this.anonymous = !(page.site && page.site.anonymous_allowed === false);
      this.draw();
    }

    canPost() {
      return !this.closed && Boolean(this.token || this.anonymous);
    }

    /** The main form, or why there is none: the thread is closed, or readers must sign in. */
    draw() {
      const state = this.closed ? "closed" : this.canPost() ? "form" + this.token : "signIn";
      if (state === this.drawn) return;
      this.drawn = state;
      const typed = this.form ? this.form.text.value : "";
      this.closeReply();
      this.prompt.hidden = this.closed;
      this.form = null;
      if (!this.canPost()) {
        this.status = live();
        this.formSlot.replaceChildren(h("p", { class: "note shut" }, this.t(state)), this.status);
        return;
      }
      this.form = this.buildForm(null);
      this.form.text.value = typed;
      this.form.count();
      this.status = this.form.status;
      this.formSlot.replaceChildren(this.form.element);
    }

    // Forms -------------------------------------------------------------------

    buildForm(parent) {
      const t = this.t.bind(this);
      const id = "c" + ++formCount;
      const name = h("input", {
        id: id + "-name", name: "author", autocomplete: "name", maxlength: MAX_NAME, required: true,
      });
      name.value = readStore(this.nameKey, "");
      const counter = h("p", { id: id + "-count", class: "counter" });
      const text = h("textarea", {
        id: id + "-body", name: "body", rows: 5, maxlength: MAX_LENGTH, required: true,
        "aria-describedby": id + "-count " + id + "-nudge",
      });
      // A nudge, beside the text: announced when it appears, and read with the text.
      const nudge = h("div", { id: id + "-nudge", class: "nudge", role: "alert", "aria-live": "assertive", tabindex: "-1", hidden: true });
      const status = live();
      const submit = h("button", { type: "submit", class: "primary" }, t(parent ? "postReply" : "post"));
      const cancel = parent && h("button", { type: "button", onclick: () => this.closeReply() }, t("cancel"));
      const element = h("form", { novalidate: true, "aria-label": parent ? t("replyTo", parent) : t("write") },
        this.token ? h("p", { class: "note signed" }, this.author ? t("as", { name: this.author }) : t("signedIn"))
          : h("div", { class: "field" }, h("label", { for: id + "-name" }, t("name")), name),
        h("div", { class: "field" }, h("label", { for: id + "-body" }, t(parent ? "yourReply" : "comment")), text, counter),
        nudge,
        h("div", { class: "actions" }, submit, cancel),
        status);
      const count = () => {
        const used = text.value.length;
        counter.textContent = t("count", { used: used.toLocaleString(this.lang), max: MAX_LENGTH.toLocaleString(this.lang) });
        counter.classList.toggle("near", used > MAX_LENGTH * 0.9);
      };
      const form = { element, name, text, count, status, submit, parent, nudge };
      text.addEventListener("input", count);
      count();
      element.addEventListener("submit", (event) => {
        event.preventDefault();
        this.post(form);
      });
      if (parent) {
        element.addEventListener("keydown", (event) => {
          if (event.key === "Escape") this.closeReply();
        });
      }
      return form;
    }

    say(status, message, isError) {
      status.textContent = message;
      status.classList.toggle("error", Boolean(isError));
    }

    /** Shows a nudge beside the text, which stays editable: "Edit" or "Post anyway". */
    showNudge(form, nudge) {
      const t = this.t.bind(this);
      form.nudgeId = nudge.id;
      form.nudge.replaceChildren(
        h("p", null, h("strong", null, t("nudgeTitle")), " ", nudge.message),
        h("ul", null, ...nudge.reasons.map((reason) => h("li", null, reason))),
        h("p", { class: "actions" },
          h("button", { type: "button", onclick: () => form.text.focus() }, t("edit")),
          h("button", { type: "button", class: "primary", onclick: () => this.post(form, true) }, t("postAnyway"))));
      form.nudge.hidden = false;
      form.nudge.focus();
    }

    /** Posts the form's text: first asking for a nudge, unless the writer posts anyway. */
    async post(form, anyway) {
      const author = this.token ? this.author : form.name.value.trim();
      const body = form.text.value.trim();
      form.name.removeAttribute("aria-invalid");
      form.text.removeAttribute("aria-invalid");
      if (!body || !(author || this.token)) {
        const field = body ? form.name : form.text;
        field.setAttribute("aria-invalid", "true");
        this.say(form.status, this.t(body ? "needName" : "needBody"), true);
        field.focus();
        return;
      }
      const { parent } = form;
      const headers = this.token ? { ...JSON_TYPE, Authorization: "Bearer " + this.token } : JSON_TYPE;
      form.submit.disabled = true;
      form.element.setAttribute("aria-busy", "true");
      this.say(form.status, this.t("posting"));
      try {
        const created = await call(this.path, {
          method: "POST", headers,
          body: JSON.stringify({
            ...this.about, author: author || undefined, body, parent_id: parent ? parent.id : null,
            nudge: !anyway, nudge_id: form.nudgeId || undefined,
          }),
        });
        if (created.nudge) {
          this.say(form.status, "");
          this.showNudge(form, created.nudge);
          return;
        }
        form.nudgeId = null;
        form.nudge.hidden = true;
        form.nudge.replaceChildren(); // no longer read with the text
        if (!this.token) writeStore(this.nameKey, author);
        const entry = {
          id: created.id, status: created.status || "pending", author: created.author || author, body,
          parent_id: parent ? parent.id : null, parent_author: parent ? parent.name : null,
          depth: parent ? Math.min(parent.depth + 1, DEPTH) : 1, created_at: created.created_at,
          token: created.author_token,
        };
        this.remember(entry);
        form.text.value = "";
        form.count();
        if (parent) this.closeReply();
        this.showOwn(entry);
        this.say(this.status, this.t("thanks"));
        this.poll(entry.id);
      } catch (error) {
        this.say(form.status, this.words(error), true);
        if (error.code === "thread_closed" || error.code === "sign_in_required") this.load(true);
      } finally {
        form.submit.disabled = false;
        form.element.removeAttribute("aria-busy");
      }
    }

    openReply(comment, button, slot) {
      this.closeReply();
      const form = this.buildForm(comment);
      this.reply = { form, button };
      slot.append(form.element);
      form.text.focus();
    }

    closeReply() {
      if (!this.reply) return;
      const { form, button } = this.reply;
      this.reply = null;
      const hadFocus = form.element.contains(form.element.getRootNode().activeElement);
      form.element.remove();
      if (hadFocus && button.isConnected) button.focus();
    }

    // The thread --------------------------------------------------------------

    sort(order) {
      if (order === this.order) return;
      this.order = order;
      for (const button of this.sortButtons) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-order") === order));
      }
      this.load(true);
    }

    fetchPage() {
      const query = new URLSearchParams({ limit: PAGE_SIZE, order: this.order });
      if (this.cursor) query.set("cursor", this.cursor);
      return call(this.path + "?" + query);
    }

    async load(fromStart, fetched) {
      const generation = fromStart ? ++this.generation : this.generation;
      if (fromStart) {
        this.cursor = null;
        this.shown.clear();
        this.waiting.clear();
        for (const [id, mine] of this.own) {
          if (mine.entry.status === "approved") this.shown.set(id, mine.view);
        }
        this.list.replaceChildren();
        this.closeReply();
      }
      this.more.disabled = true;
      this.loadError.hidden = this.retry.hidden = true;
      this.list.setAttribute("aria-busy", "true");
      const before = this.list.children.length;
      try {
        const page = await (fetched || this.fetchPage());
        if (generation !== this.generation) return;
        if (fromStart) this.learn(page);
        page.comments.forEach((comment) => this.place(comment));
        this.cursor = page.next_cursor;
        if (!this.cursor) this.placeOrphans();
        this.more.hidden = !this.cursor;
        this.loaded = true;
        this.showEmpty();
        const first = this.list.children[before];
        if (!fromStart && first) first.querySelector("article").focus();
      } catch (error) {
        if (generation !== this.generation) return;
        this.loadError.textContent = this.t("notLoaded") + " " + this.words(error);
        this.loadError.hidden = this.retry.hidden = false;
      } finally {
        this.more.disabled = false;
        this.list.removeAttribute("aria-busy");
      }
    }

    /** Puts a published comment under its parent, three levels deep at most: deeper
     * replies join the third level, saying whom they answer. */
    place(comment) {
      if (this.shown.has(comment.id) || this.own.has(comment.id)) return;
      const parent = comment.parent_id && this.shown.get(comment.parent_id);
      if (parent && parent.depth < DEPTH) {
        if (!parent.replies.isConnected) parent.item.append(parent.replies);
        parent.replies.append(this.render(comment, parent.depth + 1).item);
      } else if (parent) {
        parent.item.parentNode.append(this.render({ ...comment, parent_author: parent.comment.author }, DEPTH).item);
      } else if (comment.parent_id && this.order === "newest") {
        // Newest first, a reply comes before its parent: keep it until the parent shows.
        const early = this.waiting.get(comment.parent_id) || [];
        this.waiting.set(comment.parent_id, early.concat([comment]));
        return;
      } else {
        this.list.append(this.render(comment, 1).item);
      }
      for (const reply of this.waiting.get(comment.id) || []) this.place(reply);
      this.waiting.delete(comment.id);
    }

    /** "No comments yet" only when there is nothing at all to show, the reader's own
     * comments included. */
    showEmpty() {
      this.empty.hidden = !this.loaded || this.list.children.length > 0 || this.mine.children.length > 0;
    }

    /** Replies whose parent is not published are shown on their own at the end. */
    placeOrphans() {
      const orphans = [].concat(...this.waiting.values());
      this.waiting.clear();
      for (const comment of orphans) this.list.append(this.render(comment, 1).item);
    }

    time(iso) {
      const moment = new Date(iso);
      return isNaN(moment) ? "" : moment.toLocaleString(this.lang, { dateStyle: "medium", timeStyle: "short" });
    }

    render(comment, depth, state) {
      const t = this.t.bind(this);
      const body = h("p", { class: "body" }, comment.body);
      const badge = h("span", { class: "badge", hidden: !state });
      const time = h("time", { datetime: comment.created_at }, this.time(comment.created_at));
      const header = h("div", { class: "meta" }, h("bdi", { class: "author" }, comment.author), " · ", time, " ", badge);
      const context = comment.parent_author && h("p", { class: "note" }, t("replyTo", { name: comment.parent_author }));
      const actions = h("div", { class: "actions" });
      const slot = h("div");
      const replies = h("ol", { class: "replies", "aria-label": t("repliesTo", { name: comment.author }) });
      const item = h("li", { "data-id": comment.id, "data-depth": depth },
        h("article", { tabindex: "-1" }, header, context, body, actions, slot));
      const view = { item, badge, actions, replies, slot, comment, depth };
      if (state) this.mark(view, state);
      else {
        this.allowReply(view);
        this.shown.set(comment.id, view);
      }
      return view;
    }

    allowReply(view) {
      const { comment, depth } = view;
      const target = { id: comment.id, name: comment.author, depth };
      const button = this.canPost() && h("button", {
        type: "button", class: "link", "aria-label": this.t("replyTo", target),
        onclick: () => this.openReply(target, button, view.slot),
      }, this.t("reply"));
      view.actions.replaceChildren(...[button, !this.own.has(comment.id) && this.reportButton(view)].filter(Boolean));
    }

    /** "Report": a reader tells the moderators why a published comment should not stay. */
    reportButton(view) {
      const t = this.t.bind(this);
      const button = h("button", {
        type: "button", class: "link", "aria-expanded": "false", "aria-label": t("reportOf", { name: view.comment.author }),
        onclick: () => toggle(!form.isConnected),
      }, t("report"));
      const toggle = (show) => {
        button.setAttribute("aria-expanded", String(show));
        if (show) view.slot.append(form);
        else form.remove();
        (show ? reason : button).focus();
      };
      const reason = h("select", null, ...REASONS.map((value) => h("option", { value }, t(value))));
      const status = live();
      const form = h("form", {
        "aria-label": t("report"),
        onkeydown: (event) => event.key === "Escape" && toggle(false),
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            await call("comments/" + encodeURIComponent(view.comment.id) + "/reports",
              { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ reason: reason.value }) });
            form.replaceChildren(h("p", { class: "note", role: "status" }, t("reportThanks")));
            button.disabled = true;
            button.textContent = t("reported");
          } catch (error) {
            this.say(status, this.words(error), true);
          }
        },
      }, h("label", null, t("why") + " ", reason),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("sendReport")),
        h("button", { type: "button", onclick: () => toggle(false) }, t("cancel"))), status);
      return button;
    }

    mark(view, status) {
      const known = status in TONES;
      view.badge.textContent = this.t(known ? status : "pending");
      view.badge.className = "badge " + (known ? TONES[status] : "pending");
      view.badge.hidden = false;
      view.item.setAttribute("data-status", status);
    }

    // The reader's own comments ----------------------------------------------

    /** The reader's comments on this thread that this browser remembers. */
    stored() {
      const oldest = Date.now() - KEEP_DAYS * 864e5;
      const entries = readStore(this.pendingKey, []);
      return Array.isArray(entries) ? entries.filter((entry) => entry && entry.id && entry.saved > oldest) : [];
    }

    remember(entry) {
      const others = this.stored().filter((stored) => stored.id !== entry.id);
      writeStore(this.pendingKey, others.concat([{ ...entry, saved: Date.now() }]));
    }

    forget(id) {
      writeStore(this.pendingKey, this.stored().filter((stored) => stored.id !== id));
    }

    showOwn(entry) {
      const view = this.render(entry, entry.depth || (entry.parent_id ? 2 : 1), entry.status);
      this.own.set(entry.id, { entry, view, timer: 0, attempt: 0 });
      if (entry.status === "rejected") this.allowDismiss(entry.id);
      this.mine.prepend(view.item);
      this.showEmpty();
    }

    allowDismiss(id) {
      const { view } = this.own.get(id);
      const button = h("button", { type: "button", class: "link", onclick: () => {
        this.forget(id);
        this.own.delete(id);
        view.item.remove();
        this.showEmpty();
        this.say(this.status, this.t("removed"));
      } }, this.t("dismiss"));
      view.actions.replaceChildren(button);
    }

    /** Under the author's own held or rejected comment: why, by whom, and the appeal. */
    explain(id, current) {
      const t = this.t.bind(this);
      const { view, entry } = this.own.get(id);
      const { reason, appeal } = current;
      view.slot.replaceChildren();
      if (reason && current.status !== "approved") {
        view.slot.append(h("p", { class: "note" }, reason.text + " " + t("decidedBy", { name: current.decided_by })));
      }
      if (!appeal) return;
      if (appeal.text) {
        view.slot.append(h("p", { class: "note" }, appeal.text + (appeal.reason ? " " + t("theirReason") + " " + appeal.reason : "")));
        return;
      }
      const text = h("textarea", { rows: 3, maxlength: 2000, required: true });
      const status = live();
      const form = h("form", {
        "aria-label": t("appeal"),
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            await call("comments/" + encodeURIComponent(id) + "/appeals", {
              method: "POST", headers: { ...JSON_TYPE, "X-Author-Token": entry.token },
              body: JSON.stringify({ message: text.value.trim() }),
            });
            this.check(id);
          } catch (error) {
            this.say(status, this.words(error), true);
          }
        },
      }, h("label", null, t("whyPublish"), text),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("sendAppeal"))), status);
      view.slot.append(h("p", { class: "note" }, t("appealUntil", { date: this.time(appeal.until) })), form);
    }

    /** Asks for the comment's status again later, waiting longer each time. */
    poll(id) {
      const mine = this.own.get(id);
      if (!mine) return;
      clearTimeout(mine.timer);
      const delay = Math.min(POLL_FIRST_MS * 2 ** mine.attempt, POLL_MAX_MS);
      mine.attempt += 1;
      mine.timer = setTimeout(() => this.check(id), delay);
    }

    pollAllNow() {
      for (const [id, mine] of this.own) {
        if (mine.entry.status === "pending" || mine.entry.status === "held") this.check(id);
      }
    }

    async check(id) {
      const mine = this.own.get(id);
      if (!mine) return;
      clearTimeout(mine.timer);
      let current;
      try {
        current = await call("comments/" + encodeURIComponent(id),
          mine.entry.token ? { headers: { "X-Author-Token": mine.entry.token } } : undefined);
      } catch (error) {
        if (error.status === 401 || error.status === 403) {
          delete mine.entry.token;
          this.poll(id);
        } else if (error.status === 404) {
          this.forget(id);
          this.own.delete(id);
          mine.view.item.remove();
          this.showEmpty();
        } else {
          this.poll(id);
        }
        return;
      }
      const { entry, view } = mine;
      const changed = current.status !== entry.status;
      entry.status = current.status;
      this.mark(view, current.status);
      if (current.status === "approved") {
        this.forget(id);
        this.allowReply(view);
        view.slot.replaceChildren();
        if (current.appeal) this.explain(id, current);
        this.shown.set(id, view);
        this.say(this.status, current.listed === false ? current.listing_note : this.t("nowPublished"));
      } else if (current.status === "rejected") {
        this.remember(entry);
        this.allowDismiss(id);
        this.explain(id, current);
        if (changed) this.say(this.status, this.t("notPublished"));
        if (current.appeal && current.appeal.status === "open") this.poll(id);
      } else {
        if (changed) this.remember(entry);
        this.explain(id, current);
        this.poll(id);
      }
    }
  }

  /** Mounts the widget on one element; elements already mounted are left alone. */
  function mount(host) {
    const threadId = host && host.getAttribute("data-moderation-thread");
    if (!threadId || host.shadowRoot) return;
    threads.add(new Thread(host, threadId));
  }

  /** Signs the reader in (a commenter JWT) or out (null) in every widget on the page. */
  function setAuthToken(token) {
    pageToken = token || null;
    threads.forEach((thread) => thread.signIn(pageToken));
  }

  function mountAll() {
    document.querySelectorAll("[data-moderation-thread]").forEach(mount);
  }

  window.ModerationComments = { mount, setAuthToken };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
