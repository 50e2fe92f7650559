//! The examples of docs/cli.md run: every `console` block is executed (trycmd) in a scratch
//! copy of docs/cli.in and its output compared.
#![cfg(feature = "cli")]

#[test]
fn the_examples_of_docs_cli_md_run() {
    trycmd::TestCases::new()
        .register_bin("passchip", std::path::Path::new(env!("CARGO_BIN_EXE_passchip")))
        .env("PASSCHIP_TRUST_STORE", "/nonexistent/passchip-test-no-trust-store")
        .env("PASSCHIP_LEDGER_KEY", "")
        .case("docs/cli.md");
}
