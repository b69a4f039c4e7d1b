#!/bin/sh
# The host side of Solo5's test_net (examples/solo5/net.yml): run by diverge in the boot's network
# namespace once the unikernel serves, it pings the guest as tests/tests.bats does (there
# `ping -fq -c 100000`, far too many under TCG: here 5 echoes, 0.2 s apart, 2 s for the last
# reply) and prints TAP on stdout: `ok 1 - TEST` when ping got its replies, else `not ok`, with
# ping's summary (transmitted, received, packet loss) as a diagnostic. Needs iputils' ping.
set -u
test=${DIVERGE_TEST:-net}
echo "TAP version 13"
echo "1..1"
ping -n -c 5 -i 0.2 -W 2 "${DIVERGE_GUEST_ADDRESS:?}" >"${DIVERGE_OUT:?}/ping.log" 2>&1
status=$?
cat "$DIVERGE_OUT/ping.log" >&2
# The summary line (its `time 812ms` is a duration the config normalises away); a guest that
# never answered has no rtt line.
grep -E 'packets transmitted' "$DIVERGE_OUT/ping.log" | sed 's/^/# /'
if [ "$status" = 0 ]; then echo "ok 1 - $test"; else echo "not ok 1 - $test"; fi
