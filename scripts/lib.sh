# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Source it; do not run it.
#
#   ROOT       absolute path of the repository
#   DATA_DIR   $ROOT/.data: local state (database cluster, logs, ports); never committed

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DATA_DIR="$ROOT/.data"
export ROOT DATA_DIR

# log MESSAGE...: progress to stderr, so stdout stays clean for values callers capture.
log() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# die MESSAGE...: one clear line on stderr, then exit 1.
die() {
    printf '%s: error: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

# port_in_use PORT: true if something listens on PORT (any local address).
port_in_use() {
    local port="$1"
    if command -v ss >/dev/null 2>&1; then
        if [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
            return 0
        fi
    fi
    # Fallback (and double check): try to connect on the loopback addresses.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        return 0
    fi
    if (exec 3<>"/dev/tcp/::1/$port") 2>/dev/null; then
        return 0
    fi
    return 1
}

# free_port FIRST [LAST]: print the first port in FIRST..LAST (default FIRST+100) nobody listens on.
free_port() {
    local first="$1" last="${2:-$(($1 + 100))}" port
    for ((port = first; port <= last; port++)); do
        if ! port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    return 1
}

# wait_for_port PORT SECONDS [PID]: wait until PORT accepts connections on 127.0.0.1.
# Gives up early if PID (the process expected to open the port) has exited.
wait_for_port() {
    local port="$1" seconds="$2" pid="${3:-}" i
    for ((i = 0; i < seconds * 4; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.25
    done
    return 1
}

# stop_process_group PID [SECONDS]: TERM the process group led by PID (or PID alone if it
# leads none), wait up to SECONDS (default 10), then KILL what is left.
stop_process_group() {
    local pid="$1" seconds="${2:-10}" target i
    if kill -0 -- "-$pid" 2>/dev/null; then
        target="-$pid"
    elif kill -0 "$pid" 2>/dev/null; then
        target="$pid"
    else
        return 0
    fi
    kill -TERM -- "$target" 2>/dev/null || true
    for ((i = 0; i < seconds * 4; i++)); do
        kill -0 -- "$target" 2>/dev/null || break
        sleep 0.25
    done
    if kill -0 -- "$target" 2>/dev/null; then
        log "process $pid did not stop within ${seconds}s; killing it"
        kill -KILL -- "$target" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
