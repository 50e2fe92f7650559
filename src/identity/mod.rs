//! Holder match: is the document's holder the person who logged in with their bank
//! e-ID (Swedish and Norwegian BankID, Smart-ID, Mobile-ID)?

pub mod asserted;
pub mod attempts;
pub mod authenticity;
pub mod bankid_qr;
pub mod matching;
pub mod names;
pub mod national_id;
pub mod verification;
