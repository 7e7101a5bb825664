// Collab Portal: behaviour without inline scripts (so a strict CSP can forbid them).
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  document.querySelectorAll(".mention-box").forEach(setUpMentions);
  document.querySelectorAll("select[data-options-from]").forEach(copyOptions);
  document.querySelectorAll(".people-picker").forEach(setUpPeoplePicker);
});

// People pickers (departments/pickers.py): typing offers matching people; choosing one adds a
// ticked box (or, for one person, replaces the choice). Without JavaScript the logins typed are
// looked up when the form is sent. Department pickers (data-kind="department") work the same way
// with departments and their codes.
function setUpPeoplePicker(box) {
  var input = box.querySelector("input[type=text]");
  var chosen = box.querySelector(".people-chosen");
  var type = box.dataset.inputType;
  var departments = box.dataset.kind === "department";
  function detail(item) { return departments ? item.code : "@" + item.username; }
  var suggestions = peopleSuggestions(box.querySelector(".people-list"), box.dataset.peopleUrl, function (person) {
    return person.name + " " + detail(person) + (person.departments ? " · " + person.departments : "");
  }, choose);

  function choose(person) {
    var existing = chosen.querySelector("input[value='" + person.id + "']");
    if (type === "radio") {
      chosen.querySelectorAll("label:not(.people-none)").forEach(function (label) {
        if (!label.contains(existing)) { label.remove(); }
      });
    }
    if (existing) {
      existing.checked = true;
    } else {
      var label = document.createElement("label");
      label.className = "badge text-bg-light border fw-normal";
      var tick = document.createElement("input");
      tick.className = "form-check-input me-1";
      tick.type = type;
      tick.name = box.dataset.name;
      tick.value = person.id;
      tick.checked = true;
      var login = document.createElement("span");
      login.className = "text-body-secondary";
      login.textContent = detail(person);
      label.appendChild(tick);
      label.appendChild(document.createTextNode(person.name + " "));
      label.appendChild(login);
      chosen.appendChild(label);
    }
    input.value = "";
    input.focus();
  }

  input.addEventListener("input", function () { suggestions.lookup(input.value.trim() || null); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { suggestions.hide(); }
    if (event.key === "Enter") {
      event.preventDefault();  // Enter chooses; it never sends the form half-filled
      suggestions.chooseFirst();
    }
  });
  input.addEventListener("blur", function () { setTimeout(suggestions.hide, 200); });
}

// A list of people under a text box (people pickers, @mentions): `lookup(query)` asks `url` a
// moment after the typing stops (null hides the list); clicking a person hands them to `choose`.
function peopleSuggestions(list, url, describe, choose) {
  var timer = null;

  function hide() { list.classList.add("d-none"); list.innerHTML = ""; }

  function show(people) {
    list.innerHTML = "";
    if (!people.length) { hide(); return; }
    people.forEach(function (person) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action py-1";
      item.setAttribute("role", "option");
      item.textContent = describe(person);
      item.addEventListener("click", function () { hide(); choose(person); });
      list.appendChild(item);
    });
    list.classList.remove("d-none");
  }

  function lookup(query) {
    clearTimeout(timer);
    if (query === null) { hide(); return; }
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { people: [] }; })
        .then(function (data) { show(data.people || data.departments || []); })
        .catch(hide);
    }, 200);
  }

  function visible() { return !list.classList.contains("d-none") && list.firstChild !== null; }

  function chooseFirst() {
    if (visible()) { list.firstChild.click(); }
  }

  return { hide: hide, lookup: lookup, chooseFirst: chooseFirst, visible: visible };
}

// The inbox sends each row's assignee list with only the suggested person; the full list is
// written once per department (the bulk-assign select) and copied here, the suggestion kept.
function copyOptions(select) {
  var source = document.getElementById(select.dataset.optionsFrom);
  if (!source) { return; }
  var chosen = select.value;
  var suggested = select.options.length ? select.options[0].textContent : "";
  select.innerHTML = "";
  Array.prototype.forEach.call(source.options, function (option) {
    var copy = option.cloneNode(true);
    copy.selected = copy.value === chosen;
    if (copy.selected) { copy.textContent = suggested; }
    select.appendChild(copy);
  });
  select.value = chosen;
}

// @mention autocomplete: after "@" and a few letters, offer the people who may see
// the request (the server decides who), and insert "@login " on click or Enter.
function setUpMentions(box) {
  var textarea = box.querySelector("textarea");
  var list = box.querySelector(".mention-list");
  var url = box.dataset.mentionUrl;
  if (!textarea || !list || !url) { return; }
  var suggestions = peopleSuggestions(list, url, function (person) {
    return person.name + " @" + person.username;
  }, function (person) { insert(person.username); });

  function currentToken() {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = before.match(/@([\w.\-]*)$/);
    return match ? match[1] : null;
  }

  function insert(username) {
    var start = textarea.selectionStart;
    var before = textarea.value.slice(0, start).replace(/@[\w.\-]*$/, "@" + username + " ");
    textarea.value = before + textarea.value.slice(start);
    textarea.focus();
    textarea.setSelectionRange(before.length, before.length);
  }

  textarea.addEventListener("input", function () { suggestions.lookup(currentToken()); });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { suggestions.hide(); }
    if (event.key === "Enter" && suggestions.visible()) {
      event.preventDefault();
      suggestions.chooseFirst();
    }
  });
  textarea.addEventListener("blur", function () { setTimeout(suggestions.hide, 200); });
}
