#!/bin/sh
# Runs test programs that print "ok - name" / "not ok - name" lines and prints one summary
# line "N passed, N failed" over all of them. A program that exits non-zero without a
# "not ok" line (a crash) counts as one failure.
passed=0
failed=0
for program in "$@"; do
	echo "# $program"
	output=$($program 2>&1)
	status=$?
	printf '%s\n' "$output"
	p=$(printf '%s\n' "$output" | grep -c '^ok ')
	f=$(printf '%s\n' "$output" | grep -c '^not ok ')
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $program exited with status $status"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
