/// Command-line options: `--in-memory`, `--port N`, `--host H`, or `redrive QUEUE`.
#[derive(Debug)]
pub struct Args {
    /// `redrive audit|email`: move the queue's dead letters back, then exit.
    pub redrive: Option<String>,
    pub in_memory: bool,
    pub port: u16,
    pub host: String,
}

impl Args {
    pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut args = Self {
            redrive: None,
            in_memory: false,
            port: 3000,
            host: "127.0.0.1".into(),
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
                "-h" | "--help" => {
                    println!(
                        "usage: dashtam-local [--in-memory] [--port N] [--host ADDR]\n       \
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
