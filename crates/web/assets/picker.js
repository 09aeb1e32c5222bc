// Type-ahead for organisation fields: as a name (or a code) is typed, the suggestion list is
// refilled from /api/v1/orgs?q=… in the reader's scope. Without this script the page still
// works: the list holds the first few hundred and the server resolves the typed name.
(function () {
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q.length < 1 || q === last) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        var kind = input.getAttribute("data-kind");
        var url = "/api/v1/orgs?limit=20&q=" + encodeURIComponent(q) + (kind ? "&kind=" + encodeURIComponent(kind) : "");
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (page) {
          if (!page || !page.items) return;
          while (list.firstChild) list.removeChild(list.firstChild);
          page.items.forEach(function (o) {
            var opt = document.createElement("option");
            opt.value = o.name;
            if (o.code) opt.textContent = o.code;
            list.appendChild(opt);
          });
        });
      }, 200);
    });
  }
  document.querySelectorAll("input[data-picker=org]").forEach(attach);
})();
