;; 128-bit SIMD kernels for a Linear/ELU chain (lib/tfjs/simd/chain.ts drives them), working in place
;; on the tfjs wasm backend's own heap: the memory is imported from the backend's module, and every
;; pointer is a byte offset of a tensor there (BackendWasm.getMemoryOffset) or of the chain's scratch.
;; Assembled by wabt (npm) into lib/tfjs/simd/kernels-wasm.ts: `node dist/lib/tfjs/simd/assemble.js`.
;;
;; Why these are faster than what they replace (tfjs-wasm's matMul / Elu / EluGrad kernels):
;; - one call per layer and direction instead of 3–6 kernel calls, each with 5–30 µs of JS glue;
;; - no XNNPACK operator set-up (≈25 µs per fresh right-hand operand: the weights change every step);
;; - the thin gradients dW = aᵀ·g, which tfjs-wasm runs in a scalar transposed loop (≈2.3 ns per
;;   multiply-add), are 4-wide here with the contiguous dimension innermost;
;; - bias, ELU and the ELU gradient are folded into the matrix loops: no extra pass over memory.
;; Layout: row-major like tfjs. Each layer is vectorised along whichever of its widths is a multiple
;; of 4 (the chain checks): "out" kernels along outF (W as is), "in" kernels along inF (W transposed
;; into scratch, so that the dot products run over contiguous memory).
(module
  (import "env" "memory" (memory 1))

  ;; ELU of 4 lanes: max(x, 0) + (eᵗ − 1) with t = min(x, 0) (NaN stays NaN, ±∞ as tfjs). eᵗ − 1 is
  ;; computed as an expm1, without the cancellation of eᵗ then − 1: t = k·ln2 + r with |r| ≤ ln2/2,
  ;; u = eʳ − 1 = r·Q(r) by a degree-5 minimax polynomial (Remez, relative error 1.1e-8 before rounding),
  ;; then eᵗ − 1 = (2ᵏ − 1) + 2ᵏ·u, where 2ᵏ·u and 2ᵏ − 1 are exact: one rounding. Max error 1.3 ulp
  ;; (1.2e-7 relative to Math.expm1 over every 97th negative float32 to −20, test/tfjs/simd.test.ts); tfjs-wasm's
  ;; Elu is an expm1 too, ≤ 1.25e-7 relative from this. Lanes are clamped to [−20, 0] first: 2ᵏ stays
  ;; normal, and below −17.33 eᵗ − 1 is −1 in float32 anyway. k = round(t·log2 e) by adding 1.5·2²³,
  ;; which leaves k in the low mantissa bits (cheaper in V8 than f32x4.nearest + i32x4.trunc_sat); 2ᵏ
  ;; is k shifted into the exponent of 1.0. r = t − k·ln2 with one constant: exact for k = 0 (|x| <
  ;; 0.35, where relative accuracy is hardest), k·ln2's rounding costs ≤ 0.3 ulp elsewhere. 25 SIMD ops
  ;; (Cephes' expf then − 1 took 29, with the cancellation; #25). The body is repeated inline in
  ;; lin_fwd_out, its hot loop (V8 does not inline wasm calls): keep the two copies the same. pmin/pmax
  ;; are plain minps/maxps on x64 (min/max cost extra instructions for NaN rules).
  (func $elu4 (param $x v128) (result v128)
    (local $t v128) (local $k v128) (local $r v128) (local $p v128)
    ;;ELU4-BEGIN
    (local.set $t (f32x4.pmax (f32x4.pmin (local.get $x) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 -20 -20 -20 -20)))
    ;; k + 1.5·2²³ (bits: 0x4B400000 + k), then k as a float in $r, then r = t − k·ln2
    (local.set $k (f32x4.add (f32x4.mul (local.get $t) (v128.const f32x4 1.44269502 1.44269502 1.44269502 1.44269502)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r (f32x4.sub (local.get $k) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r (f32x4.sub (local.get $t) (f32x4.mul (local.get $r) (v128.const f32x4 0.693147182 0.693147182 0.693147182 0.693147182))))
    ;; u = r·Q(r), Horner
    (local.set $p (v128.const f32x4 0.00138888729 0.00138888729 0.00138888729 0.00138888729))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.00836906862 0.00836906862 0.00836906862 0.00836906862)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.0416671373 0.0416671373 0.0416671373 0.0416671373)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.166665062 0.166665062 0.166665062 0.166665062)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.499999970 0.499999970 0.499999970 0.499999970)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (local.set $p (f32x4.mul (local.get $p) (local.get $r)))
    ;; 2ᵏ: k's bits shifted into the exponent (the magic's bits shift out), added to 1.0's bits
    (local.set $k (i32x4.add (v128.const f32x4 1 1 1 1) (i32x4.shl (local.get $k) (i32.const 23))))
    ;; max(x, 0) + ((2ᵏ − 1) + 2ᵏ·u)
    (local.set $x
      (f32x4.add
        (f32x4.pmax (local.get $x) (v128.const f32x4 0 0 0 0))
        (f32x4.add (f32x4.sub (local.get $k) (v128.const f32x4 1 1 1 1)) (f32x4.mul (local.get $k) (local.get $p)))))
    ;;ELU4-END
    (local.get $x))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; dst[c, r] = src[r, c] (float32, rows × cols)
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))) (then (return)))
    (loop $rl
      (local.set $c (i32.const 0))
      (loop $cl
        (f32.store
          (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br_if $cl (i32.lt_u (local.get $c) (local.get $cols))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rl (i32.lt_u (local.get $r) (local.get $rows)))))

  ;; y = a·W + b, then ELU when $elu. a [batch, inF], W [inF, outF], b [outF], y [batch, outF];
  ;; outF a multiple of 4, inF ≥ 1. Per output row, 4 columns at a time: acc += a[n, i] · W[i, j..j+3].
  ;; Faster: replaces _FusedMatMul + Elu (two kernel calls, an XNNPACK operator built per fresh W, and a
  ;; second pass over y for the ELU); here bias and ELU are applied while the 4 sums are in registers.
  (func (export "lin_fwd_out")
    (param $a i32) (param $w i32) (param $b i32) (param $y i32)
    (param $batch i32) (param $inF i32) (param $outF i32) (param $elu i32)
    (local $n i32) (local $j i32) (local $i i32) (local $rowB i32) (local $ap i32) (local $wp i32) (local $acc v128)
    (local $et v128) (local $ek v128) (local $er v128) (local $ep v128) (local $sa v128)
    ;; the ELU's constants, hoisted out of the loop (V8 re-materialises a v128.const at each use)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128)
    (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128) (local $q5 v128)
    (if (i32.eqz (local.get $batch)) (then (return)))
    (local.set $c0 (v128.const f32x4 0 0 0 0))
    (local.set $c1 (v128.const f32x4 -20 -20 -20 -20))
    (local.set $c2 (v128.const f32x4 1.44269502 1.44269502 1.44269502 1.44269502))
    (local.set $c3 (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $c4 (v128.const f32x4 0.693147182 0.693147182 0.693147182 0.693147182))
    (local.set $c5 (v128.const f32x4 1 1 1 1))
    (local.set $q1 (v128.const f32x4 0.499999970 0.499999970 0.499999970 0.499999970))
    (local.set $q2 (v128.const f32x4 0.166665062 0.166665062 0.166665062 0.166665062))
    (local.set $q3 (v128.const f32x4 0.0416671373 0.0416671373 0.0416671373 0.0416671373))
    (local.set $q4 (v128.const f32x4 0.00836906862 0.00836906862 0.00836906862 0.00836906862))
    (local.set $q5 (v128.const f32x4 0.00138888729 0.00138888729 0.00138888729 0.00138888729))
    (local.set $rowB (i32.shl (local.get $outF) (i32.const 2)))
    (loop $nl
      (local.set $j (i32.const 0))
      ;; inF = 1 (the first layer of both seminar models, an outer product): a[n] splat once per row
      ;; and no inner loop to set up per 4 outputs — the same additions and products, so the same bits
      (local.set $sa (f32x4.splat (f32.load (local.get $a))))
      (loop $jl
        (local.set $acc (v128.load (i32.add (local.get $b) (local.get $j))))
        (if (i32.eq (local.get $inF) (i32.const 1))
          (then
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $sa) (v128.load (i32.add (local.get $w) (local.get $j)))))))
          (else
            (local.set $ap (local.get $a))
            (local.set $wp (i32.add (local.get $w) (local.get $j)))
            (local.set $i (i32.const 0))
            (loop $il
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (f32x4.splat (f32.load (local.get $ap))) (v128.load (local.get $wp)))))
              (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
              (local.set $wp (i32.add (local.get $wp) (local.get $rowB)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $il (i32.lt_u (local.get $i) (local.get $inF))))))
        (if (local.get $elu)
          (then
            ;; = (call $elu4), inline
            (local.set $et (f32x4.pmax (f32x4.pmin (local.get $acc) (local.get $c0)) (local.get $c1)))
            ;; k + 1.5·2²³ (bits: 0x4B400000 + k), then k as a float in $er, then r = t − k·ln2
            (local.set $ek (f32x4.add (f32x4.mul (local.get $et) (local.get $c2)) (local.get $c3)))
            (local.set $er (f32x4.sub (local.get $ek) (local.get $c3)))
            (local.set $er (f32x4.sub (local.get $et) (f32x4.mul (local.get $er) (local.get $c4))))
            ;; u = r·Q(r), Horner
            (local.set $ep (local.get $q5))
            (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (local.get $q4)))
            (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (local.get $q3)))
            (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (local.get $q2)))
            (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (local.get $q1)))
            (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (local.get $c5)))
            (local.set $ep (f32x4.mul (local.get $ep) (local.get $er)))
            ;; 2ᵏ: k's bits shifted into the exponent (the magic's bits shift out), added to 1.0's bits
            (local.set $ek (i32x4.add (local.get $c5) (i32x4.shl (local.get $ek) (i32.const 23))))
            ;; max(x, 0) + ((2ᵏ − 1) + 2ᵏ·u)
            (local.set $acc
              (f32x4.add
                (f32x4.pmax (local.get $acc) (local.get $c0))
                (f32x4.add (f32x4.sub (local.get $ek) (local.get $c5)) (f32x4.mul (local.get $ek) (local.get $ep)))))))
        (v128.store (i32.add (local.get $y) (local.get $j)) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br_if $jl (i32.lt_u (local.get $j) (local.get $rowB))))
      (local.set $a (i32.add (local.get $a) (i32.shl (local.get $inF) (i32.const 2))))
      (local.set $y (i32.add (local.get $y) (local.get $rowB)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $nl (i32.lt_u (local.get $n) (local.get $batch)))))

  ;; The same with inF a multiple of 4 and Wᵀ [outF, inF] given (the chain transposes W into
  ;; scratch): y[n, j] = Σᵢ a[n, i..i+3] · Wᵀ[j, i..i+3], both contiguous, summed across lanes at the end.
  ;; Faster: for a thin output (64 → 2) each output is one 4-wide dot product; no XNNPACK set-up.
  (func (export "lin_fwd_in")
    (param $a i32) (param $wT i32) (param $b i32) (param $y i32)
    (param $batch i32) (param $inF i32) (param $outF i32) (param $elu i32)
    (local $n i32) (local $j i32) (local $i i32) (local $rowA i32) (local $wp i32) (local $acc v128) (local $s f32)
    (local $w1 i32) (local $acc1 v128) (local $av v128)
    (if (i32.or (i32.eqz (local.get $batch)) (i32.eqz (local.get $outF))) (then (return)))
    (local.set $rowA (i32.shl (local.get $inF) (i32.const 2)))
    (if (i32.eq (local.get $outF) (i32.const 2))
      (then
        ;; two outputs (the discriminator's 64 → 2): both dot products in one sweep over a[n], each the
        ;; same sum in the same order as below (#25)
        (local.set $w1 (i32.add (local.get $wT) (local.get $rowA)))
        (loop $nl2
          (local.set $acc (v128.const f32x4 0 0 0 0))
          (local.set $acc1 (v128.const f32x4 0 0 0 0))
          (local.set $i (i32.const 0))
          (loop $il2
            (local.set $av (v128.load (i32.add (local.get $a) (local.get $i))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $wT) (local.get $i))))))
            (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $w1) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br_if $il2 (i32.lt_u (local.get $i) (local.get $rowA))))
          (local.set $acc
            (f32x4.replace_lane 1
              (f32x4.splat (f32.add (call $hsum (local.get $acc)) (f32.load (local.get $b))))
              (f32.add (call $hsum (local.get $acc1)) (f32.load offset=4 (local.get $b)))))
          (if (local.get $elu) (then (local.set $acc (call $elu4 (local.get $acc)))))
          (f32.store (local.get $y) (f32x4.extract_lane 0 (local.get $acc)))
          (f32.store offset=4 (local.get $y) (f32x4.extract_lane 1 (local.get $acc)))
          (local.set $y (i32.add (local.get $y) (i32.const 8)))
          (local.set $a (i32.add (local.get $a) (local.get $rowA)))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $nl2 (i32.lt_u (local.get $n) (local.get $batch))))
        (return)))
    (loop $nl
      (local.set $j (i32.const 0))
      (loop $jl
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $wp (i32.add (local.get $wT) (i32.mul (local.get $j) (local.get $rowA))))
        (local.set $i (i32.const 0))
        (loop $il
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $wp) (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $il (i32.lt_u (local.get $i) (local.get $rowA))))
        (local.set $s (f32.add (call $hsum (local.get $acc)) (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
        (if (local.get $elu) (then (local.set $s (f32x4.extract_lane 0 (call $elu4 (f32x4.splat (local.get $s)))))))
        (f32.store (local.get $y) (local.get $s))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $jl (i32.lt_u (local.get $j) (local.get $outF))))
      (local.set $a (i32.add (local.get $a) (local.get $rowA)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $nl (i32.lt_u (local.get $n) (local.get $batch)))))

  ;; Gradients of y = a·W + b for outF a multiple of 4, from g = dL/dy [batch, outF], in one pass over
  ;; the rows: db += g[n], dW[i] += a[n, i] · g[n] (4 columns at a time), and — when $da ≠ 0 —
  ;; da[n, i] = g[n] · W[i] (a contiguous dot product), taken through the ELU whose output a is when $eluIn.
  ;; Faster: one pass over the rows instead of three matMuls (tfjs-wasm's transposed dW = aᵀ·g is a scalar
  ;; loop, ≈2.3 ns per multiply-add), a transpose of W, and EluGrad, each with its own JS glue. For
  ;; inF = 1 the row is one sweep over the outputs (4.7 → 2.3 µs a call, #25), same sums in the same order.
  (func (export "lin_bwd_out")
    (param $a i32) (param $w i32) (param $g i32) (param $dw i32) (param $db i32) (param $da i32)
    (param $batch i32) (param $inF i32) (param $outF i32) (param $eluIn i32)
    (local $n i32) (local $j i32) (local $i i32) (local $rowB i32) (local $ap i32) (local $p i32) (local $wp i32)
    (local $gv v128) (local $acc v128) (local $h f32) (local $s f32) (local $sa v128)
    (local.set $rowB (i32.shl (local.get $outF) (i32.const 2)))
    (memory.fill (local.get $dw) (i32.const 0) (i32.mul (local.get $inF) (local.get $rowB)))
    (memory.fill (local.get $db) (i32.const 0) (local.get $rowB))
    (if (i32.eqz (local.get $batch)) (then (return)))
    (if (i32.eq (local.get $inF) (i32.const 1))
      (then
        ;; inF = 1 (the first layer of both seminar models): a[n] splat once per row, and da's dot
        ;; product in the same sweep over the outputs — the same products and sums in the same order
        (loop $nl1
          (local.set $sa (f32x4.splat (f32.load (local.get $a))))
          (local.set $acc (v128.const f32x4 0 0 0 0))
          (local.set $j (i32.const 0))
          (loop $jl1
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $j))))
            (local.set $p (i32.add (local.get $db) (local.get $j)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $gv)))
            (local.set $p (i32.add (local.get $dw) (local.get $j)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $sa) (local.get $gv))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $gv) (v128.load (i32.add (local.get $w) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $jl1 (i32.lt_u (local.get $j) (local.get $rowB))))
          (if (local.get $da)
            (then
              (local.set $s (call $hsum (local.get $acc)))
              (if (local.get $eluIn)
                (then
                  (local.set $h (f32.load (local.get $a)))
                  (if (i32.eqz (f32.ge (local.get $h) (f32.const 0)))
                    (then (local.set $s (f32.mul (local.get $s) (f32.add (local.get $h) (f32.const 1))))))))
              (f32.store (local.get $da) (local.get $s))
              (local.set $da (i32.add (local.get $da) (i32.const 4)))))
          (local.set $a (i32.add (local.get $a) (i32.const 4)))
          (local.set $g (i32.add (local.get $g) (local.get $rowB)))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $nl1 (i32.lt_u (local.get $n) (local.get $batch))))
        (return)))
    (loop $nl
      ;; db and dW
      (local.set $j (i32.const 0))
      (loop $jl
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $j))))
        (local.set $p (i32.add (local.get $db) (local.get $j)))
        (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $gv)))
        (local.set $ap (local.get $a))
        (local.set $p (i32.add (local.get $dw) (local.get $j)))
        (local.set $i (i32.const 0))
        (loop $il
          (v128.store (local.get $p)
            (f32x4.add (v128.load (local.get $p)) (f32x4.mul (f32x4.splat (f32.load (local.get $ap))) (local.get $gv))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
          (local.set $p (i32.add (local.get $p) (local.get $rowB)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $il (i32.lt_u (local.get $i) (local.get $inF))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br_if $jl (i32.lt_u (local.get $j) (local.get $rowB))))
      ;; da
      (if (local.get $da)
        (then
          (local.set $i (i32.const 0))
          (local.set $wp (local.get $w))
          (loop $il2
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (loop $jl2
              (local.set $acc
                (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $j))) (v128.load (i32.add (local.get $wp) (local.get $j))))))
              (local.set $j (i32.add (local.get $j) (i32.const 16)))
              (br_if $jl2 (i32.lt_u (local.get $j) (local.get $rowB))))
            (local.set $s (call $hsum (local.get $acc)))
            (if (local.get $eluIn)
              (then
                (local.set $h (f32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
                (if (i32.eqz (f32.ge (local.get $h) (f32.const 0)))
                  (then (local.set $s (f32.mul (local.get $s) (f32.add (local.get $h) (f32.const 1))))))))
            (f32.store (local.get $da) (local.get $s))
            (local.set $da (i32.add (local.get $da) (i32.const 4)))
            (local.set $wp (i32.add (local.get $wp) (local.get $rowB)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $il2 (i32.lt_u (local.get $i) (local.get $inF))))))
      (local.set $a (i32.add (local.get $a) (i32.shl (local.get $inF) (i32.const 2))))
      (local.set $g (i32.add (local.get $g) (local.get $rowB)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $nl (i32.lt_u (local.get $n) (local.get $batch)))))

  ;; The same for inF a multiple of 4, with Wᵀ [outF, inF] given: dWᵀ[j] += g[n, j] · a[n] and
  ;; da[n] = Σⱼ g[n, j] · Wᵀ[j], 4 input features at a time over contiguous rows (ELU gradient folded in).
  ;; Writes dWᵀ [outF, inF]: the chain transposes it into dW. The ELU's gradient through its output h,
  ;; tfjs's EluGrad (h ≥ 0 ? d : d·(h + 1)), is d·(min(h, 0) + 1): exactly d where h ≥ 0 (times 1), three
  ;; instructions where a compare and a select took five (#25).
  ;; Faster: as lin_bwd_out; for 64 → 2 the rows of dWᵀ are contiguous 64-wide accumulations, where
  ;; tfjs-wasm's dW = aᵀ·g walks a column at a time in its scalar loop. dWᵀ and da share one sweep over
  ;; the input features (a[n, i..i+3] loaded once), and for outF ≤ 2 (the seminar's last layers) g[n, j]
  ;; is splat once per row with no loop over j: 7.0 → 4.0 µs a call for the discriminator's 64 → 2
  ;; (#25). Each sum still adds the same products in the same order, so the bits are the same.
  (func (export "lin_bwd_in")
    (param $a i32) (param $wT i32) (param $g i32) (param $dwT i32) (param $db i32) (param $da i32)
    (param $batch i32) (param $inF i32) (param $outF i32) (param $eluIn i32)
    (local $n i32) (local $j i32) (local $i i32) (local $rowA i32) (local $p i32) (local $q i32)
    (local $gs v128) (local $acc v128) (local $gj f32) (local $h v128) (local $av v128)
    (local $g0 v128) (local $g1 v128) (local $w1 i32) (local $d1 i32)
    (local $one v128) (local $zero v128) ;; a v128 local starts as 0
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $rowA (i32.shl (local.get $inF) (i32.const 2)))
    (memory.fill (local.get $dwT) (i32.const 0) (i32.mul (local.get $outF) (local.get $rowA)))
    (memory.fill (local.get $db) (i32.const 0) (i32.shl (local.get $outF) (i32.const 2)))
    (if (i32.or (i32.eqz (local.get $batch)) (i32.eqz (local.get $outF))) (then (return)))
    ;; the second rows of Wᵀ and dWᵀ (outF = 2)
    (local.set $w1 (i32.add (local.get $wT) (local.get $rowA)))
    (local.set $d1 (i32.add (local.get $dwT) (local.get $rowA)))
    (loop $nl
      ;; db
      (local.set $j (i32.const 0))
      (loop $jl
        (local.set $p (i32.add (local.get $db) (i32.shl (local.get $j) (i32.const 2))))
        (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $jl (i32.lt_u (local.get $j) (local.get $outF))))
      ;; dWᵀ[j] += g[n, j] · a[n] and da[n] = Σⱼ g[n, j] · Wᵀ[j], 4 input features at a time
      (local.set $i (i32.const 0))
      (if (i32.le_u (local.get $outF) (i32.const 2))
        (then
          ;; one or two outputs (the seminar's last layers): g[n, j] splat once per row, no inner loop
          (local.set $g0 (f32x4.splat (f32.load (local.get $g))))
          (if (i32.eq (local.get $outF) (i32.const 1))
            (then
              (loop $il1
                (local.set $av (v128.load (i32.add (local.get $a) (local.get $i))))
                (local.set $q (i32.add (local.get $dwT) (local.get $i)))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (f32x4.mul (local.get $g0) (local.get $av))))
                (local.set $acc
                  (f32x4.add (local.get $zero) (f32x4.mul (local.get $g0) (v128.load (i32.add (local.get $wT) (local.get $i))))))
                (if (local.get $eluIn)
                  (then
                    (local.set $acc (f32x4.mul (local.get $acc) (f32x4.add (f32x4.pmin (local.get $av) (local.get $zero)) (local.get $one))))))
                (if (local.get $da) (then (v128.store (i32.add (local.get $da) (local.get $i)) (local.get $acc))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br_if $il1 (i32.lt_u (local.get $i) (local.get $rowA)))))
            (else
              (local.set $g1 (f32x4.splat (f32.load offset=4 (local.get $g))))
              (loop $il2
                (local.set $av (v128.load (i32.add (local.get $a) (local.get $i))))
                (local.set $q (i32.add (local.get $dwT) (local.get $i)))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (f32x4.mul (local.get $g0) (local.get $av))))
                (local.set $q (i32.add (local.get $d1) (local.get $i)))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (f32x4.mul (local.get $g1) (local.get $av))))
                (local.set $acc
                  (f32x4.add
                    (f32x4.add (local.get $zero) (f32x4.mul (local.get $g0) (v128.load (i32.add (local.get $wT) (local.get $i)))))
                    (f32x4.mul (local.get $g1) (v128.load (i32.add (local.get $w1) (local.get $i))))))
                (if (local.get $eluIn)
                  (then
                    (local.set $acc (f32x4.mul (local.get $acc) (f32x4.add (f32x4.pmin (local.get $av) (local.get $zero)) (local.get $one))))))
                (if (local.get $da) (then (v128.store (i32.add (local.get $da) (local.get $i)) (local.get $acc))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br_if $il2 (i32.lt_u (local.get $i) (local.get $rowA)))))))
        (else
          (loop $il
            (local.set $av (v128.load (i32.add (local.get $a) (local.get $i))))
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $wT) (local.get $i)))
            (local.set $q (i32.add (local.get $dwT) (local.get $i)))
            (local.set $j (i32.const 0))
            (loop $jl2
              (local.set $gs (f32x4.splat (f32.load (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 2))))))
              (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (f32x4.mul (local.get $gs) (local.get $av))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $gs) (v128.load (local.get $p)))))
              (local.set $p (i32.add (local.get $p) (local.get $rowA)))
              (local.set $q (i32.add (local.get $q) (local.get $rowA)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $jl2 (i32.lt_u (local.get $j) (local.get $outF))))
            (if (local.get $eluIn)
              (then
                (local.set $acc (f32x4.mul (local.get $acc) (f32x4.add (f32x4.pmin (local.get $av) (local.get $zero)) (local.get $one))))))
            (if (local.get $da) (then (v128.store (i32.add (local.get $da) (local.get $i)) (local.get $acc))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br_if $il (i32.lt_u (local.get $i) (local.get $rowA))))))
      (if (local.get $da) (then (local.set $da (i32.add (local.get $da) (local.get $rowA)))))
      (local.set $a (i32.add (local.get $a) (local.get $rowA)))
      (local.set $g (i32.add (local.get $g) (i32.shl (local.get $outF) (i32.const 2))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $nl (i32.lt_u (local.get $n) (local.get $batch)))))
)
