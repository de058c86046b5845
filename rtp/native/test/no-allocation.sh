#!/bin/sh
# The echo canceller's object file calls no allocator: its state is the caller's.
undefined=$(nm -u "$1") || { echo "not ok - no_allocation: nm failed on $1"; exit 1; }
found=$(printf '%s\n' "$undefined" | grep -wE 'malloc|calloc|realloc|free|aligned_alloc|posix_memalign|alloca' || true)
if [ -n "$found" ]; then
	echo "not ok - no_allocation: $1 calls $found"
	exit 1
fi
echo "ok - no_allocation: $1 calls no allocator ($(printf '%s\n' "$undefined" | awk '{print $2}' | tr '\n' ' '))"
