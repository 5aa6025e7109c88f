// Keyboard shortcuts and bulk selection for the review queue.
// Without JavaScript every action still works through the page's forms.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var queue = document.querySelector("[data-queue]");
    if (!queue) return;
    var items = Array.prototype.slice.call(queue.querySelectorAll("[data-item]"));
    var selectAll = document.querySelector("[data-select-all]");
    var counter = document.querySelector("[data-selected-count]");
    var current = -1;

    function boxes() {
      return items.map(function (item) { return item.querySelector("[data-select]"); });
    }

    function refreshSelection() {
      var chosen = 0;
      items.forEach(function (item) {
        var box = item.querySelector("[data-select]");
        item.classList.toggle("is-selected", box.checked);
        if (box.checked) chosen += 1;
      });
      if (counter) counter.textContent = chosen + " selected";
      if (selectAll) {
        selectAll.checked = chosen > 0 && chosen === items.length;
        selectAll.indeterminate = chosen > 0 && chosen < items.length;
      }
    }

    function moveTo(index) {
      if (!items.length) return;
      index = Math.max(0, Math.min(items.length - 1, index));
      if (current >= 0) items[current].classList.remove("is-current");
      current = index;
      items[current].classList.add("is-current");
      items[current].focus({ preventScroll: true });
      items[current].scrollIntoView({ block: "nearest" });
    }

    function press(selector) {
      if (current < 0) return;
      var button = items[current].querySelector(selector);
      if (button) button.click();
    }

    function reject() {
      if (current < 0) return;
      var reason = items[current].querySelector("[data-reason]");
      if (reason && !reason.value) {
        reason.focus();  // choose a reason, then Enter rejects
        return;
      }
      press('[data-action="reject"]');
    }

    items.forEach(function (item, index) {
      item.addEventListener("click", function (event) {
        if (!event.target.closest("button, a, input, select")) moveTo(index);
      });
      var reason = item.querySelector("[data-reason]");
      if (reason) {
        reason.addEventListener("keydown", function (event) {
          if (event.key === "Enter" && reason.value) {
            event.preventDefault();
            item.querySelector('[data-action="reject"]').click();
          } else if (event.key === "Escape") {
            moveTo(index);
          }
        });
      }
    });
    boxes().forEach(function (box) { box.addEventListener("change", refreshSelection); });
    if (selectAll) {
      selectAll.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = selectAll.checked; });
        refreshSelection();
      });
    }

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target.closest("input, select, textarea")) return;
      var actions = {
        j: function () { moveTo(current + 1); },
        k: function () { moveTo(current - 1); },
        a: function () { press('[data-action="approve"]'); },
        r: reject,
        x: function () {
          if (current < 0) return;
          var box = items[current].querySelector("[data-select]");
          box.checked = !box.checked;
          refreshSelection();
        },
        o: function () { press("[data-open]"); }
      };
      var action = actions[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
    });

    refreshSelection();
    moveTo(0);
  });
})();
