// Fit every slide of a course deck on a 1280x720 screen (tools/slides.py writes the decks).
// For the slide on screen: try layouts from the most readable on, keep the first whose content height
// is within 720 px: figures large (1.35x their stored size) above/below the text, then smaller (down to
// 1.0x), then the figure beside the text, then smaller figures (0.8x) and smaller text (0.8x). The
// result is written on the section (data-fit: layout, figure scale, text scale, height) for the tests.
(function () {
  "use strict";
  var HEIGHT = 720, MIN_TEXT_COLUMN = 400;
  var PLANS = [];
  [1.35, 1.2, 1.1, 1.0].forEach(function (f) { PLANS.push({two: false, fig: f, font: 1}); });
  [1.2, 1.1, 1.0, 0.9].forEach(function (f) { PLANS.push({two: true, fig: f, font: 1}); });
  PLANS.push({two: false, fig: 0.9, font: 1}, {two: true, fig: 0.8, font: 1}, {two: false, fig: 0.8, font: 1},
             {two: true, fig: 0.8, font: 0.9}, {two: false, fig: 0.8, font: 0.9},
             {two: true, fig: 0.8, font: 0.8}, {two: false, fig: 0.8, font: 0.8});

  function figures(body) { return Array.prototype.slice.call(body.querySelectorAll("img.fig")); }

  function setColumns(body, two) {
    var columns = body.querySelector(":scope > .columns");
    if (two && !columns) {
      columns = document.createElement("div"); columns.className = "columns";
      var text = document.createElement("div"); text.className = "col-text";
      var fig = document.createElement("div"); fig.className = "col-fig";
      Array.prototype.slice.call(body.querySelectorAll(":scope > .block")).forEach(function (block) {
        (block.classList.contains("figure") ? fig : text).appendChild(block);
      });
      columns.appendChild(text); columns.appendChild(fig); body.appendChild(columns);
    } else if (!two && columns) {
      var blocks = Array.prototype.slice.call(columns.querySelectorAll(".block"));
      blocks.sort(function (a, b) { return (+a.dataset.order) - (+b.dataset.order); });
      blocks.forEach(function (block) { body.appendChild(block); });
      columns.remove();
    }
  }

  function apply(body, plan) {
    body.style.setProperty("--font", plan.font);
    setColumns(body, plan.two);
    figures(body).forEach(function (img) {
      img.style.width = Math.round(+img.getAttribute("width") * plan.fig) + "px";
    });
  }

  function usable(body, plan) {
    // two columns only when the text keeps a readable width and the figures are not squeezed below 0.8x
    if (!plan.two) return true;
    var text = body.querySelector(".col-text"), fig = body.querySelector(".col-fig");
    if (!text || !fig || !fig.children.length || !text.children.length) return false;
    if (text.getBoundingClientRect().width / scale() < MIN_TEXT_COLUMN) return false;
    return figures(body).every(function (img) { return img.clientWidth >= 0.8 * +img.getAttribute("width") - 1; });
  }

  function scale() { return (window.Reveal && Reveal.getScale) ? Reveal.getScale() || 1 : 1; }

  function fit(section) {
    var body = section.querySelector(".slide-body");
    if (!body) return;
    Array.prototype.slice.call(body.querySelectorAll(":scope > .block")).forEach(function (b, i) {
      if (b.dataset.order === undefined) b.dataset.order = i;
    });
    var hasFig = figures(body).length > 0, chosen = null;
    for (var i = 0; i < PLANS.length; i++) {
      var plan = PLANS[i];
      if (!hasFig && (plan.two || plan.fig !== 1.0 && plan.font === 1)) continue;
      apply(body, plan);
      if (usable(body, plan) && body.offsetHeight <= HEIGHT) { chosen = plan; break; }
    }
    var last = chosen || PLANS[PLANS.length - 1];
    if (!chosen) apply(body, last);
    var shown = figures(body).map(function (img) {
      return Math.round(100 * img.clientWidth / +img.getAttribute("width")) / 100;
    });
    section.dataset.fit = JSON.stringify({fits: !!chosen, layout: last.two ? "two columns" : "one column",
      font: last.font, figures: shown, height: body.offsetHeight});
  }

  function fitCurrent() {
    var section = Reveal.getCurrentSlide();
    if (!section) return;
    var run = function () { fit(section); };
    if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(run); else run();
  }

  Reveal.initialize({
    width: 1280, height: 720, margin: 0, minScale: 0.2, maxScale: 2.0, center: false,
    hash: true, slideNumber: "c/t", transition: "none", controls: true, progress: true,
    navigationMode: "linear", plugins: window.RevealNotes ? [RevealNotes] : []
  }).then(function () {
    fitCurrent();
    document.body.dataset.deckReady = "1";
  });
  Reveal.on("slidechanged", fitCurrent);
  window.fitCurrentSlide = fitCurrent;
})();
