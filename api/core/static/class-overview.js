// The live overview of a class (api/classes/templates/class.html): polls the overview's JSON every
// few seconds and updates the counts and lists. Text only (textContent), never HTML from the server.
// The summary sentence sits in an aria-live region and is changed only when it changes.
(function () {
  'use strict';
  var section = document.getElementById('overview');
  var strings = document.getElementById('overview-strings');
  if (!section || !strings || !window.fetch) return;
  var url = section.getAttribute('data-url');
  var seconds = Math.max(2, parseInt(section.getAttribute('data-seconds'), 10) || 5);
  var s = strings.dataset;

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setText(id, value) {
    var node = document.getElementById(id);
    if (node && node.textContent !== String(value)) node.textContent = String(value);
  }

  function replace(id, child) {
    var box = document.getElementById(id);
    if (!box) return;
    box.replaceChildren(child);
  }

  function counted(items) {
    if (items === null) return el('p', s.hidden);
    if (items.length === 0) return el('p', s.none);
    var list = el('ol');
    list.className = 'counted';
    items.forEach(function (item) {
      list.appendChild(el('li', item.name + ': ' + item.count + ' ' + s.pupils));
    });
    return list;
  }

  function profile(shares) {
    if (shares === null) return el('p', s.hidden);
    var table = el('table');
    var head = el('thead');
    var row = el('tr');
    [s.type, s.mean, s.top].forEach(function (title) {
      var th = el('th', title);
      th.scope = 'col';
      row.appendChild(th);
    });
    head.appendChild(row);
    table.appendChild(head);
    var body = el('tbody');
    shares.forEach(function (share) {
      var tr = el('tr');
      var th = el('th', share.name + ' (' + share.code + ')');
      th.scope = 'row';
      tr.appendChild(th);
      var mean = el('td');
      var bar = el('span');
      bar.className = 'bar';
      bar.setAttribute('aria-hidden', 'true');
      var fill = el('span');
      fill.className = 'bar__fill bar__fill--' + Math.floor(share.mean_score / 10);
      bar.appendChild(fill);
      mean.appendChild(bar);
      mean.appendChild(document.createTextNode(' ' + Math.round(share.mean_score)));
      tr.appendChild(mean);
      tr.appendChild(el('td', share.top_count === null ? s.fewer : String(share.top_count)));
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  function show(overview) {
    setText('count-joined', overview.joined);
    setText('count-in-check', overview.in_check);
    setText('count-finished', overview.finished);
    setText('overview-summary', overview.summary);
    replace('profile', profile(overview.profile));
    replace('fields', counted(overview.fields));
    replace('occupations', counted(overview.occupations));
    replace('topics', counted(overview.topics));
  }

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (overview) { if (overview) show(overview); })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, seconds * 1000); });
  }

  window.setTimeout(poll, seconds * 1000);
})();
