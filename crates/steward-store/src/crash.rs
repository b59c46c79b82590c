//! Crash points, for the tests that prove a crash loses nothing: a debug
//! build stops dead at the point `STEWARD_CRASH_AT` names, with `abort`, as
//! `kill -9` would (nothing flushed, no destructor run, no transaction
//! finished). Release builds have none: the call compiles to nothing.

/// Stops the process here if `STEWARD_CRASH_AT` is `name` (debug builds).
#[inline]
pub fn crash_point(name: &str) {
    #[cfg(debug_assertions)]
    {
        static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        if AT
            .get_or_init(|| std::env::var("STEWARD_CRASH_AT").ok())
            .as_deref()
            == Some(name)
        {
            eprintln!("steward: stopping dead at crash point `{name}` (STEWARD_CRASH_AT)");
            std::process::abort();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
