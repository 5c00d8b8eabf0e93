/* Techwin — the little JavaScript the pages need: toasts for failed HTMX requests, charts,
   drag-and-drop on the pipeline board, and small form helpers (inline errors over HTMX,
   confirmations, busy buttons, copying a draft). Everything else is plain HTML and HTMX. */
(function () {
  "use strict";

  var TOAST_MS = 6000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* ---------- Toasts ---------- */

  function toastContainer() {
    var box = document.getElementById("toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "toasts";
      box.className = "toasts";
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    return box;
  }

  function dismissLater(el) {
    if (el.dataset.timer) return;
    el.dataset.timer = "1";
    var close = function () {
      el.classList.add("is-leaving");
      setTimeout(function () { el.remove(); }, 300);
    };
    var timer = setTimeout(close, TOAST_MS);
    el.addEventListener("click", function () { clearTimeout(timer); close(); });
  }

  function showToastEl(el) {
    toastContainer().appendChild(el);
    dismissLater(el);
  }

  function toast(message, kind) {
    var el = document.createElement("div");
    el.className = "toast toast-" + (kind || "error");
    el.setAttribute("role", kind === "success" ? "status" : "alert");
    el.textContent = message;
    showToastEl(el);
  }

  /* A server fragment (generic/toast.html) when there is one, otherwise a plain message. */
  function toastFromResponse(html, status) {
    var holder = document.createElement("div");
    holder.innerHTML = html || "";
    var fragment = holder.querySelector(".toast");
    if (fragment) {
      showToastEl(fragment);
      return;
    }
    var text = (holder.textContent || "").trim();
    if (!text || text.length > 300 || text.charAt(0) === "{") {
      text = status >= 500
        ? "Something went wrong on our side (" + status + "). Please try again."
        : "The request was refused (" + status + ").";
    }
    toast(text, "error");
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("HX-Redirect")) return;
    toastFromResponse(xhr.responseText, xhr.status);
  });

  document.addEventListener("htmx:sendError", function () {
    toast("The server could not be reached. Check your connection and try again.", "error");
  });

  /* ---------- Charts (Chart.js, vendored) ---------- */

  function pct(v) { return Math.round(v * 100) + "%"; }

  /* A bar chart as the funnel draws it: counts, horizontal or grouped by series. */
  function countOptions(data) {
    var horizontal = !!data.horizontal;
    return {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      borderRadius: 6,
      plugins: {
        legend: { display: data.datasets.length > 1, position: "bottom", labels: { boxWidth: 12, boxHeight: 12 } },
        tooltip: { callbacks: { label: function (ctx) { return " " + ctx.dataset.label + ": " + ctx.formattedValue; } } }
      },
      scales: {
        x: { grid: { display: !horizontal, color: "#f2f4f7" }, ticks: { precision: 0, color: "#667085" }, border: { display: false } },
        y: { grid: { display: horizontal ? false : true, color: "#f2f4f7" }, ticks: { precision: 0, color: "#344054" }, border: { display: false } }
      }
    };
  }

  /* Any other chart: the data says its type, its axes (titles, bounds, percentages) and legend. */
  function describedOptions(data) {
    var axes = data.axes || {};
    var scatter = data.type === "scatter";
    function scale(axis) {
      axis = axis || {};
      var s = { grid: { color: "#f2f4f7" }, border: { display: false }, ticks: { color: "#667085" } };
      if (scatter) s.type = "linear";
      if (axis.min !== undefined) s.min = axis.min;
      if (axis.max !== undefined) s.max = axis.max;
      if (axis.title) s.title = { display: true, text: axis.title, color: "#475467", font: { weight: "600" } };
      if (axis.percent) s.ticks.callback = function (v) { return pct(v); };
      return s;
    }
    return {
      maintainAspectRatio: false,
      animation: false,
      borderRadius: 5,
      plugins: {
        legend: { display: !!data.legend, position: "bottom", labels: { boxWidth: 12, boxHeight: 12, usePointStyle: scatter } },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var raw = ctx.raw || {};
              if (scatter && raw.n !== undefined) {
                return " predicted " + pct(raw.x) + " · observed " + pct(raw.y) + " (" + raw.n + " leads)";
              }
              var value = (axes.y || {}).percent && !scatter ? pct(ctx.parsed.y) : ctx.formattedValue;
              return " " + ctx.dataset.label + ": " + value;
            }
          }
        }
      },
      scales: { x: scale(axes.x), y: scale(axes.y) }
    };
  }

  function initCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      var data = JSON.parse(source.textContent);
      var described = !!data.type;
      new window.Chart(canvas, {
        type: data.type || "bar",
        data: { labels: data.labels, datasets: data.datasets },
        options: described ? describedOptions(data) : countOptions(data)
      });
    });
  }

  /* ---------- Pipeline board ---------- */

  function boardFilters() {
    var form = document.getElementById("board-filters");
    var fields = {};
    if (!form) return fields;
    ["owner_id", "se_id", "q"].forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input && input.value) fields[name] = input.value;
    });
    return fields;
  }

  function dialog() { return document.getElementById("move-dialog"); }

  function openDialog(html) {
    var dlg = dialog();
    if (!dlg) { toastFromResponse(html, 422); return; }
    document.getElementById("move-dialog-content").innerHTML = html;
    if (!dlg.open) dlg.showModal();
    var reason = dlg.querySelector("textarea");
    if (reason) reason.focus();
  }

  function closeDialog() {
    var dlg = dialog();
    if (dlg && dlg.open) dlg.close();
  }

  function replaceBoard(html) {
    var board = document.getElementById("board");
    if (!board) return;
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#board");
    if (!fresh) return;
    board.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    initBoard(document);
  }

  function postMove(url, fields, revert) {
    var body = new FormData();
    var filters = boardFilters();
    Object.keys(filters).forEach(function (k) { body.append(k, filters[k]); });
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    var board = document.getElementById("board");
    if (board) board.classList.add("is-busy");
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "HX-Request": "true", "Accept": "text/html" }
    }).then(function (response) {
      var redirect = response.headers.get("HX-Redirect");
      if (redirect) { window.location.href = redirect; return; }
      return response.text().then(function (html) {
        if (board) board.classList.remove("is-busy");
        if (response.ok) {
          closeDialog();
          replaceBoard(html);
          var note = response.headers.get("X-Techwin-Toast");
          if (note) toast(decodeURIComponent(note), "success");
          return;
        }
        revert();
        if (response.headers.get("X-Techwin-Move") === "refused") openDialog(html);
        else toastFromResponse(html, response.status);
      });
    }).catch(function () {
      if (board) board.classList.remove("is-busy");
      revert();
      toast("The server could not be reached; the deal was not moved.", "error");
    });
  }

  function initBoard(root) {
    var board = root.querySelector ? root.querySelector("#board") : null;
    if (!board && root.id === "board") board = root;
    if (!board || typeof window.Sortable === "undefined") return;
    if (board.dataset.canWrite !== "true") return;
    board.querySelectorAll(".cards").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = window.Sortable.create(list, {
        group: "deals",
        sort: false,
        animation: 150,
        forceFallback: true,
        fallbackOnBody: true,
        fallbackTolerance: 4,
        ghostClass: "is-ghost",
        chosenClass: "is-chosen",
        dragClass: "is-dragging",
        filter: ".is-locked",
        preventOnFilter: false,
        onEnd: function (evt) {
          if (evt.from === evt.to) return;
          var card = evt.item;
          var from = evt.from;
          var index = evt.oldIndex;
          var revert = function () {
            if (card.parentNode !== from) from.insertBefore(card, from.children[index] || null);
          };
          postMove(card.dataset.moveUrl, { stage: evt.to.dataset.stage, version: card.dataset.version }, revert);
        }
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-move-form]")) return;
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, key) { fields[key] = value; });
    postMove(form.getAttribute("action"), fields, function () {});
  });

  document.addEventListener("click", function (event) {
    var closer = event.target.closest ? event.target.closest("[data-close]") : null;
    if (closer) closeDialog();
  });

  /* ---------- Forms: inline errors over HTMX, confirmations, busy buttons, copy ---------- */

  /* A form fragment answered with its errors (422 and friends) replaces the form in place. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.getResponseHeader("X-Techwin-Form") === "invalid") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var busy = form.getAttribute("data-busy");
    if (busy) {
      var button = form.querySelector("button[type=submit]:not(.sr-only)");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
        button.classList.add("is-busy");
        button.textContent = busy;
      }
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var text = button.parentNode.querySelector("[data-draft]");
    if (!text || !navigator.clipboard) return;
    navigator.clipboard.writeText(text.textContent).then(function () {
      toast("Copied to the clipboard.", "success");
    });
  });

  /* The rule form shows the inputs of the kind chosen (fit condition or engagement event). */
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-rule-kind]")) return;
    select.form.querySelectorAll("[data-for-kind]").forEach(function (group) {
      group.hidden = group.getAttribute("data-for-kind") !== select.value;
    });
  });

  /* ---------- The menu on phones: one button folds and unfolds it ---------- */

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (!button) return;
    var sidebar = button.closest(".sidebar");
    var open = sidebar.classList.toggle("is-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  /* ---------- Start-up and after every HTMX swap ---------- */

  function initAll(root) {
    initCharts(root);
    initBoard(root);
    (root.querySelectorAll ? root : document).querySelectorAll(".toasts .toast").forEach(dismissLater);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSettle", function () { initAll(document); });
})();
