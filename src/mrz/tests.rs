//! MRZ parsing, check digits, dates and access keys against ICAO specimens.

use super::*;

// ICAO 9303-4 specimen (TD3), as in 9303-10 A / pymrtd dg1_test.
const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
// ICAO 9303-6 specimen (TD2), gmrtd dg1_test.
const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
// ICAO 9303-5 specimen (TD1).
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
// ICAO 9303-7 specimen visas.
const MRVA: &str = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";
const MRVB: &str = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<";

#[test]
fn td3_specimen() {
    let m = Mrz::parse(TD3).unwrap();
    assert_eq!(m.format, MrzFormat::Td3);
    assert_eq!(m.document_code, "P");
    assert_eq!(m.issuing_state, "UTO");
    assert_eq!(m.primary_identifier, "ERIKSSON");
    assert_eq!(m.secondary_identifier, "ANNA MARIA");
    assert_eq!(m.document_number, "L898902C3");
    assert_eq!(m.date_of_birth.as_str(), "740812");
    assert_eq!(m.sex, Sex::Female);
    assert_eq!(m.date_of_expiry.as_str(), "120415");
    assert_eq!(m.optional_data, "ZE184226B<<<<<");
    assert_eq!(m.date_of_birth.to_iso(30), "1974-08-12");
    assert_eq!(format!("{m:?}"), "Mrz(Td3, ..)");
}

#[test]
fn td2_and_td1_specimens() {
    let m = Mrz::parse(TD2).unwrap();
    assert_eq!(m.format, MrzFormat::Td2);
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(m.access_key().mrz_information().as_slice(), b"D23145890774081221204159");
    let m = Mrz::parse(TD1).unwrap();
    assert_eq!(m.format, MrzFormat::Td1);
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(m.nationality, "UTO");
    assert_eq!(m.secondary_identifier, "ANNA MARIA");
}

#[test]
fn visas() {
    let a = Mrz::parse(MRVA).unwrap();
    assert_eq!(a.format, MrzFormat::MrvA);
    assert_eq!(a.document_number, "L8988901C");
    assert_eq!(a.nationality, "XXX");
    let b = Mrz::parse(MRVB).unwrap();
    assert_eq!(b.format, MrzFormat::MrvB);
    assert_eq!(b.date_of_expiry.as_str(), "961210");
}

#[test]
fn td1_long_document_number() {
    // ICAO 9303-5 §4.2.4 example: D23145890734 with check digit 9 in the optional data.
    let l1 = "I<UTOD23145890<7349<<<<<<<<<<<";
    let l2 = "3407127M9507122UTO<<<<<<<<<<<2";
    let l3 = "STEVENSON<<PETER<JOHN<<<<<<<<<";
    let m = Mrz::parse(&format!("{l1}\n{l2}\n{l3}")).unwrap();
    assert_eq!(m.document_number, "D23145890734");
    assert_eq!(m.optional_data, "<<<<<<<<<<<");
    assert_eq!(m.access_key().mrz_information().as_slice(), b"D23145890734934071279507122");
}

#[test]
fn tolerant_of_spacing_and_case() {
    let messy = "  p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\r\nL898902C36UTO 7408122F1204159ZE184226B<<<<<10\n\n";
    assert_eq!(Mrz::parse(messy).unwrap(), Mrz::parse(TD3).unwrap());
    let one_line: String = TD1.split('\n').collect();
    assert_eq!(Mrz::parse(&one_line).unwrap().format, MrzFormat::Td1);
}

#[test]
fn broken_check_digits_name_the_field() {
    let cases = [
        (TD3.replace("L898902C36", "L898902C37"), MrzField::DocumentNumber),
        (TD3.replace("7408122", "7408123"), MrzField::DateOfBirth),
        (TD3.replace("1204159", "1204158"), MrzField::DateOfExpiry),
        (TD3.replace("B<<<<<10", "B<<<<<20"), MrzField::OptionalData),
        (TD3.replace("B<<<<<10", "B<<<<<11"), MrzField::Composite),
        (TD1.replace("UTO<<<<<<<<<<<6", "UTO<<<<<<<<<<<5"), MrzField::Composite),
        (TD2.replace("<<<<<<<6", "<<<<<<<7"), MrzField::Composite),
    ];
    for (text, field) in cases {
        match Mrz::parse(&text) {
            Err(MrzError::CheckDigit { field: f, .. }) => assert_eq!(f, field, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn lenient_parsing_records_check_digit_failures() {
    let bad = TD3.replace("B<<<<<10", "B<<<<<11");
    assert!(Mrz::parse(&bad).is_err());
    let m = Mrz::parse_lenient(&bad).unwrap();
    assert_eq!(m.check_digit_failures, vec![MrzField::Composite]);
    assert!(Mrz::parse_lenient(&TD3.replace("ANNA", "AN-A")).is_err());
    assert!(Mrz::parse_lenient(TD3).unwrap().check_digit_failures.is_empty());
}

#[test]
fn strict_on_content() {
    assert!(matches!(Mrz::parse(&TD3.replace("ANNA", "AN-A")), Err(MrzError::InvalidCharacter { line: 1, .. })));
    assert!(matches!(Mrz::parse(&TD3[..80]), Err(MrzError::Layout { .. })));
    assert!(matches!(Mrz::parse(""), Err(MrzError::Layout { .. })));
    // Month 13 with a matching check digit is still rejected.
    let bad = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7413122F1204159ZE184226B<<<<<10";
    assert!(matches!(
        Mrz::parse(bad),
        Err(MrzError::InvalidField { field: MrzField::DateOfBirth, .. } | MrzError::CheckDigit { .. })
    ));
    assert!(matches!(MrzDate::parse(b"741312", MrzField::DateOfBirth, true), Err(MrzError::InvalidField { .. })));
    assert!(MrzDate::parse(b"74<<<<", MrzField::DateOfBirth, true).is_ok());
    assert!(MrzDate::parse(b"74<<<<", MrzField::DateOfExpiry, false).is_err());
}

// ICAO 9303-11 D.2: MRZ_information and K_seed.
#[test]
fn bac_key_seed_input() {
    let k = MrzKey::new("L898902C", "690806", "940623").unwrap();
    assert_eq!(k.mrz_information().as_slice(), b"L898902C<369080619406236");
    assert_eq!(k.seed().as_slice(), &hex_literal::hex!("239AB9CB282DAF66231DC5A4DF6BFBAE"));
    assert_eq!(format!("{k:?}"), "MrzKey(..)");
    assert!(MrzKey::new("", "690806", "940623").is_err());
    assert!(MrzKey::new("L8989-02C", "690806", "940623").is_err());
}

#[test]
fn check_digit_examples() {
    assert_eq!(check_digit(b"L898902C3"), 6);
    assert_eq!(check_digit(b"740812"), 2);
    assert_eq!(check_digit(b"<<<<<<<<<<<<<<"), 0);
}

proptest::proptest! {
    #[test]
    fn never_panics(s in "[A-Za-z0-9< \n]{0,100}") {
        let _ = Mrz::parse(&s);
    }
}
