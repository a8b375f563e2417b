;; Matrix products for the gradient-flow explorer (docs/javascripts/gradient-flow-explorer.js).
;;
;; Two kernels over float64 row-major matrices in the module's memory, with addresses in bytes:
;;
;;   gemm_nt(x, y, c, rows, cols, inner, alpha):  C = alpha X Y^T
;;       X is rows x inner, Y is cols x inner, C is rows x cols.  (z = a W^T: a layer's forward step)
;;   gemm_nn(x, y, c, rows, cols, inner, alpha):  C = alpha X Y
;;       X is rows x inner, Y is inner x cols, C is rows x cols.  (delta W and delta^T a: backward)
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
    (local $i i32) (local $j i32) (local $k i32) (local $x_row_bytes i32) (local $y_row_bytes i32)
    (local $x0 i32) (local $yk i32) (local $out i32)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local $v0 v128) (local $v1 v128) (local $u v128) (local $scale v128)
    (local.set $x_row_bytes (i32.shl (local.get $inner) (i32.const 3)))
    (local.set $y_row_bytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $scale (f64x2.splat (local.get $alpha)))
    (local.set $i (i32.const 0))
    (loop $each_row_block
      (local.set $j (i32.const 0))
      (loop $each_col_block
        (local.set $s00 (v128.const f64x2 0 0)) (local.set $s01 (v128.const f64x2 0 0))
        (local.set $s10 (v128.const f64x2 0 0)) (local.set $s11 (v128.const f64x2 0 0))
        (local.set $s20 (v128.const f64x2 0 0)) (local.set $s21 (v128.const f64x2 0 0))
        (local.set $s30 (v128.const f64x2 0 0)) (local.set $s31 (v128.const f64x2 0 0))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $x_row_bytes))))
        (local.set $yk (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $k (i32.const 0))
        (loop $along_inner
          (local.set $v0 (v128.load (local.get $yk)))
          (local.set $v1 (v128.load offset=16 (local.get $yk)))
          (local.set $u (v128.load64_splat (i32.add (local.get $x0) (local.get $k))))
          (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load64_splat
            (i32.add (i32.add (local.get $x0) (local.get $x_row_bytes)) (local.get $k))))
          (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load64_splat
            (i32.add (i32.add (local.get $x0) (i32.shl (local.get $x_row_bytes) (i32.const 1))) (local.get $k))))
          (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $u (v128.load64_splat
            (i32.add (i32.add (local.get $x0) (i32.mul (local.get $x_row_bytes) (i32.const 3))) (local.get $k))))
          (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $u) (local.get $v0))))
          (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $u) (local.get $v1))))
          (local.set $yk (i32.add (local.get $yk) (local.get $y_row_bytes)))
          (br_if $along_inner
            (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 8))) (local.get $x_row_bytes))))
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
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $rows))))))
