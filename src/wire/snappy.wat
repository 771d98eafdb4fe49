;; Snappy block decoder in WebAssembly (src/wire/snappy.ts calls it; README "Performance").
;; The source of src/wire/snappywasm.ts, which holds it assembled: `node scripts/build-wasm.mjs`
;; regenerates that file and test/wire/snappy.test.ts checks that the two agree.
;;
;; The caller copies the compressed block into memory, reads its header (the declared length,
;; checked against --max-decoded-size) and calls decode() with the tags' range and where the
;; output goes. Every read stays inside [pos, end) and every write inside [out, out + length):
;; the bounds are checked before each literal and copy, as in the JavaScript decoder, whose
;; reasons are used for whatever this one refuses (it returns -1).
(module
  (memory (import "env" "memory") 1)
  ;; decode(pos, end, out, length) -> bytes written, or -1 (corrupt)
  ;; The tags are at [pos, end); the output goes to [out, out + length).
  (func (export "decode") (param $pos i32) (param $end i32) (param $out i32) (param $length i32) (result i32)
    (local $op i32) (local $c i32) (local $len i32) (local $off i32) (local $extra i32) (local $dst i32) (local $from i32) (local $i i32)
    (block $done
      (loop $tags
        (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $pos)))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (local.set $dst (i32.add (local.get $out) (local.get $op)))
        (if (i32.eqz (i32.and (local.get $c) (i32.const 3)))
          (then
            ;; literal: len - 1 in the tag, or in 1-4 bytes after it
            (local.set $len (i32.shr_u (local.get $c) (i32.const 2)))
            (if (i32.ge_u (local.get $len) (i32.const 60))
              (then
                (local.set $extra (i32.sub (local.get $len) (i32.const 59)))
                (if (i32.gt_u (local.get $extra) (i32.sub (local.get $end) (local.get $pos))) (then (return (i32.const -1))))
                (local.set $len (i32.load8_u (local.get $pos)))
                (if (i32.ge_u (local.get $extra) (i32.const 2))
                  (then (local.set $len (i32.or (local.get $len) (i32.shl (i32.load8_u offset=1 (local.get $pos)) (i32.const 8))))))
                (if (i32.ge_u (local.get $extra) (i32.const 3))
                  (then (local.set $len (i32.or (local.get $len) (i32.shl (i32.load8_u offset=2 (local.get $pos)) (i32.const 16))))))
                (if (i32.eq (local.get $extra) (i32.const 4))
                  (then (local.set $len (i32.or (local.get $len) (i32.shl (i32.load8_u offset=3 (local.get $pos)) (i32.const 24))))))
                (local.set $pos (i32.add (local.get $pos) (local.get $extra)))))
            ;; $len is length - 1 here: corrupt unless len <= input left and len <= output left
            (if (i32.ge_u (local.get $len) (i32.sub (local.get $end) (local.get $pos))) (then (return (i32.const -1))))
            (if (i32.ge_u (local.get $len) (i32.sub (local.get $length) (local.get $op))) (then (return (i32.const -1))))
            (local.set $len (i32.add (local.get $len) (i32.const 1)))
            (if (i32.and
                  (i32.le_u (local.get $len) (i32.const 16))
                  (i32.and
                    (i32.ge_u (i32.sub (local.get $end) (local.get $pos)) (i32.const 16))
                    (i32.ge_u (i32.sub (local.get $length) (local.get $op)) (i32.const 16))))
              (then
                ;; 16 bytes at once; the bytes past len are overwritten by the next tags
                (i64.store (local.get $dst) (i64.load (local.get $pos)))
                (i64.store offset=8 (local.get $dst) (i64.load offset=8 (local.get $pos))))
              (else (memory.copy (local.get $dst) (local.get $pos) (local.get $len))))
            (local.set $pos (i32.add (local.get $pos) (local.get $len)))
            (local.set $op (i32.add (local.get $op) (local.get $len)))
            (br $tags)))
        ;; copies
        (if (i32.eq (i32.and (local.get $c) (i32.const 3)) (i32.const 1))
          (then
            (if (i32.ge_u (local.get $pos) (local.get $end)) (then (return (i32.const -1))))
            (local.set $len (i32.add (i32.and (i32.shr_u (local.get $c) (i32.const 2)) (i32.const 7)) (i32.const 4)))
            (local.set $off (i32.or (i32.shl (i32.shr_u (local.get $c) (i32.const 5)) (i32.const 8)) (i32.load8_u (local.get $pos))))
            (local.set $pos (i32.add (local.get $pos) (i32.const 1))))
          (else
            (if (i32.eq (i32.and (local.get $c) (i32.const 3)) (i32.const 2))
              (then
                (if (i32.lt_u (i32.sub (local.get $end) (local.get $pos)) (i32.const 2)) (then (return (i32.const -1))))
                (local.set $off (i32.load16_u (local.get $pos)))
                (local.set $pos (i32.add (local.get $pos) (i32.const 2))))
              (else
                (if (i32.lt_u (i32.sub (local.get $end) (local.get $pos)) (i32.const 4)) (then (return (i32.const -1))))
                (local.set $off (i32.load (local.get $pos)))
                (local.set $pos (i32.add (local.get $pos) (i32.const 4)))))
            (local.set $len (i32.add (i32.shr_u (local.get $c) (i32.const 2)) (i32.const 1)))))
        ;; offset 0, offset beyond what is written, or past the declared length: corrupt
        (if (i32.or (i32.eqz (local.get $off)) (i32.gt_u (local.get $off) (local.get $op))) (then (return (i32.const -1))))
        (if (i32.gt_u (local.get $len) (i32.sub (local.get $length) (local.get $op))) (then (return (i32.const -1))))
        (local.set $from (i32.sub (local.get $dst) (local.get $off)))
        (if (i32.and
              (i32.and (i32.ge_u (local.get $off) (i32.const 8)) (i32.le_u (local.get $len) (i32.const 16)))
              (i32.ge_u (i32.sub (local.get $length) (local.get $op)) (i32.const 16)))
          (then
            ;; offset >= 8: the first 8 bytes read are final; the next 8 may include the first 8 written
            (i64.store (local.get $dst) (i64.load (local.get $from)))
            (i64.store offset=8 (local.get $dst) (i64.load offset=8 (local.get $from))))
          (else
            (if (i32.ge_u (local.get $off) (local.get $len))
              (then (memory.copy (local.get $dst) (local.get $from) (local.get $len)))
              (else
                ;; overlapping: byte by byte repeats the pattern
                (local.set $i (i32.const 0))
                (loop $bytes
                  (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.load8_u (i32.add (local.get $from) (local.get $i))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $bytes (i32.lt_u (local.get $i) (local.get $len))))))))
        (local.set $op (i32.add (local.get $op) (local.get $len)))
        (br $tags)))
    (local.get $op))
)
