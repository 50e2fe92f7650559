//! The PACE response fuzzer's entry point on its seeds and on random bytes: it must
//! answer with errors, never panic, never authenticate (the fuzz smoke run goes further).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;

#[test]
fn seeds_are_refused_with_reasons() {
    for entry in std::fs::read_dir("fuzz/corpus/pace_responses").unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        // The seeds replay ICAO G.1 answers against our fixed nonces: the token cannot match.
        assert!(passchip::internal::fuzz_pace_responses(&data).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn arbitrary_answers_never_authenticate(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        // Answers that do not come from a chip holding the password can never open a channel.
        prop_assert!(passchip::internal::fuzz_pace_responses(&data).is_err());
    }
}
