/* Spona's small behaviours; loaded on every page, re-applied to content htmx swaps in. */
(function () {
  "use strict";

  function partyPicker(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    var url = select.dataset.url;
    var exclude = select.dataset.exclude || "";
    new TomSelect(select, {
      valueField: "id",
      labelField: "name",
      searchField: ["name"],
      maxOptions: 10,
      loadThrottle: 250,
      shouldLoad: function (query) { return query.length > 0; },
      load: function (query, callback) {
        var params = new URLSearchParams({ q: query, exclude: exclude });
        fetch(url + "?" + params.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        option: function (item, escape) {
          return "<div>" + escape(item.name) + " <small class=\"text-body-secondary\">" + escape(item.kind) + "</small></div>";
        },
        item: function (item, escape) { return "<div>" + escape(item.name) + "</div>"; }
      }
    });
  }

  function tagInput(input) {
    if (input.tomselect || typeof TomSelect === "undefined") return;
    new TomSelect(input, { create: true, delimiter: ",", persist: false, createOnBlur: true });
  }

  function kanban(board) {
    if (board.dataset.kanbanReady || typeof Sortable === "undefined" || typeof htmx === "undefined") return;
    board.dataset.kanbanReady = "1";
    board.querySelectorAll("[data-kanban-column]").forEach(function (column) {
      Sortable.create(column, {
        group: board.id,
        animation: 150,
        onAdd: function (event) {
          htmx.ajax("POST", board.dataset.moveUrl, {
            source: board, target: board, swap: "outerHTML",
            values: { id: event.item.dataset.id, to: column.dataset.kanbanColumn }
          });
        }
      });
    });
  }

  function init(root) {
    root.querySelectorAll("select[data-party-picker]").forEach(partyPicker);
    root.querySelectorAll("input[data-tag-input]").forEach(tagInput);
    root.querySelectorAll("[data-kanban]").forEach(kanban);
  }

  // Ask before destructive actions that carry data-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // The command palette: Ctrl/Cmd+K from anywhere, arrows to move through the results, Enter to open.
  function palette() {
    var modal = document.getElementById("palette");
    if (!modal || typeof bootstrap === "undefined") return;
    var input = document.getElementById("palette-input");
    var dialog = bootstrap.Modal.getOrCreateInstance(modal);
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        dialog.show();
      }
    });
    modal.addEventListener("shown.bs.modal", function () { input.focus(); input.select(); });
    modal.addEventListener("keydown", function (event) {
      var items = Array.prototype.slice.call(modal.querySelectorAll(".palette-item"));
      if (!items.length) return;
      var at = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = event.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : at - 1;
        (next < 0 ? input : items[next]).focus();
      } else if (event.key === "Enter" && document.activeElement === input) {
        event.preventDefault();
        window.location.assign(items[0].href);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    palette();
    init(document);
    // Move focus to an error summary, so keyboard and screen-reader users hear what went wrong.
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
