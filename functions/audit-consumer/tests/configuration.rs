//! Without its configuration the function stops with an error that names the missing
//! variable, not a panic. (Also: this test makes `cargo test` build the binary, which
//! `scripts/invoke-local.sh --prebuilt` then runs under `cargo lambda watch`.)

#[test]
fn it_refuses_to_start_without_its_configuration() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dashtam-audit-consumer"))
        .env_clear()
        .env("AWS_LAMBDA_FUNCTION_NAME", "dashtam-audit-consumer-test")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("DASHTAM_"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
