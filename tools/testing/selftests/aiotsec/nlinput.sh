#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input on the generic netlink family "aiotsec", sent raw (nlraw.py):
# for every command, the errno, the exact extended-ACK message, the
# attribute the kernel points at (NLMSGERR_ATTR_OFFS, mapped back to the
# attribute path) and the missing attribute it reports (MISS_TYPE,
# MISS_NEST); that no refused request created or changed anything; that
# only LINK_GET works without CAP_NET_ADMIN.  The VM runner fails the run
# on any oops or WARN.
#
# One nlraw.py process per user serves every request over two FIFOs: python
# starts slowly under TCG.

set -euo pipefail
set -f			# request words hold * and ( ): no globbing
source "$(dirname "$0")/lib.sh"

require_vm
# nlraw.py reads the family from its YAML spec
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "1..0 # SKIP python3-yaml is not installed (tools/setup-deps.sh)"
	exit "$ksft_skip"
fi
require_module

here=$(cd "$(dirname "$0")" && pwd)
CTL=$AIOTSEC_TOP/user/aiotsecctl/aiotsecctl
NLRAW=$here/nlraw.py
NS=aiot-nlinput-$$
tmp=$(mktemp -d)
srv_pids=()

cleanup() {
	local p
	for p in "${srv_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

bail() {
	echo "Bail out! $*"
	exit "$ksft_fail"
}

# --- the two request servers -------------------------------------------------

# start_server NAME CMD...: run CMD (an nlraw.py --batch) on the FIFOs
# $tmp/NAME.in and $tmp/NAME.out; the shell keeps their other ends in the
# file descriptors NAME_W and NAME_R.
start_server() {
	local name=$1 fd
	shift
	mkfifo "$tmp/$name.in" "$tmp/$name.out"
	"$@" <"$tmp/$name.in" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	srv_pids+=($!)
	exec {fd}>"$tmp/$name.in"
	printf -v "${name}_W" '%s' "$fd"
	exec {fd}<"$tmp/$name.out"
	printf -v "${name}_R" '%s' "$fd"
}

# ask NAME WORD...: one request to server NAME; its result line in
# $answer.  A tag pairs the answer with the question even after a time-out.
# (No command substitution: a fork costs tens of ms under TCG.)
ask() {
	local name=$1 w r tag line IFS=$'\x1f'
	shift
	w=${name}_W
	r=${name}_R
	tag="@$BASHPID.$RANDOM"
	printf '%s\x1f%s\n' "$tag" "$*" >&"${!w}"
	while IFS= read -r -t 60 line <&"${!r}"; do
		if [ "${line%% *}" = "$tag" ]; then
			answer=${line#* }
			return 0
		fi
	done
	answer="no answer from nlraw.py ($name) to: $*"
	fail "$answer"$'\n'"$(cat "$tmp/$name.err")"
}

nl() {
	ask ROOT "$@"
}

nl_nobody() {
	ask NOBODY "$@"
}

# --- checks ------------------------------------------------------------------

# expect WANT WORD...: the request's result line is exactly WANT (the
# NLMSGERR_ATTR_POLICY part is compared only when WANT has a policy=)
expect() {
	local want=$1 got re='^(.*) policy=[^ ]*(.*)$'
	shift
	snapshot_ok=''		# the request may change the state
	nl "$@"
	got=$answer
	if [[ $want != *" policy="* && $got =~ $re ]]; then
		got=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
	fi
	[ "$got" = "$want" ] && return 0
	fail "request: $*"$'\n'"  got:  $got"$'\n'"  want: $want"
}

# state: in $snapshot, every SA of the namespace (a dump) and every link,
# without their statistics (refused frames are counted, by design).  The
# state after a refused request serves as the state before the next one of
# the same test ($snapshot_ok).
snapshot_ok=''
state() {
	nl --dump --drop SA.STATS. sa-get
	snapshot=$answer$'\n'
	nl --dump --drop LINK_STATS. link-get
	snapshot+=$answer
	snapshot_ok=1
}

# changed BEFORE WHAT: fail unless $snapshot is still BEFORE
changed() {
	[ "$1" = "$snapshot" ] && return 0
	fail "KERNEL: $2 changed the SAs or links:"$'\n'"$(
		diff <(tr ' ' '\n' <<<"$1") <(tr ' ' '\n' <<<"$snapshot") |
			grep '^[<>]' | sed 's/^</  before:/; s/^>/  after: /')"
}

# refused WANT WORD...: like expect, and the request changed nothing
refused() {
	local want=$1 before
	shift
	[ -n "$snapshot_ok" ] || state
	before=$snapshot
	expect "$want" "$@"
	state
	changed "$before" "the refused request ($*)"
}

# field NAME LINE: the value of the word NAME=VALUE in LINE
field() {
	local w
	for w in $2; do
		case $w in
		"$1="*)
			echo "${w#*=}"
			return 0
			;;
		esac
	done
	fail "no $1 in: $2"
}

# --- the setup ---------------------------------------------------------------

K16=00112233445566778899aabbccddeeff
K32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
LONG_IFNAME=aiot0-name-too-long		# 19 characters: more than 15

setup() {
	ip netns add "$NS" || bail "cannot make namespace $NS"
	if ! { ip -n "$NS" link set lo up &&
		ip -n "$NS" link add veth0 type veth peer name veth1 &&
		ip -n "$NS" link add veth2 type veth peer name veth3 &&
		ip -n "$NS" link set veth0 up &&
		ip -n "$NS" link set veth1 up; }; then
		bail "cannot make the veth pairs"
	fi
	# aiot0: reader on veth0 (both up); aiot2: reader on veth2, aiot2 up
	# and veth2 down
	if ! { "$CTL" -n "$NS" link add aiot0 link veth0 role reader &&
		"$CTL" -n "$NS" link add aiot2 link veth2 role reader &&
		ip -n "$NS" link set aiot0 up &&
		ip -n "$NS" link set aiot2 up; }; then
		bail "cannot make the aiotsec links"
	fi
	IDX0=$(ip -n "$NS" -o link show aiot0 | cut -d: -f1)
	IDX2=$(ip -n "$NS" -o link show aiot2 | cut -d: -f1)
	LO=$(ip -n "$NS" -o link show lo | cut -d: -f1)

	start_server ROOT python3 "$NLRAW" --netns "$NS" --batch
	start_server NOBODY ip netns exec "$NS" setpriv --reuid=65534 \
		--regid=65534 --clear-groups --inh-caps=-all \
		python3 "$NLRAW" --batch

	# the SAs the whole script keeps; nothing else may ever appear
	local sa
	for sa in \
		"ifname=aiot0 sa=(sid=0x10,suite=nia2-nea2,profile=command,key=$K32)" \
		"ifname=aiot0 sa=(sid=0x20,suite=aes-gcm,profile=inventory,key=$K16)" \
		"ifname=aiot0 sa=(sid=0x30,suite=aes-ccm,profile=command,key=$K16,hard-limit=1)" \
		"ifindex=$IDX2 sa=(sid=0x40,suite=aes-gcm,profile=inventory,key=$K16)"; do
		# shellcheck disable=SC2086 # words of a request
		nl sa-new $sa || bail "nlraw.py: $answer"
		[ "$answer" = ok ] || bail "sa-new $sa: $answer"
	done
}

# --- link selection, for every command ---------------------------------------

E_NOLINK='errno=EINVAL msg="aiotsec: missing attribute IFINDEX or IFNAME (the link)" miss=IFINDEX'
E_NODEV='errno=ENODEV msg="aiotsec: no such device (IFINDEX/IFNAME)"'
E_NOTAIOT='errno=EOPNOTSUPP msg="aiotsec: device is not an aiotsec link (IFINDEX/IFNAME)"'
E_DUMP_NODEV='errno=ENODEV msg="aiotsec: no such device (IFINDEX/IFNAME)" (dump)'
E_DUMP_NOTAIOT='errno=EOPNOTSUPP msg="aiotsec: device is not an aiotsec link (IFINDEX/IFNAME)" (dump)'
E_POLICY='msg="Attribute failed policy validation"'

# body CMD: the other attributes of a valid CMD request
body() {
	case $1 in
	sa-new) echo "sa=(sid=0x77,suite=aes-gcm,profile=inventory,key=$K16)" ;;
	sa-set | sa-del | sa-get) echo "sa=(sid=0x10)" ;;
	frame-send) echo "frame-type=inventory sid=0x20 payload=01020304" ;;
	esac
}

# ro_body CMD: body with the read-only SA attribute STATS in the SA nest
ro_body() {
	case $1 in
	sa-new) echo "sa=(sid=0x77,suite=aes-gcm,profile=inventory,key=$K16,stats=nestnf(1=u64:0))" ;;
	sa-set | sa-del | sa-get) echo "sa=(sid=0x10,stats=nestnf(1=u64:0))" ;;
	*) echo "$(body "$1") sa=(stats=nestnf(1=u64:0))" ;;
	esac
}

# takes_sa CMD: whether CMD's policy has the SA nest (SA_GET's dump shares
# it with the do, and refuses it itself)
takes_sa() {
	case $1 in
	sa-*|dump) return 0 ;;
	esac
	return 1
}

# words CMD: the command words (the dump of SA_GET is "dump")
words() {
	case $1 in
	dump) echo "--dump sa-get" ;;
	*) echo "$1" ;;
	esac
}

# The matrix: test_VARIANT CMD, CMD one of link-get, sa-new, sa-set,
# sa-del, sa-get, dump (SA_GET dump), frame-send.
# shellcheck disable=SC2046,SC2086 # words of a request
test_no_link() {
	refused "$E_NOLINK" $(words "$1") $(body "$1")
}

# shellcheck disable=SC2046,SC2086
test_unknown_link() {
	local c=$1 b
	b=$(body "$c")
	if [ "$c" = dump ]; then
		refused "$E_DUMP_NODEV" --dump sa-get ifindex=9999
		refused "$E_DUMP_NODEV" --dump sa-get ifname=nosuch0
		return
	fi
	refused "$E_NODEV offs=IFINDEX" $c ifindex=9999 $b
	refused "$E_NODEV offs=IFNAME" $c ifname=nosuch0 $b
	# the longest name the policy takes
	refused "$E_NODEV offs=IFNAME" $c ifname=abcdefghijklmno $b
}

# shellcheck disable=SC2046,SC2086
test_not_aiotsec() {
	local c=$1 b
	b=$(body "$c")
	if [ "$c" = dump ]; then
		refused "$E_DUMP_NOTAIOT" --dump sa-get ifname=lo
		refused "$E_DUMP_NOTAIOT" --dump sa-get ifindex="$LO"
		return
	fi
	refused "$E_NOTAIOT offs=IFNAME" $c ifname=lo $b
	refused "$E_NOTAIOT offs=IFINDEX" $c ifindex="$LO" $b
	# the lower device of an aiotsec link is not one either
	refused "$E_NOTAIOT offs=IFNAME" $c ifname=veth0 $b
}

# shellcheck disable=SC2046,SC2086
test_ifindex_type() {
	local c=$1 w b
	w=$(words "$c")
	b=$(body "$c")
	refused 'errno=EINVAL msg="invalid attribute length" offs=IFINDEX policy=u32,min=0,max=4294967295' \
		$w ifindex=u8:"$IDX0" $b
	refused 'errno=EINVAL msg="invalid attribute length" offs=IFINDEX' \
		$w ifindex=u64:"$IDX0" $b
}

# shellcheck disable=SC2046,SC2086
test_ifname_long() {
	local c=$1 w b
	w=$(words "$c")
	b=$(body "$c")
	refused "errno=EINVAL $E_POLICY offs=IFNAME policy=nul-string,max-len=15" \
		$w ifname=$LONG_IFNAME $b
	# 16 characters, or no terminating NUL
	refused "errno=EINVAL $E_POLICY offs=IFNAME" \
		$w ifname=abcdefghijklmnop $b
	refused "errno=EINVAL $E_POLICY offs=IFNAME" \
		$w ifname=str:aiot0 $b
}

# shellcheck disable=SC2046,SC2086
test_unknown_attr() {
	local c=$1 w b
	w=$(words "$c")
	b=$(body "$c")
	refused 'errno=EINVAL msg="Unknown attribute type" offs=#17' \
		$w ifname=aiot0 17=u32:1 $b
	refused 'errno=EINVAL msg="Unknown attribute type" offs=#0' \
		$w ifname=aiot0 $b 0=u32:1
	# a type inside the SA nest that the SA set does not have (a
	# command without the nest refuses the nest)
	if takes_sa "$c"; then
		refused 'errno=EINVAL msg="Unknown attribute type" offs=SA.#16' \
			$w ifname=aiot0 $b "sa=(16=u32:1)"
	else
		refused 'errno=EINVAL msg="Unsupported attribute" offs=SA' \
			$w ifname=aiot0 $b "sa=(16=u32:1)"
	fi
}

# shellcheck disable=SC2046,SC2086
test_read_only() {
	local c=$1 w b
	w=$(words "$c")
	b=$(body "$c")
	# the reply attributes of the top level are not in the policy
	refused 'errno=EINVAL msg="Unsupported attribute" offs=ROLE' \
		$w ifname=aiot0 $b role=reader
	refused 'errno=EINVAL msg="Unsupported attribute" offs=SA_COUNT' \
		$w ifname=aiot0 $b sa-count=3
	refused 'errno=EINVAL msg="Unsupported attribute" offs=MAX_SAS' \
		$w ifname=aiot0 $b max-sas=3
	if ! takes_sa "$c"; then
		# no SA nest at all
		refused 'errno=EINVAL msg="Unsupported attribute" offs=SA' \
			$w ifname=aiot0 $(ro_body "$c")
		return
	fi
	# SA.STATS (NLA_REJECT), as a hand-made nest and as a reply has it
	refused "errno=EINVAL $E_POLICY offs=SA.STATS" \
		$w ifname=aiot0 $(ro_body "$c")
	refused 'errno=EINVAL msg="NLA_F_NESTED not expected" offs=SA.STATS' \
		$w ifname=aiot0 $b "sa=(stats=(1=u64:0))"
	refused "errno=EINVAL $E_POLICY offs=SA.TX_KEY_PHASE" \
		$w ifname=aiot0 $b "sa=(tx-key-phase=0)"
}

# shellcheck disable=SC2046,SC2086
# Attributes of other commands: refused where they would be ignored.
test_foreign_attr() {
	local c=$1 w b u='errno=EINVAL msg="Unsupported attribute"'
	w=$(words "$c")
	b=$(body "$c")
	case $c in
	link-get)
		refused "$u offs=SID" $w ifname=aiot0 sid=0x10
		refused "$u offs=SA" $w ifname=aiot0 "sa=(sid=0x10)"
		refused "$u offs=PEER_MAC" $w ifname=aiot0 peer-mac=02:00:00:00:00:01 ;;
	sa-new | sa-set)
		refused "$u offs=PEER_MAC" $w ifname=aiot0 $b peer-mac=02:00:00:00:00:01
		refused "$u offs=FRAME_TYPE" $w ifname=aiot0 $b frame-type=inventory
		refused "$u offs=PAYLOAD" $w ifname=aiot0 $b payload=0102 ;;
	sa-del | sa-get | dump)
		refused "$u offs=SID" $w ifname=aiot0 $b sid=0x10
		# the SA nest names an SA: its SID only
		refused "$u offs=SA.KEY" $w ifname=aiot0 "sa=(sid=0x10,key=$K16)"
		refused "$u offs=SA.PEER_MAC" $w ifname=aiot0 \
			"sa=(sid=0x10,peer-mac=02:00:00:00:00:01)"
		refused "$u offs=SA.KEY_SWITCH" $w ifname=aiot0 \
			"sa=(sid=0x10,key-switch=1)" ;;
	frame-send)
		refused "$u offs=SA" $w ifname=aiot0 $b "sa=(sid=0x20)" ;;
	esac
}

# shellcheck disable=SC2046,SC2086
# IFINDEX and IFNAME both given: they must name the same device
test_index_and_name() {
	local c=$1 w b
	w=$(words "$c")
	b=$(body "$c")
	if [ "$c" = dump ]; then
		refused 'errno=EINVAL msg="aiotsec: IFINDEX and IFNAME name different devices" (dump)' \
			$w ifindex="$IDX2" ifname=aiot0
		nl $w ifindex="$IDX0" ifname=aiot0
		[ "$(field replies "$answer")" = 3 ] ||
			fail "IFINDEX and IFNAME of aiot0: $answer"
		return
	fi
	refused 'errno=EINVAL msg="aiotsec: IFINDEX and IFNAME name different devices" offs=IFNAME' \
		$w ifindex="$IDX2" ifname=aiot0 $b
	refused 'errno=EINVAL msg="aiotsec: IFINDEX and IFNAME name different devices" offs=IFNAME' \
		$w ifindex="$IDX0" ifname=nosuch0 $b
	[ "$c" = link-get ] || return 0
	nl $w ifindex="$IDX0" ifname=aiot0
	[[ $answer == "ok replies=1 | IFINDEX=$IDX0 IFNAME=aiot0 "* ]] ||
		fail "IFINDEX and IFNAME of aiot0: $answer"
}

# --- SA_GET dump and LINK_GET ------------------------------------------------

test_dump_ok() {
	nl --dump sa-get
	[ "$(field replies "$answer")" = 4 ] ||
		fail "dump of the namespace: $answer"
	nl --dump sa-get ifname=aiot0
	[ "$(field replies "$answer")" = 3 ] || fail "dump of aiot0: $answer"
	nl --dump sa-get ifindex="$IDX2"
	[[ $answer == "ok replies=1 | IFINDEX=$IDX2 SA.SID=64 "* ]] ||
		fail "dump of aiot2: $answer"
}

test_dump_sa_attr() {
	refused 'errno=EINVAL msg="aiotsec: a dump of SAs takes no SA attribute" (dump)' \
		--dump sa-get ifname=aiot0 "sa=(sid=0x10)"
}

test_link_dump() {
	nl --dump link-get
	[ "$(field replies "$answer")" = 2 ] || fail "link dump: $answer"
	# a link dump takes no selector (refused, not ignored), and the
	# policy applies first
	refused 'errno=EINVAL msg="aiotsec: a dump of links takes no IFINDEX or IFNAME" (dump)' \
		--dump link-get ifname=aiot0
	refused 'errno=EINVAL msg="aiotsec: a dump of links takes no IFINDEX or IFNAME" (dump)' \
		--dump link-get ifindex="$IDX0"
	refused 'errno=EINVAL msg="invalid attribute length" offs=IFINDEX' \
		--dump link-get ifindex=u8:1
	refused 'errno=EINVAL msg="Unknown attribute type" offs=#17' \
		--dump link-get 17=u32:1
}

test_link_get_ok() {
	nl link-get ifname=aiot0
	[[ $answer == "ok replies=1 | IFINDEX=$IDX0 IFNAME=aiot0 ROLE=reader SA_COUNT=3 MAX_SAS=1048576 LINK_STATS."* ]] ||
		fail "link-get aiot0: $answer"
}

# --- SA_NEW ------------------------------------------------------------------

# sa_new WANT SA_ATTRS: SA_NEW of SID 0x77 on aiot0 with SA_ATTRS (after the
# SID) is refused with WANT, and no SA 0x77 appears
sa_new() {
	refused "$1" sa-new ifname=aiot0 "sa=(sid=0x77,$2)"
	expect 'errno=ENOENT msg="aiotsec: no SA with this SID on the link" offs=SA.SID' \
		sa-get ifname=aiot0 'sa=(sid=0x77)'
	snapshot_ok=1		# a GET changes nothing
}

test_sa_new_no_sa() {
	refused 'errno=EINVAL msg="aiotsec: missing attribute SA" miss=SA' \
		sa-new ifname=aiot0
}

test_sa_new_missing() {
	local attr=$1 a rest=''
	for a in sid=0x77 suite=aes-gcm profile=inventory "key=$K16"; do
		[ "${a%%=*}" = "$attr" ] || rest+=${rest:+,}$a
	done
	refused "errno=EINVAL msg=\"aiotsec: missing SA attribute ${attr^^}\" miss=SA.${attr^^}" \
		sa-new ifname=aiot0 "sa=($rest)"
}

test_sa_new_sid0() {
	refused "errno=ERANGE msg=\"integer out of range\" offs=SA.SID policy=u32,min=1,max=4294967295" \
		sa-new ifname=aiot0 "sa=(sid=0,suite=aes-gcm,profile=inventory,key=$K16)"
}

test_sa_new_suite() {
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.SUITE policy=u8,min=1,max=4' \
		"suite=5,profile=inventory,key=$K16"
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.SUITE' \
		"suite=unspec,profile=inventory,key=$K16"
	sa_new 'errno=EINVAL msg="invalid attribute length" offs=SA.SUITE' \
		"suite=u32:1,profile=inventory,key=$K16"
}

test_sa_new_profile() {
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.PROFILE policy=u8,min=1,max=2' \
		"suite=aes-gcm,profile=3,key=$K16"
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.PROFILE' \
		"suite=aes-gcm,profile=unspec,key=$K16"
}

test_sa_new_key_long() {
	sa_new "errno=ERANGE $E_POLICY offs=SA.KEY policy=binary,max-len=32" \
		"suite=nia2-nea2,profile=command,key=11*33"
}

test_sa_new_key_len_nea2() {
	sa_new 'errno=EINVAL msg="aiotsec: KEY must be 32 octets (K_enc || K_int) for suite nia2-nea2" offs=SA.KEY' \
		"suite=nia2-nea2,profile=command,key=$K16"
	sa_new 'errno=EINVAL msg="aiotsec: KEY must be 32 octets (K_enc || K_int) for suite nia2-nea2" offs=SA.KEY' \
		"suite=nia2-nea2,profile=command,key=11*31"
}

test_sa_new_key_len_16() {
	local s
	for s in nia2 aes-ccm aes-gcm; do
		sa_new 'errno=EINVAL msg="aiotsec: KEY must be 16 octets for this suite" offs=SA.KEY' \
			"suite=$s,profile=inventory,key=$K32"
	done
	sa_new 'errno=EINVAL msg="aiotsec: KEY must be 16 octets for this suite" offs=SA.KEY' \
		"suite=aes-gcm,profile=inventory,key="
}

E_TAG='errno=EINVAL msg="aiotsec: TAG_LEN must be 4, 8 or 16 for aes-ccm, 16 for aes-gcm, 4 for nia2 suites" offs=SA.TAG_LEN'

test_sa_new_tag_len() {
	sa_new "$E_TAG" "suite=aes-ccm,profile=command,key=$K16,tag-len=5"
	sa_new "$E_TAG" "suite=aes-ccm,profile=command,key=$K16,tag-len=0"
	sa_new "$E_TAG" "suite=aes-gcm,profile=command,key=$K16,tag-len=8"
	sa_new "$E_TAG" "suite=nia2,profile=inventory,key=$K16,tag-len=16"
	sa_new "$E_TAG" "suite=nia2-nea2,profile=command,key=$K32,tag-len=8"
	sa_new 'errno=EINVAL msg="invalid attribute length" offs=SA.TAG_LEN' \
		"suite=aes-ccm,profile=command,key=$K16,tag-len=u32:8"
}

test_sa_new_ctr_bits() {
	local b
	for b in 0 8 24 64; do
		sa_new 'errno=EINVAL msg="aiotsec: CTR_BITS must be 16 or 32" offs=SA.CTR_BITS' \
			"suite=aes-gcm,profile=inventory,key=$K16,ctr-bits=$b"
	done
}

test_sa_new_window() {
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.REPLAY_WINDOW policy=u32,min=32,max=8192' \
		"suite=aes-gcm,profile=inventory,key=$K16,replay-window=31"
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.REPLAY_WINDOW' \
		"suite=aes-gcm,profile=inventory,key=$K16,replay-window=8193"
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.REPLAY_WINDOW' \
		"suite=aes-gcm,profile=inventory,key=$K16,replay-window=0"
}

test_sa_new_soft_hard() {
	sa_new 'errno=ERANGE msg="aiotsec: SOFT_LIMIT above HARD_LIMIT" offs=SA.SOFT_LIMIT' \
		"suite=aes-gcm,profile=inventory,key=$K16,soft-limit=200,hard-limit=100"
	# above the default hard limit of the suite (2^32 for nia2)
	sa_new 'errno=ERANGE msg="aiotsec: SOFT_LIMIT above HARD_LIMIT" offs=SA.SOFT_LIMIT' \
		"suite=nia2,profile=inventory,key=$K16,soft-limit=0x100000001"
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.SOFT_LIMIT' \
		"suite=aes-gcm,profile=inventory,key=$K16,soft-limit=0"
	sa_new 'errno=ERANGE msg="integer out of range" offs=SA.HARD_LIMIT' \
		"suite=aes-gcm,profile=inventory,key=$K16,hard-limit=0"
}

E_HARD='errno=ERANGE msg="aiotsec: HARD_LIMIT exceeds the suite'"'"'s counter space" offs=SA.HARD_LIMIT'

test_sa_new_hard_max() {
	sa_new "$E_HARD" "suite=nia2,profile=inventory,key=$K16,hard-limit=0x100000001"
	sa_new "$E_HARD" "suite=nia2-nea2,profile=command,key=$K32,hard-limit=0x100000001"
	sa_new "$E_HARD" "suite=aes-gcm,profile=inventory,key=$K16,hard-limit=0x8000000000000001"
	sa_new "$E_HARD" "suite=aes-ccm,profile=command,key=$K16,hard-limit=0xffffffffffffffff"
}

test_sa_new_key_switch() {
	sa_new 'errno=EINVAL msg="aiotsec: KEY_SWITCH applies to SA_SET only" offs=SA.KEY_SWITCH' \
		"suite=aes-gcm,profile=inventory,key=$K16,key-switch"
}

test_sa_new_nia2_command() {
	sa_new 'errno=EINVAL msg="aiotsec: SUITE nia2 has no confidentiality, which PROFILE command requires" offs=SA.SUITE' \
		"suite=nia2,profile=command,key=$K16"
}

test_sa_new_dup() {
	refused 'errno=EEXIST msg="aiotsec: an SA with this SID exists on the link" offs=SA.SID' \
		sa-new ifname=aiot0 "sa=(sid=0x10,suite=aes-gcm,profile=inventory,key=$K16)"
	refused 'errno=EEXIST msg="aiotsec: an SA with this SID exists on the link" offs=SA.SID' \
		sa-new ifindex="$IDX2" "sa=(sid=0x40,suite=aes-gcm,profile=inventory,key=$K16)"
}

test_sa_new_peer_mac() {
	sa_new 'errno=ERANGE msg="binary attribute size out of range" offs=SA.PEER_MAC policy=binary,min-len=6,max-len=6' \
		"suite=aes-gcm,profile=inventory,key=$K16,peer-mac=02:00:00:00:00"
	sa_new 'errno=ERANGE msg="binary attribute size out of range" offs=SA.PEER_MAC' \
		"suite=aes-gcm,profile=inventory,key=$K16,peer-mac=02:00:00:00:00:01:02"
}

test_sa_new_flags() {
	# KEY_SWITCH is a flag: a payload is refused by the policy
	sa_new "errno=ERANGE $E_POLICY offs=SA.KEY_SWITCH" \
		"suite=aes-gcm,profile=inventory,key=$K16,key-switch=u8:1"
}

# --- SA_SET ------------------------------------------------------------------

test_sa_set_unknown_sid() {
	refused 'errno=ENOENT msg="aiotsec: no SA with this SID on the link" offs=SA.SID' \
		sa-set ifname=aiot0 "sa=(sid=0x99,key=$K16)"
	# the SID of an SA of another link
	refused 'errno=ENOENT msg="aiotsec: no SA with this SID on the link" offs=SA.SID' \
		sa-set ifname=aiot0 "sa=(sid=0x40,peer-mac=02:00:00:00:00:01)"
}

test_sa_set_fixed() {
	local a
	for a in suite=nia2-nea2 profile=command tag-len=4 ctr-bits=32; do
		refused "errno=EINVAL msg=\"aiotsec: SUITE, PROFILE, TAG_LEN and CTR_BITS are fixed; delete and re-add the SA\" offs=SA.$(tr a-z- A-Z_ <<<"${a%%=*}")" \
			sa-set ifname=aiot0 "sa=(sid=0x10,$a)"
	done
}

test_sa_set_switch_no_key() {
	refused 'errno=EINVAL msg="aiotsec: KEY_SWITCH needs a KEY" offs=SA.KEY_SWITCH' \
		sa-set ifname=aiot0 'sa=(sid=0x10,key-switch)'
}

test_sa_set_key_len() {
	refused 'errno=EINVAL msg="aiotsec: KEY must be 32 octets (K_enc || K_int) for suite nia2-nea2" offs=SA.KEY' \
		sa-set ifname=aiot0 "sa=(sid=0x10,key=$K16)"
	refused 'errno=EINVAL msg="aiotsec: KEY must be 32 octets (K_enc || K_int) for suite nia2-nea2" offs=SA.KEY' \
		sa-set ifname=aiot0 "sa=(sid=0x10,key=$K16,key-switch)"
	refused 'errno=EINVAL msg="aiotsec: KEY must be 16 octets for this suite" offs=SA.KEY' \
		sa-set ifname=aiot0 "sa=(sid=0x20,key=$K32)"
	refused "errno=ERANGE $E_POLICY offs=SA.KEY" \
		sa-set ifname=aiot0 "sa=(sid=0x20,key=22*33)"
}

test_sa_set_limits() {
	refused 'errno=ERANGE msg="aiotsec: SOFT_LIMIT above HARD_LIMIT" offs=SA.SOFT_LIMIT' \
		sa-set ifname=aiot0 'sa=(sid=0x20,soft-limit=200,hard-limit=100)'
	# above the SA's current hard limit (2^32 for nia2-nea2)
	refused 'errno=ERANGE msg="aiotsec: SOFT_LIMIT above HARD_LIMIT" offs=SA.SOFT_LIMIT' \
		sa-set ifname=aiot0 'sa=(sid=0x10,soft-limit=0x100000001)'
	refused "$E_HARD" sa-set ifname=aiot0 'sa=(sid=0x10,hard-limit=0x100000001)'
	refused 'errno=ERANGE msg="integer out of range" offs=SA.HARD_LIMIT' \
		sa-set ifname=aiot0 'sa=(sid=0x10,hard-limit=0)'
	# a refused limit leaves the peer address alone
	refused 'errno=ERANGE msg="aiotsec: SOFT_LIMIT above HARD_LIMIT" offs=SA.SOFT_LIMIT' \
		sa-set ifname=aiot0 'sa=(sid=0x10,peer-mac=02:00:00:00:00:07,soft-limit=0x100000001)'
}

# A refused SA_SET must not apply part of itself: here the key is refused
# after the limits and the peer address were checked.
test_sa_set_atomic_limits() {
	refused 'errno=EINVAL msg="aiotsec: KEY must be 32 octets (K_enc || K_int) for suite nia2-nea2" offs=SA.KEY' \
		sa-set ifname=aiot0 "sa=(sid=0x10,hard-limit=1000,soft-limit=900,key=$K16)"
}

test_sa_set_atomic_peer() {
	refused 'errno=EINVAL msg="aiotsec: KEY must be 16 octets for this suite" offs=SA.KEY' \
		sa-set ifname=aiot0 "sa=(sid=0x20,peer-mac=02:00:00:00:00:08,key=$K32)"
}

test_sa_set_missing() {
	refused 'errno=EINVAL msg="aiotsec: missing attribute SA" miss=SA' \
		sa-set ifname=aiot0
	refused 'errno=EINVAL msg="aiotsec: missing SA attribute SID" miss=SA.SID' \
		sa-set ifname=aiot0 "sa=(key=$K32)"
}

# --- SA_DEL and SA_GET -------------------------------------------------------

test_sid_cmd() {
	local c=$1
	refused 'errno=ENOENT msg="aiotsec: no SA with this SID on the link" offs=SA.SID' \
		"$c" ifname=aiot0 'sa=(sid=0x99)'
	refused 'errno=ENOENT msg="aiotsec: no SA with this SID on the link" offs=SA.SID' \
		"$c" ifname=aiot2 'sa=(sid=0x10)'
	refused 'errno=EINVAL msg="aiotsec: missing attribute SA" miss=SA' \
		"$c" ifname=aiot0
	refused 'errno=EINVAL msg="aiotsec: missing SA attribute SID" miss=SA.SID' \
		"$c" ifname=aiot0 'sa=()'
	# the SA nest of these commands holds the SID only
	refused 'errno=EINVAL msg="Unsupported attribute" offs=SA.SUITE' \
		"$c" ifname=aiot0 'sa=(suite=aes-gcm)'
	refused 'errno=ERANGE msg="integer out of range" offs=SA.SID' \
		"$c" ifname=aiot0 'sa=(sid=0)'
	# the top-level SID is FRAME_SEND's, not the SA's
	refused 'errno=EINVAL msg="Unsupported attribute" offs=SID' \
		"$c" ifname=aiot0 sid=0x10 'sa=()'
}

test_sa_get_ok() {
	nl sa-get ifname=aiot0 'sa=(sid=0x10)'
	[[ $answer == "ok replies=1 | IFINDEX=$IDX0 SA.SID=16 SA.SUITE=nia2-nea2 SA.PROFILE=command "* ]] ||
		fail "sa-get 0x10: $answer"
	case $answer in
	*SA.KEY=* | *"$K32"*) fail "a key in the reply: $answer" ;;
	esac
}

# --- FRAME_SEND --------------------------------------------------------------

FS="frame-send ifname=aiot0"

# shellcheck disable=SC2086
test_frame_missing() {
	refused 'errno=EINVAL msg="aiotsec: missing attribute FRAME_TYPE" miss=FRAME_TYPE' \
		$FS sid=0x20 payload=01
	refused 'errno=EINVAL msg="aiotsec: missing attribute SID" miss=SID' \
		$FS frame-type=inventory payload=01
	refused 'errno=EINVAL msg="aiotsec: missing attribute PAYLOAD" miss=PAYLOAD' \
		$FS frame-type=inventory sid=0x20
	# the SA's SID does not stand for the frame's: no SA nest here
	refused 'errno=EINVAL msg="Unsupported attribute" offs=SA' \
		$FS frame-type=inventory 'sa=(sid=0x20)' payload=01
}

# shellcheck disable=SC2086
test_frame_type_range() {
	refused 'errno=ERANGE msg="integer out of range" offs=FRAME_TYPE policy=u8,min=0,max=4' \
		$FS frame-type=5 sid=0x20 payload=01
	refused 'errno=ERANGE msg="integer out of range" offs=FRAME_TYPE' \
		$FS frame-type=255 sid=0x20 payload=01
	refused 'errno=EINVAL msg="invalid attribute length" offs=FRAME_TYPE' \
		$FS frame-type=u32:1 sid=0x20 payload=01
}

# shellcheck disable=SC2086
test_frame_payload_policy() {
	refused "errno=ERANGE $E_POLICY offs=PAYLOAD policy=binary,max-len=1024" \
		$FS frame-type=inventory sid=0x20 payload=ab*1025
}

# shellcheck disable=SC2086
test_frame_payload_mtu() {
	local mtu
	mtu=$(ip -n "$NS" -o link show aiot0 |
		sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
	[ "$mtu" = 256 ] || fail "aiot0 MTU $mtu, expected the default 256"
	refused 'errno=EMSGSIZE msg="aiotsec: PAYLOAD longer than the link'"'"'s MTU" offs=PAYLOAD' \
		$FS frame-type=inventory sid=0x20 payload=ab*257
	refused 'errno=EMSGSIZE msg="aiotsec: PAYLOAD longer than the link'"'"'s MTU" offs=PAYLOAD' \
		$FS frame-type=auth sid=0x20 payload=ab*1024
	# exactly the MTU goes out
	expect ok $FS frame-type=inventory sid=0x20 payload=ab*256
}

# shellcheck disable=SC2086
test_frame_unknown_sid() {
	refused 'errno=ENOENT msg="aiotsec: no SA with this SID on the link" offs=SID' \
		$FS frame-type=inventory sid=0x99 payload=01
	# an SA of another link
	refused 'errno=ENOENT msg="aiotsec: no SA with this SID on the link" offs=SID' \
		$FS frame-type=control sid=0x40 payload=01
}

E_TYPE='errno=EPERM msg="aiotsec: FRAME_TYPE not allowed by the SA'"'"'s profile or the link'"'"'s role" offs=FRAME_TYPE'

# shellcheck disable=SC2086
test_frame_not_allowed() {
	# profile inventory: no command frames
	refused "$E_TYPE" $FS frame-type=command sid=0x20 payload=01
	# role reader: no response (device-to-reader) frames, even with a
	# command SA
	refused "$E_TYPE" $FS frame-type=response sid=0x10 payload=01
}

# A refused frame must leave the SA alone, its peer address included.
# shellcheck disable=SC2086
test_frame_not_allowed_peer() {
	refused "$E_TYPE" $FS frame-type=command sid=0x20 payload=01 \
		peer-mac=02:00:00:00:00:09
}

# shellcheck disable=SC2086
test_frame_peer_mac() {
	refused 'errno=ERANGE msg="binary attribute size out of range" offs=PEER_MAC' \
		$FS frame-type=auth sid=0x20 payload=01 peer-mac=02:00:00:00:00
}

# shellcheck disable=SC2086
test_frame_link_down() {
	# up again whatever happens: the later cases share the link
	trap 'ip -n "$NS" link set aiot0 up; cleanup_ns' EXIT
	ip -n "$NS" link set aiot0 down
	refused 'errno=ENETDOWN msg="aiotsec: the link is down"' \
		$FS frame-type=inventory sid=0x10 payload=01
	refused 'errno=ENETDOWN msg="aiotsec: the link is down"' \
		$FS frame-type=auth sid=0x10 payload=01
	ip -n "$NS" link set aiot0 up
}

test_frame_lower_down() {
	refused 'errno=ENETDOWN msg="aiotsec: the lower device is down"' \
		frame-send ifname=aiot2 frame-type=inventory sid=0x40 payload=01
	refused 'errno=ENETDOWN msg="aiotsec: the lower device is down"' \
		frame-send ifname=aiot2 frame-type=auth sid=0x40 payload=01
}

# shellcheck disable=SC2086
test_frame_hard_limit() {
	# SA 0x30 has a hard limit of 1: one frame, then no more
	expect ok $FS frame-type=command sid=0x30 payload=01
	refused 'errno=EKEYEXPIRED msg="aiotsec: the SA'"'"'s key reached its hard limit" offs=SID' \
		$FS frame-type=command sid=0x30 payload=01
}

# --- malformed messages, commands, the family --------------------------------

test_malformed() {
	refused 'errno=EINVAL msg="bytes leftover after parsing attributes"' \
		sa-get ifname=aiot0 'sa=(sid=0x10)' raw:010203
	# an attribute longer than what is left of the SA nest
	refused 'errno=EINVAL msg="bytes leftover after parsing attributes"' \
		sa-get ifname=aiot0 'sa=(raw:0c0001001000000000)'
	refused 'errno=EINVAL msg="NLA_F_NESTED is missing" offs=SA' \
		sa-get ifname=aiot0 'sa=nestnf(sid=0x10)'
	refused 'errno=EINVAL msg="NLA_F_NESTED not expected" offs=SA.SID' \
		sa-get ifname=aiot0 'sa=(sid=nest(raw:10000000))'
}

test_commands() {
	local c
	for c in 0 frame event 9 99; do
		refused 'errno=EOPNOTSUPP' "$c" ifname=aiot0
	done
	# the header is checked for every command: reserved octets, and the
	# netlink flags that have no meaning here (NLM_F_CREATE, ...)
	for c in 99 link-get sa-get sa-del; do
		refused 'errno=EINVAL msg="genlmsghdr.reserved field is not 0"' \
			--reserved 1 "$c" ifname=aiot0 'sa=(sid=0x10)'
	done
	refused 'errno=EINVAL msg="ambiguous or reserved bits set in nlmsg_flags"' \
		--flags 0x400 sa-new ifname=aiot0 \
		'sa=(sid=0x77,suite=aes-gcm,profile=command,key=00*16)'
	refused 'errno=EINVAL msg="ambiguous or reserved bits set in nlmsg_flags"' \
		--flags 0x100 sa-del ifname=aiot0 'sa=(sid=0x10)'
}

test_family() {
	local want
	nl family
	want="version=1 maxattr=16 op.link-get=do,dump,has-policy"
	want+=" op.sa-new=admin-perm,do,has-policy"
	want+=" op.sa-set=admin-perm,do,has-policy"
	want+=" op.sa-del=do,has-policy,uns-admin-perm"
	want+=" op.sa-get=do,dump,has-policy,uns-admin-perm"
	want+=" op.frame-send=do,has-policy,uns-admin-perm mcgrps=events,frames"
	[[ $answer == "ok id="*" $want" ]] ||
		fail "family: $answer"$'\n'"  want: ok id=N $want"
}

# --- privilege ---------------------------------------------------------------

# nobody WANT WORD...: the request, sent by nobody, gives WANT and changes
# nothing
nobody() {
	local want=$1 before
	shift
	[ -n "$snapshot_ok" ] || state
	before=$snapshot
	nl_nobody "$@"
	[ "$answer" = "$want" ] ||
		fail "request of nobody: $*"$'\n'"  got:  $answer"$'\n'"  want: $want"
	state
	changed "$before" "nobody's refused request ($*)"
}

test_nobody_link_get() {
	local out
	nl_nobody link-get ifname=aiot0
	out=$answer
	[[ $out == "ok replies=1 | IFINDEX=$IDX0 IFNAME=aiot0 ROLE=reader SA_COUNT=3 "* ]] ||
		fail "link-get by nobody: $out"
	nl_nobody --dump link-get
	out=$answer
	[ "$(field replies "$out")" = 2 ] || fail "link dump by nobody: $out"
	# bad input from nobody is answered like anybody's
	nl_nobody link-get ifname=lo
	out=$answer
	[ "$out" = "$E_NOTAIOT offs=IFNAME" ] || fail "link-get lo by nobody: $out"
}

test_nobody_cmd() {
	case $1 in
	sa-new)
		nobody errno=EPERM sa-new ifname=aiot0 "sa=(sid=0x77,suite=aes-gcm,profile=inventory,key=$K16)"
		# permission comes before validation
		nobody errno=EPERM sa-new ifname=aiot0 "sa=(sid=0,key=11*40)" 16=u8:1
		;;
	sa-set)
		nobody errno=EPERM sa-set ifname=aiot0 "sa=(sid=0x10,key=$K32,key-switch)"
		nobody errno=EPERM sa-set ifname=aiot0 'sa=(sid=0x20,peer-mac=02:00:00:00:00:0a)'
		;;
	sa-del) nobody errno=EPERM sa-del ifname=aiot0 'sa=(sid=0x20)' ;;
	sa-get)
		nobody errno=EPERM sa-get ifname=aiot0 'sa=(sid=0x10)'
		nobody errno=EPERM --dump sa-get
		nobody errno=EPERM --dump sa-get ifname=aiot0
		;;
	frame-send)
		nobody errno=EPERM frame-send ifname=aiot0 frame-type=inventory sid=0x20 payload=01
		nobody errno=EPERM frame-send ifname=aiot0 frame-type=auth sid=1 payload=01
		;;
	esac
}

test_nobody_join() {
	local g out
	for g in events frames; do
		nl_nobody join "$g"
		out=$answer
		[ "$out" = errno=EPERM ] || fail "nobody joined $g: $out"
		nl join "$g"
		out=$answer
		[ "$out" = ok ] || fail "root cannot join $g: $out"
	done
}

# --- the end -----------------------------------------------------------------

# sids LINE: "IFINDEX:SID ..." of the SAs in a dump's result, sorted
sids() {
	local w idx='' out=()
	for w in $1; do
		case $w in
		IFINDEX=*) idx=${w#*=} ;;
		SA.SID=*) out+=("$idx:${w#*=}") ;;
		esac
	done
	printf '%s\n' "${out[@]}" | sort -n | paste -sd' '
}

test_final() {
	local out want
	nl --dump sa-get
	out=$answer
	[ "$(field replies "$out")" = 4 ] || fail "namespace: $out"
	want="$IDX0:16 $IDX0:32 $IDX0:48 $IDX2:64"
	[ "$(sids "$out")" = "$want" ] ||
		fail "SAs (ifindex:SID) $(sids "$out"), want $want"
	nl --dump sa-get ifname=aiot0
	out=$answer
	[ "$(sids "$out")" = "$IDX0:16 $IDX0:32 $IDX0:48" ] ||
		fail "aiot0: $(sids "$out")"
	nl --dump sa-get ifname=aiot2
	out=$answer
	[ "$(sids "$out")" = "$IDX2:64" ] || fail "aiot2: $(sids "$out")"
	nl link-get ifname=aiot0
	out=$answer
	[ "$(field SA_COUNT "$out")" = 3 ] || fail "aiot0 SA_COUNT: $out"
	nl link-get ifname=aiot2
	out=$answer
	[ "$(field SA_COUNT "$out")" = 1 ] || fail "aiot2 SA_COUNT: $out"
	# the SAs still work: the link and the server are alive
	expect ok sa-del ifname=aiot0 'sa=(sid=0x30)'
	nl --dump sa-get ifname=aiot0
	out=$answer
	[ "$(field replies "$out")" = 2 ] || fail "after sa-del: $out"
}

setup

# --- the plan ----------------------------------------------------------------

# add DESCRIPTION FUNCTION [ARGS...]: a test case, run after the plan
cases=()
add() {
	local IFS=$'\x1f'
	cases+=("$*")
}

CMDS="link-get sa-new sa-set sa-del sa-get dump frame-send"
declare -A what=(
	[no_link]="no link attribute"
	[unknown_link]="unknown IFINDEX / IFNAME"
	[not_aiotsec]="not an aiotsec link (lo, the lower device)"
	[ifindex_type]="IFINDEX of the wrong type (u8, u64)"
	[ifname_long]="IFNAME longer than 15 or without NUL"
	[unknown_attr]="unknown attribute types (strict)"
	[read_only]="read-only attributes (ROLE, SA_COUNT, MAX_SAS, SA.STATS, SA.TX_KEY_PHASE)"
	[foreign_attr]="attributes of other commands refused"
	[index_and_name]="IFINDEX and IFNAME of different devices refused"
)
for c in $CMDS; do
	for v in no_link unknown_link not_aiotsec ifindex_type ifname_long \
		unknown_attr read_only foreign_attr index_and_name; do
		name=$(tr a-z- A-Z_ <<<"$c")
		if [ "$c" = dump ]; then
			name="SA_GET dump"
			# without a link: the whole namespace, see test_dump_ok
			[ "$v" != no_link ] || continue
		fi
		add "$name: ${what[$v]}" "test_$v" "$c"
	done
done
add "SA_GET dump: the namespace, one link by name or index" test_dump_ok
add "SA_GET dump: an SA attribute refused" test_dump_sa_attr
add "LINK_GET dump: every link; the policy still applies" test_link_dump
add "LINK_GET: the link and its SA count" test_link_get_ok
add "SA_GET: the SA, never its key" test_sa_get_ok

add "SA_NEW: no SA nest" test_sa_new_no_sa
for a in sid suite profile key; do
	add "SA_NEW: missing SA.${a^^}" test_sa_new_missing "$a"
done
add "SA_NEW: SID 0 (policy)" test_sa_new_sid0
add "SA_NEW: unknown suite" test_sa_new_suite
add "SA_NEW: unknown profile" test_sa_new_profile
add "SA_NEW: key longer than 32 octets (policy)" test_sa_new_key_long
add "SA_NEW: nia2-nea2 key not 32 octets" test_sa_new_key_len_nea2
add "SA_NEW: nia2 / AES key not 16 octets" test_sa_new_key_len_16
add "SA_NEW: TAG_LEN wrong for the suite" test_sa_new_tag_len
add "SA_NEW: CTR_BITS not 16 or 32" test_sa_new_ctr_bits
add "SA_NEW: REPLAY_WINDOW outside 32..8192" test_sa_new_window
add "SA_NEW: SOFT_LIMIT above HARD_LIMIT; limits of 0" test_sa_new_soft_hard
add "SA_NEW: HARD_LIMIT above the suite's counter space" test_sa_new_hard_max
add "SA_NEW: KEY_SWITCH" test_sa_new_key_switch
add "SA_NEW: suite nia2 with profile command" test_sa_new_nia2_command
add "SA_NEW: duplicate SID" test_sa_new_dup
add "SA_NEW: PEER_MAC not 6 octets" test_sa_new_peer_mac
add "SA_NEW: KEY_SWITCH flag with a payload" test_sa_new_flags

add "SA_SET: unknown SID" test_sa_set_unknown_sid
add "SA_SET: SUITE, PROFILE, TAG_LEN, CTR_BITS are fixed" test_sa_set_fixed
add "SA_SET: fixed attribute with an unknown SID" refused \
	'errno=EINVAL msg="aiotsec: SUITE, PROFILE, TAG_LEN and CTR_BITS are fixed; delete and re-add the SA" offs=SA.SUITE' \
	sa-set ifname=aiot0 'sa=(sid=0x99,suite=aes-gcm)'
add "SA_SET: KEY_SWITCH without KEY" test_sa_set_switch_no_key
add "SA_SET: key of the wrong length" test_sa_set_key_len
add "SA_SET: limits out of range" test_sa_set_limits
add "SA_SET: missing SA nest, missing SA.SID" test_sa_set_missing
add "SA_SET: a refused request (bad key) leaves the limits alone" \
	test_sa_set_atomic_limits
add "SA_SET: a refused request (bad key) leaves the peer address alone" \
	test_sa_set_atomic_peer

add "SA_DEL: unknown SID, missing SA, missing SID, SID 0" test_sid_cmd sa-del
add "SA_GET: unknown SID, missing SA, missing SID, SID 0" test_sid_cmd sa-get

add "FRAME_SEND: missing FRAME_TYPE, SID, PAYLOAD" test_frame_missing
add "FRAME_SEND: FRAME_TYPE out of range" test_frame_type_range
add "FRAME_SEND: PAYLOAD over 1024 octets (policy)" test_frame_payload_policy
add "FRAME_SEND: PAYLOAD over the link's MTU" test_frame_payload_mtu
add "FRAME_SEND: unknown SID" test_frame_unknown_sid
add "FRAME_SEND: type not allowed by the profile or the role" test_frame_not_allowed
add "FRAME_SEND: a refused frame leaves the SA's peer address alone" \
	test_frame_not_allowed_peer
add "FRAME_SEND: PEER_MAC not 6 octets" test_frame_peer_mac
add "FRAME_SEND: link down" test_frame_link_down
add "FRAME_SEND: lower device down" test_frame_lower_down
add "FRAME_SEND: key at its hard limit" test_frame_hard_limit

add "malformed: trailing bytes, truncated attribute, NLA_F_NESTED" test_malformed
add "commands: notification-only and unknown ones refused" test_commands
add "family: operations, permissions, multicast groups" test_family

add "nobody: LINK_GET do and dump allowed" test_nobody_link_get
for c in sa-new sa-set sa-del sa-get frame-send; do
	add "nobody: $(tr a-z- A-Z_ <<<"$c") refused with EPERM" test_nobody_cmd "$c"
done
add "nobody: joining events and frames refused" test_nobody_join

add "after the matrix: exactly the SAs of the setup" test_final

tap_plan "${#cases[@]}"
for c in "${cases[@]}"; do
	IFS=$'\x1f' read -r -a argv <<<"$c"
	run_test "${argv[@]}"
done
tap_exit
