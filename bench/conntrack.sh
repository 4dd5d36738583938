#!/bin/bash
# The conntrack collector against conntrack(8), in one run, inside two throw-away network namespaces
# (veth, 198.18.0.0/15; nothing in the root namespace is touched):
#  1. one dump of 10k and of 100k entries: the collector's dump (collector.dump_seconds, warm, in
#     the agent) against `conntrack -L` (wall and CPU of the whole command), as a ratio;
#  2. DESTROY events handled per second, and lost, when all 100k entries are flushed at once;
#  3. the agent's CPU while 1000 new flows per second come and go (and end: short timeouts, so
#     their DESTROY events arrive too), against the same time idle.
# Needs root and the built jar. Usage: bench/conntrack.sh
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_need_jar
bench_need_tools conntrack nft ip cc bc
bench_scratch
ns=glbench$$
host=${ns}h
peers=${ns}p

bench_on_exit() {
    ip netns del "$host" 2>/dev/null
    ip netns del "$peers" 2>/dev/null
}

in_host() { ip netns exec "$host" "$@"; }
now() { date +%s.%N; }
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

cc -O2 -o "$work/ctpeer" "$bench_home/testkit/src/main/resources/org/gleaner/testkit/ctpeer.c"
ip netns add "$host"
ip netns add "$peers"
in_host ip link set lo up
ip -n "$peers" link set lo up
in_host ip link add vh type veth peer name vp netns "$peers"
in_host ip addr add 198.18.0.1/24 dev vh
in_host ip link set vh up
ip -n "$peers" addr add 198.18.0.2/24 dev vp
ip -n "$peers" link set vp up
in_host nft -f - <<'NFT'
table inet gleaner_bench {
    chain in { type filter hook input priority 0; ct state new counter; }
    chain out { type filter hook output priority 0; ct state new counter; }
}
NFT
ip netns exec "$peers" nft -f - <<'NFT'
table inet gleaner_bench {
    chain in { type filter hook input priority 0; udp dport 20000-29999 drop; }
}
NFT
in_host sysctl -qw net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_events=1 \
    net.netfilter.nf_conntrack_udp_timeout=600
ip netns exec "$peers" "$work/ctpeer" serve 7000 198.18.0.2 >/dev/null &
bench_track $!

printf 'counters: raw\ncollectors:\n  conntrack:\n    top: 20\n' >"$work/gleaner.yaml"
in_host "$bench_home/bin/gleaner" agent --stdout --config "$work/gleaner.yaml" --collectors conntrack -i 10s \
    >"$work/out" 2>"$work/err" &
bench_track $!
for _ in $(seq 200); do
    agent_pid=$(pgrep -f -n "gleaner.jar.*agent --stdout --config $work/gleaner.yaml" || true)
    [ -n "$agent_pid" ] && grep -q 'conntrack.collector.dump_entries' "$work/out" 2>/dev/null && break
    sleep 0.1
done
grep -q 'conntrack.collector.dump_entries' "$work/out" || { echo "the agent did not start:"; cat "$work/err"; exit 1; }
last() { grep "conntrack.collector.$1 " "$work/out" | tail -1 | awk '{ print $2 }'; }
await_entries() { # N: until a cycle dumped N entries (bounded)
    for _ in $(seq 400); do
        [ "$(last dump_entries)" = "$1" ] && return
        sleep 0.2
    done
    echo "the dumps never saw all $1 entries within the collector's budget (last: $(last dump_entries)): the machine is too busy" >&2
}

TIMEFORMAT='%R %U %S'
for entries in 10000 100000; do
    have=$(in_host conntrack -C)
    while [ "$have" -lt "$entries" ]; do # each flood socket adds 10k entries (one source port)
        in_host "$work/ctpeer" flood 198.18.0.2 10000 100 >/dev/null
        have=$(in_host conntrack -C)
    done
    await_entries "$entries"
    sleep 20.5 # two more cycles with the same table: a warm dump
    dump=$(last dump_seconds)
    dump_cpu=$(last dump_cpu_seconds)
    list=$( { time in_host conntrack -L >/dev/null 2>&1; } 2>&1 )
    read -r wall user sys <<<"$list"
    echo "$entries entries: collector dump ${dump}s wall, ${dump_cpu}s CPU; conntrack -L ${wall}s wall, $(echo "$user + $sys" | bc)s CPU;" \
        "ratios (collector / conntrack -L): wall $(echo "scale=3; $dump / $wall" | bc), CPU $(echo "scale=3; $dump_cpu / ($user + $sys)" | bc)"
done

events_before=$(last destroy_events)
lost_before=$(last lost_events)
start=$(now)
in_host conntrack -F >/dev/null 2>&1
flushed=$(echo "$(now) - $start" | bc)
for _ in $(seq 300); do
    [ "$(( $(last destroy_events) - events_before ))" -ge 100000 ] && break
    sleep 0.1
done
events=$(( $(last destroy_events) - events_before ))
# the counter is read once per 10 s cycle: the rate is a lower bound
handled=$(echo "$(now) - $start" | bc)
echo "flush of 100000 entries: conntrack -F ${flushed}s; $events DESTROY events handled within ${handled}s" \
    "(>= $(echo "$events / $handled" | bc)/s), lost $(( $(last lost_events) - lost_before ))"

# short timeouts: the flows of this phase end (DESTROY events) a second or two after their exchange
in_host sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1 net.netfilter.nf_conntrack_udp_timeout_stream=1 \
    net.netfilter.nf_conntrack_tcp_timeout_time_wait=1
idle_before=$(cpu_ticks "$agent_pid"); sleep 10; idle_after=$(cpu_ticks "$agent_pid")
busy_before=$(cpu_ticks "$agent_pid")
started=$(now)
for second in $(seq 10); do # 1000 flows per second: 500 UDP and 500 TCP exchanges of 100-1099 bytes
    in_host "$work/ctpeer" flows 5 1000 7000 100 198.18.0.2 >/dev/null
    sleep "$(echo "$second - ($(now) - $started)" | bc | sed 's/^-.*/0/')"
done
busy_after=$(cpu_ticks "$agent_pid")
took=$(echo "$(now) - $started" | bc)
events_busy=$(( $(last destroy_events) - events_before ))
echo "agent CPU: idle $(( (idle_after - idle_before) * 1000 / hz )) ms per 10 s;" \
    "at $(echo "10000 / $took" | bc) new flows/s $(( (busy_after - busy_before) * 1000 / hz )) ms per ${took}s" \
    "($(( events_busy - events )) DESTROY events read by then)"
echo "lost events overall: $(last lost_events); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
