// Live refresh without reloading: the server says what changed (server-sent events), the page re-fetches its
// <main> content when the change concerns it, and a banner shows while the link to NATS (or to us) is down.
(function () {
  "use strict";
  var body = document.body;
  var watch = (body.getAttribute("data-watch") || "").split(/\s+/).filter(Boolean);
  var banner = document.getElementById("conn-banner");
  var note = document.getElementById("live-note");
  var busy = false, again = false, wasDown = banner && !banner.hidden;

  function concerns(changed) {
    return watch.some(function (w) {
      var parts = w.split(":"), keys = changed[parts[0]] || [];
      return keys.length > 0 && (parts[1] === "*" || keys.indexOf(parts[1]) >= 0);
    });
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var focused = document.activeElement && document.activeElement.id;
    fetch(window.location.href, { headers: { "X-Fragment": "main" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        document.getElementById("main").innerHTML = html;
        if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
        if (note) { note.textContent = "Số liệu vừa được cập nhật lúc " + new Date().toLocaleTimeString("vi-VN"); }
        body.setAttribute("data-refreshed", String(Number(body.getAttribute("data-refreshed") || 0) + 1));
      })
      .catch(function () { /* the next event or reconnection tries again */ })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }

  function show(down, text) {
    if (!banner) { return; }
    if (text) { banner.querySelector("strong").nextSibling.textContent = text; }
    banner.hidden = !down;
  }

  if (!window.EventSource) { return; }
  var source = new EventSource("/events");
  var original = banner ? banner.querySelector("strong").nextSibling.textContent : "";
  source.addEventListener("changed", function (e) {
    try { if (concerns(JSON.parse(e.data))) { refresh(); } } catch (err) { /* ignore a malformed notice */ }
  });
  source.addEventListener("connection", function (e) {
    var down = e.data !== "up";
    show(down, original);
    if (!down && wasDown) { refresh(); }
    wasDown = down;
  });
  source.onerror = function () {
    show(true, " với máy chủ trang theo dõi. Trang sẽ tự kết nối lại.");
    wasDown = true;
  };
})();
