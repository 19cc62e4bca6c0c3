// Live chat box (visitor and agent): connects to the WebSocket named in data-chat-socket, shows
// every line as plain text (never as HTML) and sends what the person types.
(function () {
  "use strict";
  var box = document.querySelector("[data-chat-socket]");
  if (!box || !box.dataset.chatSocket) return;
  var lines = box.querySelector("[data-chat-lines]");
  var form = box.querySelector("[data-chat-form]");
  var status = box.querySelector("[data-chat-status]");
  var error = box.querySelector("[data-chat-error]");
  var ended = box.querySelector("[data-chat-ended]");
  var ticket = box.querySelector("[data-chat-ticket]");
  var me = box.dataset.chatSelf;
  var seen = {};
  var socket = null;
  var over = false;
  var retries = 0;

  function label(name) {
    return box.dataset["label" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
  }

  function addLine(event) {
    if (seen[event.id]) return;
    seen[event.id] = true;
    var item = document.createElement("li");
    item.className = "list-group-item chat-line chat-line-" + event.sender + (event.sender === me ? " text-end" : "");
    var who = document.createElement("div");
    who.className = "small text-body-secondary";
    who.textContent = event.name + " · " + event.at.slice(11, 16);
    var text = document.createElement("div");
    text.className = "chat-text";
    text.textContent = event.text;
    item.appendChild(who);
    item.appendChild(text);
    lines.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function setStatus(event) {
    status.textContent = label(event.status);
    status.dataset.state = event.status;
    if (event.ticket) ticket.textContent = box.dataset.labelTicket + " " + event.ticket;
    if (event.status === "ended") {
      over = true;
      form.classList.add("d-none");
      ended.classList.remove("d-none");
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + box.dataset.chatSocket);
    socket.addEventListener("open", function () {
      retries = 0;
      box.dataset.connected = "1";
    });
    socket.addEventListener("message", function (message) {
      var event = JSON.parse(message.data);
      if (event.kind === "line") addLine(event);
      else if (event.kind === "status") setStatus(event);
      else if (event.kind === "error") error.textContent = event.message;
    });
    socket.addEventListener("close", function (closed) {
      box.dataset.connected = "";
      if (over || closed.code === 4403) {
        if (!over) status.textContent = label("closed");
        return;
      }
      status.textContent = label("reconnecting");
      retries += 1;
      if (retries <= 10) window.setTimeout(connect, Math.min(1000 * retries, 10000));
    });
  }

  form.addEventListener("submit", function (submitted) {
    submitted.preventDefault();
    var field = form.elements.text;
    var text = field.value.trim();
    if (!text || !socket || socket.readyState !== WebSocket.OPEN) return;
    error.textContent = "";
    socket.send(JSON.stringify({ text: text }));
    field.value = "";
    field.focus();
  });
  form.elements.text.addEventListener("keydown", function (key) {
    if (key.key === "Enter" && !key.shiftKey) {
      key.preventDefault();
      form.requestSubmit();
    }
  });
  connect();
})();
