/*
 * Gradient descent on L(x, y) = x^2 + k y^2, in the page.
 *
 * The reader moves the start point (drag it, or focus it and use the arrow keys), the curvature
 * ratio k and the learning rate eta, and sees the path x_{t+1} = x_t - eta * grad L(x_t) zig-zag,
 * crawl or diverge. The Hessian is diag(2, 2k), so descent is stable exactly when
 * eta < 2 / lambda_max = 2 / max(2, 2k); the slider's label marks that boundary.
 *
 * Plain JavaScript served by the site (no library, no network). Without scripts the page shows
 * the static figure that the widget's container holds.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var SIZE = 360;          // drawing size in pixels
  var EXTENT = 2.2;        // the plot shows [-EXTENT, EXTENT]^2
  var STEPS = 40;
  var ESCAPE = 1e6;        // stop drawing a diverging path once it is this far out

  function descentPath(k, eta, start, steps) {
    var path = [start.slice()];
    var x = start[0], y = start[1];
    for (var t = 0; t < steps; t++) {
      x = x - eta * 2 * x;
      y = y - eta * 2 * k * y;
      if (!isFinite(x) || !isFinite(y) || Math.abs(x) > ESCAPE || Math.abs(y) > ESCAPE) break;
      path.push([x, y]);
    }
    return path;
  }

  function stableLimit(k) {
    return 2 / Math.max(2, 2 * k);
  }

  function toPixel(v) {
    return (v + EXTENT) / (2 * EXTENT) * SIZE;
  }

  function toValue(p) {
    return p / SIZE * 2 * EXTENT - EXTENT;
  }

  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function control(container, id, label, min, max, step, value) {
    var wrapper = document.createElement("p");
    var text = document.createElement("label");
    text.setAttribute("for", id);
    text.textContent = label;
    var input = document.createElement("input");
    input.type = "range";
    input.id = id;
    input.min = min; input.max = max; input.step = step; input.value = value;
    var output = document.createElement("output");
    output.setAttribute("for", id);
    wrapper.appendChild(text);
    wrapper.appendChild(input);
    wrapper.appendChild(output);
    container.appendChild(wrapper);
    return { input: input, output: output, label: text };
  }

  function build(container) {
    if (container.dataset.ready) return;
    container.dataset.ready = "true";
    var start = [parseFloat(container.dataset.x), parseFloat(container.dataset.y)];
    var unique = "descent-" + Math.random().toString(36).slice(2, 8);

    var controls = document.createElement("div");
    controls.className = "descent-widget__controls";
    var k = control(controls, unique + "-k", "curvature ratio k ", 1, 20, 0.5, container.dataset.k);
    var eta = control(controls, unique + "-eta", "learning rate \u03b7 ", 0.01, 1, 0.01, container.dataset.eta);
    var status = document.createElement("p");
    status.className = "descent-widget__status";
    status.setAttribute("aria-live", "polite");

    var svg = element("svg", {
      viewBox: "0 0 " + SIZE + " " + SIZE, width: SIZE, height: SIZE, role: "group",
      "aria-label": "Contours of x squared plus k y squared with the gradient-descent path from the start point"
    });
    var contours = element("g", { fill: "none", stroke: "#9e9e9e", "stroke-width": 1 }, svg);
    element("line", { x1: 0, y1: SIZE / 2, x2: SIZE, y2: SIZE / 2, stroke: "#e0e0e0" }, svg);
    element("line", { x1: SIZE / 2, y1: 0, x2: SIZE / 2, y2: SIZE, stroke: "#e0e0e0" }, svg);
    var line = element("polyline", { fill: "none", stroke: "#1f77b4", "stroke-width": 2 }, svg);
    var handle = element("circle", {
      r: 8, fill: "#d62728", tabindex: 0, role: "slider", class: "descent-widget__start",
      "aria-label": "start point; arrow keys move it", "aria-valuetext": ""
    }, svg);

    function draw() {
      var kv = parseFloat(k.input.value), ev = parseFloat(eta.input.value);
      var limit = stableLimit(kv);
      k.output.textContent = " " + kv.toFixed(1);
      eta.output.textContent = " " + ev.toFixed(2);
      eta.label.textContent = "learning rate \u03b7 (stable below 2/\u03bb_max = " + limit.toFixed(3) + ") ";
      while (contours.firstChild) contours.removeChild(contours.firstChild);
      [0.05, 0.2, 0.5, 1, 2, 3.5, 5].forEach(function (level) {
        element("ellipse", {
          cx: SIZE / 2, cy: SIZE / 2,
          rx: Math.sqrt(level) / (2 * EXTENT) * SIZE, ry: Math.sqrt(level / kv) / (2 * EXTENT) * SIZE
        }, contours);
      });
      var path = descentPath(kv, ev, start, STEPS);
      line.setAttribute("points", path.map(function (p) { return toPixel(p[0]) + "," + toPixel(-p[1]); }).join(" "));
      container.dataset.path = JSON.stringify(path);
      handle.setAttribute("cx", toPixel(start[0]));
      handle.setAttribute("cy", toPixel(-start[1]));
      handle.setAttribute("aria-valuetext", "x " + start[0].toFixed(2) + ", y " + start[1].toFixed(2));
      var last = path[path.length - 1];
      var distance = Math.sqrt(last[0] * last[0] + last[1] * last[1]);
      var verdict = ev < limit ? "converges" : (ev === limit ? "oscillates forever" : "diverges");
      status.textContent = "\u03b7 = " + ev.toFixed(2) + (ev < limit ? " < " : " \u2265 ") +
        limit.toFixed(3) + ": descent " + verdict + "; distance to the minimum after " +
        (path.length - 1) + " steps: " + distance.toExponential(2);
    }

    function moveTo(clientX, clientY) {
      var box = svg.getBoundingClientRect();
      var px = (clientX - box.left) / box.width * SIZE, py = (clientY - box.top) / box.height * SIZE;
      start = [Math.max(-2, Math.min(2, toValue(px))), Math.max(-2, Math.min(2, -toValue(py)))];
      draw();
    }

    var dragging = false;
    handle.addEventListener("pointerdown", function (event) { dragging = true; handle.setPointerCapture(event.pointerId); });
    handle.addEventListener("pointermove", function (event) { if (dragging) moveTo(event.clientX, event.clientY); });
    handle.addEventListener("pointerup", function () { dragging = false; });
    svg.addEventListener("click", function (event) { if (event.target !== handle) moveTo(event.clientX, event.clientY); });
    handle.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] };
      var move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      start = [Math.max(-2, Math.min(2, start[0] + move[0])), Math.max(-2, Math.min(2, start[1] + move[1]))];
      draw();
    });
    k.input.addEventListener("input", draw);
    eta.input.addEventListener("input", draw);

    var live = document.createElement("div");
    live.className = "descent-widget__live";
    live.appendChild(controls);
    live.appendChild(svg);
    live.appendChild(status);
    container.classList.add("descent-widget--live");
    container.appendChild(live);
    draw();
  }

  function init() {
    document.querySelectorAll(".descent-widget").forEach(build);
  }

  window.descentWidget = { path: descentPath, stableLimit: stableLimit };
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);  // Material's instant loading swaps pages without a reload
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
