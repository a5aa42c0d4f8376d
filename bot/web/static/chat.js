/*
 * Zorgroute chat widget.
 *
 * Plain JavaScript, no libraries. Builds an accessible chat panel inside #zr-chat and talks to the
 * Rasa REST channel. Everything that comes from the server or the user is rendered with
 * createElement/textContent only (never innerHTML), so markup in a message is shown as text.
 */
(function () {
  "use strict";

  const root = document.getElementById("zr-chat");
  if (!root) return;

  const RASA_URL = (root.getAttribute("data-rasa-url") || "").replace(/\/+$/, "");
  const KEYS = { sender: "zorgroute.sender", history: "zorgroute.history", open: "zorgroute.open" };
  const TIMEOUT_MS = 20000;
  const MAX_HISTORY = 200;
  const DECISION = "zorgroute_decision";
  const OFFLINE_TEXT = "Zorgroute is nu niet bereikbaar. Bel of mail Het Juiste Loket, zij helpen u verder: " +
    "030 789 78 78 (werkdagen) of meldpunt@juisteloket.nl.";
  const TOO_LONG_TEXT = "Uw bericht is te lang. Schrijf het korter of stuur het in delen.";
  const MAX_MESSAGE_CHARS = 4000;
  const CRISIS_TEXT = "Is er nu gevaar voor iemands leven? Bel direct 112.\n" +
    "Denkt u aan zelfdoding, of maakt u zich zorgen om iemand? Bel 113 of gratis 0800-0113.";
  const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/;
  const reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  /* ---------- Small helpers ---------- */

  // Create an element. props: className, text, or plain attributes; children: nodes or strings.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    children.forEach((child) => {
      if (child === null || child === undefined || child === "") return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  const str = (value) => (typeof value === "string" ? value : "");
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  const hiddenPrefix = (text) => el("span", { className: "zr-visually-hidden", text: text + " " });

  // sessionStorage can be blocked (privacy settings): then the widget simply forgets on reload.
  function readStore(key) {
    try { return window.sessionStorage.getItem(key); } catch (error) { return null; }
  }
  function writeStore(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (error) { /* not fatal */ }
  }

  function senderId() {
    let id = readStore(KEYS.sender);
    if (!id) {
      const bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      id = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
      writeStore(KEYS.sender, id);
    }
    return id;
  }

  // The conversation is kept as data ({from, text, buttons?, custom?, offline?}), never as HTML.
  function loadHistory() {
    try {
      const data = JSON.parse(readStore(KEYS.history) || "[]");
      return Array.isArray(data) ? data.filter((e) => isObject(e) && (e.from === "user" || e.from === "bot")) : [];
    } catch (error) {
      return [];
    }
  }

  // A phone number as a tel: link (spaces and dashes stripped from the href only).
  function telLink(number) {
    const digits = str(number).replace(/[\s-]/g, "");
    if (!/^\+?[0-9]+$/.test(digits)) return document.createTextNode(str(number));
    return el("a", { href: "tel:" + digits, text: str(number) });
  }

  function mailLink(address) {
    const value = str(address).trim();
    if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(value)) return document.createTextNode(value);
    return el("a", { href: "mailto:" + value, text: value });
  }

  const webLink = (url) => (/^https?:\/\//i.test(str(url)) ? el("a", { href: url, text: url }) : null);

  // Text with "\n" line breaks as text nodes and <br>; in bot texts, web addresses become links.
  function appendLines(parent, text, linkify) {
    str(text).split("\n").forEach((line, index) => {
      if (index > 0) parent.appendChild(el("br"));
      const parts = linkify ? line.split(URL_PATTERN) : [line];
      parts.forEach((part, i) => {
        if (i % 2 === 0) {
          if (part) parent.appendChild(document.createTextNode(part));
          return;
        }
        const trailing = (part.match(/[.,;:!?)]+$/) || [""])[0];
        const url = part.slice(0, part.length - trailing.length);
        parent.appendChild(el("a", { href: url, text: url }));
        if (trailing) parent.appendChild(document.createTextNode(trailing));
      });
    });
  }

  /* ---------- The widget's fixed parts ---------- */

  const launcher = el("button", {
    type: "button", id: "zr-launcher", className: "zr-launcher",
    "aria-expanded": "false", "aria-controls": "zr-chat-panel",
  }, "Stel uw vraag");
  const closeButton = el("button", { type: "button", id: "zr-close", className: "zr-close", "aria-label": "Chat sluiten" },
    el("span", { "aria-hidden": "true", text: "✕ " }), "Sluiten");
  const log = el("div", {
    id: "zr-messages", className: "zr-messages", role: "log", "aria-live": "polite",
    "aria-relevant": "additions", "aria-label": "Gesprek", tabindex: "0",
  });
  const input = el("textarea", { id: "zr-input", className: "zr-input", name: "message", rows: "2",
    autocomplete: "off", maxlength: String(MAX_MESSAGE_CHARS), "aria-describedby": "zr-hint" });
  const sendButton = el("button", { type: "submit", id: "zr-send", className: "zr-send" }, "Verstuur");
  const form = el("form", { id: "zr-form", className: "zr-form", novalidate: true },
    el("label", { for: "zr-input", className: "zr-label", text: "Uw bericht" }),
    el("p", { id: "zr-hint", className: "zr-hint", text: "Versturen: druk op Enter. Nieuwe regel: Shift en Enter." }),
    el("div", { className: "zr-form-row" }, input, sendButton));
  const panel = el("section", { id: "zr-chat-panel", className: "zr-panel", "aria-labelledby": "zr-chat-title", hidden: true },
    el("div", { className: "zr-panel-head" },
      el("h2", { id: "zr-chat-title", className: "zr-title", text: "Zorgroute – uw vraag over zorg" }),
      closeButton),
    el("p", { className: "zr-notice" }, "Zorgroute is een computerprogramma, geen mens. Bij direct gevaar: bel ",
      telLink("112"), "."),
    log,
    form);
  root.classList.add("zr-chat");
  root.append(launcher, panel);

  const sender = senderId();
  let history = loadHistory();
  let busy = false;
  let typing = null;

  /* ---------- Rendering ---------- */

  const isDecision = (custom) => isObject(custom) && custom.type === DECISION;
  const firstRung = (decision) => (Array.isArray(decision.route) && isObject(decision.route[0]) ? decision.route[0] : null);

  function bubble(kind, text) {
    const body = el("p", { className: "zr-text" }, hiddenPrefix(kind === "user" ? "U zegt:" : "Zorgroute zegt:"));
    appendLines(body, text, kind === "bot");
    return el("div", { className: "zr-msg zr-" + kind }, body);
  }

  function offlineMessage() {
    return el("div", { className: "zr-msg zr-bot zr-offline", role: "alert" },
      el("p", { className: "zr-text" }, hiddenPrefix("Zorgroute zegt:"),
        "Zorgroute is nu niet bereikbaar. Bel of mail Het Juiste Loket, zij helpen u verder: ",
        el("a", { href: "tel:0307897878", text: "030 789 78 78" }), " (werkdagen) of ",
        el("a", { href: "mailto:meldpunt@juisteloket.nl", text: "meldpunt@juisteloket.nl" }), "."));
  }

  function crisisBox(text) {
    const message = el("p", { className: "zr-text" });
    appendLines(message, str(text) || CRISIS_TEXT, false);
    const box = el("div", { className: "zr-crisis", role: "alert" }, message,
      el("ul", { className: "zr-crisis-links" },
        el("li", {}, "Direct gevaar: bel ", telLink("112")),
        el("li", {}, "Zelfmoordpreventie: bel ", telLink("113"), " of gratis ", telLink("0800-0113"))));
    return el("div", { className: "zr-msg zr-bot zr-box-msg" }, box);
  }

  // A group of reply buttons; a click shows the title as the user's message and sends the payload.
  function choiceGroup(className, itemClass, label, buttons) {
    const group = el("div", { className, role: "group", "aria-label": label });
    buttons.forEach(({ title, payload }) => {
      const button = el("button", { type: "button", className: itemClass }, title);
      button.addEventListener("click", () => {
        input.focus(); // the buttons disappear after the click: keep focus in the chat
        send(title, payload || title);
      });
      group.appendChild(button);
    });
    return group;
  }

  function cleanButtons(buttons) {
    return (Array.isArray(buttons) ? buttons : [])
      .filter((b) => isObject(b) && str(b.title).trim())
      .map((b) => ({ title: str(b.title), payload: str(b.payload) || str(b.title) }));
  }

  function cardPart(card, heading, text) {
    if (!str(text)) return;
    const body = el("p");
    appendLines(body, text, true);
    card.append(el("h4", { text: heading }), body);
  }

  // The answer card, built from the decision payload only (not from the message texts).
  function routeCard(decision, withActions) {
    const rung = firstRung(decision);
    const name = str(rung.name) || "het volgende loket";
    // No accessible name on purpose: named sections become landmarks, and every card would add one.
    const card = el("section", { className: "zr-route-card" },
      el("p", { className: "zr-card-label" }, hiddenPrefix("Zorgroute zegt:"), "Advies: neem contact op met"),
      el("h3", { className: "zr-card-title", text: name }));
    cardPart(card, "Waarom?", rung.why);
    cardPart(card, "Wat vraagt u daar?", rung.ask);

    const contact = isObject(rung.contact) ? rung.contact : {};
    const items = [];
    if (str(contact.phone)) items.push(["Telefoon: ", telLink(contact.phone)]);
    if (str(contact.alt_phone)) items.push(["Of bel: ", telLink(contact.alt_phone)]);
    if (str(contact.ombudsman_phone)) items.push(["Nationale ombudsman: ", telLink(contact.ombudsman_phone)]);
    if (str(contact.email)) items.push(["E-mail: ", mailLink(contact.email)]);
    if (str(contact.bezwaar_email)) items.push(["Bezwaar per e-mail: ", mailLink(contact.bezwaar_email)]);
    const website = webLink(contact.website);
    if (website) items.push(["Website: ", website]);
    const notes = [contact.phone_note, contact.how].filter((note) => str(note));
    if (items.length || notes.length) {
      card.appendChild(el("h4", { text: "Contact" }));
      if (items.length) {
        card.appendChild(el("ul", { className: "zr-contact" }, ...items.map(([label, link]) => el("li", {}, label, link))));
      }
      notes.forEach((note) => card.appendChild(el("p", { text: note })));
    }

    const deadlines = (Array.isArray(rung.deadlines) ? rung.deadlines : [])
      .map((d) => (isObject(d) ? str(d.text) : str(d))).filter(Boolean);
    if (deadlines.length) {
      card.append(el("h4", { text: "Goed om te weten" }),
        el("ul", { className: "zr-deadlines" }, ...deadlines.map((text) => el("li", { text }))));
    }
    const next = decision.route[1];
    if (isObject(next) && str(next.name)) {
      card.appendChild(el("p", { className: "zr-next", text: "Lukt het niet? Dan is de volgende stap: " + next.name + "." }));
    }
    // The card is a bot message too (wrapper .zr-msg.zr-bot), so it counts like any other answer.
    const wrapper = log.appendChild(el("div", { className: "zr-msg zr-bot zr-box-msg" }, card));
    if (withActions) {
      const human = decision.handover ? "Stuur mijn vraag door naar " + name : "Met een mens praten";
      log.appendChild(choiceGroup("zr-card-actions", "zr-card-action", "Wat wilt u nu doen?", [
        { title: "Dat heb ik al geprobeerd", payload: "/already_tried" },
        { title: "Andere vraag", payload: "/andere_vraag" },
        { title: human, payload: "/request_human" },
      ]));
    }
    return wrapper;
  }

  // Render one history entry into the log; withActions: it belongs to the latest bot turn.
  function renderEntry(entry, withActions) {
    let node = null;
    const custom = entry.custom;
    if (entry.from === "user") {
      node = bubble("user", entry.text);
    } else if (entry.offline) {
      node = offlineMessage();
    } else if (entry.notice) {
      node = bubble("bot", entry.text);
      node.classList.add("zr-warning");
      node.setAttribute("role", "alert");
    } else if (isDecision(custom) && custom.category === "crisis") {
      node = crisisBox(entry.text);
    } else if (isDecision(custom) && firstRung(custom)) {
      return routeCard(custom, withActions);
    } else {
      const handover = isObject(custom) && isObject(custom.handover) ? custom.handover : null;
      const reference = handover ? str(handover.reference) : "";
      if (str(entry.text).trim()) node = bubble("bot", entry.text);
      if (reference) {
        node = node || el("div", { className: "zr-msg zr-bot" }, hiddenPrefix("Zorgroute zegt:"));
        node.appendChild(el("p", { className: "zr-reference" }, "Uw referentie: ", el("strong", { text: reference })));
      }
    }
    if (node) log.appendChild(node);
    return node;
  }

  function renderQuickReplies(buttons) {
    const clean = cleanButtons(buttons);
    if (!clean.length) return null;
    return log.appendChild(choiceGroup("zr-quick-replies", "zr-quick-reply", "Kies een antwoord", clean));
  }

  // Old reply buttons and card actions go away as soon as the user says something new.
  function clearChoices() {
    log.querySelectorAll(".zr-quick-replies, .zr-card-actions").forEach((node) => node.remove());
  }

  function reveal(node, block) {
    if (!node || panel.hidden) return;
    const smooth = !(reducedMotion && reducedMotion.matches);
    node.scrollIntoView({ block: block || "nearest", behavior: smooth ? "smooth" : "auto" });
  }

  function renderAll() {
    log.textContent = "";
    let lastUser = -1;
    history.forEach((entry, index) => { if (entry.from === "user") lastUser = index; });
    history.forEach((entry, index) => renderEntry(entry, index > lastUser));
    const last = history[history.length - 1];
    if (last && last.from === "bot") renderQuickReplies(last.buttons);
  }

  function addEntries(entries) {
    if (!entries.length) return;
    history = history.concat(entries).slice(-MAX_HISTORY);
    writeStore(KEYS.history, JSON.stringify(history));
    let first = null;
    entries.forEach((entry) => {
      const node = renderEntry(entry, true);
      first = first || node;
    });
    const last = entries[entries.length - 1];
    const replies = last.from === "bot" ? renderQuickReplies(last.buttons) : null;
    reveal(first || replies, "start");
  }

  /* ---------- Rasa replies to history entries ---------- */

  function textEntry(message) {
    const entry = { from: "bot", text: str(message.text) };
    if (isObject(message.custom)) entry.custom = message.custom;
    return entry;
  }

  function hasContent(message) {
    return str(message.text).trim() !== "" || isObject(message.custom);
  }

  // Plain entries; a custom payload without text (e.g. a handover reference) joins the text before it.
  function plainEntries(messages) {
    const entries = [];
    messages.filter(hasContent).forEach((message) => {
      const previous = entries[entries.length - 1];
      if (!str(message.text) && previous && !previous.custom && previous.text) previous.custom = message.custom;
      else entries.push(textEntry(message));
    });
    return entries;
  }

  // Rasa's REST channel sends the text and the custom payload of one utterance as two messages:
  // {text} followed by {custom}. So the text right before a decision counts as the decision's own text.
  function toEntries(messages) {
    const list = messages.filter(isObject);
    const at = list.findIndex((m) => isDecision(m.custom) && (m.custom.category === "crisis" || firstRung(m.custom)));
    if (at === -1) {
      const entries = plainEntries(list);
      const withButtons = list.filter((m) => str(m.text) || Array.isArray(m.buttons));
      const buttons = withButtons.length ? cleanButtons(withButtons[withButtons.length - 1].buttons) : [];
      if (buttons.length) {
        if (!entries.length) entries.push({ from: "bot", text: "" });
        entries[entries.length - 1].buttons = buttons;
      }
      return entries;
    }
    const decision = list[at].custom;
    let before = list.slice(0, at);
    let text = str(list[at].text);
    const previous = before[before.length - 1];
    if (!text && previous && str(previous.text) && !isObject(previous.custom)) {
      text = previous.text;
      before = before.slice(0, -1);
    }
    const entries = plainEntries(before);
    if (decision.category === "crisis") {
      entries.push({ from: "bot", text, custom: decision });
      return entries;
    }
    // Show only the intro lines (e.g. "Dan slaan we X over."): the card repeats the rest.
    const lines = text.split("\n");
    const advice = lines.findIndex((line) => /^\s*Mijn advies/.test(line));
    const intro = (advice === -1 ? lines : lines.slice(0, advice)).join("\n").trim();
    if (intro) entries.push({ from: "bot", text: intro });
    entries.push({ from: "bot", custom: decision });
    return entries;
  }

  /* ---------- Talking to Rasa ---------- */

  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    if (on && !typing) {
      typing = log.appendChild(el("p", { className: "zr-typing", "aria-hidden": "true", text: "Zorgroute typt…" }));
      reveal(typing);
    } else if (!on && typing) {
      typing.remove();
      typing = null;
    }
  }

  // Network error, timeout, non-2xx status, a reply that is not a list or an empty one: show the
  // offline message.
  async function post(message) {
    setBusy(true);
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
    let entries;
    try {
      const reply = await fetch(RASA_URL + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message }),
        signal: controller.signal,
      });
      const data = await reply.json().catch(() => null);
      if (reply.status === 413 && !Array.isArray(data)) {
        // The load balancer refused the size before Zorgroute saw it.
        entries = [{ from: "bot", text: TOO_LONG_TEXT, notice: true }];
      } else if (!Array.isArray(data) || data.length === 0) {
        // Zorgroute answers every message; no answer means part of it is down.
        throw new Error("HTTP " + reply.status);
      } else {
        // 400, 413, 429 and 503 come with a Dutch message of their own (too long, too fast, sorry).
        entries = toEntries(data).map((entry) => (reply.ok ? entry : { ...entry, notice: true }));
      }
    } catch (error) {
      entries = [{ from: "bot", text: OFFLINE_TEXT, offline: true }];
    } finally {
      window.clearTimeout(timer);
      setBusy(false);
    }
    addEntries(entries);
  }

  // Show `text` as the user's message and send `payload` (defaults to the text itself).
  function send(text, payload) {
    const shown = str(text).trim();
    if (!shown || busy) return false;
    clearChoices();
    addEntries([{ from: "user", text: shown }]);
    post(payload === undefined ? shown : payload);
    return true;
  }

  function submitInput() {
    if (busy || !input.value.trim()) {
      input.focus();
      return;
    }
    if (document.activeElement === sendButton) input.focus(); // the button is disabled while waiting
    const text = input.value;
    input.value = "";
    send(text);
  }

  /* ---------- Opening and closing ---------- */

  function setOpen(open, moveFocus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("zr-is-open", open);
    writeStore(KEYS.open, open ? "true" : "false");
    if (open) {
      if (moveFocus) input.focus();
      reveal(log.lastElementChild);
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden, true));
  closeButton.addEventListener("click", () => setOpen(false, true));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      setOpen(false, true);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitInput();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitInput();
    }
  });

  // Restore the conversation (and the open panel) after a page reload.
  renderAll();
  if (readStore(KEYS.open) === "true") setOpen(true, false);
}());
