// Search-as-you-type for a long <select> (the occupation of an offer): the ARIA 1.2 combobox
// pattern (an input with a list box, aria-activedescendant, a polite status message). Without
// script the select itself works: it lists every occupation and browsers jump by typed letters.
// The chosen value still travels in the select, so the server sees the same form either way.
(function () {
  "use strict";

  function enhance(select) {
    var endpoint = select.getAttribute("data-combobox");
    var language = select.getAttribute("data-combobox-lang") || "de";
    var noneText = select.getAttribute("data-combobox-none") || "";
    var countText = select.getAttribute("data-combobox-count") || "{count}";
    var label = document.querySelector('label[for="' + select.id + '"]');

    var wrapper = document.createElement("div");
    wrapper.className = "combobox";
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "-search";
    input.className = "field__input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    var listId = select.id + "-listbox";
    input.setAttribute("aria-controls", listId);
    ["aria-describedby", "aria-invalid", "aria-required", "required"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "combobox__list";
    list.setAttribute("role", "listbox");
    if (label) {
      label.id = label.id || select.id + "-label";
      list.setAttribute("aria-labelledby", label.id);
      label.setAttribute("for", input.id);
    }
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");

    var chosen = select.options[select.selectedIndex];
    input.value = chosen && chosen.value ? chosen.textContent : "";

    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.removeAttribute("required");
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(status);
    wrapper.appendChild(select);

    var items = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll('[role="option"]');
      options.forEach(function (option, position) {
        option.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) return;
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === item.slug; });
      if (!option) {
        option = new Option(item.label, item.slug);
        select.appendChild(option);
      }
      select.value = item.slug;
      input.value = item.label;
      close();
    }

    function show(found) {
      items = found;
      list.innerHTML = "";
      found.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = listId + "-" + index;
        li.className = "combobox__option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(index); });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      status.textContent = found.length ? countText.replace("{count}", String(found.length)) : noneText;
      active = -1;
    }

    function search() {
      var text = input.value.trim();
      if (text.length < 2) { show([]); status.textContent = ""; return; }
      var ticket = ++latest;
      fetch(endpoint + "?limit=10&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (page) {
          if (ticket !== latest) return;
          show((page.items || []).map(function (item) {
            return { slug: item.slug, label: language === "en" ? item.name_en : item.name };
          }));
        })
        .catch(function () { if (ticket === latest) show([]); });
    }

    input.addEventListener("input", function () {
      select.value = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  document.querySelectorAll("select[data-combobox]").forEach(enhance);
})();
