/*
 * Gradient descent on L(x, y) = x^2 + k y^2, in the page.
 *
 * The reader moves the start point (drag it, click where it should go, or focus it and use the
 * arrow keys), the curvature ratio k and the learning rate eta, and sees the path
 * x_{t+1} = x_t - eta * grad L(x_t) zig-zag, crawl or diverge. The Hessian is diag(2, 2k), so
 * descent is stable exactly when eta < 2 / lambda_max = 2 / max(2, 2k); the slider's label marks
 * that boundary.
 *
 * The plot is drawn at the size it is shown (its viewBox is its own size in CSS pixels, redrawn
 * when that changes), so its tick labels have the size widgets.css gives them on every screen;
 * its colours are CSS classes over theme variables, so it follows the light and dark themes.
 * Plain JavaScript served by the site (no library, no network). Without scripts the page shows
 * the static figure that the widget's container holds.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var EXTENT = 2.5;        // the plot shows [-EXTENT, EXTENT]^2
  var START_LIMIT = 2;     // the start point stays in [-2, 2]^2
  var MARGIN = { left: 40, right: 10, top: 10, bottom: 40 };  // CSS pixels, for 14 px labels
  var LEVELS = [0.05, 0.2, 0.5, 1, 2, 3.5, 5.5];  // contours; the largest, x = 2.35, fits the plot
  var STEPS = 40;
  var ESCAPE = 1e6;        // stop drawing a diverging path once it is this far out
  var MINUS = "\u2212";

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

  function clamp(v) {
    return Math.max(-START_LIMIT, Math.min(START_LIMIT, v));
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

  // "learning rate η (stable below 2/λ_max = 0.250)", with max as a real subscript
  function etaLabel(label, limit) {
    while (label.firstChild) label.removeChild(label.firstChild);
    var sub = document.createElement("sub");
    sub.textContent = "max";
    label.appendChild(document.createTextNode("learning rate \u03b7 (stable below 2/\u03bb"));
    label.appendChild(sub);
    label.appendChild(document.createTextNode(" = " + limit.toFixed(3) + ")"));
  }

  // The square plot at `size` CSS pixels: pixel coordinates of a point (x, y) and back.
  function Frame(size) {
    var inner = size - MARGIN.left - MARGIN.right;
    this.size = size;
    this.inner = inner;
    this.px = function (x) { return MARGIN.left + (x + EXTENT) / (2 * EXTENT) * inner; };
    this.py = function (y) { return MARGIN.top + (EXTENT - y) / (2 * EXTENT) * inner; };
    this.x = function (px) { return (px - MARGIN.left) / inner * 2 * EXTENT - EXTENT; };
    this.y = function (py) { return EXTENT - (py - MARGIN.top) / inner * 2 * EXTENT; };
  }

  function drawAxes(parent, frame, clipId) {
    var group = element("g", {}, parent);
    var left = MARGIN.left, top = MARGIN.top, right = left + frame.inner, bottom = top + frame.inner;
    element("clipPath", { id: clipId }, group).appendChild(
      element("rect", { x: left, y: top, width: frame.inner, height: frame.inner }));
    element("line", { x1: left, x2: right, y1: frame.py(0), y2: frame.py(0), class: "descent-widget__zero" }, group);
    element("line", { x1: frame.px(0), x2: frame.px(0), y1: top, y2: bottom, class: "descent-widget__zero" }, group);
    element("rect", { x: left, y: top, width: frame.inner, height: frame.inner, class: "descent-widget__frame" }, group);
    for (var v = -2; v <= 2; v++) {
      var label = (v < 0 ? MINUS : "") + Math.abs(v);
      element("line", { x1: frame.px(v), x2: frame.px(v), y1: bottom, y2: bottom + 5, class: "descent-widget__tick" }, group);
      element("text", { x: frame.px(v), y: bottom + 20, "text-anchor": "middle" }, group).textContent = label;
      element("line", { x1: left - 5, x2: left, y1: frame.py(v), y2: frame.py(v), class: "descent-widget__tick" }, group);
      element("text", { x: left - 8, y: frame.py(v) + 5, "text-anchor": "end" }, group).textContent = label;
    }
    element("text", { x: (left + right) / 2, y: bottom + 36, "text-anchor": "middle", "font-style": "italic" }, group).textContent = "x";
    element("text", { x: 10, y: (top + bottom) / 2 + 5, "text-anchor": "middle", "font-style": "italic" }, group).textContent = "y";
  }

  function drawMinimum(parent, frame) {
    var group = element("g", { class: "descent-widget__minimum-marker" }, parent);
    var cx = frame.px(0), cy = frame.py(0), arm = 6;
    element("path", { d: "M" + (cx - arm) + "," + (cy - arm) + "L" + (cx + arm) + "," + (cy + arm) +
      "M" + (cx - arm) + "," + (cy + arm) + "L" + (cx + arm) + "," + (cy - arm), class: "descent-widget__minimum" }, group);
    element("text", { x: cx + 8, y: cy + 22, class: "descent-widget__minimum-label" }, group).textContent = "minimum";
  }

  function build(container) {
    if (container.dataset.ready) return;
    container.dataset.ready = "true";
    var start = [parseFloat(container.dataset.x), parseFloat(container.dataset.y)];
    var unique = "descent-" + Math.random().toString(36).slice(2, 8);

    var controls = document.createElement("div");
    controls.className = "descent-widget__controls";
    var k = control(controls, unique + "-k", "curvature ratio k", 1, 20, 0.5, container.dataset.k);
    var eta = control(controls, unique + "-eta", "learning rate \u03b7", 0.01, 1, 0.01, container.dataset.eta);
    var hint = document.createElement("p");
    hint.className = "descent-widget__hint";
    hint.id = unique + "-hint";
    hint.textContent = "Drag the red start point, or click where it should go; from the keyboard, " +
      "focus it with Tab and move it with the arrow keys. \u00d7 marks the minimum at (0, 0).";
    var status = document.createElement("p");
    status.className = "descent-widget__status";
    status.setAttribute("aria-live", "polite");

    var svg = element("svg", {
      role: "group", class: "descent-widget__plot", "aria-describedby": hint.id,
      "aria-label": "Contours of x squared plus k y squared with the gradient-descent path from the start point"
    });
    // the scene is redrawn on every change; the start point stays, so it keeps focus and a drag
    var scene = element("g", {}, svg);
    var handle = element("circle", {
      r: 8, tabindex: 0, role: "slider", class: "descent-widget__start",
      "aria-label": "start point; arrow keys move it", "aria-valuetext": ""
    }, svg);
    var frame = null;

    function draw() {
      var size = svg.getBoundingClientRect().width || 360;
      if (!frame || frame.size !== size) frame = new Frame(size);
      var kv = parseFloat(k.input.value), ev = parseFloat(eta.input.value);
      var limit = stableLimit(kv);
      k.output.textContent = kv.toFixed(1);
      eta.output.textContent = ev.toFixed(2);
      etaLabel(eta.label, limit);

      while (scene.firstChild) scene.removeChild(scene.firstChild);
      svg.setAttribute("viewBox", "0 0 " + size + " " + size);
      svg.style.height = size + "px";
      var clipId = unique + "-clip";
      drawAxes(scene, frame, clipId);
      var contours = element("g", { class: "descent-widget__contours", "clip-path": "url(#" + clipId + ")" }, scene);
      LEVELS.forEach(function (level) {
        element("ellipse", {
          cx: frame.px(0), cy: frame.py(0),
          rx: Math.sqrt(level) / (2 * EXTENT) * frame.inner, ry: Math.sqrt(level / kv) / (2 * EXTENT) * frame.inner
        }, contours);
      });
      drawMinimum(scene, frame);
      var path = descentPath(kv, ev, start, STEPS);
      element("polyline", {
        class: "descent-widget__path", "clip-path": "url(#" + clipId + ")",
        points: path.map(function (p) { return frame.px(p[0]).toFixed(1) + "," + frame.py(p[1]).toFixed(1); }).join(" ")
      }, scene);
      container.dataset.path = JSON.stringify(path);
      handle.setAttribute("cx", frame.px(start[0]));
      handle.setAttribute("cy", frame.py(start[1]));
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
      var px = (clientX - box.left) / box.width * frame.size, py = (clientY - box.top) / box.height * frame.size;
      start = [clamp(frame.x(px)), clamp(frame.y(py))];
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
      start = [clamp(start[0] + move[0]), clamp(start[1] + move[1])];
      draw();
    });
    k.input.addEventListener("input", draw);
    eta.input.addEventListener("input", draw);

    var live = document.createElement("div");
    live.className = "descent-widget__live";
    live.appendChild(controls);
    live.appendChild(hint);
    live.appendChild(svg);
    live.appendChild(status);
    container.classList.add("descent-widget--live");
    container.appendChild(live);
    draw();
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(function () {
        if (svg.getBoundingClientRect().width !== frame.size) draw();
      }).observe(live);
    }
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
