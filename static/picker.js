// NRS pickers (nrs/pickers.py): a type-ahead over /opslag/… in the ARIA combobox pattern.
// Arrow keys move, Enter picks, Escape closes; the live region says how many were found.
// Without JavaScript the same text box and its "Søg" button do the search on the server.
(function () {
  if (window.nrsPickers) { return; }
  window.nrsPickers = true;

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJSON(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status === 200) { done(JSON.parse(xhr.responseText)); }
    };
    xhr.send();
  }

  function withQuery(url, q) {
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(q);
  }

  function setup(box) {
    var kind = box.getAttribute("data-picker");
    var input = kind === "company" ? box.querySelector("input[role=combobox]")
                                   : box.querySelector("input[type=search]");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-picker-status]");
    var hidden = box.querySelector("[data-picker-id]");
    var select = kind === "user" ? box.querySelector("select") : null;
    var create = box.querySelector("[data-picker-create]");
    var button = box.querySelector(".picker-search");
    if (!input || !list) { return; }
    var items = [];
    var active = -1;
    var chosenText = input.value;

    function say(count) {
      var text = count === 0 ? status.getAttribute("data-none")
        : count === 1 ? status.getAttribute("data-one")
        : status.getAttribute("data-many").replace("{n}", count);
      status.textContent = text;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        if (options[index].scrollIntoView) { options[index].scrollIntoView({block: "nearest"}); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function label(item) {
      if (kind === "user") { return item.label; }
      var parts = [item.name, "CVR " + item.cvr];
      if (item.address) { parts.push(item.address); }
      if (item.municipality) { parts.push(item.municipality); }
      return parts.join(" · ");
    }

    function render(data) {
      items = data.items;
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = label(item);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      if (create && data.create_url) { create.href = data.create_url; }
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      highlight(-1);
      say(items.length);
    }

    function refreshAgreements(companyId) {
      var target = document.getElementById(box.getAttribute("data-agreements") || "");
      if (!target) { return; }
      var url = box.getAttribute("data-agreements-url").replace("/0/", "/" + companyId + "/");
      getJSON(url, function (data) {
        var blank = target.options.length ? target.options[0].cloneNode(true) : null;
        target.textContent = "";
        if (blank) { target.appendChild(blank); }
        data.items.forEach(function (a) {
          var option = document.createElement("option");
          option.value = a.id;
          option.textContent = a.label;
          target.appendChild(option);
        });
      });
    }

    function pick(index) {
      var item = items[index];
      if (!item) { return; }
      if (kind === "company") {
        input.value = item.name + " (" + item.cvr + ")";
        chosenText = input.value;
        if (hidden) { hidden.value = item.id; }
        if (create) { create.parentNode.hidden = true; }
        box.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = String(r.value) === String(item.id); });
        refreshAgreements(item.id);
      } else if (select) {
        var option = select.querySelector("option[value='" + item.id + "']");
        if (!option) {
          option = document.createElement("option");
          option.value = item.id;
          option.textContent = item.label;
          select.appendChild(option);
        }
        select.value = String(item.id);
        input.value = "";
      }
      status.textContent = label(item);
      close();
    }

    var search = debounce(function () {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      getJSON(withQuery(box.getAttribute("data-url"), q), function (data) {
        if (input.value.trim() === q) { render(data); }
      });
    }, 200);

    input.addEventListener("input", function () {
      if (hidden && input.value !== chosenText) {
        hidden.value = "";
        if (create) { create.parentNode.hidden = false; }
      }
      search();
    });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && items.length;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (!open) { search(); return; }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (e.key === "ArrowUp") {
        if (open) { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      } else if (e.key === "Enter") {
        if (open && active >= 0) { e.preventDefault(); pick(active); }
        else if (kind === "user" || (hidden && !hidden.value && input.value.trim())) {
          // Enter in an unresolved box is the search step, never a save of a half-chosen form.
          e.preventDefault();
          if (button) { button.click(); }
        }
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() {
    document.querySelectorAll("[data-picker]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
