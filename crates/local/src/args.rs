/// Command-line options: `--in-memory`, `--port N`, `--host H`, `--job-interval-secs N`,
/// `--sandbox-port N`, or `redrive QUEUE`.
#[derive(Debug)]
pub struct Args {
    /// `redrive audit|email`: move the queue's dead letters back, then exit.
    pub redrive: Option<String>,
    pub in_memory: bool,
    pub port: u16,
    pub host: String,
    /// How often the in-process timers run every scheduled job (0 = never).
    pub job_interval_secs: u64,
    /// Where the sandbox brokerage listens (0 = not started); `DASHTAM_SANDBOX_PORT`.
    pub sandbox_port: u16,
}

/// The default job interval, overridable by `DASHTAM_JOB_INTERVAL_SECS` and the flag.
const DEFAULT_JOB_INTERVAL_SECS: u64 = 60;

/// The sandbox brokerage's default port, overridable by `DASHTAM_SANDBOX_PORT` and the flag.
const DEFAULT_SANDBOX_PORT: u16 = 3001;

impl Args {
    pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut args = Self {
            redrive: None,
            in_memory: false,
            port: 3000,
            host: "127.0.0.1".into(),
            job_interval_secs: match std::env::var("DASHTAM_JOB_INTERVAL_SECS") {
                Ok(v) => v
                    .parse()
                    .map_err(|_| "DASHTAM_JOB_INTERVAL_SECS must be a number of seconds")?,
                Err(_) => DEFAULT_JOB_INTERVAL_SECS,
            },
            sandbox_port: match std::env::var("DASHTAM_SANDBOX_PORT") {
                Ok(v) => v
                    .parse()
                    .map_err(|_| "DASHTAM_SANDBOX_PORT must be a port number (0 disables)")?,
                Err(_) => DEFAULT_SANDBOX_PORT,
            },
        };
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--in-memory" => args.in_memory = true,
                "--port" => {
                    args.port = it
                        .next()
                        .and_then(|p| p.parse().ok())
                        .ok_or("--port needs a port number")?;
                }
                "--host" => args.host = it.next().ok_or("--host needs an address")?,
                "redrive" => {
                    let queue = it.next().ok_or("redrive needs a queue: audit or email")?;
                    if !matches!(queue.as_str(), "audit" | "email") {
                        return Err(format!("unknown queue {queue:?}: audit or email"));
                    }
                    args.redrive = Some(queue);
                }
                "--job-interval-secs" => {
                    args.job_interval_secs = it
                        .next()
                        .and_then(|p| p.parse().ok())
                        .ok_or("--job-interval-secs needs a number of seconds")?;
                }
                "--sandbox-port" => {
                    args.sandbox_port = it
                        .next()
                        .and_then(|p| p.parse().ok())
                        .ok_or("--sandbox-port needs a port number (0 disables)")?;
                }
                "-h" | "--help" => {
                    println!(
                        "usage: dashtam-local [--in-memory] [--port N] [--host ADDR] [--job-interval-secs N] [--sandbox-port N]\n       \
                         dashtam-local redrive audit|email"
                    );
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other:?} (try --help)")),
            }
        }
        Ok(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn job_interval_is_a_number_of_seconds() {
        assert_eq!(
            parse(&["--job-interval-secs", "5"])
                .unwrap()
                .job_interval_secs,
            5
        );
        assert_eq!(
            parse(&["--job-interval-secs", "0"])
                .unwrap()
                .job_interval_secs,
            0
        );
        assert!(parse(&["--job-interval-secs"]).is_err());
        assert!(parse(&["--job-interval-secs", "soon"]).is_err());
    }

    #[test]
    fn sandbox_port_is_a_port_and_zero_disables() {
        assert_eq!(
            parse(&["--sandbox-port", "4001"]).unwrap().sandbox_port,
            4001
        );
        assert_eq!(parse(&["--sandbox-port", "0"]).unwrap().sandbox_port, 0);
        assert!(parse(&["--sandbox-port"]).is_err());
        assert!(parse(&["--sandbox-port", "70000"]).is_err());
    }
}
