/*
 * The gradient-flow explorer of the vanishing- and exploding-gradient chapters.
 *
 * The reader picks a depth, width, activation, initialization, weight scale and architecture
 * (plain, batch normalization or residual connections); the page builds that random square
 * network, pushes a batch of 64 N(0, 1) inputs with U[0, 1] targets through it, backpropagates
 * the MSE cost C = 1/(2B) sum_i ||a^L_i - y_i||^2 and plots, for every layer l,
 *
 *   ||dC/dW^l||_F                      the weight-gradient norm (log scale), and
 *   the std and |mean| of a^l          the forward activation statistics (log scale).
 *
 * The maths is that of lesson_code.explorer (which builds lesson_code.remedies networks); the
 * test suite runs both on the same weights and compares them. The arithmetic (the matrix
 * products, tanh and sigmoid layers, batch normalization, the sums) runs in a small
 * WebAssembly module with 128-bit SIMD (gradient-flow-kernel.wat, assembled at build time into
 * gradient-flow-kernel.js); where WebAssembly SIMD is missing, plain JavaScript functions with
 * the same signatures take over. Nothing is fetched from anywhere.
 * Without scripts the page keeps the static figure the widget's container holds.
 */
(function () {
  "use strict";

  var BATCH = 64;
  var MAX_DEPTH = 100;
  var LEAKY_RELU_SLOPE = 0.01;   // lesson_code.activations.LEAKY_RELU_SLOPE
  var BN_EPS = 1e-5;             // lesson_code.remedies.BN_EPS
  var ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"];
  var INITS = ["normal", "xavier", "he"];
  var ARCHITECTURES = ["plain", "batchnorm", "residual"];

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

  /* ---------- drawing ---------- */

  var SVG_NS = "http://www.w3.org/2000/svg";
  var PLOT = { width: 360, height: 230, left: 52, right: 10, top: 12, bottom: 38 };

  function svgElement(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function exponentLabel(power) {
    return power === 0 ? "1" : "1e" + power;
  }

  // series: [{values, className, label}], drawn against layer 1..L on a log10 axis
  function drawChart(svg, series, yLabel) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var depth = series[0].values.length, logs = [];
    series.forEach(function (s) {
      s.values.forEach(function (v) { if (v > 0 && isFinite(v)) logs.push(Math.log10(v)); });
    });
    var low = logs.length ? Math.floor(Math.min.apply(null, logs)) : -1;
    var high = logs.length ? Math.ceil(Math.max.apply(null, logs)) : 1;
    if (high - low < 2) { low -= 1; high += 1; }
    // decades per tick: 1, 2, 5, 10, ... so that at most six ticks show, on multiples of the step
    var step = [1, 2, 5, 10, 20, 50, 100].filter(function (s) { return (high - low) / s <= 6; })[0] || 200;
    low = Math.floor(low / step) * step;
    high = Math.ceil(high / step) * step;
    var innerW = PLOT.width - PLOT.left - PLOT.right, innerH = PLOT.height - PLOT.top - PLOT.bottom;
    function x(layer) { return PLOT.left + (depth === 1 ? innerW / 2 : (layer - 1) / (depth - 1) * innerW); }
    function y(logValue) { return PLOT.top + (high - logValue) / (high - low) * innerH; }

    var axes = svgElement("g", { class: "explorer-chart__axes" }, svg);
    for (var p = low; p <= high; p += step) {
      svgElement("line", { x1: PLOT.left, x2: PLOT.left + innerW, y1: y(p), y2: y(p), class: "explorer-chart__grid" }, axes);
      svgElement("text", { x: PLOT.left - 6, y: y(p) + 4, "text-anchor": "end" }, axes).textContent = exponentLabel(p);
    }
    var layerStep = depth <= 10 ? 1 : Math.ceil(depth / 50) * 5;
    for (var layer = 1; layer <= depth; layer += layer === 1 && layerStep > 1 ? layerStep - 1 : layerStep) {
      svgElement("text", { x: x(layer), y: PLOT.top + innerH + 16, "text-anchor": "middle" }, axes).textContent = layer;
    }
    svgElement("text", { x: PLOT.left + innerW / 2, y: PLOT.height - 4, "text-anchor": "middle" }, axes).textContent =
      "layer l (input side at the left)";
    svgElement("text", { x: 12, y: PLOT.top + innerH / 2, "text-anchor": "middle",
      transform: "rotate(-90 12 " + (PLOT.top + innerH / 2) + ")" }, axes).textContent = yLabel;

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
    architecture: { plain: "plain", batchnorm: "batch normalization", residual: "residual connections" }
  };

  function format(v) {
    if (!isFinite(v)) return "overflow";
    return v === 0 ? "0" : v.toExponential(1);
  }

  function build(container) {
    if (container.dataset.ready) return;
    container.dataset.ready = "true";
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
      var label = document.createElement("label");
      label.setAttribute("for", unique + "-" + name);
      label.textContent = text + " ";
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
      wrapper.appendChild(output);
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

    var data = container.dataset;
    var depth = range("depth", "depth L", 1, MAX_DEPTH, 1, data.depth || 30);
    var width = range("width", "width", 8, 256, 8, data.width || 128);
    var activation = select("activation", "activation", data.activation || "sigmoid");
    var init = select("init", "initialization", data.init || "xavier");
    var scale = range("scale", "weight scale (times the initialization's std)", -2, 2, 0.25, data.scaleLog2 || 0);
    var architecture = select("architecture", "architecture", data.architecture || "plain");
    var redraw = document.createElement("button");
    redraw.type = "button";
    redraw.className = "md-button";
    redraw.textContent = "Draw another random network";
    form.appendChild(redraw);

    var charts = document.createElement("div");
    charts.className = "gradient-flow-explorer__charts";
    var gradientChart = svgElement("svg", {
      viewBox: "0 0 " + PLOT.width + " " + PLOT.height, role: "img", class: "explorer-chart",
      "aria-label": "Weight-gradient norm of every layer on a log scale"
    }, charts);
    var activationChart = svgElement("svg", {
      viewBox: "0 0 " + PLOT.width + " " + PLOT.height, role: "img", class: "explorer-chart",
      "aria-label": "Standard deviation and absolute mean of every layer's activations on a log scale"
    }, charts);
    live.appendChild(charts);
    var legend = document.createElement("p");
    legend.className = "gradient-flow-explorer__legend";
    legend.innerHTML = '<span class="explorer-key explorer-gradient"></span> ||\u2202C/\u2202W<sup>l</sup>|| ' +
      '<span class="explorer-key explorer-std"></span> std of a<sup>l</sup> ' +
      '<span class="explorer-key explorer-mean"></span> |mean| of a<sup>l</sup>';
    live.appendChild(legend);
    var summary = document.createElement("p");
    summary.className = "gradient-flow-explorer__summary";
    summary.setAttribute("aria-live", "polite");
    live.appendChild(summary);
    var timing = document.createElement("p");
    timing.className = "gradient-flow-explorer__timing";
    live.appendChild(timing);
    var details = document.createElement("details");
    var caption = document.createElement("summary");
    caption.textContent = "The numbers, layer by layer";
    details.appendChild(caption);
    var table = document.createElement("table");
    details.appendChild(table);
    live.appendChild(details);

    var result = null;
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

    function update() {
      var started = performance.now();
      var s = settings();
      depth.output.textContent = " " + s.depth;
      width.output.textContent = " " + s.width;
      scale.output.textContent = " \u00d7" + s.scale.toFixed(2);
      result = profile(s);
      var norms = result.gradientNorms;
      drawChart(gradientChart, [{ values: norms, className: "explorer-gradient" }], "||\u2202C/\u2202W\u02e1||");
      drawChart(activationChart, [
        { values: result.activationStds, className: "explorer-std" },
        { values: result.activationMeans.map(Math.abs), className: "explorer-mean" }
      ], "activations a\u02e1");
      var ratio = norms[0] / norms[s.depth - 1];
      var gain = s.depth > 1 ? Math.pow(ratio, 1 / (s.depth - 1)) : 1;
      summary.textContent = "Network " + (seed + 1) + ": " + s.depth + " layers of " + s.width + " " +
        LABELS.activation[s.activation] + " units, " + LABELS.init[s.init] + " weights \u00d7" + s.scale.toFixed(2) +
        ", " + LABELS.architecture[s.architecture] + ". First layer's gradient norm " + format(norms[0]) +
        ", last layer's " + format(norms[s.depth - 1]) + (s.depth > 1 ? ": ratio " + format(ratio) +
        ", a factor of " + (isFinite(gain) ? gain.toPrecision(3) : "overflow") + " per layer going back." : ".");
      fillTable();
      var milliseconds = performance.now() - started;
      timing.textContent = "Computed and drawn in " + milliseconds.toFixed(0) + " ms (" + current.name + ").";
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

    container.classList.add("gradient-flow-explorer--live");
    container.appendChild(live);
    update();
  }

  function init() {
    document.querySelectorAll(".gradient-flow-explorer").forEach(build);
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
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);  // Material's instant loading swaps pages without a reload
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
