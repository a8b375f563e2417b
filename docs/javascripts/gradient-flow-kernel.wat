;; Matrix products for the gradient-flow explorer (docs/javascripts/gradient-flow-explorer.js).
;;
;; Kernels over float64 row-major matrices in the module's memory, with addresses in bytes:
;;
;;   gemm_nt(x, y, c, rows, cols, inner, alpha):  C = alpha X Y^T
;;       X is rows x inner, Y is cols x inner, C is rows x cols.  (z = a W^T: a layer's forward step)
;;   gemm_nn(x, y, c, rows, cols, inner, alpha, x_row_stride, x_inner_stride):  C = alpha X Y
;;       X is rows x inner with X_rk at x + r x_row_stride + k x_inner_stride (so X may be the
;;       transpose of a row-major matrix), Y is inner x cols, C is rows x cols.
;;       (delta W and delta^T a: the backward pass)
;;   sum_powers(x, count, shift, power):  sum_k (x_k - shift)^power, power 1 or 2
;;   tanh_layer(v, a, d, count), sigmoid_layer(v, a, d, count):  a = sigma(v), d = sigma'(v)
;;       elementwise over count numbers (count even).
;;   normalize(z, zhat, inv_std, rows, cols, eps):  batch normalization's forward step, per column
;;   normalize_backward(p, d, zhat, delta, inv_std, rows, cols):  and its backward step
;;
;; Both work on blocks of 4 rows of C and use 128-bit SIMD (two float64 lanes): gemm_nt keeps
;; 4 x 2 dot products in eight two-lane accumulators and adds the lanes at the end; gemm_nn keeps
;; a 4 x 4 block of C in eight accumulators and adds x_rk times row k of Y to it. Shapes must be
;; multiples of the blocks: rows of 4, cols of 2 (gemm_nt) or 4 (gemm_nn), inner of 2 (gemm_nt).
;; The explorer only asks for batch 64 and widths that are multiples of 8.
(module
  (memory (export "memory") 1)

  (func (export "gemm_nt")
    (param $x i32) (param $y i32) (param $c i32)
    (param $rows i32) (param $cols i32) (param $inner i32) (param $alpha f64)
    (local $i i32) (local $j i32) (local $k i32) (local $row_bytes i32) (local $out i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $y0 i32) (local $y1 i32)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local $v0 v128) (local $v1 v128) (local $u v128)
    (local.set $row_bytes (i32.shl (local.get $inner) (i32.const 3)))
    (local.set $i (i32.const 0))
    (loop $each_row_block
      (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $row_bytes))))
      (local.set $x1 (i32.add (local.get $x0) (local.get $row_bytes)))
      (local.set $x2 (i32.add (local.get $x1) (local.get $row_bytes)))
      (local.set $x3 (i32.add (local.get $x2) (local.get $row_bytes)))
      (local.set $j (i32.const 0))
      (loop $each_col_pair
        (local.set $y0 (i32.add (local.get $y) (i32.mul (local.get $j) (local.get $row_bytes))))
        (local.set $y1 (i32.add (local.get $y0) (local.get $row_bytes)))
        (local.set $s00 (v128.const f64x2 0 0)) (local.set $s01 (v128.const f64x2 0 0))
        (local.set $s10 (v128.const f64x2 0 0)) (local.set $s11 (v128.const f64x2 0 0))
        (local.set $s20 (v128.const f64x2 0 0)) (local.set $s21 (v128.const f64x2 0 0))
        (local.set $s30 (v128.const f64x2 0 0)) (local.set $s31 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (loop $along_inner
          (local.set $v0 (v128.load (i32.add (local.get $y0) (local.get $k))))
          (local.set $v1 (v128.load (i32.add (local.get $y1) (local.get $k))))
          (local.set $u (v128.load (i32.add (local.get $x0) (local.get $k))))
          (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load (i32.add (local.get $x1) (local.get $k))))
          (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load (i32.add (local.get $x2) (local.get $k))))
          (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load (i32.add (local.get $x3) (local.get $k))))
          (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $u) (local.get $v1))))
          (br_if $along_inner
            (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row_bytes))))
        (local.set $out (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 3))))
        (call $store_pair (local.get $out) (local.get $s00) (local.get $s01) (local.get $alpha))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $cols) (i32.const 3))))
        (call $store_pair (local.get $out) (local.get $s10) (local.get $s11) (local.get $alpha))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $cols) (i32.const 3))))
        (call $store_pair (local.get $out) (local.get $s20) (local.get $s21) (local.get $alpha))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $cols) (i32.const 3))))
        (call $store_pair (local.get $out) (local.get $s30) (local.get $s31) (local.get $alpha))
        (br_if $each_col_pair
          (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 2))) (local.get $cols))))
      (br_if $each_row_block
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $rows)))))

  ;; c[0] = alpha (lane 0 + lane 1 of a), c[1] = alpha (lane 0 + lane 1 of b)
  (func $store_pair (param $c i32) (param $a v128) (param $b v128) (param $alpha f64)
    (v128.store (local.get $c)
      (f64x2.mul
        (f64x2.splat (local.get $alpha))
        (f64x2.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b))))))

  (func (export "gemm_nn")
    (param $x i32) (param $y i32) (param $c i32)
    (param $rows i32) (param $cols i32) (param $inner i32) (param $alpha f64)
    (param $x_row_stride i32) (param $x_inner_stride i32)
    (local $i i32) (local $j i32) (local $y_row_bytes i32)
    (local $x0 i32) (local $xk i32) (local $x_end i32) (local $yk i32) (local $out i32)
    (local $stride2 i32) (local $stride3 i32)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local $v0 v128) (local $v1 v128) (local $u v128) (local $scale v128)
    (local.set $y_row_bytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $stride2 (i32.shl (local.get $x_row_stride) (i32.const 1)))
    (local.set $stride3 (i32.add (local.get $stride2) (local.get $x_row_stride)))
    (local.set $scale (f64x2.splat (local.get $alpha)))
    (local.set $i (i32.const 0))
    (loop $each_row_block
      (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $x_row_stride))))
      (local.set $x_end (i32.add (local.get $x0) (i32.mul (local.get $inner) (local.get $x_inner_stride))))
      (local.set $j (i32.const 0))
      (loop $each_col_block
        (local.set $s00 (v128.const f64x2 0 0)) (local.set $s01 (v128.const f64x2 0 0))
        (local.set $s10 (v128.const f64x2 0 0)) (local.set $s11 (v128.const f64x2 0 0))
        (local.set $s20 (v128.const f64x2 0 0)) (local.set $s21 (v128.const f64x2 0 0))
        (local.set $s30 (v128.const f64x2 0 0)) (local.set $s31 (v128.const f64x2 0 0))
        (local.set $xk (local.get $x0))
        (local.set $yk (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 3))))
        (loop $along_inner
          (local.set $v0 (v128.load (local.get $yk)))
          (local.set $v1 (v128.load offset=16 (local.get $yk)))
          (local.set $u (v128.load64_splat (local.get $xk)))
          (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load64_splat (i32.add (local.get $xk) (local.get $x_row_stride))))
          (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load64_splat (i32.add (local.get $xk) (local.get $stride2))))
          (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load64_splat (i32.add (local.get $xk) (local.get $stride3))))
          (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $yk (i32.add (local.get $yk) (local.get $y_row_bytes)))
          (br_if $along_inner
            (i32.lt_u (local.tee $xk (i32.add (local.get $xk) (local.get $x_inner_stride))) (local.get $x_end))))
        (local.set $out (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 3))))
        (v128.store (local.get $out) (f64x2.mul (local.get $scale) (local.get $s00)))
        (v128.store offset=16 (local.get $out) (f64x2.mul (local.get $scale) (local.get $s01)))
        (local.set $out (i32.add (local.get $out) (local.get $y_row_bytes)))
        (v128.store (local.get $out) (f64x2.mul (local.get $scale) (local.get $s10)))
        (v128.store offset=16 (local.get $out) (f64x2.mul (local.get $scale) (local.get $s11)))
        (local.set $out (i32.add (local.get $out) (local.get $y_row_bytes)))
        (v128.store (local.get $out) (f64x2.mul (local.get $scale) (local.get $s20)))
        (v128.store offset=16 (local.get $out) (f64x2.mul (local.get $scale) (local.get $s21)))
        (local.set $out (i32.add (local.get $out) (local.get $y_row_bytes)))
        (v128.store (local.get $out) (f64x2.mul (local.get $scale) (local.get $s30)))
        (v128.store offset=16 (local.get $out) (f64x2.mul (local.get $scale) (local.get $s31)))
        (br_if $each_col_block
          (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $cols))))
      (br_if $each_row_block
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $rows)))))

  ;; ---- sums over a run of numbers, for the activation statistics and the gradient norms ---
  ;; sum_k (x_k - shift)^power for power 1 or 2 (count even)
  (func (export "sum_powers") (param $x i32) (param $count i32) (param $shift f64) (param $power i32) (result f64)
    (local $at i32) (local $end i32) (local $sum v128) (local $e v128) (local $by v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $by (f64x2.splat (local.get $shift)))
    (local.set $at (local.get $x))
    (loop $each_pair
      (local.set $e (f64x2.sub (v128.load (local.get $at)) (local.get $by)))
      (if (i32.eq (local.get $power) (i32.const 2))
        (then (local.set $e (f64x2.mul (local.get $e) (local.get $e)))))
      (local.set $sum (f64x2.add (local.get $sum) (local.get $e)))
      (br_if $each_pair (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end))))
    (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))

  ;; ---- tanh, two lanes at a time --------------------------------------------------------
  ;; tanh(v) = sign(v) * -e / (2 + e) with e = expm1(-2|v|): the algorithm of fastTanh in
  ;; gradient-flow-explorer.js, within a few units in the last place of numpy's tanh.
  ;; tanh(v) for both lanes of v. Below, y = -2|v| = k ln2 + r with |r| <= ln2/2 (k = 0 when y
  ;; itself is that small, and then r = y exactly), p = expm1(r) by its Taylor series to r^14
  ;; (Horner's rule), and e = expm1(y) = p where k = 0, 2^k (1 + p) - 1 elsewhere.
  (func $tanh2 (param $v v128) (result v128)
    (local $a v128) (local $y v128) (local $k v128) (local $r v128) (local $p v128) (local $e v128)
    (local $two_k v128) (local $t v128)
    (local.set $a (f64x2.min (f64x2.abs (local.get $v)) (f64x2.splat (f64.const 19.1))))
    (local.set $y (f64x2.mul (f64x2.splat (f64.const -2)) (local.get $a)))
    (local.set $k (f64x2.nearest (f64x2.mul (local.get $y) (f64x2.splat (f64.const 1.4426950408889634)))))  ;; y / ln2
    (local.set $r
      (f64x2.sub
        (f64x2.sub (local.get $y) (f64x2.mul (local.get $k) (f64x2.splat (f64.const 0.6931471803691238))))
        (f64x2.mul (local.get $k) (f64x2.splat (f64.const 1.9082149292705877e-10)))))
    (local.set $p (f64x2.splat (f64.const 1.1470745597729725e-11)))  ;; 1/14!, then 1/13!, ..., 1
    (local.set $p (f64x2.add (f64x2.splat (f64.const 1.6059043836821613e-10)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.08767569878681e-09)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.505210838544172e-08)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.755731922398589e-07)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.7557319223985893e-06)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.48015873015873e-05)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.0001984126984126984)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.001388888888888889)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.008333333333333333)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.041666666666666664)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.16666666666666666)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.5)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $r) (local.get $p))))
    (local.set $p (f64x2.mul (local.get $r) (local.get $p)))
    ;; 2^k, from k's bits: (k + 1023) << 52
    (local.set $two_k
      (i64x2.shl
        (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (i64x2.splat (i64.const 1023)))
        (i32.const 52)))
    (local.set $e
      (v128.bitselect
        (local.get $p)  ;; where k = 0: (1 + p) - 1 would lose the small p's last digits
        (f64x2.sub (f64x2.mul (f64x2.add (f64x2.splat (f64.const 1)) (local.get $p)) (local.get $two_k))
                   (f64x2.splat (f64.const 1)))
        (f64x2.eq (local.get $k) (f64x2.splat (f64.const 0)))))
    (local.set $t (f64x2.div (f64x2.neg (local.get $e)) (f64x2.add (f64x2.splat (f64.const 2)) (local.get $e))))
    (local.set $t (v128.bitselect (f64x2.splat (f64.const 1)) (local.get $t)
      (f64x2.ge (local.get $a) (f64x2.splat (f64.const 19.1)))))
    ;; the sign bit of v, the rest of t
    (v128.bitselect (local.get $v) (local.get $t) (i64x2.splat (i64.const 0x8000000000000000))))

  (func (export "tanh_layer") (param $v i32) (param $a i32) (param $d i32) (param $count i32)
    (local $at i32) (local $end i32) (local $t v128)
    (local.set $end (i32.shl (local.get $count) (i32.const 3)))
    (loop $each_pair
      (local.set $t (call $tanh2 (v128.load (i32.add (local.get $v) (local.get $at)))))
      (v128.store (i32.add (local.get $a) (local.get $at)) (local.get $t))
      (v128.store (i32.add (local.get $d) (local.get $at))
        (f64x2.sub (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $t) (local.get $t))))
      (br_if $each_pair (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end)))))

  ;; sigmoid(v) = (1 + tanh(v / 2)) / 2, as lesson_code.activations computes it
  (func (export "sigmoid_layer") (param $v i32) (param $a i32) (param $d i32) (param $count i32)
    (local $at i32) (local $end i32) (local $s v128) (local $half v128)
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (local.set $end (i32.shl (local.get $count) (i32.const 3)))
    (loop $each_pair
      (local.set $s
        (f64x2.mul (local.get $half)
          (f64x2.add (f64x2.splat (f64.const 1))
            (call $tanh2 (f64x2.mul (local.get $half) (v128.load (i32.add (local.get $v) (local.get $at))))))))
      (v128.store (i32.add (local.get $a) (local.get $at)) (local.get $s))
      (v128.store (i32.add (local.get $d) (local.get $at))
        (f64x2.mul (local.get $s) (f64x2.sub (f64x2.splat (f64.const 1)) (local.get $s))))
      (br_if $each_pair (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end)))))

  ;; ---- batch normalization, two columns (units) at a time ---------------------------------
  ;; forward: zhat = (z - mean) inv_std, inv_std = 1 / sqrt(var + eps), mean and var per column
  (func (export "normalize")
    (param $z i32) (param $zhat i32) (param $inv_std i32) (param $rows i32) (param $cols i32) (param $eps f64)
    (local $j i32) (local $at i32) (local $end i32) (local $row_bytes i32)
    (local $sum v128) (local $mean v128) (local $e v128) (local $scale v128) (local $count v128)
    (local.set $row_bytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $count (f64x2.splat (f64.convert_i32_s (local.get $rows))))
    (loop $each_column_pair
      (local.set $end (i32.add (local.get $j) (i32.mul (local.get $rows) (local.get $row_bytes))))
      (local.set $sum (v128.const f64x2 0 0))
      (local.set $at (local.get $j))
      (loop $mean_over_rows
        (local.set $sum (f64x2.add (local.get $sum) (v128.load (i32.add (local.get $z) (local.get $at)))))
        (br_if $mean_over_rows (i32.lt_u (local.tee $at (i32.add (local.get $at) (local.get $row_bytes))) (local.get $end))))
      (local.set $mean (f64x2.div (local.get $sum) (local.get $count)))
      (local.set $sum (v128.const f64x2 0 0))
      (local.set $at (local.get $j))
      (loop $variance_over_rows
        (local.set $e (f64x2.sub (v128.load (i32.add (local.get $z) (local.get $at))) (local.get $mean)))
        (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $e) (local.get $e))))
        (br_if $variance_over_rows (i32.lt_u (local.tee $at (i32.add (local.get $at) (local.get $row_bytes))) (local.get $end))))
      (local.set $scale
        (f64x2.div (f64x2.splat (f64.const 1))
          (f64x2.sqrt (f64x2.add (f64x2.div (local.get $sum) (local.get $count)) (f64x2.splat (local.get $eps))))))
      (v128.store (i32.add (local.get $inv_std) (local.get $j)) (local.get $scale))
      (local.set $at (local.get $j))
      (loop $write_rows
        (v128.store (i32.add (local.get $zhat) (local.get $at))
          (f64x2.mul (f64x2.sub (v128.load (i32.add (local.get $z) (local.get $at))) (local.get $mean)) (local.get $scale)))
        (br_if $write_rows (i32.lt_u (local.tee $at (i32.add (local.get $at) (local.get $row_bytes))) (local.get $end))))
      (br_if $each_column_pair (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $row_bytes)))))

  ;; backward: g = p d (p = dC/da W, d = sigma'), stored over p; then
  ;; delta = inv_std (g - mean(g) - zhat mean(g zhat)), the means over the rows of each column
  (func (export "normalize_backward")
    (param $p i32) (param $d i32) (param $zhat i32) (param $delta i32) (param $inv_std i32)
    (param $rows i32) (param $cols i32)
    (local $j i32) (local $at i32) (local $end i32) (local $row_bytes i32)
    (local $g v128) (local $sum_g v128) (local $sum_gz v128) (local $count v128)
    (local.set $row_bytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $count (f64x2.splat (f64.convert_i32_s (local.get $rows))))
    (loop $each_column_pair
      (local.set $end (i32.add (local.get $j) (i32.mul (local.get $rows) (local.get $row_bytes))))
      (local.set $sum_g (v128.const f64x2 0 0))
      (local.set $sum_gz (v128.const f64x2 0 0))
      (local.set $at (local.get $j))
      (loop $sums_over_rows
        (local.set $g (f64x2.mul (v128.load (i32.add (local.get $p) (local.get $at)))
                                 (v128.load (i32.add (local.get $d) (local.get $at)))))
        (v128.store (i32.add (local.get $p) (local.get $at)) (local.get $g))
        (local.set $sum_g (f64x2.add (local.get $sum_g) (local.get $g)))
        (local.set $sum_gz (f64x2.add (local.get $sum_gz)
          (f64x2.mul (local.get $g) (v128.load (i32.add (local.get $zhat) (local.get $at))))))
        (br_if $sums_over_rows (i32.lt_u (local.tee $at (i32.add (local.get $at) (local.get $row_bytes))) (local.get $end))))
      (local.set $sum_g (f64x2.div (local.get $sum_g) (local.get $count)))
      (local.set $sum_gz (f64x2.div (local.get $sum_gz) (local.get $count)))
      (local.set $at (local.get $j))
      (loop $write_rows
        (v128.store (i32.add (local.get $delta) (local.get $at))
          (f64x2.mul (v128.load (i32.add (local.get $inv_std) (local.get $j)))
            (f64x2.sub
              (f64x2.sub (v128.load (i32.add (local.get $p) (local.get $at))) (local.get $sum_g))
              (f64x2.mul (v128.load (i32.add (local.get $zhat) (local.get $at))) (local.get $sum_gz)))))
        (br_if $write_rows (i32.lt_u (local.tee $at (i32.add (local.get $at) (local.get $row_bytes))) (local.get $end))))
      (br_if $each_column_pair (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $row_bytes))))))
