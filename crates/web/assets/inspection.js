// The inspection form on a phone: a progress line (items answered of items to check), and a
// draft kept in the browser's local storage as it is filled, so a lost signal or a closed tab
// loses nothing; it is restored when the form is opened again and dropped once submitted.
// Photos are not kept (the browser cannot); the idempotency key makes a retried submit safe.
(function () {
  var form = document.getElementById("inspection-form");
  if (!form) return;
  var key = "anjian-draft:" + form.getAttribute("data-draft");
  var progress = document.getElementById("inspection-progress");
  var skip = { _csrf: 1, idempotency_key: 1 };

  function fields() {
    return Array.prototype.filter.call(form.elements, function (e) {
      return e.name && !skip[e.name] && e.type !== "file" && e.type !== "submit" && e.type !== "hidden";
    });
  }
  function save() {
    var d = {};
    fields().forEach(function (e) {
      if (e.type === "radio" || e.type === "checkbox") { if (e.checked) d[e.name + "=" + e.value] = true; }
      else d[e.name] = e.value;
    });
    try { localStorage.setItem(key, JSON.stringify(d)); } catch (_) {}
  }
  function restore() {
    var d;
    try { d = JSON.parse(localStorage.getItem(key) || "null"); } catch (_) { d = null; }
    if (!d) return;
    fields().forEach(function (e) {
      if (e.type === "radio" || e.type === "checkbox") { if (d[e.name + "=" + e.value]) e.checked = true; }
      else if (d[e.name] !== undefined && e.value === "") e.value = d[e.name];
    });
  }
  function count() {
    var rows = form.querySelectorAll(".finding"), todo = 0, done = 0;
    rows.forEach(function (r) {
      var item = r.querySelector("input[name^=item]");
      if (!item || item.value.trim() === "") return;
      todo++;
      if (r.querySelector(".verdict input:checked")) done++;
    });
    progress.hidden = todo === 0;
    progress.textContent = progress.getAttribute("data-template").replace("{done}", done).replace("{todo}", todo);
  }
  // More items than the form came with: a copy of the last row, numbered on, emptied. (Without
  // script the form has its five rows, or one per checklist item; a blank row is left out.)
  var add = document.getElementById("add-item");
  if (add) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = form.querySelectorAll(".finding");
      var last = rows[rows.length - 1], n = rows.length;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[name]").forEach(function (e) {
        e.name = e.name.replace(/\d+$/, String(n));
        if (e.type === "radio" || e.type === "checkbox") e.checked = false;
        else if (e.tagName !== "SELECT") e.value = "";
      });
      var label = copy.querySelector(".item-text");
      if (label && label.firstChild) label.firstChild.textContent = label.firstChild.textContent.replace(/\d+\s*$/, String(n + 1));
      last.parentNode.insertBefore(copy, add);
      count();
    });
  }
  // Removing an item empties its row and hides it: a blank row is left out by the server, and
  // the rows after it keep their numbers.
  function removable(row) {
    if (row.querySelector(".remove-item")) return;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "remove-item link";
    b.textContent = form.getAttribute("data-remove");
    b.addEventListener("click", function () {
      row.querySelectorAll("[name]").forEach(function (e) {
        if (e.type === "radio" || e.type === "checkbox") e.checked = false;
        else if (e.tagName !== "SELECT") e.value = "";
      });
      row.hidden = true;
      save();
      count();
    });
    row.appendChild(b);
  }
  form.querySelectorAll(".finding").forEach(removable);
  if (add) add.addEventListener("click", function () {
    var rows = form.querySelectorAll(".finding");
    var last = rows[rows.length - 1];
    var old = last.querySelector(".remove-item");
    if (old) old.remove();
    removable(last);
  });
  restore();
  count();
  form.addEventListener("input", function () { save(); count(); });
  form.addEventListener("change", function () { save(); count(); });
  form.addEventListener("submit", function () { try { localStorage.removeItem(key); } catch (_) {} });
})();
