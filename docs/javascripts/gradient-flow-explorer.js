/*
 * The gradient-flow explorer of the vanishing- and exploding-gradient chapters: its controls and
 * its two charts. The numbers come from gradient-flow-engine.js (window.gradientFlowExplorer).
 *
 * For the network the reader sets up, the first chart plots ||dC/dW^l|| and the second the std
 * and |mean| of a^l against the layer l, both on log10 axes. Each chart is drawn at the size it
 * is shown (its viewBox is its own size in CSS pixels, redrawn when that changes), so that its
 * text has the size widgets.css gives it on every screen. The y axes are sticky: they widen to
 * take in every network drawn since the last "Fit y axes" and never shrink on their own, so two
 * settings can be compared on the same scale; the button fits them to the network shown.
 * Colours come from CSS classes and custom properties, so the charts follow the theme.
 * Without scripts the page keeps the static figure the widget's container holds.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  // margins around the plotting area, in CSS pixels, for 14 px text (widgets.css)
  var MARGIN = { left: 54, right: 12, top: 30, bottom: 42 };
  var MINUS = "\u2212";

  function svgElement(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  // A <text> of runs [text] or [text, "super"]; a superscript is a smaller, raised <tspan>.
  function richText(parent, attributes, runs) {
    var text = svgElement("text", attributes, parent);
    runs.forEach(function (run) {
      if (run[1] === "super") {
        svgElement("tspan", { "baseline-shift": "super", class: "explorer-chart__super" }, text).textContent = run[0];
      } else {
        text.appendChild(document.createTextNode(run[0]));
      }
    });
    return text;
  }

  function powerOfTen(power) {
    return [["10"], [(power < 0 ? MINUS : "") + Math.abs(power), "super"]];
  }

  // The decades [low, high] that hold every finite positive value of `series`, widened to hold
  // `axis` too (the sticky range); null when there is nothing to plot.
  function widened(axis, series) {
    var low = Infinity, high = -Infinity;
    series.forEach(function (s) {
      s.values.forEach(function (v) {
        if (v > 0 && isFinite(v)) { var p = Math.log10(v); low = Math.min(low, p); high = Math.max(high, p); }
      });
    });
    if (low > high) return axis;
    low = Math.floor(low); high = Math.ceil(high);
    return axis ? { low: Math.min(axis.low, low), high: Math.max(axis.high, high) } : { low: low, high: high };
  }

  // Ticks on multiples of 1, 2, 5, 10, ... decades, at most five intervals, spanning `axis`.
  function ticks(axis) {
    var low = axis ? axis.low : -1, high = axis ? axis.high : 1;
    if (high - low < 2) { low -= 1; high += 1; }
    var step = [1, 2, 5, 10, 20, 50, 100].filter(function (s) { return (high - low) / s <= 5; })[0] || 200;
    return { low: Math.floor(low / step) * step, high: Math.ceil(high / step) * step, step: step };
  }

  function chartHeight(width) {
    return width < 420 ? 230 : 250;
  }

  // series: [{values, className}] against layer 1..L; title: runs of richText, with keys
  function drawChart(svg, series, axis, keys) {
    var width = svg.getBoundingClientRect().width || 360, height = chartHeight(width);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.style.height = height + "px";
    var depth = series[0].values.length, scale = ticks(axis);
    svg.dataset.yRange = scale.low + "," + scale.high;
    var innerW = width - MARGIN.left - MARGIN.right, innerH = height - MARGIN.top - MARGIN.bottom;
    function x(layer) { return MARGIN.left + (depth === 1 ? innerW / 2 : (layer - 1) / (depth - 1) * innerW); }
    function y(logValue) { return MARGIN.top + (scale.high - logValue) / (scale.high - scale.low) * innerH; }

    var axes = svgElement("g", { class: "explorer-chart__axes" }, svg);
    for (var p = scale.low; p <= scale.high; p += scale.step) {
      svgElement("line", { x1: MARGIN.left, x2: MARGIN.left + innerW, y1: y(p), y2: y(p), class: "explorer-chart__grid" }, axes);
      richText(axes, { x: MARGIN.left - 6, y: y(p) + 5, "text-anchor": "end", class: "explorer-chart__tick" }, powerOfTen(p));
    }
    var layerStep = depth <= 10 ? 1 : Math.ceil(depth / (innerW < 300 ? 30 : 50)) * 5;
    for (var layer = 1; layer <= depth; layer += layer === 1 && layerStep > 1 ? layerStep - 1 : layerStep) {
      svgElement("text", { x: x(layer), y: MARGIN.top + innerH + 18, "text-anchor": "middle" }, axes).textContent = layer;
    }
    svgElement("text", { x: MARGIN.left + innerW / 2, y: height - 4, "text-anchor": "middle" }, axes).textContent =
      "layer l (input side at the left)";
    var keyX = MARGIN.left;
    keys.forEach(function (key) {
      svgElement("line", { x1: keyX, x2: keyX + 22, y1: 13, y2: 13, class: "explorer-chart__line " + key.className }, axes);
      var label = richText(axes, { x: keyX + 28, y: 18 }, key.runs);
      keyX += 28 + label.getComputedTextLength() + 16;
    });

    series.forEach(function (s) {
      var points = [];
      s.values.forEach(function (v, index) {
        if (v > 0 && isFinite(v)) points.push(x(index + 1).toFixed(1) + "," + y(Math.log10(v)).toFixed(1));
      });
      svgElement("polyline", { points: points.join(" "), class: "explorer-chart__line " + s.className }, svg);
      if (depth <= 30) {
        s.values.forEach(function (v, index) {
          if (v > 0 && isFinite(v)) svgElement("circle", { cx: x(index + 1), cy: y(Math.log10(v)), r: 2.5, class: s.className }, svg);
        });
      }
    });
  }

  /* ---------- the widget ---------- */

  var LABELS = {
    activation: { sigmoid: "sigmoid", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU" },
    init: { normal: "N(0, 1)", xavier: "Xavier", he: "He" },
    architecture: { plain: "plain", batchnorm: "batch norm", residual: "residual" }
  };
  var GRADIENT_KEYS = [{ className: "explorer-gradient", runs: [["\u2016\u2202C/\u2202W"], ["l", "super"], ["\u2016, gradient norm"]] }];
  var ACTIVATION_KEYS = [
    { className: "explorer-std", runs: [["std of a"], ["l", "super"]] },
    { className: "explorer-mean", runs: [["|mean| of a"], ["l", "super"]] }
  ];

  function format(v) {
    if (!isFinite(v)) return "overflow";
    return v === 0 ? "0" : v.toExponential(1);
  }

  function build(container) {
    if (container.dataset.ready) return;
    container.dataset.ready = "true";
    var engine = window.gradientFlowExplorer;
    var unique = "explorer-" + Math.random().toString(36).slice(2, 8);
    var seed = 0;
    var live = document.createElement("div");
    live.className = "gradient-flow-explorer__live";
    var form = document.createElement("form");
    form.className = "gradient-flow-explorer__controls";
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    live.appendChild(form);

    function field(name, text, input) {
      var wrapper = document.createElement("p");
      wrapper.className = "explorer-control";
      var label = document.createElement("label");
      label.setAttribute("for", unique + "-" + name);
      label.textContent = text;
      input.id = unique + "-" + name;
      input.name = name;
      wrapper.appendChild(label);
      wrapper.appendChild(input);
      form.appendChild(wrapper);
      return wrapper;
    }
    function range(name, text, min, max, step, value) {
      var input = document.createElement("input");
      input.type = "range";
      input.min = min; input.max = max; input.step = step; input.value = value;
      var wrapper = field(name, text, input);
      var output = document.createElement("output");
      output.setAttribute("for", input.id);
      wrapper.insertBefore(output, input);
      return { input: input, output: output };
    }
    function select(name, text, value) {
      var input = document.createElement("select");
      Object.keys(LABELS[name]).forEach(function (key) {
        var option = document.createElement("option");
        option.value = key;
        option.textContent = LABELS[name][key];
        input.appendChild(option);
      });
      input.value = value;
      field(name, text, input);
      return input;
    }
    function button(text) {
      var node = document.createElement("button");
      node.type = "button";
      node.className = "md-button";
      node.textContent = text;
      return node;
    }

    var data = container.dataset;
    var depth = range("depth", "depth L", 1, 100, 1, data.depth || 30);
    var width = range("width", "width", 8, 256, 8, data.width || 128);
    var scale = range("scale", "weight scale", -2, 2, 0.25, data.scaleLog2 || 0);
    var activation = select("activation", "activation", data.activation || "sigmoid");
    var init = select("init", "initialization", data.init || "xavier");
    var architecture = select("architecture", "architecture", data.architecture || "plain");
    var buttons = document.createElement("p");
    buttons.className = "gradient-flow-explorer__buttons";
    var redraw = button("Draw another network");
    var fit = button("Fit y axes");
    fit.setAttribute("aria-describedby", unique + "-axes");
    buttons.appendChild(redraw);
    buttons.appendChild(fit);
    form.appendChild(buttons);

    var charts = document.createElement("div");
    charts.className = "gradient-flow-explorer__charts";
    var gradientChart = svgElement("svg", {
      role: "img", class: "explorer-chart", "aria-label": "Weight-gradient norm of every layer on a log scale"
    }, charts);
    var activationChart = svgElement("svg", {
      role: "img", class: "explorer-chart",
      "aria-label": "Standard deviation and absolute mean of every layer's activations on a log scale"
    }, charts);
    live.appendChild(charts);
    var axesNote = document.createElement("p");
    axesNote.className = "gradient-flow-explorer__note";
    axesNote.id = unique + "-axes";
    axesNote.textContent = "The y axes only widen, so that the networks you try share one scale; " +
      "\u201cFit y axes\u201d fits them to the network shown.";
    var summary = document.createElement("p");
    summary.className = "gradient-flow-explorer__summary";
    summary.setAttribute("aria-live", "polite");
    live.appendChild(summary);
    live.appendChild(axesNote);
    var timing = document.createElement("p");
    timing.className = "gradient-flow-explorer__note gradient-flow-explorer__timing";
    live.appendChild(timing);
    var details = document.createElement("details");
    var caption = document.createElement("summary");
    caption.textContent = "The numbers, layer by layer";
    details.appendChild(caption);
    var table = document.createElement("table");
    // Material lets a wide table scroll sideways; on a phone this one does, so keyboard users
    // must be able to focus it to scroll it (axe: scrollable-region-focusable).
    table.tabIndex = 0;
    table.setAttribute("aria-label", "Per-layer numbers of the network shown");
    details.appendChild(table);
    live.appendChild(details);

    var result = null, gradientAxis = null, activationAxis = null;
    function fillTable() {
      if (!details.open || !result) return;
      var rows = ["<thead><tr><th>layer l</th><th>||\u2202C/\u2202W<sup>l</sup>||</th><th>mean of a<sup>l</sup></th><th>std of a<sup>l</sup></th></tr></thead><tbody>"];
      result.gradientNorms.forEach(function (v, l) {
        rows.push("<tr><td>" + (l + 1) + "</td><td>" + format(v) + "</td><td>" + format(result.activationMeans[l]) +
          "</td><td>" + format(result.activationStds[l]) + "</td></tr>");
      });
      table.innerHTML = rows.join("") + "</tbody>";
    }
    details.addEventListener("toggle", fillTable);

    function settings() {
      return {
        depth: parseInt(depth.input.value, 10), width: parseInt(width.input.value, 10),
        activation: activation.value, init: init.value, architecture: architecture.value,
        scale: Math.pow(2, parseFloat(scale.input.value)), seed: seed
      };
    }

    function draw() {
      var gradientSeries = [{ values: result.gradientNorms, className: "explorer-gradient" }];
      var activationSeries = [
        { values: result.activationStds, className: "explorer-std" },
        { values: result.activationMeans.map(Math.abs), className: "explorer-mean" }
      ];
      gradientAxis = widened(gradientAxis, gradientSeries);
      activationAxis = widened(activationAxis, activationSeries);
      drawChart(gradientChart, gradientSeries, gradientAxis, GRADIENT_KEYS);
      drawChart(activationChart, activationSeries, activationAxis, ACTIVATION_KEYS);
    }

    function update() {
      var started = performance.now();
      var s = settings();
      depth.output.textContent = s.depth;
      width.output.textContent = s.width;
      scale.output.textContent = "\u00d7" + s.scale.toFixed(2);
      result = engine.profile(s);
      draw();
      var norms = result.gradientNorms;
      var ratio = norms[0] / norms[s.depth - 1];
      var gain = s.depth > 1 ? Math.pow(ratio, 1 / (s.depth - 1)) : 1;
      summary.textContent = "Network " + (seed + 1) + ": " + s.depth + " layers of " + s.width + " " +
        LABELS.activation[s.activation] + " units, " + LABELS.init[s.init] + " weights \u00d7" + s.scale.toFixed(2) +
        ", " + LABELS.architecture[s.architecture] + ". First layer's gradient norm " + format(norms[0]) +
        ", last layer's " + format(norms[s.depth - 1]) + (s.depth > 1 ? ": ratio " + format(ratio) +
        ", a factor of " + (isFinite(gain) ? gain.toPrecision(3) : "overflow") + " per layer going back." : ".");
      fillTable();
      var milliseconds = performance.now() - started;
      timing.textContent = "Computed and drawn in " + milliseconds.toFixed(0) + " ms (" + engine.kernelName() + ").";
      container.dataset.updateMs = milliseconds.toFixed(2);
      container.dataset.gradientNorms = JSON.stringify(norms);
      container.dataset.settings = JSON.stringify(s);
    }

    var pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; update(); });
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    redraw.addEventListener("click", function () { seed += 1; update(); });
    fit.addEventListener("click", function () { gradientAxis = activationAxis = null; draw(); });

    container.classList.add("gradient-flow-explorer--live");
    container.appendChild(live);
    update();
    var shownWidth = gradientChart.getBoundingClientRect().width;
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(function () {
        var now = gradientChart.getBoundingClientRect().width;
        if (now !== shownWidth && result) { shownWidth = now; draw(); }
      }).observe(charts);
    }
  }

  function init() {
    document.querySelectorAll(".gradient-flow-explorer").forEach(build);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);  // Material's instant loading swaps pages without a reload
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
