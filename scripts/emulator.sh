#!/usr/bin/env bash
# The local AWS emulator (moto's server from .venv), on loopback.
#   scripts/emulator.sh start [PORT]   start in the background unless already up; wait until ready
#   scripts/emulator.sh stop [PORT]    stop the one this script started on PORT
#   scripts/emulator.sh status [PORT]  exit 0 when it answers on PORT
# PORT defaults to 4566. Pid and log: .local/moto-PORT.pid, .local/moto-PORT.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"
port="${2:-4566}"
pidfile="$root/.local/moto-$port.pid"
logfile="$root/.local/moto-$port.log"
url="http://127.0.0.1:$port/moto-api/"

answers() { curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; }
alive() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
start)
    if answers; then
        echo "emulator: already answering on 127.0.0.1:$port" >&2
        exit 0
    fi
    if [[ ! -x "$root/.venv/bin/moto_server" ]]; then
        echo "emulator: .venv/bin/moto_server missing; run scripts/bootstrap.sh first" >&2
        exit 1
    fi
    mkdir -p "$root/.local"
    # In its own session: a Ctrl-C in the caller's terminal does not reach the
    # emulator; `stop` ends it.
    setsid nohup "$root/.venv/bin/python" "$root/infra/emulator.py" -H 127.0.0.1 -p "$port" \
        </dev/null >"$logfile" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 150); do # 30 s
        if answers; then
            echo "emulator: moto on http://127.0.0.1:$port (pid $(cat "$pidfile"), log .local/moto-$port.log)" >&2
            exit 0
        fi
        if ! alive; then
            echo "emulator: moto exited during start-up; log follows" >&2
            tail -n 20 "$logfile" >&2
            rm -f "$pidfile"
            exit 1
        fi
        sleep 0.2
    done
    echo "emulator: moto did not answer $url within 30 s" >&2
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    exit 1
    ;;
stop)
    if alive; then
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        echo "emulator: stopped moto on port $port" >&2
    fi
    rm -f "$pidfile"
    ;;
status)
    answers
    ;;
*)
    echo "usage: $0 start|stop|status [PORT]" >&2
    exit 2
    ;;
esac
