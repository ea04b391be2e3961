#!/bin/sh
# Tests of fairway-wire-dump (offline): the fixed examples are reproduced byte for byte (they
# are committed in tests/wire-examples/ for the cross-implementation test), every example
# decodes to its committed dump, `verify` accepts the signed example and refuses a tampered
# copy, malformed input is refused, and an independent Python implementation of the dump
# format (tests/wire_dump_reference.py, if python3-protobuf and protoc are present) agrees.
# Usage: test_wire_dump.sh PATH/TO/fairway-wire-dump
set -u
tool=$1
here=$(cd "$(dirname "$0")" && pwd)
golden="$here/wire-examples"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if [ "$1" = 0 ]; then echo "ok   $2"; else echo "FAIL $2"; fail=1; fi; }

"$tool" encode-examples "$tmp/ex" >/dev/null
diff -r "$golden" "$tmp/ex" >/dev/null; check $? "encode-examples reproduces tests/wire-examples byte for byte"

n=0
while IFS="$(printf '\t')" read -r name type file bytes note; do
  case "$name" in ''|\#*) continue ;; esac
  n=$((n + 1))
  "$tool" decode "$type" "$golden/$file" > "$tmp/$name.out" 2>&1
  cmp -s "$tmp/$name.out" "$golden/$name.txt" || { echo "FAIL decode $name"; diff "$golden/$name.txt" "$tmp/$name.out" | head -5; fail=1; }
done < "$golden/index.tsv"
check $fail "decode: $n examples print their committed dumps"

out=$("$tool" verify "$golden/signed-envelope-contribution.bin"); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^signature=ok$'; check $? "verify accepts the signed contribution"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[-1]^=1; open(sys.argv[2],'wb').write(b)" \
  "$golden/signed-envelope-contribution.bin" "$tmp/tampered.bin"
out=$("$tool" verify "$tmp/tampered.bin"); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q '^signature=invalid$'; check $? "verify refuses a flipped signature bit (exit 1)"
printf '\377\377\377' > "$tmp/garbage.bin"
"$tool" decode envelope "$tmp/garbage.bin" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q malformed "$tmp/err"; check $? "malformed bytes: exit 1, 'malformed' on stderr"
"$tool" decode envelope - < "$golden/envelope-ping.bin" | cmp -s - "$golden/envelope-ping.txt"; check $? "decode from stdin"
"$tool" decode NoSuchType "$golden/envelope-ping.bin" >/dev/null 2>&1; [ $? = 2 ]; check $? "unknown type: exit 2"

repo=$(cd "$here/../../.." && pwd)
python3 "$here/wire_dump_reference.py" "$repo/proto" "$golden"; rc=$?
if [ $rc = 77 ]; then echo "skip python reference (python3-protobuf or protoc missing)"; else check $rc "python protobuf reference prints the same dumps"; fi

# Messages made by the Swift nodes: the fuzz seed corpus (Tests/Fuzz/regressions) holds real
# envelopes, signed envelopes and frames. Each must decode, every signed one must verify (a
# Swift Ed25519 signature checked by libsodium), and the Python reference must print the same.
swift="$repo/Tests/Fuzz/regressions"
if [ -d "$swift" ]; then
  n=0; bad=0; signed=0; pairs=""
  for f in "$swift"/*; do
    b=$(basename "$f")
    case "$b" in
      frame-session-plaintext) t=signed-envelope ;;
      frame-*) t=frame ;;
      *-sealed) t=signed-envelope ;;
      seed-*|truncated-join) t=envelope ;;
      *) continue ;;   # garbage-http, varint-overflow: not messages
    esac
    n=$((n + 1))
    "$tool" decode "$t" "$f" > "$tmp/swift.out" 2>&1 || { echo "FAIL decode $b"; bad=1; continue; }
    case "$b" in *-sealed) signed=$((signed + 1)); "$tool" verify "$f" >/dev/null || { echo "FAIL verify $b"; bad=1; } ;; esac
    mkdir -p "$tmp/swift-c"
    cp "$tmp/swift.out" "$tmp/swift-c/$b.txt"
    pairs="$pairs $t=$f"
  done
  if [ $rc != 77 ]; then
    python3 "$here/wire_dump_reference.py" "$repo/proto" --dump-dir "$tmp/swift-py" $pairs || bad=1
    diff -r "$tmp/swift-c" "$tmp/swift-py" || { echo "FAIL C and Python dumps differ"; bad=1; }
  fi
  check $bad "Swift-made messages: $n decode ($signed signed ones verify)$( [ $rc != 77 ] && echo ', C and Python dumps agree')"
  for b in garbage-http varint-overflow; do
    "$tool" decode envelope "$swift/$b" >/dev/null 2>&1; [ $? = 1 ]; check $? "Swift corpus $b refused as malformed"
  done
fi

[ $fail = 0 ] && echo "wire dump: all passed" || echo "wire dump: FAILED"
exit $fail
