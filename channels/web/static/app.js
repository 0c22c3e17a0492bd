"use strict";
// The simulator page: sends what the tester types to /sim/send and shows
// replies from the /sim/events stream, rendered as the chosen surface.
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const text = document.getElementById("text");
  const surface = document.getElementById("surface");
  let session = sessionStorage.getItem("passerelle-session");
  let seq = 0;
  let stream = null;

  function newSession() {
    session = crypto.randomUUID();
    sessionStorage.setItem("passerelle-session", session);
  }
  if (!session) newSession();
  surface.value = sessionStorage.getItem("passerelle-surface") || "telegram";

  function bubble(cls, body, dir) {
    const li = document.createElement("li");
    li.className = "msg " + cls;
    li.setAttribute("dir", dir || "auto");
    const p = document.createElement("div");
    p.setAttribute("dir", "auto");
    p.textContent = body;
    li.appendChild(p);
    log.appendChild(li);
    scrollDown();
    return li;
  }

  // scrollDown shows the latest bubble whole, with its buttons.
  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function send(body, payload) {
    seq += 1;
    if (body) bubble("me", body);
    return fetch("/sim/send", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: session, id: Date.now().toString(36) + "-" + seq, text: body, payload: payload || "", surface: surface.value }),
    }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { bubble("bot", "⚠ " + t.trim()); });
    }).catch(function () { bubble("bot", "⚠ The server cannot be reached. Your message was not sent."); });
  }

  function show(ev) {
    const li = bubble("bot " + ev.surface, ev.text, ev.dir);
    li.setAttribute("lang", ev.lang);
    li.dataset.surface = ev.surface;
    if (ev.surface !== "sms" && ev.options && ev.options.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      ev.options.forEach(function (o) {
        const b = document.createElement("button");
        b.type = "button";
        b.setAttribute("dir", "auto");
        b.textContent = o.label;
        b.addEventListener("click", function () { send(o.label, o.payload); });
        box.appendChild(b);
      });
      li.appendChild(box);
    }
    if (ev.surface === "sms") {
      const m = document.createElement("div");
      m.className = "meta";
      m.textContent = ev.segments + " SMS segment(s), " + ev.encoding;
      li.appendChild(m);
    }
    scrollDown(); // the buttons and the SMS line were added after bubble() scrolled
  }

  function connect() {
    if (stream) stream.close();
    stream = new EventSource("/sim/events?session=" + encodeURIComponent(session));
    stream.onmessage = function (e) { show(JSON.parse(e.data)); };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    const body = text.value.trim();
    if (!body) return;
    text.value = "";
    send(body);
  });
  text.addEventListener("keydown", function (e) {
    // Enter while an input method is composing (Amharic, Tigrinya, Persian
    // keyboards...) confirms the composition; it must not send a half word.
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  surface.addEventListener("change", function () { sessionStorage.setItem("passerelle-surface", surface.value); });
  document.getElementById("reset").addEventListener("click", function () {
    newSession();
    log.textContent = "";
    connect();
  });
  connect();
})();
