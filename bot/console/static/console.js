// Live updates: the queue reloads its list when a handoff opens or moves;
// a conversation page shows a banner instead of reloading under the
// caseworker's typing.
(function () {
  var live = document.querySelector("[data-live]");
  if (!live || !window.EventSource) return;
  var es = new EventSource("/console/events");
  // The person wrote in the conversation on screen: refresh its transcript
  // only, leaving the reply box and notes as the caseworker left them.
  es.addEventListener("conversation", function (e) {
    // id 0: any conversation (sent after the server missed updates).
    var id = JSON.parse(e.data).id;
    if (live.dataset.live !== "conversation" || (id !== 0 && String(id) !== live.dataset.conversation)) return;
    fetch(location.href, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("transcript");
      var mine = document.getElementById("transcript");
      if (fresh && mine) mine.innerHTML = fresh.innerHTML;
    });
  });
  es.addEventListener("queue", function () {
    if (live.dataset.live === "queue") {
      fetch(location.href, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("queue");
        if (fresh) live.innerHTML = fresh.innerHTML;
      });
    } else if (!document.getElementById("queue-changed")) {
      var p = document.createElement("p");
      p.id = "queue-changed";
      p.setAttribute("role", "status");
      // The texts come from the page, in the caseworker's language.
      var a = document.createElement("a");
      a.href = "/console/";
      a.textContent = document.body.dataset.openQueue || "";
      p.textContent = (document.body.dataset.queueChanged || "") + " ";
      p.appendChild(a);
      live.prepend(p);
    }
  });
})();
