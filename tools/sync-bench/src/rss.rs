//! Peak resident set size (`VmHWM`), read from `/proc/<pid>/status`: the same figure as
//! `getrusage(RUSAGE_SELF).ru_maxrss`, without `unsafe` (the workspace forbids it).

/// `VmHWM` of the status file at `path`, in KiB; `None` when it cannot be read (not Linux).
pub fn peak_kib(path: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// This process's peak RSS so far, in KiB.
pub fn own_peak_kib() -> Option<u64> {
    peak_kib("/proc/self/status")
}

/// KiB as MB (MiB, like the other benches).
pub fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
