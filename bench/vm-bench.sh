#!/bin/sh
# The VM part of bench/run.sh (a template: run.sh fills in the pod count and
# the batch size and hands it to tests/vm/run.sh as the scenario "bench-vrf").
# In a VRF-capable kernel under TCG: krafty with a VRF per pod (our host-local)
# against the reference chain bridge + host-local + vrf (one bridge per pod,
# the vrf plugin's VRF in the pod), and the floor (bench/floor.c with
# --vrf-table: the same kernel work in one process). ADD, CHECK, DEL per pod,
# exec'd by cnibench, the variants taking turns per batch. Prints one line per
# variant and command:
#   # BENCHVM <variant> <cmd> <n> <p50 ms> <p99 ms> <failed calls>
# shellcheck source=../tests/vm/lib.sh
. /vm/lib.sh

PODS=@PODS@
BATCH=@BATCH@
B=/opt/krafty/bench
S=/tmp/samples
F=/tmp/failures
mkdir -p "$S" "$F" /tmp/res-kr /tmp/res-ref /tmp/floor-ipam

KR='{"cniVersion":"1.0.0","name":"vmbench","type":"krafty","subnet":"10.60.0.0/16","gateway":"10.60.0.1",
"vrfTable":4100,"ipam":{"type":"host-local","dataDir":"/tmp/ipam-kr","ranges":[[{"subnet":"10.60.0.0/16",
"gateway":"10.60.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}'
REFC='{"cniVersion":"1.0.0","name":"vmref","plugins":[{"type":"bridge","bridge":"rb@I@","isGateway":true,
"ipMasq":false,"ipam":{"type":"host-local","dataDir":"/tmp/ipam-ref","ranges":[[{"subnet":"10.61.0.0/16",
"gateway":"10.61.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}},{"type":"vrf","vrfname":"rv","table":4200}]}'
printf '%s' "$KR" >/tmp/kr.json
printf '%s' "$REFC" >/tmp/ref.json
printf '{}' >/tmp/empty.json

i=0
: >/tmp/ns.batch
while [ "$i" -lt "$PODS" ]; do
	printf 'netns add k%s\nnetns add r%s\nnetns add f%s\n' "$i" "$i" "$i" >>/tmp/ns.batch
	i=$((i + 1))
done
check "$PODS pods x 3 netns" "$IP" -batch /tmp/ns.batch || finish

# tally VARIANT CMD JSON: add the run's failed calls to $F/<variant>.<cmd>.
tally() {
	_n=$(printf '%s' "$3" | sed -n 's/.*"failures":\([0-9]*\).*/\1/p')
	[ -n "$_n" ] || _n=$BATCH
	echo "$_n" >>"$F/$1.$2"
	[ "$_n" -eq 0 ] || fails=$((fails + 1))
}

kr() { # CMD FIRST
	set -- "$1" "$2" --prev-dir /tmp/res-kr
	[ "$1" = ADD ] && set -- "$1" "$2" --out-dir /tmp/res-kr
	tally krafty "$1" "$("$B/cnibench" --cmd "$1" --conf /tmp/kr.json --plugin "$KRAFTY_BIN/krafty" \
		--cni-path "$KRAFTY_BIN" --netns /run/netns/k%d --id-prefix vmk --first "$2" --count "$BATCH" \
		--samples "$S/krafty.$1" "$3" "$4" --verbose 2>>/tmp/errors)"
}
ref() { # CMD FIRST
	set -- "$1" "$2" --prev-dir /tmp/res-ref
	[ "$1" = ADD ] && set -- "$1" "$2" --out-dir /tmp/res-ref
	tally ref "$1" "$("$B/cnibench" --cmd "$1" --conf /tmp/ref.json --plugin "$REF_BIN/bridge" \
		--plugin "$REF_BIN/vrf" --cni-path "$REF_BIN" --token @I@ --netns /run/netns/r%d --id-prefix vmr \
		--first "$2" --count "$BATCH" --samples "$S/ref.$1" "$3" "$4" --verbose 2>>/tmp/errors)"
}
floor() { # CMD FIRST
	tally floor "$1" "$("$B/floor" --cmd "$1" --netns /run/netns/f%d --id-prefix v --first "$2" \
		--count "$BATCH" --subnet 10.62.0.0/16 --data /tmp/floor-ipam --vrf-table 4300 \
		--samples "$S/floor.$1" 2>>/tmp/errors)"
}
true_exec() {
	tally true "$1" "$("$B/cnibench" --cmd VERSION --conf /tmp/empty.json --plugin /bin/true \
		--count "$BATCH" --samples "$S/true.$1" 2>>/tmp/errors)"
}

fails=0
first=0
round=0
while [ "$first" -lt "$PODS" ]; do
	for cmd in ADD CHECK DEL; do
		if [ $((round % 2)) -eq 0 ]; then
			kr "$cmd" "$first"
			ref "$cmd" "$first"
		else
			ref "$cmd" "$first"
			kr "$cmd" "$first"
		fi
		floor "$cmd" "$first"
		[ "$cmd" = CHECK ] || true_exec "$cmd"
	done
	first=$((first + BATCH))
	round=$((round + 1))
done
if [ "$fails" -eq 0 ]; then ok "every batch ran without a failure"; else not_ok "every batch ran without a failure" "$fails batches failed"; fi
[ -s /tmp/errors ] && diag "$(head -c 600 /tmp/errors)"

# p50 and p99 (nearest rank) of each sample file.
for f in "$S"/*; do
	v=${f##*/}
	nf=$(awk '{ n += $1 } END { print n + 0 }' "$F/$v" 2>/dev/null)
	sort -n "$f" | awk -v v="${v%%.*}" -v c="${v#*.}" -v nf="${nf:-0}" '{ x[NR] = $1 }
		END { if (!NR) exit; a = int(NR * 0.5); if (a < NR * 0.5) a++; b = int(NR * 0.99); if (b < NR * 0.99) b++;
		      printf "BENCHVM %s %s %d %.3f %.3f %d\n", v, c, NR, x[a], x[b], nf }' | sed 's/^/# /'
done
check_nomatch "no krafty device left" '^[0-9]+: (krv|krb|veth)vmk' "$IP" -o link show
finish
