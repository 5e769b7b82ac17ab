// Participant picker of the interaction form: searches as you type and adds a chosen person's
// organisation. Without this script the "Find" button posts the form back and does the same.
(function () {
    "use strict";
    var box = document.querySelector("[data-participants]");
    if (!box) { return; }
    var input = box.querySelector("#find");
    var button = box.querySelector("[data-find]");
    var results = box.querySelector("#participant-results");
    var timer = null;
    var latest = 0;

    function listed(name, id) {
        return box.querySelector("[data-chosen] input[name='" + name + "'][value='" + id + "']") !== null;
    }

    function element(tag, className, text) {
        var node = document.createElement(tag);
        if (className) { node.className = className; }
        if (text) { node.textContent = text; }
        return node;
    }

    function checkRow(name, id, label, meta, checked) {
        var li = element("li");
        var wrap = element("label", "checkbox");
        var box = element("input");
        box.type = "checkbox";
        box.name = name;
        box.value = String(id);
        box.checked = checked;
        var text = element("span", null, label + " ");
        if (meta) { text.appendChild(element("span", "muted", "· " + meta)); }
        wrap.appendChild(box);
        wrap.appendChild(text);
        li.appendChild(wrap);
        return { li: li, box: box };
    }

    // Moves a ticked match into the chosen list, with the hidden field that says it was shown.
    function choose(kind, id, label, meta) {
        var name = kind === "people" ? "Input.PersonIds" : "Input.OrganisationIds";
        if (listed(name, id)) { return; }
        var list = box.querySelector("[data-chosen='" + kind + "']");
        var row = checkRow(name, id, label, meta, true);
        var shown = element("input");
        shown.type = "hidden";
        shown.name = kind === "people" ? "Input.ShownPersonIds" : "Input.ShownOrganisationIds";
        shown.value = String(id);
        row.li.insertBefore(shown, row.li.firstChild);
        list.appendChild(row.li);
        var empty = box.querySelector("[data-empty='" + kind + "']");
        if (empty) { empty.remove(); }
    }

    function render(data, text) {
        results.replaceChildren();
        var people = data.people.filter(function (p) { return !listed("Input.PersonIds", p.id); });
        var organisations = data.organisations.filter(function (o) { return !listed("Input.OrganisationIds", o.id); });
        if (people.length === 0 && organisations.length === 0) {
            results.appendChild(element("p", "muted", "No person or organisation has a name containing “" + text + "”."));
            return;
        }
        results.appendChild(element("p", "hint", "Tick who took part; they move to the lists above."));
        var columns = element("div", "participants__columns");
        [["people", "Matching people", people], ["organisations", "Matching organisations", organisations]].forEach(function (group) {
            var column = element("div");
            if (group[2].length > 0) {
                column.appendChild(element("h3", "participants__title", group[1]));
                var list = element("ul", "choice-checks");
                group[2].forEach(function (item) {
                    var isPerson = group[0] === "people";
                    var label = isPerson ? item.fullName : item.name;
                    var meta = isPerson ? [item.position, item.organisationName].filter(Boolean).join(", ") : item.countryCode;
                    var row = checkRow(isPerson ? "Input.PersonIds" : "Input.OrganisationIds", item.id, label, meta, false);
                    row.box.name = "";
                    row.box.addEventListener("change", function () {
                        choose(group[0], item.id, label, meta);
                        if (isPerson && item.organisationId) {
                            choose("organisations", item.organisationId, item.organisationName, null);
                        }
                        row.li.remove();
                    });
                    list.appendChild(row.li);
                });
                column.appendChild(list);
            }
            columns.appendChild(column);
        });
        results.appendChild(columns);
    }

    function search() {
        var text = input.value.trim();
        if (text.length < 3) {
            results.replaceChildren();
            if (text.length > 0) { results.appendChild(element("p", "muted", "Type at least 3 letters of a name.")); }
            return;
        }
        var ticket = ++latest;
        fetch("/interactions/lookup?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" }, credentials: "same-origin" })
            .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
            .then(function (data) { if (ticket === latest) { render(data, text); } })
            .catch(function () {
                if (ticket === latest) {
                    results.replaceChildren(element("p", "field-error", "Search is not available right now; use the Find button."));
                }
            });
    }

    input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); search(); }
    });
    button.addEventListener("click", function (event) { event.preventDefault(); search(); });

    // A person ticked among server-rendered matches (after a Find without this script) brings
    // their organisation along too.
    results.addEventListener("change", function (event) {
        var target = event.target;
        if (target.checked && target.dataset.organisationId) {
            choose("organisations", target.dataset.organisationId, target.dataset.organisationName, null);
        }
    });
})();
