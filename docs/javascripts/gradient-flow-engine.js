/*
 * The engine of the gradient-flow explorer (gradient-flow-explorer.js draws the widget).
 *
 * For a square network of the reader's depth, width, activation, initialization, weight scale
 * and architecture (plain, batch normalization or residual connections) it draws the weights
 * and a batch of 64 N(0, 1) inputs with U[0, 1] targets, runs the batch forward, backpropagates
 * the MSE cost C = 1/(2B) sum_i ||a^L_i - y_i||^2 and returns, for every layer l,
 *
 *   ||dC/dW^l||_F                      the weight-gradient norm, and
 *   the std and mean of a^l            the forward activation statistics.
 *
 * The maths is that of lesson_code.explorer (which builds lesson_code.remedies networks); the
 * test suite runs both on the same weights and compares them. The arithmetic (the matrix
 * products, tanh and sigmoid layers, batch normalization, the sums) runs in a small
 * WebAssembly module with 128-bit SIMD (gradient-flow-kernel.wat, assembled at build time into
 * gradient-flow-kernel.js); where WebAssembly SIMD is missing, plain JavaScript functions with
 * the same signatures take over. Nothing is fetched from anywhere. The functions the widget and
 * the tests call are on window.gradientFlowExplorer.
 */
(function () {
  "use strict";

  // Shared with lesson_code.explorer, defined there once (explorer-constants.js, written at build)
  var constants = window.explorerConstants;
  var BATCH = constants.BATCH;
  var MAX_DEPTH = constants.MAX_DEPTH;
  var LEAKY_RELU_SLOPE = constants.LEAKY_RELU_SLOPE;
  var BN_EPS = constants.BN_EPS;
  var ACTIVATIONS = constants.ACTIVATIONS;
  var INITS = constants.INITS;
  var ARCHITECTURES = constants.ARCHITECTURES;

  /* ---------- random numbers: mulberry32 streams, normals by the ziggurat method ---------- */

  // mulberry32 (Tommy Ettinger): a stream is its 32-bit state, kept in an Int32Array and in
  // int32 arithmetic throughout; V8 boxes a closure variable holding a uint32 and takes a slow
  // path for bit operations on numbers beyond 32 bits, which made drawing a network 3x slower.
  function mix(t) {
    var r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return r ^ (r >>> 14);
  }

  function nextUniform(stream) {
    var t = (stream[0] + 0x6d2b79f5) | 0;
    stream[0] = t;
    return (mix(t) >>> 0) / 4294967296;  // in [0, 1)
  }

  // One independent stream per (seed, width, part): a deeper network keeps the layers it had.
  function streamFor(seed, width, part) {
    var h = Math.imul(seed + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(width, 0xc2b2ae35) ^ Math.imul(part + 1, 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    return new Int32Array([h ^ (h >>> 15)]);
  }

  // The ziggurat of Marsaglia & Tsang (2000) in Doornik's (2005) form: 128 boxes of equal area
  // cover the density exp(-x^2 / 2); a draw picks a box and a point u in [-1, 1) across it, and
  // 97% of draws fall inside the box's rectangle and cost one multiplication. The rest are
  // accepted or rejected exactly against the density (or drawn from the tail beyond R), so
  // the draws are exactly N(0, 1). Several times faster than the polar method's logarithm.
  var ZIGGURAT_R = 3.442619855899;          // where the tail starts
  var ZIGGURAT_AREA = 9.91256303526217e-3;  // the area of every box
  var zigguratX = (function () {
    var x = new Float64Array(129), f = Math.exp(-0.5 * ZIGGURAT_R * ZIGGURAT_R);
    x[0] = ZIGGURAT_AREA / f;
    x[1] = ZIGGURAT_R;
    for (var i = 2; i < 128; i++) {
      x[i] = Math.sqrt(-2 * Math.log(ZIGGURAT_AREA / x[i - 1] + f));
      f = Math.exp(-0.5 * x[i] * x[i]);
    }
    x[128] = 0;
    return x;
  })();
  var zigguratRatio = zigguratX.map(function (x, i) { return i < 128 ? zigguratX[i + 1] / x : 0; });

  function fillNormal(heap, offset, count, stream) {
    for (var k = 0; k < count; k++) {
      var t = (stream[0] + 0x6d2b79f5) | 0, box = mix(t) >>> 25;
      t = (t + 0x6d2b79f5) | 0;
      stream[0] = t;
      var u = mix(t) / 2147483648;  // a signed 32-bit integer scaled to [-1, 1)
      heap[offset + k] = Math.abs(u) < zigguratRatio[box] ? u * zigguratX[box] : outsideTheBoxes(stream, box, u);
    }
  }

  // The 3% of draws that land outside their box's rectangle: the tail, or a wedge test.
  function outsideTheBoxes(stream, box, u) {
    for (;;) {
      var x = u * zigguratX[box];
      if (box === 0) {
        var a, b;
        do {
          a = -Math.log(1 - nextUniform(stream)) / ZIGGURAT_R;
          b = -Math.log(1 - nextUniform(stream));
        } while (b + b < a * a);
        return u < 0 ? -ZIGGURAT_R - a : ZIGGURAT_R + a;
      }
      var upper = Math.exp(-0.5 * (zigguratX[box] * zigguratX[box] - x * x));
      var lower = Math.exp(-0.5 * (zigguratX[box + 1] * zigguratX[box + 1] - x * x));
      if (lower + nextUniform(stream) * (upper - lower) < 1) return x;
      box = (nextUniform(stream) * 128) | 0;
      u = 2 * nextUniform(stream) - 1;
      if (Math.abs(u) < zigguratRatio[box]) return u * zigguratX[box];
    }
  }

  /* ---------- the matrix products: WebAssembly SIMD, or the same in plain JavaScript ---------- */

  function base64Bytes(text) {
    var binary = atob(text), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function wasmKernel() {
    var source = window.wasmModules && window.wasmModules["gradient-flow-kernel"];
    if (!source || typeof WebAssembly !== "object") return null;
    var bytes = base64Bytes(source);
    if (!WebAssembly.validate(bytes)) return null;  // no SIMD in this browser
    var exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
    return {
      name: "WebAssembly SIMD",
      buffer: function () { return exports.memory.buffer; },
      ensure: function (bytesNeeded) {
        var missing = bytesNeeded - exports.memory.buffer.byteLength;
        if (missing > 0) exports.memory.grow(Math.ceil(missing / 65536));
      },
      gemm_nt: exports.gemm_nt,
      gemm_nn: exports.gemm_nn,
      sum_powers: exports.sum_powers,
      tanh_layer: exports.tanh_layer,
      sigmoid_layer: exports.sigmoid_layer,
      normalize: exports.normalize,
      normalize_backward: exports.normalize_backward
    };
  }

  function javascriptKernel() {
    var heap = new Float64Array(0);
    return {
      name: "plain JavaScript",
      buffer: function () { return heap.buffer; },
      ensure: function (bytesNeeded) {
        if (bytesNeeded <= heap.byteLength) return;
        var grown = new Float64Array(Math.ceil(bytesNeeded / 8));
        grown.set(heap);
        heap = grown;
      },
      // C = alpha X Y^T; X rows x inner, Y cols x inner (addresses in bytes, as for the module)
      gemm_nt: function (x, y, c, rows, cols, inner, alpha) {
        x /= 8; y /= 8; c /= 8;
        for (var i = 0; i < rows; i++) {
          for (var j = 0; j < cols; j++) {
            var sum = 0;
            for (var k = 0; k < inner; k++) sum += heap[x + i * inner + k] * heap[y + j * inner + k];
            heap[c + i * cols + j] = alpha * sum;
          }
        }
      },
      // C = alpha X Y; X rows x inner (X_rk at x + r xRowStride + k xInnerStride), Y inner x cols
      gemm_nn: function (x, y, c, rows, cols, inner, alpha, xRowStride, xInnerStride) {
        x /= 8; y /= 8; c /= 8; xRowStride /= 8; xInnerStride /= 8;
        for (var i = 0; i < rows; i++) {
          var row = c + i * cols;
          for (var j = 0; j < cols; j++) heap[row + j] = 0;
          for (var k = 0; k < inner; k++) {
            var factor = heap[x + i * xRowStride + k * xInnerStride], yk = y + k * cols;
            for (j = 0; j < cols; j++) heap[row + j] += factor * heap[yk + j];
          }
          for (j = 0; j < cols; j++) heap[row + j] *= alpha;
        }
      },
      sum_powers: function (x, count, shift, power) {
        var sum = 0;
        x /= 8;
        for (var k = 0; k < count; k++) { var e = heap[x + k] - shift; sum += power === 2 ? e * e : e; }
        return sum;
      },
      tanh_layer: function (v, a, d, count) { activate("tanh", heap, v / 8, a / 8, d / 8, count); },
      sigmoid_layer: function (v, a, d, count) { activate("sigmoid", heap, v / 8, a / 8, d / 8, count); },
      normalize: function (z, zhat, invStd, rows, cols, eps) {
        normalize(heap, z / 8, zhat / 8, invStd / 8, rows, cols, eps);
      },
      normalize_backward: function (p, d, zhat, delta, invStd, rows, cols) {
        normalizeBackward(heap, p / 8, d / 8, zhat / 8, delta / 8, invStd / 8, rows, cols);
      }
    };
  }

  /* ---------- the workspace: every array of one width, laid out in the kernel's memory ---------- */

  function Workspace(kernel, width) {
    var n = width, rows = BATCH * n, next = 0;
    function take(count) { var at = next; next += count; return at; }
    this.kernel = kernel;
    this.width = n;
    this.weights = take(MAX_DEPTH * n * n);   // raw N(0, 1) draws; the init's std scales them
    this.biases = take(MAX_DEPTH * n);        // raw N(0, 1) draws, used by the N(0, 1) init only
    this.activations = take((MAX_DEPTH + 1) * rows);  // a^0 = x, a^1, ..., a^L
    this.targets = take(rows);
    this.derivatives = take(MAX_DEPTH * rows);        // sigma' of every layer, for backprop
    this.normalized = take(MAX_DEPTH * rows);         // zhat of batch normalization
    this.z = take(rows);
    this.delta = take(rows);
    this.product = take(rows);
    this.gradA = take(rows);
    this.gradient = take(n * n);
    this.invStd = take(MAX_DEPTH * n);               // 1 / sqrt(var + eps) of batch normalization
    kernel.ensure(next * 8);
    this.seed = null;
    this.drawnLayers = 0;
  }

  Workspace.prototype.heap = function () {
    var buffer = this.kernel.buffer();
    if (!this.view || this.view.buffer !== buffer) this.view = new Float64Array(buffer);
    return this.view;
  };

  Workspace.prototype.draw = function (seed, depth) {
    var heap = this.heap(), n = this.width, rows = BATCH * n;
    if (this.seed !== seed) {
      fillNormal(heap, this.activations, rows, streamFor(seed, n, 0));
      var stream = streamFor(seed, n, 1);
      for (var k = 0; k < rows; k++) heap[this.targets + k] = nextUniform(stream);
      this.seed = seed;
      this.drawnLayers = 0;
    }
    for (var l = this.drawnLayers; l < depth; l++) {
      stream = streamFor(seed, n, 2 + l);
      fillNormal(heap, this.weights + l * n * n, n * n, stream);
      fillNormal(heap, this.biases + l * n, n, stream);
    }
    this.drawnLayers = Math.max(this.drawnLayers, depth);
  };

  Workspace.prototype.load = function (arrays, depth) {
    var heap = this.heap(), n = this.width, rows = BATCH * n;
    function put(values, offset, count, what) {
      if (!values || values.length !== count) throw new Error(what + " must hold " + count + " numbers");
      heap.set(values, offset);
    }
    put(arrays.x, this.activations, rows, "x");
    put(arrays.y, this.targets, rows, "y");
    for (var l = 0; l < depth; l++) {
      put(arrays.weights[l], this.weights + l * n * n, n * n, "weights[" + l + "]");
      put(arrays.biases[l], this.biases + l * n, n, "biases[" + l + "]");
    }
    this.seed = null;  // these are not the draws of any seed
    this.drawnLayers = 0;
  };

  /* ---------- one forward and backward pass ---------- */

  function initStd(init, width) {
    return { normal: 1, xavier: Math.sqrt(2 / (width + width)), he: Math.sqrt(2 / width) }[init];
  }

  // tanh for the plain JavaScript kernel, faster than Math.tanh (an out-of-line C routine in V8):
  // tanh(v) = sign(v) * -e / (2 + e) with e = expm1(-2|v|). expm1 is its Taylor series on
  // [-ln2/2, 0] and, below that, 2^k (1 + expm1(r)) - 1 with y = k ln2 + r, |r| <= ln2/2. The
  // error stays within a few units in the last place (the test suite checks it against numpy).
  var LN2_HI = 0.6931471803691238, LN2_LO = 1.9082149292705877e-10;
  var TWO_TO_MINUS = new Float64Array(64).map(function (_, k) { return Math.pow(2, -k); });

  function expm1Small(r) {  // |r| <= ln2 / 2: the series to r^14 is exact to rounding
    return r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 +
      r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r * (1 / 479001600 +
      r * (1 / 6227020800 + r * (1 / 87178291200))))))))))))));
  }

  function fastTanh(v) {
    var a = v < 0 ? -v : v;
    if (!(a < 19.1)) return a === a ? (v < 0 ? -1 : 1) : v;  // tanh rounds to +-1 beyond 19.06
    var y = -2 * a, e;
    if (y > -0.34657359027997264) {
      e = expm1Small(y);
    } else {
      var k = Math.round(y * 1.4426950408889634);  // y / ln2, rounded: k <= 0
      e = (1 + expm1Small(y - k * LN2_HI - k * LN2_LO)) * TWO_TO_MINUS[-k] - 1;
    }
    var t = -e / (2 + e);
    return v < 0 ? -t : t;
  }

  // a = sigma(v) and sigma'(v), the derivative written through the output s; one loop per
  // activation, so that each stays a tight loop without a branch on the name. (The kernel's
  // tanh_layer and sigmoid_layer do the first two; this is their plain JavaScript stand-in.)
  function activate(name, heap, input, output, derivative, count) {
    var k, v, s;
    if (name === "sigmoid") {
      for (k = 0; k < count; k++) {
        s = 0.5 * (1 + fastTanh(0.5 * heap[input + k]));
        heap[output + k] = s;
        heap[derivative + k] = s * (1 - s);
      }
    } else if (name === "tanh") {
      for (k = 0; k < count; k++) {
        s = fastTanh(heap[input + k]);
        heap[output + k] = s;
        heap[derivative + k] = 1 - s * s;
      }
    } else if (name === "relu") {
      for (k = 0; k < count; k++) {
        v = heap[input + k];
        heap[output + k] = v > 0 ? v : 0;
        heap[derivative + k] = v > 0 ? 1 : 0;
      }
    } else {
      for (k = 0; k < count; k++) {
        v = heap[input + k];
        heap[output + k] = v > 0 ? v : LEAKY_RELU_SLOPE * v;
        heap[derivative + k] = v > 0 ? 1 : LEAKY_RELU_SLOPE;
      }
    }
  }

  function meanAndStd(kernel, offset, count) {
    var mean = kernel.sum_powers(offset * 8, count, 0, 1) / count;
    return [mean, Math.sqrt(kernel.sum_powers(offset * 8, count, mean, 2) / count)];
  }

  // sqrt(sum of squares), rescaled where the plain sum would overflow or underflow
  function norm(kernel, heap, offset, count) {
    var sum = kernel.sum_powers(offset * 8, count, 0, 2), k;
    if (sum > 1e-280 && sum < Infinity) return Math.sqrt(sum);
    var largest = 0;
    for (k = 0; k < count; k++) largest = Math.max(largest, Math.abs(heap[offset + k]));
    if (largest === 0 || !isFinite(largest)) return largest;
    sum = 0;
    for (k = 0; k < count; k++) { var r = heap[offset + k] / largest; sum += r * r; }
    return largest * Math.sqrt(sum);
  }

  // ||delta^T a||_F for delta, a of shape (batch, n): the kernel reads delta transposed
  function weightGradientNorm(ws, activationOffset) {
    var n = ws.width;
    ws.kernel.gemm_nn(ws.delta * 8, activationOffset * 8, ws.gradient * 8, n, n, BATCH, 1.0, 8, n * 8);
    return norm(ws.kernel, ws.heap(), ws.gradient, n * n);
  }

  // Batch normalization, forward: zhat = (z - mean) / sqrt(var + eps), per unit over the batch
  // (the plain JavaScript stand-in for the kernel's normalize). Loops run along rows.
  function normalize(heap, z, zhat, invStd, rows, n, eps) {
    var mean = new Float64Array(n), variance = new Float64Array(n), i, j, row;
    for (i = 0; i < rows; i++) { row = z + i * n; for (j = 0; j < n; j++) mean[j] += heap[row + j]; }
    for (j = 0; j < n; j++) mean[j] /= rows;
    for (i = 0; i < rows; i++) {
      row = z + i * n;
      for (j = 0; j < n; j++) { var e = heap[row + j] - mean[j]; variance[j] += e * e; }
    }
    for (j = 0; j < n; j++) heap[invStd + j] = 1 / Math.sqrt(variance[j] / rows + eps);
    for (i = 0; i < rows; i++) {
      row = i * n;
      for (j = 0; j < n; j++) heap[zhat + row + j] = (heap[z + row + j] - mean[j]) * heap[invStd + j];
    }
  }

  // Batch normalization, backward: g = p d (stored over p) is dC/dzhat, and
  // delta = (g - mean(g) - zhat mean(g zhat)) / sqrt(var + eps); the two means are the paths
  // through the batch mean and variance that every example shares.
  function normalizeBackward(heap, p, d, zhat, delta, invStd, rows, n) {
    var meanG = new Float64Array(n), meanGZ = new Float64Array(n), i, j, row;
    for (i = 0; i < rows; i++) {
      row = i * n;
      for (j = 0; j < n; j++) {
        var g = heap[p + row + j] * heap[d + row + j];
        heap[p + row + j] = g;
        meanG[j] += g;
        meanGZ[j] += g * heap[zhat + row + j];
      }
    }
    for (j = 0; j < n; j++) { meanG[j] /= rows; meanGZ[j] /= rows; }
    for (i = 0; i < rows; i++) {
      row = i * n;
      for (j = 0; j < n; j++) {
        heap[delta + row + j] = heap[invStd + j] * (heap[p + row + j] - meanG[j] - heap[zhat + row + j] * meanGZ[j]);
      }
    }
  }

  function multiply(heap, target, a, b, count) {
    for (var k = 0; k < count; k++) heap[target + k] = heap[a + k] * heap[b + k];
  }

  function pass(ws, settings) {
    var n = ws.width, rows = BATCH * n, L = settings.depth, kernel = ws.kernel;
    var std = initStd(settings.init, n) * settings.scale;
    var architecture = L === 1 ? "plain" : settings.architecture;
    var heap = ws.heap();
    var means = new Array(L), stds = new Array(L), norms = new Array(L);
    var z = ws.z, delta = ws.delta, product = ws.product, gradA = ws.gradA, l, k;
    function activationAt(layer) { return ws.activations + layer * rows; }
    function weightsAt(layer) { return (ws.weights + layer * n * n) * 8; }

    for (l = 0; l < L; l++) {
      var hidden = l < L - 1, input = z, skip = -1;
      kernel.gemm_nt(activationAt(l) * 8, weightsAt(l), z * 8, BATCH, n, n, std);
      if (settings.init === "normal") {
        for (var i = 0; i < BATCH; i++) {
          for (var j = 0; j < n; j++) heap[z + i * n + j] += heap[ws.biases + l * n + j];
        }
      }
      if (architecture === "batchnorm" && hidden) {
        input = ws.normalized + l * rows;
        kernel.normalize(z * 8, input * 8, (ws.invStd + l * n) * 8, BATCH, n, BN_EPS);
      } else if (architecture === "residual" && hidden && l > 0) {
        skip = activationAt(l);
      }
      if (settings.activation === "tanh" || settings.activation === "sigmoid") {
        kernel[settings.activation + "_layer"](input * 8, activationAt(l + 1) * 8, (ws.derivatives + l * rows) * 8, rows);
      } else {
        activate(settings.activation, heap, input, activationAt(l + 1), ws.derivatives + l * rows, rows);
      }
      if (skip >= 0) for (k = 0; k < rows; k++) heap[activationAt(l + 1) + k] += heap[skip + k];
      var moments = meanAndStd(kernel, activationAt(l + 1), rows);
      means[l] = moments[0];
      stds[l] = moments[1];
    }

    var output = activationAt(L), targets = ws.targets, derivative = ws.derivatives + (L - 1) * rows;
    for (k = 0; k < rows; k++) heap[delta + k] = (heap[output + k] - heap[targets + k]) * heap[derivative + k] / BATCH;
    norms[L - 1] = weightGradientNorm(ws, activationAt(L - 1));
    if (architecture === "residual") kernel.gemm_nn(delta * 8, weightsAt(L - 1), gradA * 8, BATCH, n, n, std, n * 8, 8);
    for (l = L - 2; l >= 0; l--) {
      derivative = ws.derivatives + l * rows;
      if (architecture === "residual") {
        // dC/da^l passes unchanged along the identity path; the branch adds delta W
        multiply(heap, delta, gradA, derivative, rows);
        if (l > 0) {
          kernel.gemm_nn(delta * 8, weightsAt(l), product * 8, BATCH, n, n, std, n * 8, 8);
          for (k = 0; k < rows; k++) heap[gradA + k] += heap[product + k];
        }
      } else {
        kernel.gemm_nn(delta * 8, weightsAt(l + 1), product * 8, BATCH, n, n, std, n * 8, 8);
        if (architecture === "batchnorm") {
          kernel.normalize_backward(product * 8, derivative * 8, (ws.normalized + l * rows) * 8, delta * 8,
            (ws.invStd + l * n) * 8, BATCH, n);
        } else {
          multiply(heap, delta, product, derivative, rows);
        }
      }
      norms[l] = weightGradientNorm(ws, activationAt(l));
    }
    return { gradientNorms: norms, activationMeans: means, activationStds: stds };
  }

  /* ---------- the engine the widgets and the tests call ---------- */

  var kernels = {};
  var current = null;
  var workspace = null;

  function kernelNamed(which) {
    if (!(which in kernels)) kernels[which] = which === "wasm" ? wasmKernel() : javascriptKernel();
    return kernels[which];
  }

  function useKernel(which) {
    if (which !== "wasm" && which !== "js") throw new Error("kernel must be 'wasm' or 'js', got " + which);
    var kernel = kernelNamed(which) || kernelNamed("js");
    if (kernel !== current) { current = kernel; workspace = null; }
    return kernel.name;
  }

  function checked(settings) {
    function oneOf(name, allowed) {
      if (allowed.indexOf(settings[name]) < 0) {
        throw new Error(name + " must be one of " + allowed.join(", ") + "; got " + settings[name]);
      }
    }
    function integer(name, low, high, multiple) {
      var v = settings[name];
      if (typeof v !== "number" || v % multiple !== 0 || v < low || v > high) {
        throw new Error(name + " must be a multiple of " + multiple + " from " + low + " to " + high + "; got " + v);
      }
    }
    integer("depth", 1, MAX_DEPTH, 1);
    integer("width", 8, 256, 8);
    oneOf("activation", ACTIVATIONS);
    oneOf("init", INITS);
    oneOf("architecture", ARCHITECTURES);
    if (!(settings.scale > 0 && isFinite(settings.scale))) throw new Error("scale must be a number > 0; got " + settings.scale);
    return settings;
  }

  function workspaceFor(width) {
    if (!current) useKernel("wasm");
    if (!workspace || workspace.width !== width) workspace = new Workspace(current, width);
    return workspace;
  }

  function profile(settings) {
    settings = checked(settings);
    var ws = workspaceFor(settings.width);
    ws.draw(settings.seed || 0, settings.depth);
    return pass(ws, settings);
  }

  function profileOf(settings, arrays) {
    settings = checked(settings);
    var ws = workspaceFor(settings.width);
    ws.load(arrays, settings.depth);
    return pass(ws, settings);
  }

  window.gradientFlowExplorer = {
    profile: profile,
    profileOf: profileOf,
    useKernel: useKernel,
    kernelName: function () { return (current || kernelNamed("wasm") || kernelNamed("js")).name; },
    tanh: fastTanh,
    normals: function (count, seed) {
      var values = new Float64Array(count);
      fillNormal(values, 0, count, streamFor(seed, 0, 0));
      return Array.from(values);
    }
  };
})();
