#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# slurm-local.sh - start and stop a real single-host Slurm cluster (Debian
# 12's Slurm 22.05 and MUNGE) whose every file lives in one state folder,
# for the tests of the Slurm executor and for trying it on one machine:
#
#   tests/cluster/slurm-local.sh start DIR   DIR: a new or empty folder
#   tests/cluster/slurm-local.sh stop DIR    stop what start DIR started
#   tests/cluster/slurm-local.sh env DIR     prints the client settings:
#                                            eval "$(... env DIR)"
#
# start runs its own munged (own key and socket in DIR), slurmctld and
# slurmd (on free ports picked at start, so a real cluster on the default
# ports 6817/6818 is never touched), waits for the node to be idle and runs
# a smoke job; the cluster has one node, this host, in two partitions, pbA
# (the default) and pbB, each giving a job the whole node. Finished jobs
# and array tasks stay visible to `squeue -t all` for 10 minutes
# (MinJobAge=600). Nothing under /etc/slurm or /etc/munge is read or
# written, and no system service is used; clients find the cluster through
# SLURM_CONF alone.
#
# start needs root (slurmd runs jobs as their users); without it, or without
# the daemons and clients (Debian packages slurm-wlm, munge), it prints one
# line saying why and exits 77 (skip). Any other failure prints the reason
# and the tail of the daemons' logs, stops what it started, and exits 1.
# stop cancels the cluster's jobs, then ends slurmd, slurmctld, any
# slurmstepd they left and munged (TERM, then KILL after 10 s; a step
# left behind at once); it may be run any number of times, also after a
# start that failed half way or was interrupted.
#
# DIR holds: slurm.conf, cgroup.conf, secret/ (munge key and seed, 0700),
# munge/ (the socket), run/ (pid files), log/ (daemon logs), state/
# (slurmctld's state), spool/ (slurmd's), smoke.out.
set -euo pipefail

PROG=slurm-local.sh
# the daemons live in sbin, which a plain user's PATH may lack
export PATH="$PATH:/usr/sbin:/sbin"

# the client programs the executor and start itself use
CLIENTS=(sbatch squeue sinfo scancel scontrol)
# stop's wait for a daemon to end after TERM, in seconds
STOP_WAIT=10

usage() {
	echo "usage: $PROG start|stop|env DIR" >&2
	exit 2
}

say() { echo "$PROG: $*" >&2; }

# skip MESSAGE: the cluster cannot run here; exit 77
skip() {
	say "skip: $*"
	exit 77
}

# ---------------------------------------------------------------- paths

# set_paths DIR: every path below DIR the commands use (DIR made absolute)
set_paths() {
	DIR=$1
	[[ $DIR == /* ]] || DIR=$PWD/$DIR
	DIR=${DIR%/}
	CONF=$DIR/slurm.conf
	SECRET=$DIR/secret
	KEY=$SECRET/munge.key
	MUNGE_DIR=$DIR/munge
	SOCKET=$MUNGE_DIR/munge.socket.2
	RUN=$DIR/run
	LOG=$DIR/log
	STATE=$DIR/state
	SPOOL=$DIR/spool
}

# ---------------------------------------------------------------- processes

# alive PID NAME: PID is a live process (not a zombie) whose command name
# is NAME (any name if NAME is empty)
alive() {
	local stat comm state
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	comm=${stat#*(}
	comm=${comm%)*}
	state=${stat##*) }
	[[ ${state:0:1} != [ZX] ]] || return 1
	[[ -z $2 || $comm == "$2" ]]
}

# daemon_pids NAME: the live NAME processes named by DIR's pid files (the
# one start wrote when it spawned NAME and the one NAME wrote itself)
daemon_pids() {
	local f pid seen=" "
	for f in "$RUN/$1.spawn.pid" "$RUN/$1.pid"; do
		[[ -r $f ]] || continue
		pid=$(head -n 1 "$f" 2>/dev/null | tr -dc 0-9) || true
		[[ -n $pid && $seen != *" $pid "* ]] || continue
		seen+="$pid "
		if alive "$pid" "$1"; then echo "$pid"; fi
	done
}

# stepd_pids: slurmstepd processes of this cluster (they inherit slurmd's
# environment, which carries POOLBENCH_SLURM_LOCAL=DIR)
stepd_pids() {
	local p comm
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == slurmstepd ]] || continue
		if tr '\0' '\n' 2>/dev/null <"$p/environ" |
			grep -qxF "POOLBENCH_SLURM_LOCAL=$DIR"; then
			echo "${p#/proc/}"
		fi
	done
}

# with_descendants PID...: the PIDs and every process below them (a
# step's job processes)
with_descendants() {
	local p stat ppid pid
	local -A kids=()
	(($#)) || return 0
	for p in /proc/[0-9]*; do
		read -r stat 2>/dev/null <"$p/stat" || continue
		stat=${stat##*) }
		read -r _ ppid _ <<<"$stat"
		kids[$ppid]+="${p#/proc/} "
	done
	local queue=("$@")
	while ((${#queue[@]})); do
		pid=${queue[0]}
		queue=("${queue[@]:1}")
		echo "$pid"
		# shellcheck disable=SC2206 # one word per pid
		queue+=(${kids[$pid]:-})
	done
}

# wait_gone SECONDS NAME PID...: wait until none of the PIDs is a live
# NAME process; LEFT: those still alive after SECONDS
wait_gone() {
	local secs=$1 name=$2 pid i
	shift 2
	for ((i = 0; i <= secs * 10; i++)); do
		LEFT=()
		for pid; do
			if alive "$pid" "$name"; then LEFT+=("$pid"); fi
		done
		((${#LEFT[@]})) || return 0
		sleep 0.1
	done
	return 1
}

# terminate NAME PID...: TERM, wait up to STOP_WAIT s, then KILL; returns
# non-zero if a process outlives KILL
terminate() {
	local name=$1
	shift
	(($#)) || return 0
	kill -TERM "$@" 2>/dev/null || true
	wait_gone "$STOP_WAIT" "$name" "$@" && return 0
	say "$name (pid ${LEFT[*]}) did not end on TERM in $STOP_WAIT s: KILL"
	kill_now "$name" "${LEFT[@]}"
}

# kill_now NAME PID...: KILL, wait up to 5 s; non-zero if one outlives it
# (NAME: the processes' command name, empty for any)
kill_now() {
	local name=$1
	shift
	(($#)) || return 0
	kill -KILL "$@" 2>/dev/null || true
	wait_gone 5 "$name" "$@" && return 0
	say "cannot stop ${name:-process} (pid ${LEFT[*]})"
	return 1
}

# spawn NAME COMMAND...: run a daemon in the foreground of its own session,
# detached from the caller (stdin /dev/null, stdout and stderr to
# log/NAME.stderr, no other descriptor kept: a caller reading our output
# through a pipe must not wait for the daemon), and record its pid
spawn() {
	local name=$1
	shift
	(
		local fd
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
		done
		export POOLBENCH_SLURM_LOCAL=$DIR SLURM_CONF=$CONF
		exec setsid "$@" </dev/null >>"$LOG/$name.stderr" 2>&1
	) &
	echo $! >"$RUN/$name.spawn.pid"
}

# ---------------------------------------------------------------- checks

# check_can_start: root and every program, or skip (exit 77)
check_can_start() {
	local p missing=()
	(($(id -u) == 0)) ||
		skip "start needs root (slurmd must run as root); run it as root"
	for p in munged slurmctld slurmd "${CLIENTS[@]}" setsid timeout; do
		command -v "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	((${#missing[@]} == 0)) ||
		skip "missing ${missing[*]} (Debian packages: slurm-wlm munge)"
}

# free_port PORT: nothing on this host holds TCP PORT (any state, v4 or v6)
free_port() {
	local hex f files=()
	hex=$(printf '%04X' "$1")
	for f in /proc/net/tcp /proc/net/tcp6; do
		if [[ -r $f ]]; then files+=("$f"); fi
	done
	! awk -v h=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == h { f = 1 }
		END { exit !f }' "${files[@]}"
}

# pick_ports: CTLD_PORT and SLURMD_PORT, two free ports in 20000-29999
pick_ports() {
	local i p
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 9999))
		if free_port "$p" && free_port $((p + 1)); then
			CTLD_PORT=$p
			SLURMD_PORT=$((p + 1))
			return 0
		fi
	done
	fail "no two free TCP ports found in 20000-29999"
}

# ---------------------------------------------------------------- start

# fail MESSAGE: start did not bring the cluster up; the EXIT trap shows the
# logs and stops what was started
fail() {
	say "start failed: $*"
	exit 1
}

# show_logs: the tail of each daemon's output, to stderr (NAME.stderr has
# all that NAME.log has, and what a daemon said before opening its log)
show_logs() {
	local f
	for f in "$LOG"/*; do
		[[ -s $f ]] || continue
		[[ $f == *.log && -s ${f%.log}.stderr ]] && continue
		echo "---- ${f#"$DIR"/} (last 20 lines)"
		tail -n 20 "$f"
	done >&2
}

# on_start_exit: EXIT trap while start runs: on failure, logs and stop
on_start_exit() {
	local rc=$?
	((rc != 0 && rc != 77)) || return 0
	show_logs
	say "stopping what was started"
	stop_cluster || true
	exit 1
}

# check_path: DIR can be written in slurm.conf, which takes no quoting
check_path() {
	[[ $DIR != *[[:space:]\#=\(\)\"\'\\]* ]] ||
		fail "$DIR: a path with blanks or any of #=()\"'\\ cannot go in slurm.conf"
}

# prepare_dir: DIR new or empty, then its folders with the permissions
# munged wants (not writable by others; the socket folder reachable by all)
prepare_dir() {
	check_path
	mkdir -p "$DIR" || fail "cannot create $DIR"
	[[ -z $(ls -A "$DIR") ]] || fail "$DIR is not empty (start wants a new or empty folder)"
	DIR=$(cd "$DIR" && pwd -P)
	set_paths "$DIR"
	check_path
	# (past this point a failure stops what was started in DIR)
	# a unix socket path has at most 107 bytes: the munge socket and
	# slurmd's step sockets (spool/NODE_JOB.STEP) must fit
	((${#SPOOL} + 40 < 108 && ${#SOCKET} < 108)) ||
		fail "$DIR is too long a path for unix sockets (${#DIR} bytes); use a shorter one, e.g. \$(mktemp -d)"
	chown root:root "$DIR"
	chmod 0755 "$DIR"
	mkdir -m 0700 "$SECRET" "$STATE"
	mkdir -m 0755 "$MUNGE_DIR" "$RUN" "$LOG" "$SPOOL"
}

# make_key: a new munge key, only root may read it
make_key() {
	if command -v mungekey >/dev/null 2>&1; then
		mungekey --create --keyfile="$KEY" >/dev/null 2>&1 || true
	fi
	if [[ ! -s $KEY ]]; then
		rm -f "$KEY"
		dd if=/dev/urandom of="$KEY" bs=1024 count=1 status=none ||
			fail "cannot write a munge key to $KEY"
	fi
	chmod 0400 "$KEY"
}

# start_munged: munged on DIR's socket, key, pid and seed files (in the
# foreground it logs to stderr, log/munged.stderr, not to --log-file);
# --force turns its path checks into warnings, since DIR's parents (e.g. a
# home folder) may be closed to others, which munged otherwise refuses
start_munged() {
	local i
	spawn munged munged --foreground --force --socket="$SOCKET" \
		--key-file="$KEY" --pid-file="$RUN/munged.pid" \
		--log-file="$LOG/munged.log" --seed-file="$SECRET/munged.seed"
	for ((i = 0; i < 100; i++)); do
		if [[ -S $SOCKET ]]; then
			if ! command -v munge >/dev/null 2>&1 ||
				munge -n -S "$SOCKET" 2>/dev/null | unmunge -S "$SOCKET" >/dev/null 2>&1; then
				return 0
			fi
		fi
		[[ -n $(daemon_pids munged) ]] || fail "munged exited"
		sleep 0.1
	done
	fail "munged did not answer on $SOCKET in 10 s"
}

# node_line: this host's NodeName line from `slurmd -C` (its real CPUs,
# sockets, cores and threads), named NODE, RealMemory a tenth lower so the
# node is never drained for having less memory than configured
node_line() {
	local line mem
	line=$(slurmd -C 2>/dev/null | awk '/^NodeName=/ && !n++')
	[[ -n $line ]] || fail "slurmd -C printed no NodeName line"
	mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$line")
	[[ -n $mem ]] || mem=1000
	mem=$((mem * 9 / 10))
	((mem > 0)) || mem=1
	line=$(sed -e "s/^NodeName=[^ ]*/NodeName=$NODE/" \
		-e "s/RealMemory=[0-9]*/RealMemory=$mem/" <<<"$line")
	echo "$line NodeHostname=$NODE NodeAddr=127.0.0.1 Port=$SLURMD_PORT State=UNKNOWN"
}

# write_conf: slurm.conf and cgroup.conf
write_conf() {
	local auth="socket=$SOCKET"
	NODE_LINE=$(node_line)
	cat >"$CONF" <<EOF
# slurm.conf - written by tests/cluster/slurm-local.sh; one host, two
# partitions of it, every file in $DIR
ClusterName=poolbench-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root

# munge through this cluster's own munged (AuthInfo is read by both the
# auth and the cred plugin)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=$auth

StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# no cgroup, no accounting, no MPI
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true

SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# finished jobs and array tasks stay in squeue -t all for 10 minutes
MinJobAge=600
# a cancelled job's processes get SIGKILL 5 s after SIGTERM
KillWait=5

$NODE_LINE
PartitionName=pbA Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=EXCLUSIVE
PartitionName=pbB Nodes=$NODE Default=NO MaxTime=INFINITE State=UP OverSubscribe=EXCLUSIVE
EOF
	# Slurm 22.05's slurmd always loads a cgroup plugin (there is no
	# "disabled" yet) and autodetects v1 or v2; cgroup/v2 moves slurmd into
	# a cgroup of its own, which fails without delegation. cgroup/v1 does
	# nothing when loaded, and nothing asks it for more here (task/none,
	# proctrack/linuxproc, jobacct_gather/none).
	cat >"$DIR/cgroup.conf" <<EOF
# cgroup.conf - written by tests/cluster/slurm-local.sh: the cgroup plugin
# slurmd must load, which does nothing unless a plugin asks for cgroups
CgroupPlugin=cgroup/v1
CgroupAutomount=no
EOF
	chmod 0644 "$CONF" "$DIR/cgroup.conf"
}

# start_daemon NAME: slurmctld or slurmd in the foreground (-D), then check
# it is still there a moment later
start_daemon() {
	local name=$1
	case $name in
	slurmctld) spawn slurmctld slurmctld -D -f "$CONF" ;;
	slurmd) spawn slurmd slurmd -D -f "$CONF" -N "$NODE" ;;
	esac
	sleep 1
	[[ -n $(daemon_pids "$name") ]] || fail "$name exited at start"
}

# client COMMAND...: a Slurm client of this cluster, at most 20 s
client() {
	client_t 20 "$@"
}

# client_t SECONDS COMMAND...: the same, at most SECONDS
client_t() {
	local t=$1
	shift
	SLURM_CONF=$CONF timeout "$t" "$@"
}

# wait_idle: up to 30 s for the node to be idle; a node that answers but
# is down or drained is resumed
wait_idle() {
	local state='' resumed=0 end=$((SECONDS + 30))
	while ((SECONDS < end)); do
		state=$(client sinfo -h -N -n "$NODE" -o %t 2>/dev/null | awk 'NR == 1') || state=
		case $state in
		idle | mix | alloc) return 0 ;;
		down | drain | drng | drained | fail | inval)
			if ((!resumed)); then
				say "node $NODE is $state: resuming it"
				client scontrol update nodename="$NODE" state=resume || true
				resumed=1
			fi
			;;
		esac
		[[ -n $(daemon_pids slurmctld) ]] || fail "slurmctld exited"
		[[ -n $(daemon_pids slurmd) ]] || fail "slurmd exited"
		sleep 1
	done
	fail "node $NODE not idle after 30 s (sinfo says: ${state:-nothing})"
}

# smoke: one batch job on pbA must run and finish with status 0
smoke() {
	local rc=0
	client_t 60 sbatch --wait -Q -J pb-smoke -p pbA --chdir="$DIR" \
		--output="$DIR/smoke.out" --wrap hostname >/dev/null || rc=$?
	((rc == 0)) || fail "smoke job (sbatch --wait -p pbA --wrap hostname) exited $rc"
	[[ -s $DIR/smoke.out ]] || fail "smoke job wrote nothing to $DIR/smoke.out"
}

cmd_start() {
	local t0=$SECONDS
	check_can_start
	NODE=$(uname -n)
	NODE=${NODE%%.*}
	prepare_dir
	# from here on, a failure or an interruption stops what was started
	trap on_start_exit EXIT
	trap 'say "start interrupted"; exit 1' INT TERM HUP
	pick_ports
	make_key
	start_munged
	write_conf
	start_daemon slurmctld
	start_daemon slurmd
	wait_idle
	smoke
	trap - EXIT INT TERM HUP
	echo "$PROG: cluster poolbench-test up in $((SECONDS - t0)) s: node $NODE, partitions pbA (default) and pbB, slurmctld port $CTLD_PORT, slurmd port $SLURMD_PORT"
	echo "$PROG: clients: eval \"\$($0 env $DIR)\"; stop: $0 stop $DIR"
}

# ---------------------------------------------------------------- stop

# cancel_jobs: if slurmctld runs, cancel every job and wait up to 15 s for
# the steps to end
cancel_jobs() {
	local ids i
	[[ -r $CONF && -n $(daemon_pids slurmctld) ]] || return 0
	ids=$(client squeue -h -o %F 2>/dev/null | sort -u | tr '\n' ' ') || ids=
	[[ -n ${ids// /} ]] || return 0
	# shellcheck disable=SC2086 # one word per job id
	client scancel $ids 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		[[ -n $(stepd_pids) ]] || return 0
		sleep 0.1
	done
}

# stop_cluster: jobs, slurmd, slurmctld, leftover steps, munged
stop_cluster() {
	local rc=0 name
	cancel_jobs
	for name in slurmd slurmctld; do
		# shellcheck disable=SC2046 # one word per pid
		terminate "$name" $(daemon_pids "$name") || rc=1
	done
	# steps left behind (slurmctld was gone, so no job was cancelled) and
	# their job processes: slurmstepd ignores TERM
	# shellcheck disable=SC2046
	kill_now "" $(with_descendants $(stepd_pids)) || rc=1
	# shellcheck disable=SC2046
	terminate munged $(daemon_pids munged) || rc=1
	return "$rc"
}

cmd_stop() {
	if [[ ! -d $DIR ]]; then
		return 0
	fi
	DIR=$(cd "$DIR" && pwd -P)
	set_paths "$DIR"
	stop_cluster
}

# ---------------------------------------------------------------- env

cmd_env() {
	[[ -r $CONF ]] || {
		say "no cluster in $DIR (no slurm.conf; run: $PROG start $DIR)"
		exit 1
	}
	DIR=$(cd "$DIR" && pwd -P)
	set_paths "$DIR"
	printf 'export SLURM_CONF=%q\n' "$CONF"
}

# ---------------------------------------------------------------- main

(($# == 2)) || usage
[[ -n $2 ]] || usage
set_paths "$2"
case $1 in
start) cmd_start ;;
stop) cmd_stop ;;
env) cmd_env ;;
*) usage ;;
esac
