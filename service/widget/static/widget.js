/*! Comment widget of the moderation service.
 *
 *   <div data-moderation-thread="THREAD-ID" data-order="newest"></div>
 *   <script src="https://HOST/widget.js" async></script>
 *
 * Every element with data-moderation-thread gets the thread's published comments
 * and a form to join in. The API is the one that served this script. User text is
 * only ever inserted as text nodes, never parsed as HTML. Styles live in a shadow
 * root; pages theme them with the --comments-* custom properties (docs/widget.md).
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const base = new URL(".", script ? script.src : location.href);
  const MAX_LENGTH = 5000;
  const MAX_NAME = 80;
  const PAGE_SIZE = 20;
  const PROMPT = "What are your thoughts? Share your views in the comments below!";
  const POLL_FIRST_MS = 1000;
  const POLL_MAX_MS = 30000;
  const KEEP_DAYS = 7;
  const UNREACHABLE = "We couldn't reach the comment service. Check your connection and try again.";
  const REPORT_REASONS = { abusive: "Abusive", spam: "Spam", off_topic: "Off topic", other: "Other" };
  const JSON_TYPE = { "Content-Type": "application/json" };
  const STATES = {
    pending: ["Awaiting moderation", "pending"],
    held: ["Awaiting moderation: a moderator will review it", "pending"],
    approved: ["Published", "approved"],
    rejected: ["Not published", "rejected"],
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
.mine article{padding:.75rem;border-radius:var(--comments-radius,8px);border:1px dashed var(--comments-border,#bbb)}
@container (max-width:24rem){form{padding:.75rem}.replies{padding-left:.6rem}}
`;

  const mounted = new WeakSet();
  let formCount = 0;

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

  function tooFast(seconds) {
    return seconds > 0
      ? "You're posting too fast; try again in " + seconds + (seconds === 1 ? " second." : " seconds.")
      : "You're posting too fast; please wait a moment and try again.";
  }

  /** Calls the API; resolves to the JSON answer, or rejects with an Error of plain words. */
  async function call(path, options) {
    let response;
    try {
      response = await fetch(new URL("api/v1/" + path, base), { credentials: "omit", ...options });
    } catch (error) {
      throw new Error(UNREACHABLE);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.ok && data) return data;
    const wait = parseInt(response.headers.get("Retry-After") || (data && data.retry_after), 10);
    let message = data && typeof data.message === "string" ? data.message : "";
    if (!message) {
      message = response.status === 429 ? tooFast(wait)
        : "Something went wrong (error " + response.status + "). Please try again.";
    }
    const failure = new Error(message);
    failure.status = response.status;
    throw failure;
  }

  function formatTime(iso) {
    const moment = new Date(iso);
    if (isNaN(moment)) return "";
    try {
      return moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    } catch (error) {
      return moment.toLocaleString();
    }
  }

  /** One widget: a thread's comments and the forms to add to them. */
  class Thread {
    constructor(host, threadId) {
      this.threadId = threadId;
      this.order = host.getAttribute("data-order") === "oldest" ? "oldest" : "newest";
      this.pendingKey = "moderation:" + base.host + ":pending:" + threadId;
      this.nameKey = "moderation:" + base.host + ":author";
      this.shown = new Map();
      this.waiting = new Map();
      this.own = new Map();
      this.generation = 0;
      this.cursor = null;

      const root = host.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(h("style", null, STYLE));
      }

      this.form = this.buildForm(null);
      this.status = this.form.status;
      this.mine = h("ol", { class: "mine", "aria-label": "Your comments" });
      this.list = h("ol", { class: "thread", "aria-label": "Published comments" });
      this.empty = h("p", { class: "note", hidden: true }, "No comments yet. Be the first to share your view.");
      this.loadError = h("p", { class: "status error", role: "alert", hidden: true });
      this.retry = h("button", { type: "button", hidden: true, onclick: () => this.load(true) }, "Try again");
      this.more = h("button", { type: "button", class: "more", hidden: true, onclick: () => this.load(false) },
        "Load more comments");
      this.sortButtons = ["newest", "oldest"].map((order) => h("button", {
        type: "button", "data-order": order, "aria-pressed": String(order === this.order),
        onclick: () => this.sort(order),
      }, order === "newest" ? "Newest first" : "Oldest first"));

      root.append(h("section", { class: "widget", "aria-label": "Comments" },
        h("h2", null, "Comments"),
        h("p", { class: "prompt" }, PROMPT),
        this.form.element,
        this.mine,
        h("div", { class: "sort", role: "group", "aria-label": "Sort comments" },
          h("span", { class: "meta", "aria-hidden": "true" }, "Sort:"), ...this.sortButtons),
        this.list, this.empty, this.loadError, this.retry, this.more));

      const remembered = this.stored();
      writeStore(this.pendingKey, remembered);
      for (const entry of remembered) {
        this.showOwn(entry);
        if (entry.status !== "approved") this.check(entry.id);
      }
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") this.pollAllNow();
      });
      this.load(true);
    }

    // Forms -------------------------------------------------------------------

    buildForm(parent) {
      const id = "c" + ++formCount;
      const name = h("input", {
        id: id + "-name", name: "author", autocomplete: "name", maxlength: MAX_NAME, required: true,
      });
      name.value = readStore(this.nameKey, "");
      const counter = h("p", { id: id + "-count", class: "counter" });
      const text = h("textarea", {
        id: id + "-body", name: "body", rows: 5, maxlength: MAX_LENGTH, required: true,
        "aria-describedby": id + "-count",
      });
      const status = live();
      const submit = h("button", { type: "submit", class: "primary" }, parent ? "Post reply" : "Post comment");
      const cancel = parent && h("button", { type: "button", onclick: () => this.closeReply() }, "Cancel");
      const element = h("form", { novalidate: true, "aria-label": parent ? "Reply to " + parent.author : "Write a comment" },
        h("div", { class: "field" }, h("label", { for: id + "-name" }, "Name"), name),
        h("div", { class: "field" }, h("label", { for: id + "-body" }, parent ? "Your reply" : "Comment"), text, counter),
        h("div", { class: "actions" }, submit, cancel),
        status);
      const form = { element, name, text, counter, status, submit, parent };
      const count = () => {
        const used = text.value.length;
        counter.textContent = used.toLocaleString("en") + " / " + MAX_LENGTH.toLocaleString("en") + " characters";
        counter.classList.toggle("near", used > MAX_LENGTH * 0.9);
      };
      text.addEventListener("input", count);
      count();
      element.addEventListener("submit", (event) => {
        event.preventDefault();
        this.post(form, count);
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

    async post(form, count) {
      const author = form.name.value.trim();
      const body = form.text.value.trim();
      form.name.removeAttribute("aria-invalid");
      form.text.removeAttribute("aria-invalid");
      if (!author || !body) {
        const field = author ? form.text : form.name;
        field.setAttribute("aria-invalid", "true");
        this.say(form.status, author ? "Please write your comment first." : "Please enter your name.", true);
        field.focus();
        return;
      }
      const parentId = form.parent ? form.parent.id : null;
      form.submit.disabled = true;
      form.element.setAttribute("aria-busy", "true");
      this.say(form.status, "Posting\u2026");
      try {
        const created = await call("threads/" + encodeURIComponent(this.threadId) + "/comments", {
          method: "POST",
          headers: JSON_TYPE,
          body: JSON.stringify({ author, body, parent_id: parentId }),
        });
        writeStore(this.nameKey, author);
        const entry = {
          id: created.id, status: created.status || "pending", author, body, parent_id: parentId,
          parent_author: form.parent ? form.parent.author : null, created_at: created.created_at,
          token: created.author_token,
        };
        this.remember(entry);
        form.text.value = "";
        count();
        if (form.parent) this.closeReply();
        this.showOwn(entry);
        this.say(this.status, "Thanks! Your comment is awaiting moderation.");
        this.poll(entry.id);
      } catch (error) {
        this.say(form.status, error.message, true);
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

    async load(fromStart) {
      const generation = fromStart ? ++this.generation : this.generation;
      if (fromStart) {
        this.cursor = null;
        this.shown.clear();
        this.waiting.clear();
        for (const [id, mine] of this.own) {
          if (mine.entry.status === "approved" && !mine.entry.parent_id) this.shown.set(id, mine.view);
        }
        this.list.replaceChildren();
        this.closeReply();
      }
      const query = new URLSearchParams({ limit: PAGE_SIZE, order: this.order });
      if (this.cursor) query.set("cursor", this.cursor);
      this.more.disabled = true;
      this.loadError.hidden = this.retry.hidden = true;
      this.list.setAttribute("aria-busy", "true");
      const before = this.list.children.length;
      try {
        const page = await call("threads/" + encodeURIComponent(this.threadId) + "/comments?" + query);
        if (generation !== this.generation) return;
        page.comments.forEach((comment) => this.place(comment));
        this.cursor = page.next_cursor;
        if (!this.cursor) this.placeOrphans();
        this.more.hidden = !this.cursor;
        this.empty.hidden = this.list.children.length > 0;
        const first = this.list.children[before];
        if (!fromStart && first) first.querySelector("article").focus();
      } catch (error) {
        if (generation !== this.generation) return;
        this.loadError.textContent = "Comments could not be loaded. " + error.message;
        this.loadError.hidden = this.retry.hidden = false;
      } finally {
        this.more.disabled = false;
        this.list.removeAttribute("aria-busy");
      }
    }

    /** Puts a published comment in the list; a reply goes under its parent, one level deep. */
    place(comment) {
      if (this.shown.has(comment.id) || this.own.has(comment.id)) return;
      const parent = comment.parent_id && this.shown.get(comment.parent_id);
      if (parent) {
        if (!parent.replies.isConnected) parent.item.append(parent.replies);
        parent.replies.append(this.render(comment, comment.parent_id).item);
      } else if (comment.parent_id && this.order === "newest") {
        // Newest first, a reply comes before its parent: keep it until the parent shows.
        const early = this.waiting.get(comment.parent_id) || [];
        this.waiting.set(comment.parent_id, early.concat([comment]));
        return;
      } else {
        this.list.append(this.render(comment, null).item);
      }
      for (const reply of this.waiting.get(comment.id) || []) this.place(reply);
      this.waiting.delete(comment.id);
    }

    /** Replies whose parent is not published are shown on their own at the end. */
    placeOrphans() {
      const orphans = [].concat(...this.waiting.values());
      this.waiting.clear();
      for (const comment of orphans) this.list.append(this.render(comment, null).item);
    }

    render(comment, rootId, state) {
      const body = h("p", { class: "body" }, comment.body);
      const badge = h("span", { class: "badge", hidden: !state });
      const time = h("time", { datetime: comment.created_at }, formatTime(comment.created_at));
      const header = h("div", { class: "meta" }, h("bdi", { class: "author" }, comment.author), " · ", time, " ", badge);
      const context = comment.parent_author && h("p", { class: "note" }, "Reply to " + comment.parent_author);
      const actions = h("div", { class: "actions" });
      const slot = h("div");
      const replies = h("ol", { class: "replies", "aria-label": "Replies to " + comment.author });
      const item = h("li", { "data-id": comment.id },
        h("article", { tabindex: "-1" }, header, context, body, actions, slot));
      const view = { item, badge, actions, replies, slot, comment };
      if (state) this.mark(view, state);
      else this.allowReply(view, rootId);
      if (!rootId && !state) this.shown.set(comment.id, view);
      return view;
    }

    allowReply(view, rootId) {
      const target = { id: rootId || view.comment.id, author: view.comment.author };
      const button = h("button", {
        type: "button", class: "link", "aria-label": "Reply to " + view.comment.author,
        onclick: () => this.openReply(target, button, view.slot),
      }, "Reply");
      view.actions.replaceChildren(button);
      if (!this.own.has(view.comment.id)) view.actions.append(this.reportButton(view));
    }

    /** "Report": a reader tells the moderators why a published comment should not stay. */
    reportButton(view) {
      const button = h("button", {
        type: "button", class: "link", "aria-expanded": "false", "aria-label": "Report the comment of " + view.comment.author,
        onclick: () => toggle(!form.isConnected),
      }, "Report");
      const toggle = (show) => {
        button.setAttribute("aria-expanded", String(show));
        if (show) view.slot.append(form);
        else form.remove();
        (show ? reason : button).focus();
      };
      const reason = h("select", null, ...Object.entries(REPORT_REASONS).map(([value, label]) => h("option", { value }, label)));
      const status = live();
      const form = h("form", {
        "aria-label": "Report",
        onkeydown: (event) => event.key === "Escape" && toggle(false),
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            await call("comments/" + encodeURIComponent(view.comment.id) + "/reports",
              { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ reason: reason.value }) });
            form.replaceChildren(h("p", { class: "note", role: "status" }, "Thank you. The moderators will look at it."));
            button.disabled = true;
            button.textContent = "Reported";
          } catch (error) {
            this.say(status, error.message, true);
          }
        },
      }, h("label", null, "Why should moderators look at it? ", reason),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Send report"),
        h("button", { type: "button", onclick: () => toggle(false) }, "Cancel")), status);
      return button;
    }

    mark(view, status) {
      const [label, tone] = STATES[status] || STATES.pending;
      view.badge.textContent = label;
      view.badge.className = "badge " + tone;
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
      const view = this.render(entry, entry.parent_id, entry.status);
      this.own.set(entry.id, { entry, view, timer: 0, attempt: 0 });
      if (entry.status === "rejected") this.allowDismiss(entry.id);
      this.mine.prepend(view.item);
    }

    allowDismiss(id) {
      const { view } = this.own.get(id);
      const button = h("button", { type: "button", class: "link", onclick: () => {
        this.forget(id);
        this.own.delete(id);
        view.item.remove();
        this.say(this.status, "Removed.");
      } }, "Dismiss");
      view.actions.replaceChildren(button);
    }

    /** Under the author's own held or rejected comment: why, by whom, and the appeal. */
    explain(id, current) {
      const { view, entry } = this.own.get(id);
      const { reason, appeal } = current;
      view.slot.replaceChildren();
      if (reason && current.status !== "approved") {
        view.slot.append(h("p", { class: "note" }, reason.text + " Decided by " + current.decided_by + "."));
      }
      if (!appeal) return;
      if (appeal.text) {
        view.slot.append(h("p", { class: "note" }, appeal.text + (appeal.reason ? " Their reason: " + appeal.reason : "")));
        return;
      }
      const text = h("textarea", { rows: 3, maxlength: 2000, required: true });
      const status = live();
      const form = h("form", {
        "aria-label": "Appeal",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            await call("comments/" + encodeURIComponent(id) + "/appeals", {
              method: "POST", headers: { ...JSON_TYPE, "X-Author-Token": entry.token },
              body: JSON.stringify({ message: text.value.trim() }),
            });
            this.check(id);
          } catch (error) {
            this.say(status, error.message, true);
          }
        },
      }, h("label", null, "Why should it be published?", text),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Send appeal")), status);
      view.slot.append(h("p", { class: "note" }, "You may appeal until " + formatTime(appeal.until) + "."), form);
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
        this.allowReply(view, entry.parent_id);
        view.slot.replaceChildren();
        if (current.appeal) this.explain(id, current);
        if (!entry.parent_id) this.shown.set(id, view);
        this.say(this.status, current.listed === false ? current.listing_note
          : "Your comment is now published.");
      } else if (current.status === "rejected") {
        this.remember(entry);
        this.allowDismiss(id);
        this.explain(id, current);
        if (changed) this.say(this.status, "Your comment was not published.");
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
    if (!threadId || mounted.has(host) || host.shadowRoot) return;
    mounted.add(host);
    new Thread(host, threadId);
  }

  function mountAll() {
    document.querySelectorAll("[data-moderation-thread]").forEach(mount);
  }

  window.ModerationComments = { mount };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
