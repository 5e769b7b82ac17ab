# shellcheck shell=bash
# What scripts/bench and scripts/chaos share: tools, the Release build, a private PostgreSQL
# cluster, the OpenID Connect provider, and the app started as in production. Source it after
# lib.sh; call bench_cleanup from the caller's EXIT trap.

BENCH_DIR="$DATA_DIR/bench"
BENCH_PG_HOME="$BENCH_DIR/pgdata"
# The app as the Dockerfile publishes it: Release, compiled ahead of time (ReadyToRun) for this machine's runtime.
# Without it, a quarter of the app's CPU during a 100,000-row import preview went to the JIT compiler: the preview
# took 2.2-2.3 s against 1.4-1.7 s, and the import 6.6-6.7 s of the app's CPU against 4.4-5.1 s.
APP_DIR="$DATA_DIR/app-release"
APP_DLL="$APP_DIR/Child10.Advocacy.Web.dll"
TOOL_DLL="$ROOT/tools/Child10.Advocacy.Bench/bin/Release/net10.0/Child10.Advocacy.Bench.dll"
OIDC_CLIENT_ID=child10-advocacy
OIDC_CLIENT_SECRET="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
BG_PIDS=()
STARTED_BENCH_PG=0
INSTALLED_POSTFIX=0

# Start a command in the background in its own process group; sets BG_PID and remembers it for cleanup.
start_bg() {
    if command -v setsid >/dev/null 2>&1; then
        setsid "$@" &
    else
        "$@" &
    fi
    BG_PID=$!
    BG_PIDS+=("$BG_PID")
}

# shellcheck disable=SC2317  # called from the callers' traps
bench_cleanup() {
    local pid
    for pid in "${BG_PIDS[@]}"; do
        stop_process_group "$pid" 10
    done
    if [ "$STARTED_BENCH_PG" = 1 ]; then
        PG_HOME="$BENCH_PG_HOME" "$ROOT/scripts/pg" stop || true
        remove_bench_cluster
    fi
}

remove_bench_cluster() {
    local target
    if [ -L "$BENCH_PG_HOME/pg" ]; then
        target="$(readlink "$BENCH_PG_HOME/pg")"
        case "$target" in /tmp/child10-pg-*) rm -rf "$target" ;; esac
    fi
    rm -rf "$BENCH_PG_HOME"
}

# wrk, smtp-sink and smtp-source, installed (Debian packages wrk and postfix) when missing and root.
ensure_tools() {
    local missing=() cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        local packages=()
        for cmd in "${missing[@]}"; do
            case "$cmd" in
                wrk) packages+=(wrk) ;;
                curl) packages+=(curl) ;;
                smtp-sink | smtp-source) packages+=(postfix); INSTALLED_POSTFIX=1 ;;
                *) die "$cmd is missing and no package is known for it" ;;
            esac
        done
        log "installing ${packages[*]}"
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2
        # Only the test tools of postfix are used: the mail daemon must not run.
        if [ "$INSTALLED_POSTFIX" = 1 ] && pgrep -x master >/dev/null 2>&1; then
            postfix stop >/dev/null 2>&1 || true
        fi
        for cmd in "${missing[@]}"; do
            command -v "$cmd" >/dev/null 2>&1 || die "installed ${packages[*]} but $cmd is still missing"
        done
    else
        die "missing ${missing[*]}: install them (Debian/Ubuntu: sudo apt-get install wrk postfix; only smtp-sink and smtp-source are used, the postfix daemon need not run)"
    fi
}

build_release() {
    command -v dotnet >/dev/null 2>&1 || die "dotnet not found; install the .NET 10 SDK"
    log "building the app and the bench tool (Release), and publishing the app as the Dockerfile does"
    dotnet build "$ROOT/tools/Child10.Advocacy.Bench/Child10.Advocacy.Bench.csproj" -c Release --nologo -v quiet >&2 ||
        die "the Release build failed"
    rm -rf "$APP_DIR"
    dotnet publish "$ROOT/src/Child10.Advocacy.Web/Child10.Advocacy.Web.csproj" -c Release --use-current-runtime \
        --self-contained false -p:PublishReadyToRun=true -o "$APP_DIR" --nologo -v quiet >&2 ||
        die "publishing the app failed"
}

tool() {
    dotnet "$TOOL_DLL" "$@"
}

# A fresh private cluster for this run (removed again by bench_cleanup); sets PG_CONN.
start_bench_pg() {
    mkdir -p "$BENCH_DIR"
    PG_HOME="$BENCH_PG_HOME" "$ROOT/scripts/pg" stop >/dev/null 2>&1 || true
    remove_bench_cluster
    STARTED_BENCH_PG=1
    PG_CONN="$(PG_HOME="$BENCH_PG_HOME" "$ROOT/scripts/pg" start)"
    # The delivery pool, Hangfire and the page traffic share the server; pooling keeps it to a few dozen connections.
    PG_CONN="$PG_CONN;Maximum Pool Size=50"
}

restart_bench_pg() {
    PG_HOME="$BENCH_PG_HOME" "$ROOT/scripts/pg" stop
    PG_HOME="$BENCH_PG_HOME" "$ROOT/scripts/pg" start >/dev/null
}

# The OpenID Connect provider the app trusts; sets OIDC_AUTHORITY. Arguments: redirect URIs, comma-separated.
start_idp() {
    local file="$BENCH_DIR/idp-authority" i
    rm -f "$file"
    start_bg dotnet "$TOOL_DLL" idp --client-id "$OIDC_CLIENT_ID" --client-secret "$OIDC_CLIENT_SECRET" \
        --redirect "$1" --authority-file "$file" </dev/null >"$BENCH_DIR/idp.log" 2>&1
    for ((i = 0; i < 240; i++)); do
        [ -s "$file" ] && break
        kill -0 "$BG_PID" 2>/dev/null || die "the OpenID Connect provider did not start; see $BENCH_DIR/idp.log"
        sleep 0.25
    done
    [ -s "$file" ] || die "the OpenID Connect provider did not start within 60 s; see $BENCH_DIR/idp.log"
    OIDC_AUTHORITY="$(cat "$file")"
}

# Configuration of the app as in production, for PUBLIC_URL with mail to 127.0.0.1:SMTP_PORT.
export_app_env() {
    export ASPNETCORE_ENVIRONMENT=Production
    export ConnectionStrings__Postgres="$PG_CONN"
    export Hosting__PublicBaseUrl="$PUBLIC_URL"
    export Oidc__Authority="$OIDC_AUTHORITY"
    export Oidc__ClientId="$OIDC_CLIENT_ID"
    export Oidc__ClientSecret="$OIDC_CLIENT_SECRET"
    export Oidc__RequireHttpsMetadata=false
    export Oidc__Scopes="openid profile email roles"
    export Email__TemplatesPath="$ROOT/email-templates"
    export Email__Smtp__Host=127.0.0.1
    export Email__Smtp__Port="$SMTP_PORT"
    export Email__Smtp__Security=none
    export Logging__LogLevel__Default=Warning
    # The project is the content root of every process built from the app's composition (the app, and the bench
    # tool's in-process dispatch, sweep and chaos workers), as with dotnet run: the repository root would have each
    # of them watch every file the benchmark's own PostgreSQL writes for configuration changes.
    export ASPNETCORE_CONTENTROOT="$ROOT/src/Child10.Advocacy.Web"
}

# Start the app (extra environment as NAME=value arguments) listening on PORT; sets APP_PID.
start_app() {
    local port="$1" log_file="$2"
    shift 2
    # env execs dotnet, so APP_PID is the app process itself (its memory is read from /proc). Its content root is
    # the project (ASPNETCORE_CONTENTROOT, see export_app_env).
    start_bg env "$@" ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet "$APP_DLL" </dev/null >>"$log_file" 2>&1
    APP_PID=$BG_PID
    wait_for_port "$port" 120 "$APP_PID" || { tail -n 30 "$log_file" >&2; die "the app did not start on port $port; see $log_file"; }
}

# The start of bench/results.json's machine object (the caller adds the rest and the closing brace).
machine_json() {
    local cpu mem
    cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/"/'"'"'/g')"
    mem="$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
    printf '{"date": "%s", "cores": %s, "cpu": "%s", "memory_gb": %s, "load_avg_1m": %s, "os": "%s", "postgres": "%s", "dotnet": "%s"' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$cpu" "$mem" "$(cut -d' ' -f1 /proc/loadavg)" \
        "$(. /etc/os-release && printf '%s' "$PRETTY_NAME")" \
        "$(PG_HOME="$BENCH_PG_HOME" "$ROOT/scripts/pg" psql -XtAc 'show server_version' 2>/dev/null | cut -d' ' -f1)" \
        "$(dotnet --version)"
}
