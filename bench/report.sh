#!/usr/bin/env bash
# Turns the raw figures of one bench/run.sh run into $RESULTS/latest.md,
# latest.tsv and latency-vs-pods.png (bench/results/ by default):
#   bench/report.sh WORKDIR
# run.sh calls it; run it again on a directory kept with BENCH_KEEP_WORK=1.
set -euo pipefail
WORK=${1:?usage: bench/report.sh WORKDIR}
# shellcheck source=/dev/null
. "$WORK/meta"
: "${RESULTS:?} ${BIN:?} ${REF:?} ${LEVELS:?} ${TP_INFLIGHT:?}"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
read -r -a LV <<<"$LEVELS"
read -r -a TPK <<<"$TP_INFLIGHT"
L0=${LV[0]}
LN=${LV[${#LV[@]} - 1]}
mkdir -p "$RESULTS"
MD=$RESULTS/latest.md
TSV=$RESULTS/latest.tsv

export LC_ALL=C

# Percentiles (nearest rank) of every sample file, computed in one pass:
# P50[level/variant.cmd], P99[...].
declare -A P50=() P99=()
for f in "$WORK"/s/*/*; do
	[[ -e $f ]] || continue
	k=${f#"$WORK"/s/}
	awk -v k="$k" '{ print k, $1 }' "$f"
done | sort -k1,1 -k2,2n | awk '
	function flush() { if (n) { a = int(n * 0.5); if (a < n * 0.5) a++; b = int(n * 0.99); if (b < n * 0.99) b++;
		print key, n, v[a], v[b] } }
	$1 != key { flush(); key = $1; n = 0 } { v[++n] = $2 } END { flush() }' >"$WORK/percentiles"
while read -r k _ a b; do P50[$k]=$a P99[$k]=$b; done <"$WORK/percentiles"

# fmt V: a latency for humans ("–" when missing).
fmt() {
	local v=${1:-}
	[[ -n $v ]] || { printf '–'; return; }
	if ((${v%%.*} < 1)); then printf '%.2f' "$v"; elif ((${v%%.*} < 10)); then printf '%.1f' "$v"; else printf '%.0f' "$v"; fi
}
# ratio A B: B / A as "N.Nx" ("–" when either is missing).
ratio() {
	[[ -n ${1:-} && -n ${2:-} ]] || { printf '–'; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { if (a <= 0) { printf "–"; exit } r = b / a; printf (r < 10 ? "%.2fx" : "%.1fx"), r }'
}
# s LEVEL VARIANT CMD P(50|99)
s() { if [[ $4 == 50 ]]; then printf '%s' "${P50[$1/$2.$3]:-}"; else printf '%s' "${P99[$1/$2.$3]:-}"; fi; }
cell() { # LEVEL VARIANT CMD -> "p50 / p99"
	local a b
	a=$(s "$1" "$2" "$3" 50) b=$(s "$1" "$2" "$3" 99)
	[[ -n $a ]] || { printf '–'; return; }
	printf '%s / %s' "$(fmt "$a")" "$(fmt "$b")"
}

# Figures of the cnibench runs ($WORK/json/runs: LABEL VARIANT CMD INFLIGHT JSON),
# flattened once: LABEL VARIANT CMD INFLIGHT THROUGHPUT P50 RSS FAILURES COUNT.
RUNS=$WORK/runs.tsv
while read -r lab v c k j; do
	printf '%s %s %s %s %s\n' "$lab" "$v" "$c" "$k" \
		"$(jq -r '[.throughput // "-", .p50_ms // "-", .max_rss_kb // 0, (.failures // 0 | if . < 0 then 1000000 else . end), .count // 0] | join(" ")' <<<"$j")"
done <"$WORK/json/runs" >"$RUNS"
run_field() { # LABEL VARIANT CMD INFLIGHT COLUMN(5 = throughput)
	awk -v l="$1" -v v="$2" -v c="$3" -v k="$4" -v f="$5" '$1 == l && $2 == v && $3 == c && $4 == k && $f != "-" { x = $f } END { print x }' "$RUNS"
}
max_rss() { # VARIANT: the highest peak RSS (KiB) over every run of it
	awk -v v="$1" '$2 == v && $7 > m { m = $7 } END { print m + 0 }' "$RUNS"
}
failures() { # VARIANT: failed calls over every run of it
	awk -v v="$1" '$2 == v { n += $8 } END { print n + 0 }' "$RUNS"
}
kib() { awk -v k="$1" 'BEGIN { printf "%.2f MB", k / 1024 }'; }
size_of() { awk -v b="$(stat -L -c %s "$1")" 'BEGIN { printf "%.0f KiB", b / 1024 }'; }

# ---- the TSV (every figure) ---------------------------------------------------
{
	printf 'pods_or_section\tvariant\tcmd\tcalls\tp50_ms\tp99_ms_or_calls_per_s\n'
	awk -v OFS='\t' '{ split($1, k, "[/.]"); print k[1], k[2], k[3], $2, $3, $4 }' "$WORK/percentiles" | sort -k1,1n -k2,2 -k3,3
	awk '$1 == "tp" { printf "throughput@%s\t%s\t%s\t%s\t%s\t%s\n", $4, $2, $3, $9, $6, $5 }' "$RUNS"
	while read -r v c n a b; do printf 'vm\t%s\t%s\t%s\t%s\t%s\n' "$v" "$c" "$n" "$a" "$b"; done <"$WORK/vm.tsv"
} >"$TSV"

# ---- the plot -----------------------------------------------------------------
PLOT=$RESULTS/latency-vs-pods.png
for l in "${LV[@]}"; do
	printf '%s %s %s %s %s %s %s %s %s\n' "$l" "$(s "$l" kr ADD 50)" "$(s "$l" ref ADD 50)" "$(s "$l" floor ADD 50)" \
		"$(s "$l" kr DEL 50)" "$(s "$l" ref DEL 50)" "$(s "$l" floor DEL 50)" "$(s "$l" true ADD 50)" "$(s "$l" true DEL 50)"
done >"$WORK/plot.dat"
gnuplot <<EOF
set terminal pngcairo size 1100,520 font "DejaVu Sans,11"
set output "$PLOT"
set multiplot layout 1,2 title "p50 latency per call vs pods already on the node ($(nproc) CPUs, kernel $(uname -r), ${RUN_DATE:-})"
set logscale x
set xtics (${LEVELS// /,})
set xrange [$(awk -v a="$L0" 'BEGIN{print a / 1.5}'):$(awk -v a="$LN" 'BEGIN{print a * 1.5}')]
set yrange [0:*]
set grid
set key below
set xlabel "pods per chain on the node"
set ylabel "ms (p50, exec included)"
set title "ADD"
plot "$WORK/plot.dat" using 1:2 with linespoints lw 2 pt 7 title "ours: krafty + host-local", \
     "" using 1:3 with linespoints lw 2 pt 5 title "reference: bridge + host-local", \
     "" using 1:4 with linespoints lw 2 dt 2 pt 9 title "floor (no exec)", \
     "" using 1:8 with linespoints lw 1 dt 3 pt 1 lc rgb "gray40" title "exec of /bin/true (load gauge)"
set title "DEL"
plot "$WORK/plot.dat" using 1:5 with linespoints lw 2 pt 7 title "ours: krafty + host-local", \
     "" using 1:6 with linespoints lw 2 pt 5 title "reference (leaves its bridge)", \
     "" using 1:7 with linespoints lw 2 dt 2 pt 9 title "floor (no exec)", \
     "" using 1:9 with linespoints lw 1 dt 3 pt 1 lc rgb "gray40" title "exec of /bin/true (load gauge)"
unset multiplot
EOF

# ---- the markdown -------------------------------------------------------------
KR_ADD=$(s "$L0" kr ADD 50) REF_ADD=$(s "$L0" ref ADD 50) FL_ADD=$(s "$L0" floor ADD 50)
KR_DEL=$(s "$L0" kr DEL 50) REF_DEL=$(s "$L0" ref DEL 50) FL_DEL=$(s "$L0" floor DEL 50)
TRUE_ADD=$(s "$L0" true ADD 50)
verdict() { # VALUE OP LIMIT -> met / missed
	awk -v v="${1:-}" -v op="$2" -v l="$3" 'BEGIN { if (v == "") { print "n/a"; exit }
		ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0); print ok ? "**met**" : "**missed**" }'
}
num_ratio() { [[ -n ${1:-} && -n ${2:-} ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.3f", b / a }'; }
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)

{
	echo "# krafty benchmarks"
	echo
	echo "\`make bench\` (bench/run.sh), ${RUN_DATE:-$(date -u '+%F %H:%M UTC')}, commit ${COMMIT:-?}."
	echo "Machine: $(nproc) CPUs ($CPU), kernel $(uname -r), $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM;"
	echo "load average ${LOAD_START:-?} at the start, ${LOAD_END:-?} at the end (other test suites were running);"
	echo "${DEVS_START:-?} network devices on the node before the run. Wall time ${WALL:-?} s."
	echo
	echo "Method: every call exec'd by bench/cnibench as a runtime does (fresh process, config on"
	echo "stdin, one netns per pod, cniVersion 1.0.0, CHECK/DEL given the ADD's result as prevResult)."
	echo "${SAMPLES:-?} timed calls per cell, in batches of ${BATCH:-?}: ours and the reference alternate"
	echo "batch by batch (who goes first alternates too), with the floor and a /bin/true exec in the same"
	echo "rounds. Latencies in ms, p50 / p99 (nearest rank), exec included. Reference = Debian's"
	echo "containernetworking-plugins 1.1.1 in $REF."
	echo
	echo "## Latency, $L0 pods per chain on the node, 1 call in flight"
	echo
	echo "| job | ADD | CHECK | DEL |"
	echo "|---|---:|---:|---:|"
	echo "| krafty (\`\"vrf\": false\`) + our host-local | $(cell "$L0" kr ADD) | $(cell "$L0" kr CHECK) | $(cell "$L0" kr DEL) |"
	echo "| reference bridge (a bridge per pod) + host-local | $(cell "$L0" ref ADD) | $(cell "$L0" ref CHECK) | $(cell "$L0" ref DEL) |"
	echo "| *reference ÷ ours (p50)* | *$(ratio "$KR_ADD" "$REF_ADD")* | *$(ratio "$(s "$L0" kr CHECK 50)" "$(s "$L0" ref CHECK 50)")* | *$(ratio "$KR_DEL" "$REF_DEL")* |"
	echo "| host-local (ours) | $(cell "$L0" hl ADD) | | $(cell "$L0" hl DEL) |"
	echo "| host-local (reference), same range | $(cell "$L0" hlref ADD) | | $(cell "$L0" hlref DEL) |"
	echo "| *reference ÷ ours (p50)* | *$(ratio "$(s "$L0" hl ADD 50)" "$(s "$L0" hlref ADD 50)")* | | *$(ratio "$(s "$L0" hl DEL 50)" "$(s "$L0" hlref DEL 50)")* |"
	echo "| tuning-lite, prevResult given | $(cell "$L0" tl ADD) | $(cell "$L0" tl CHECK) | $(cell "$L0" tl DEL) |"
	echo "| passthru + tuning-lite (chain, 2 execs) | $(cell "$L0" chain ADD) | $(cell "$L0" chain CHECK) | $(cell "$L0" chain DEL) |"
	echo "| tuning (reference), same prevResult and keys | $(cell "$L0" tune ADD) | $(cell "$L0" tune CHECK) | $(cell "$L0" tune DEL) |"
	echo "| *tuning ÷ tuning-lite (p50)* | *$(ratio "$(s "$L0" tl ADD 50)" "$(s "$L0" tune ADD 50)")* | *$(ratio "$(s "$L0" tl CHECK 50)" "$(s "$L0" tune CHECK 50)")* | *$(ratio "$(s "$L0" tl DEL 50)" "$(s "$L0" tune DEL 50)")* |"
	echo "| *tuning ÷ passthru + tuning-lite (p50)* | *$(ratio "$(s "$L0" chain ADD 50)" "$(s "$L0" tune ADD 50)")* | *$(ratio "$(s "$L0" chain CHECK 50)" "$(s "$L0" tune CHECK 50)")* | *$(ratio "$(s "$L0" chain DEL 50)" "$(s "$L0" tune DEL 50)")* |"
	echo "| floor: krafty's kernel work in one process, no exec | $(cell "$L0" floor ADD) | $(cell "$L0" floor CHECK) | $(cell "$L0" floor DEL) |"
	echo "| exec of /bin/true (the process floor) | $(cell "$L0" true ADD) | | $(cell "$L0" true DEL) |"
	echo
	echo "## Throughput (calls/s) by calls in flight (${TP_CALLS:-?} calls per run, $L0 pods on the node)"
	echo
	printf '| job | cmd |'
	for k in "${TPK[@]}"; do printf ' ours @%s | ref @%s | ratio |' "$k" "$k"; done
	echo
	printf '|---|---|'
	for _ in "${TPK[@]}"; do printf -- '---:|---:|---:|'; done
	echo
	for spec in "krafty vs bridge+host-local:kr:ref:ADD CHECK DEL" "host-local vs host-local:hl:hlref:ADD DEL" \
		"tuning-lite vs tuning:tl:tune:ADD CHECK DEL" "passthru+tuning-lite vs tuning:chain:tune:ADD CHECK DEL"; do
		IFS=: read -r name o r cmds <<<"$spec"
		for c in $cmds; do
			printf '| %s | %s |' "$name" "$c"
			for k in "${TPK[@]}"; do
				a=$(run_field tp "$o" "$c" "$k" 5) b=$(run_field tp "$r" "$c" "$k" 5)
				printf ' %s | %s | %s |' "${a:-–}" "${b:-–}" "$(ratio "$b" "$a")"
			done
			echo
		done
	done
	echo
	echo "## Growth: p50 with N pods of each chain already on the node"
	echo
	echo "| pods per chain (devices on node, load) | krafty ADD | ref ADD | floor ADD | krafty CHECK | ref CHECK | krafty DEL | ref DEL | floor DEL | host-local ADD ours / ref | host-local DEL ours / ref | exec /bin/true |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r l devs load; do
		echo "| $l ($devs, $load) | $(fmt "$(s "$l" kr ADD 50)") | $(fmt "$(s "$l" ref ADD 50)") | $(fmt "$(s "$l" floor ADD 50)") | $(fmt "$(s "$l" kr CHECK 50)") | $(fmt "$(s "$l" ref CHECK 50)") | $(fmt "$(s "$l" kr DEL 50)") | $(fmt "$(s "$l" ref DEL 50)") | $(fmt "$(s "$l" floor DEL 50)") | $(fmt "$(s "$l" hl ADD 50)") / $(fmt "$(s "$l" hlref ADD 50)") | $(fmt "$(s "$l" hl DEL 50)") / $(fmt "$(s "$l" hlref DEL 50)") | $(fmt "$(s "$l" true ADD 50)") |"
	done <"$WORK/levels.tsv"
	g() { ratio "$(s "$L0" "$1" "$2" 50)" "$(s "$LN" "$1" "$2" 50)"; }
	if ((${#LV[@]} > 2)); then
		LM=${LV[${#LV[@]} - 2]}
		gm() { ratio "$(s "$LM" "$1" "$2" 50)" "$(s "$LN" "$1" "$2" 50)"; }
		echo "| *$LN ÷ $LM* | *$(gm kr ADD)* | *$(gm ref ADD)* | *$(gm floor ADD)* | *$(gm kr CHECK)* | *$(gm ref CHECK)* | *$(gm kr DEL)* | *$(gm ref DEL)* | *$(gm floor DEL)* | *$(gm hl ADD) / $(gm hlref ADD)* | *$(gm hl DEL) / $(gm hlref DEL)* | *$(gm true ADD)* |"
	fi
	echo "| *$LN ÷ $L0* | *$(g kr ADD)* | *$(g ref ADD)* | *$(g floor ADD)* | *$(g kr CHECK)* | *$(g ref CHECK)* | *$(g kr DEL)* | *$(g ref DEL)* | *$(g floor DEL)* | *$(g hl ADD) / $(g hlref ADD)* | *$(g hl DEL) / $(g hlref DEL)* | *$(g true ADD)* |"
	echo
	echo "![ADD and DEL p50 vs pods on the node](latency-vs-pods.png)"
	echo
	echo "## Size and memory"
	echo
	echo "| ours | binary | peak RSS per call | reference | binary | peak RSS per call |"
	echo "|---|---:|---:|---|---:|---:|"
	echo "| krafty (+ host-local child) | $(size_of "$BIN/krafty") | $(kib "$(max_rss kr)") | bridge (+ host-local child) | $(size_of "$REF/bridge") | $(kib "$(max_rss ref)") |"
	echo "| host-local | $(size_of "$BIN/host-local") | $(kib "$(max_rss hl)") | host-local | $(size_of "$REF/host-local") | $(kib "$(max_rss hlref)") |"
	echo "| tuning-lite | $(size_of "$BIN/tuning-lite") | $(kib "$(max_rss tl)") | tuning | $(size_of "$REF/tuning") | $(kib "$(max_rss tune)") |"
	echo "| passthru (chain: either process) | $(size_of "$BIN/passthru") | $(kib "$(max_rss chain)") | vrf | $(size_of "$REF/vrf") | |"
	echo "| /bin/true, for scale | $(size_of /bin/true) | $(kib "$(max_rss true)") | | | |"
	echo
	echo "Our binaries also load libcjson.so (krafty-libs/, $(size_of "$(readlink -f "$(ldconfig -p | awk '/libcjson.so.1 / && /x86-64/ {print $NF; exit}')")")) and libc; the"
	echo "reference ones are static Go. Peak RSS is the kernel's ru_maxrss of the plugin's process tree"
	echo "(resident pages, shared libc pages included)."
	echo
	if [[ -s $WORK/profile.tsv ]]; then
		echo "## Where the time goes (one call; $L0 pods on the node)"
		echo
		echo "perf stat over 10 calls (per call; includes the driver's fork, compare with /bin/true) and"
		echo "strace -f -c over one call: processes exec'd, netlink requests (sendmsg + sendto), syscalls."
		echo
		echo "\"CPU above exec\" is the CPU time minus that of a call exec'ing /bin/true as many times (the"
		echo "driver's fork and the execs): roughly what the plugin's own code and its kernel work cost."
		echo
		echo "| call | CPU ms | CPU above exec | page faults | context switches | processes | netlink requests | syscalls |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|"
		tcpu=$(awk -F'\t' '$1 == "true" { print $3 }' "$WORK/profile.tsv")
		t2cpu=$(awk -F'\t' '$1 == "true2" { print $3 }' "$WORK/profile.tsv")
		while IFS=$'\t' read -r v c cpu pf cs ex nl sc; do
			case $v in
			true) name="exec of /bin/true" ;; true2) name="two execs of /bin/true (a chain)" ;; kr) name="krafty + host-local $c" ;; ref) name="bridge + host-local (ref) $c" ;;
			hl) name="host-local $c" ;; hlref) name="host-local (ref) $c" ;; tl) name="tuning-lite $c" ;;
			tune) name="tuning (ref) $c" ;; chain) name="passthru + tuning-lite $c" ;; floor) name="floor $c (in-process)" ;;
			*) name="$v $c" ;;
			esac
			above=$(awk -v c="$cpu" -v t="${tcpu:-0}" -v t2="${t2cpu:-0}" -v n="$ex" -v v="$v" 'BEGIN {
				if (v == "floor") printf "%.2f", c; else if (v ~ /^true/) printf "–";
				else printf "%.2f", c - (t + (n - 1) * (t2 > t ? t2 - t : t)) }')
			echo "| $name | $cpu | $above | $pf | $cs | $ex | $nl | $sc |"
		done <"$WORK/profile.tsv"
		echo
	fi
	echo "## VM: krafty with VRF vs bridge + host-local + vrf (${VM_PODS:-?} pods, qemu TCG)"
	echo
	if [[ -s $WORK/vm.tsv ]]; then
		vm() { awk -v v="$1" -v c="$2" -v f="$3" '$1 == v && $2 == c { print $f }' "$WORK/vm.tsv"; }
		vmc() {
			local a b f
			a=$(vm "$1" "$2" 4) b=$(vm "$1" "$2" 5) f=$(vm "$1" "$2" 6)
			[[ -n $a ]] || { printf '–'; return; }
			printf '%s / %s' "$(fmt "$a")" "$(fmt "$b")"
			[[ ${f:-0} == 0 ]] || printf ' (%s of %s failed)' "$f" "$(vm "$1" "$2" 3)"
		}
		echo "$(cat "$WORK/vm.note"). Emulated: absolute times are not comparable with the host's; read the ratios."
		echo
		echo "| job (in the VM) | ADD | CHECK | DEL |"
		echo "|---|---:|---:|---:|"
		echo "| krafty (VRF per pod) + our host-local | $(vmc krafty ADD) | $(vmc krafty CHECK) | $(vmc krafty DEL) |"
		echo "| bridge + host-local + vrf (reference chain) | $(vmc ref ADD) | $(vmc ref CHECK) | $(vmc ref DEL) |"
		vmr() { # CMD: reference ÷ ours, unless either failed
			if [[ $(vm krafty "$1" 6) != 0 || $(vm ref "$1" 6) != 0 ]]; then printf 'n/a (failed calls)'; return; fi
			ratio "$(vm krafty "$1" 4)" "$(vm ref "$1" 4)"
		}
		echo "| *reference ÷ ours (p50)* | *$(vmr ADD)* | *$(vmr CHECK)* | *$(vmr DEL)* |"
		echo "| floor with a VRF, no exec | $(vmc floor ADD) | $(vmc floor CHECK) | $(vmc floor DEL) |"
		echo "| *ours ÷ floor (p50)* | *$(ratio "$(vm floor ADD 4)" "$(vm krafty ADD 4)")* | *$(ratio "$(vm floor CHECK 4)" "$(vm krafty CHECK 4)")* | *$(ratio "$(vm floor DEL 4)" "$(vm krafty DEL 4)")* |"
		echo "| exec of /bin/true (busybox, static) | $(vmc true ADD) | | $(vmc true DEL) |"
	else
		echo "Not measured: $(cat "$WORK/vm.note" 2>/dev/null)."
	fi
	echo
	echo "## Targets"
	echo
	echo "| target | measured | verdict |"
	echo "|---|---|---|"
	r=$(num_ratio "$FL_ADD" "$KR_ADD")
	echo "| krafty ADD within 1.5x of the floor | $(ratio "$FL_ADD" "$KR_ADD") ($(fmt "$KR_ADD") vs $(fmt "$FL_ADD") ms; floor + 2 execs of /bin/true: $(fmt "$(awk -v a="$FL_ADD" -v b="$TRUE_ADD" 'BEGIN{print a + 2 * b}')") ms) | $(verdict "$r" '<=' 1.5) |"
	r=$(num_ratio "$KR_ADD" "$REF_ADD")
	echo "| krafty ADD at least 5x faster than the reference chain | $(ratio "$KR_ADD" "$REF_ADD") | $(verdict "$r" '>=' 5) |"
	r=$(num_ratio "$KR_DEL" "$REF_DEL")
	echo "| krafty DEL at least 8x faster | $(ratio "$KR_DEL" "$REF_DEL") (floor DEL alone: $(fmt "$FL_DEL") ms) | $(verdict "$r" '>=' 8) |"
	for vv in "hl:hlref:host-local:ADD DEL" "tl:tune:tuning-lite:ADD CHECK DEL"; do
		IFS=: read -r o rr name cmds <<<"$vv"
		for c in $cmds; do
			r=$(num_ratio "$(s "$L0" "$o" "$c" 50)" "$(s "$L0" "$rr" "$c" 50)")
			echo "| $name $c at least 8x faster | $(ratio "$(s "$L0" "$o" "$c" 50)" "$(s "$L0" "$rr" "$c" 50)") | $(verdict "$r" '>=' 8) |"
		done
	done
	for vv in kr:ADD kr:CHECK kr:DEL hl:ADD hl:DEL; do
		o=${vv%%:*} c=${vv#*:}
		r=$(num_ratio "$(s "$L0" "$o" "$c" 50)" "$(s "$LN" "$o" "$c" 50)")
		echo "| $([[ $o == kr ]] && echo krafty || echo host-local) $c at $LN pods within 1.2x of $L0 | $(ratio "$(s "$L0" "$o" "$c" 50)" "$(s "$LN" "$o" "$c" 50)") | $(verdict "$r" '<=' 1.2) |"
	done
	for vv in kr:krafty hl:host-local tl:tuning-lite chain:passthru+tuning-lite; do
		o=${vv%%:*}
		r=$(max_rss "$o")
		echo "| peak RSS of $o at most 2 MB | $(kib "$r") | $(verdict "$r" '<=' 2048) |"
	done
	echo
	printf 'Failed calls on the host (every run):'
	for v in kr ref hl hlref tl tune chain floor true; do printf ' %s %s;' "$v" "$(failures "$v")"; done
	echo ' a failed call counts in the latencies with the time it took to fail.'
	if [[ -s $WORK/vm.tsv ]] && awk '$6 > 0 { f = 1 } END { exit !f }' "$WORK/vm.tsv"; then
		echo "In the VM: $(awk '$6 > 0 { printf "%s%s %s: %d of %d failed", s, $1, $2, $6, $3; s = "; " }' "$WORK/vm.tsv")."
	fi
	echo
	echo "## Notes"
	echo
	echo "- The reference job: the reference bridge plugin cannot make a bridge per pod by itself, so"
	echo "  each pod's config names its own bridge (\`\"bridge\": \"<tag>b<pod index>\"\`, isGateway, the gateway"
	echo "  address with its prefix). That is krafty's kernel work on ADD (bridge, gateway address, veth"
	echo "  into the pod, address, routes). On DEL the reference leaves its bridge behind (it never deletes"
	echo "  bridges) and so does less kernel work than krafty, which deletes the veth and the bridge; the"
	echo "  harness deletes the leftover bridges afterwards, untimed."
	echo "- host-local: ours and the reference each in the network directory their chain uses, which holds"
	echo "  N pods' addresses; same range shape (a /16, gateway .1)."
	echo "- Tuning: mtu 1400, promisc, two eth0 sysctls, on a veth end already in the pod's netns; tuning"
	echo "  does no node-wide work, so it is measured at $L0 pods only."
	echo "- Growth: the pods of both chains are added (untimed, 2 in flight) before each level; each sample"
	echo "  ADDs a pod, CHECKs and DELs it, so the node stays at N pods while measuring. Levels are measured"
	echo "  one after the other, so the machine's load differs between them (other suites share it): read"
	echo "  them next to the floor and /bin/true columns, which move with the load and the kernel alone."
	echo "- The floor (bench/floor.c) does with lib/netlink what a krafty ADD does to the kernel (plus the"
	echo "  address file host-local writes), without exec, name probes or the result."
	if [[ -s $REPO/bench/analysis.md ]]; then
		echo
		cat "$REPO/bench/analysis.md"
	fi
} >"$MD"
echo "$MD"
