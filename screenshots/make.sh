#!/usr/bin/env bash
# make.sh regenerates the PNGs in this folder from the running program: it
# builds reel, serves the jobs of scenario/ (one in every status, on a
# frozen clock), drives the dashboard in a private tmux server and draws
# each screen with render/.
#
# Needs go, tmux and the DejaVu fonts (Debian/Ubuntu: tmux, fonts-dejavu-core);
# it installs the last two with apt-get when they are missing and it can.
# Usage: screenshots/make.sh        (from anywhere; takes under a minute)
# REEL_SHOTS_KEEP=1 keeps the raw captures (*.ansi) in the work folder.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cols=140 rows=36

say() { printf 'make.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# get_pkg PACKAGE: apt-get it, as root or through sudo, or say what to do.
get_pkg() {
	local sudo=()
	[[ $(id -u) == 0 ]] || sudo=(sudo)
	if command -v apt-get >/dev/null && { [[ ${#sudo[@]} == 0 ]] || command -v sudo >/dev/null; }; then
		say "installing $1 with apt-get"
		{ "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "$1"; } >&2 ||
			die "could not install $1; install it and run me again"
	else
		die "$1 is missing; install it (e.g. apt-get install $1, brew install $1) and run me again"
	fi
}

command -v go >/dev/null || die "go is missing: https://go.dev/dl/"
command -v tmux >/dev/null || get_pkg tmux
font=${REEL_SHOTS_FONT:-/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf}
bold=${REEL_SHOTS_BOLD:-/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf}
[[ -r $font && -r $bold ]] || get_pkg fonts-dejavu-core
[[ -r $font && -r $bold ]] || die "no DejaVu Sans Mono at $font; set REEL_SHOTS_FONT and REEL_SHOTS_BOLD to a monospace TTF and its bold"

work=$(mktemp -d "${TMPDIR:-/tmp}/reel-shots.XXXXXX")
sock="reel-shots-$$"
T=(tmux -L "$sock" -f "$work/tmux.conf")
sim_pid=
cleanup() {
	"${T[@]}" kill-server 2>/dev/null || true
	[[ -z $sim_pid ]] || kill "$sim_pid" 2>/dev/null || true
	if [[ -n ${REEL_SHOTS_KEEP:-} ]]; then
		rm -rf "$work/downloads"
		say "kept the captures in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

say "building reel, the scenario and the renderer"
(cd "$root" && go build -o "$work/reel" . && go build -o "$work/scenario" ./screenshots/scenario &&
	go build -o "$work/history" ./screenshots/history)
(cd "$here/render" && go build -o "$work/render" .)

# start_sim ADDR starts the scenario's simulator and reports whether it
# came up.
start_sim() {
	"$work/scenario" -addr "$1" -out "$work/sim.env" 2>"$work/scenario.log" &
	sim_pid=$!
	for _ in $(seq 100); do
		[[ -s $work/sim.env ]] && return 0
		kill -0 "$sim_pid" 2>/dev/null || break
		sleep 0.1
	done
	sim_pid=
	return 1
}
# A fixed port keeps the links in the detail pane the same from run to run.
port=${REEL_SHOTS_PORT:-47311}
if ! start_sim "127.0.0.1:$port"; then
	say "port $port is taken ($(cat "$work/scenario.log")); using a free one, so the links in the images will change"
	start_sim 127.0.0.1:0 || die "the scenario did not start: $(cat "$work/scenario.log")"
fi
# shellcheck source=/dev/null
. "$work/sim.env"

# A tmux of our own: no status line, the pane kept if reel dies so that
# its last words can be shown.
cat >"$work/tmux.conf" <<'EOF'
set -g status off
set -g remain-on-exit on
set -g default-terminal tmux-256color
EOF
mkdir -p "$work/downloads" "$work/config" "$work/state"
# Twelve hours of made-up history, for the statistics view: jobs no longer
# tracked, so the table shows only the scenario's.
"$work/history" -store "$work/state/reel/reel.db"
"${T[@]}" -u new-session -d -s shots -x "$cols" -y "$rows" \
	"cd '$work/downloads' && exec env -u NO_COLOR TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	XDG_CONFIG_HOME='$work/config' XDG_STATE_HOME='$work/state' XDG_CACHE_HOME='$work/cache' \
	COLOSSYAN_BASE_URL='$REEL_SHOTS_BASE_URL' COLOSSYAN_API_KEY=sim-token \
	'$work/reel' $REEL_SHOTS_IDS"

screen() { "${T[@]}" capture-pane -p -N -t shots "$@"; }
keys() { "${T[@]}" send-keys -t shots "$@"; }

# wait_for WHAT PATTERN... waits until the screen matches every extended
# regular expression, for 30 s at most.
wait_for() {
	local what=$1 deadline=$((SECONDS + 30)) p ok
	shift
	while :; do
		ok=1
		for p in "$@"; do screen | grep -Eq -- "$p" || { ok=0; break; }; done
		((ok)) && return 0
		if ((SECONDS >= deadline)); then
			say "timed out waiting for $what (no '$p'); the screen was:"
			screen >&2
			return 1
		fi
		sleep 0.2
	done
}

# wait_gone WHAT PATTERN waits until the screen no longer matches.
wait_gone() {
	local deadline=$((SECONDS + 30))
	while screen | grep -Eq -- "$2"; do
		((SECONDS < deadline)) || { say "timed out waiting for $1 to close"; return 1; }
		sleep 0.2
	done
}

# shot NAME [COLS ROWS] renders the screen once two captures 0.3 s apart
# agree (3 s at most: a download's figures never stop moving).
shot() {
	local a b deadline=$((SECONDS + 3))
	a=$(screen -e)
	while :; do
		sleep 0.3
		b=$(screen -e)
		[[ $a == "$b" ]] || ((SECONDS >= deadline)) && break
		a=$b
	done
	printf '%s\n' "$b" >"$work/$1.ansi"
	"$work/render" -cols "${2:-$cols}" -rows "${3:-$rows}" -font "$font" -bold "$bold" -o "$here/$1.png" <"$work/$1.ansi"
	say "wrote screenshots/$1.png"
}

# The table: every status, names and sizes fetched for the finished ones.
wait_for "the table" '✓ finished' '✗ failed' '● generating' '◐ preprocessing' '◌ in queue' \
	'⊘ deleted' '\? not found' 'Product launch keynote' 'Year in review 2025' '73\.4 MB'
shot table

# The first row, a finished job, in the detail pane.
keys Enter
wait_for "the detail pane and its picture" 'video ID' 'thumbnail' '▀▀▀▀▀▀▀▀▀▀'
shot detail
keys Escape
wait_gone "the detail pane" 'video ID'

# A failed job's details: the 7th row.
keys g j j j j j j Enter
wait_for "the failed job's details" 'Text-to-speech failed'
shot detail-failed
keys Escape
wait_gone "the detail pane" 'video ID'

keys '?'
wait_for "the help overlay" 'reel .*keys'
shot help
keys Escape
wait_gone "the help overlay" 'reel .*keys'

# The statistics view (S) on the made-up history and the scenario's jobs.
keys S
wait_for "the statistics view" 'Where the time goes' 'Queue wait' 'median'
shot stats
keys Escape
wait_gone "the statistics view" 'Where the time goes'

# A download caught under way: the 2 GiB video of the 2nd row, served at
# 40 MB/s by the scenario, with its details open.
keys g j Enter
wait_for "the second row's details" 'Product launch keynote' 'video ID'
keys d
downloading() {
	local deadline=$((SECONDS + 60)) pct
	while ((SECONDS < deadline)); do
		pct=$(screen | grep -Eo '↓ [0-9]+%' | head -1 | tr -dc 0-9)
		[[ -n $pct ]] && ((pct >= 20)) && return 0
		screen | grep -q 'downloads not available' && return 1
		sleep 0.2
	done
	return 1
}
downloading || say "warning: no download progress (↓ NN%) on the screen; capturing it anyway"
shot download

# The same table on a small terminal.
keys Escape
"${T[@]}" set-option -g window-size manual \; resize-window -t shots -x 80 -y 24
wait_for "the 80×24 table" '✓ finished'
sleep 0.5
shot narrow 80 24
