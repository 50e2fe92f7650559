//! The identity a bank e-ID asserts, taken as-is from what the services return
//! (identity-matching reference §1.3, §2.1, §4.1–4.2):
//!
//! - Swedish BankID RP API v6 `/collect`: `completionData.user.{personalNumber, name,
//!   givenName, surname}`; `completionData.stepUp.mrtd` (older clients: `setUp.mrtd`).
//! - Norwegian BankID OIDC ID-token claims: `nnin_altsub` (brokers: `nin`, `socialno`,
//!   `pid`), `given_name`, `family_name`, `name`, `birthdate`.
//! - Smart-ID RP API v2 session status and Mobile-ID session: the person is in the
//!   signer certificate (`cert.value` / `cert`, base64 DER): subject `serialNumber`
//!   (`PNOEE-…`), `givenName`, `surname`, `C`, and a dateOfBirth directory attribute.
//! - A plain form for anything else: `{ "country", "national_id", "given_name",
//!   "surname", "date_of_birth" }`.

use super::national_id::IdCountry;
use crate::date::Date;

/// Which service asserted the identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Scheme {
    /// Swedish BankID.
    BankIdSe,
    /// Norwegian BankID.
    BankIdNo,
    /// Smart-ID (EE, LV, LT).
    SmartId,
    /// Mobile-ID (EE, LT).
    MobileId,
    /// Anything else, given in the plain form.
    Plain,
}

/// A person as a bank e-ID asserts them. Personal data: `Debug` shows no values.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct AssertedIdentity {
    /// The service.
    pub scheme: Scheme,
    /// The state that issued the national identity number.
    pub country: Option<IdCountry>,
    /// The national identity number, as asserted.
    pub national_id: Option<String>,
    /// Given names.
    pub given_name: Option<String>,
    /// Surname(s).
    pub surname: Option<String>,
    /// The full name, when the service gives one.
    pub full_name: Option<String>,
    /// The date of birth, when the service gives one.
    pub date_of_birth: Option<Date>,
    /// Swedish BankID's own passport/ID-card check (`stepUp.mrtd`), when present.
    pub bankid_mrtd_check: Option<bool>,
}

impl core::fmt::Debug for AssertedIdentity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AssertedIdentity({:?}, ..)", self.scheme)
    }
}

impl AssertedIdentity {
    /// An identity from its parts (the plain form).
    #[must_use]
    pub fn new(scheme: Scheme, country: Option<IdCountry>, national_id: Option<&str>) -> Self {
        Self {
            scheme,
            country,
            national_id: national_id.map(str::to_string),
            given_name: None,
            surname: None,
            full_name: None,
            date_of_birth: None,
            bankid_mrtd_check: None,
        }
    }

    /// Sets the names.
    #[must_use]
    pub fn with_names(mut self, given: &str, surname: &str) -> Self {
        self.given_name = Some(given.to_string());
        self.surname = Some(surname.to_string());
        self
    }

    /// Sets the date of birth.
    #[must_use]
    pub fn with_birth_date(mut self, d: Date) -> Self {
        self.date_of_birth = Some(d);
        self
    }
}

/// The identity could not be taken from the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// Not JSON, or not one of the known forms.
    #[error("unrecognised identity input: {0}")]
    Unrecognised(String),
    /// The e-ID transaction did not complete (pending, failed, refused…).
    #[error("the e-ID transaction did not complete: {0}")]
    NotComplete(String),
    /// A required field is missing or malformed.
    #[error("identity input: {0}")]
    Invalid(String),
}

/// The JSON forms, for `--kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// Swedish BankID `/collect` response.
    BankIdSeCollect,
    /// Norwegian BankID ID-token claims.
    BankIdNoClaims,
    /// Smart-ID session status.
    SmartIdSession,
    /// Mobile-ID session status.
    MobileIdSession,
    /// The plain form.
    Plain,
}

impl InputKind {
    /// Parses `bankid-se`, `bankid-no`, `smart-id`, `mobile-id`, `plain`.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "bankid-se" => Self::BankIdSeCollect,
            "bankid-no" => Self::BankIdNoClaims,
            "smart-id" => Self::SmartIdSession,
            "mobile-id" => Self::MobileIdSession,
            "plain" => Self::Plain,
            _ => return None,
        })
    }
}

#[cfg(feature = "serde")]
mod json {
    use serde_json::Value;

    use super::{AssertedIdentity, IdentityError, InputKind, Scheme};
    use crate::date::Date;
    use crate::identity::national_id::IdCountry;

    fn s(v: &Value, path: &[&str]) -> Option<String> {
        let mut cur = v;
        for p in path {
            cur = cur.get(*p)?;
        }
        cur.as_str().map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
    }

    /// The kind of a parsed JSON document.
    pub(super) fn detect(v: &Value) -> Option<InputKind> {
        if v.get("completionData").is_some() || (v.get("orderRef").is_some() && v.get("status").is_some()) {
            return Some(InputKind::BankIdSeCollect);
        }
        if ["nnin_altsub", "nin", "socialno", "pid"].iter().any(|k| v.get(*k).is_some()) {
            return Some(InputKind::BankIdNoClaims);
        }
        if v.get("result").and_then(|r| r.get("endResult")).is_some() || v.get("cert").is_some_and(Value::is_object) {
            return Some(InputKind::SmartIdSession);
        }
        if v.get("cert").is_some_and(Value::is_string) {
            return Some(InputKind::MobileIdSession);
        }
        if v.get("national_id").is_some() || v.get("surname").is_some() {
            return Some(InputKind::Plain);
        }
        None
    }

    pub(super) fn bankid_se(v: &Value) -> Result<AssertedIdentity, IdentityError> {
        let status = s(v, &["status"]).unwrap_or_default();
        if status != "complete" {
            let hint = s(v, &["hintCode"]).unwrap_or_default();
            return Err(IdentityError::NotComplete(
                format!("BankID order status {status:?} {hint}").trim().to_string(),
            ));
        }
        let pnr = s(v, &["completionData", "user", "personalNumber"])
            .ok_or_else(|| IdentityError::Invalid("completionData.user.personalNumber missing".into()))?;
        let mrtd = ["stepUp", "setUp"].iter().find_map(|k| v.get("completionData")?.get(*k)?.get("mrtd")?.as_bool());
        Ok(AssertedIdentity {
            scheme: Scheme::BankIdSe,
            country: Some(IdCountry::Se),
            national_id: Some(pnr),
            given_name: s(v, &["completionData", "user", "givenName"]),
            surname: s(v, &["completionData", "user", "surname"]),
            full_name: s(v, &["completionData", "user", "name"]),
            date_of_birth: None,
            bankid_mrtd_check: mrtd,
        })
    }

    pub(super) fn bankid_no(v: &Value) -> Result<AssertedIdentity, IdentityError> {
        let nnin = ["nnin_altsub", "nin", "socialno", "pid"].iter().find_map(|k| s(v, &[k]));
        let country = match s(v, &["nin_issuing_country"]) {
            Some(c) => IdCountry::from_alpha2(&c),
            None => Some(IdCountry::No),
        };
        Ok(AssertedIdentity {
            scheme: Scheme::BankIdNo,
            country,
            national_id: nnin,
            given_name: s(v, &["given_name"]),
            surname: s(v, &["family_name"]),
            full_name: s(v, &["name"]),
            date_of_birth: s(v, &["birthdate"]).and_then(|d| Date::parse(&d).ok()),
            bankid_mrtd_check: None,
        })
    }

    pub(super) fn smart_id(v: &Value) -> Result<AssertedIdentity, IdentityError> {
        // A session status without `state` is not a completed session: never assumed to be.
        let state =
            s(v, &["state"]).ok_or_else(|| IdentityError::Invalid("Smart-ID session status without `state`".into()))?;
        let end = s(v, &["result", "endResult"]).unwrap_or_default();
        if state != "COMPLETE" || end != "OK" {
            return Err(IdentityError::NotComplete(format!("Smart-ID session {state} {end}").trim().to_string()));
        }
        let cert = s(v, &["cert", "value"]).ok_or_else(|| IdentityError::Invalid("cert.value missing".into()))?;
        super::from_certificate(&cert, Scheme::SmartId)
    }

    pub(super) fn mobile_id(v: &Value) -> Result<AssertedIdentity, IdentityError> {
        let result = s(v, &["result"]).unwrap_or_default();
        if result != "OK" {
            return Err(IdentityError::NotComplete(format!("Mobile-ID session result {result:?}")));
        }
        let cert = s(v, &["cert"]).ok_or_else(|| IdentityError::Invalid("cert missing".into()))?;
        super::from_certificate(&cert, Scheme::MobileId)
    }

    pub(super) fn plain(v: &Value) -> Result<AssertedIdentity, IdentityError> {
        let country = match s(v, &["country"]) {
            Some(c) => Some(
                IdCountry::from_alpha2(&c)
                    .ok_or_else(|| IdentityError::Invalid(format!("unsupported country {c:?}")))?,
            ),
            None => None,
        };
        let date_of_birth = match s(v, &["date_of_birth"]) {
            Some(d) => Some(Date::parse(&d).map_err(IdentityError::Invalid)?),
            None => None,
        };
        Ok(AssertedIdentity {
            scheme: Scheme::Plain,
            country,
            national_id: s(v, &["national_id"]),
            given_name: s(v, &["given_name"]),
            surname: s(v, &["surname"]),
            full_name: s(v, &["full_name"]),
            date_of_birth,
            bankid_mrtd_check: None,
        })
    }
}

/// The person in a Smart-ID / Mobile-ID signer certificate (base64 DER): subject
/// `serialNumber` (`PNOEE-38001085718`, or the bare code with `C=`), `givenName`,
/// `surname`, and the subjectDirectoryAttributes dateOfBirth when present.
///
/// # Errors
/// [`IdentityError::Invalid`] for a certificate that does not parse or names nobody.
pub fn from_certificate(b64: &str, scheme: Scheme) -> Result<AssertedIdentity, IdentityError> {
    let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&compact)
        .map_err(|_| IdentityError::Invalid("certificate is not base64".into()))?;
    let cert = crate::pki::Cert::from_der(&der).map_err(|e| IdentityError::Invalid(e.to_string()))?;
    let serial = cert
        .subject_attribute("2.5.4.5")
        .ok_or_else(|| IdentityError::Invalid("certificate has no serialNumber".into()))?;
    // ETSI EN 319 412-1 semantics identifier: 3-letter type, 2-letter country, '-', code.
    let (country, code) = match serial.split_once('-') {
        Some((prefix, code)) if prefix.len() == 5 && prefix.is_ascii() => {
            (prefix.get(3..).and_then(IdCountry::from_alpha2), code.to_string())
        }
        _ => (cert.subject_country().and_then(|c| IdCountry::from_alpha2(&c)), serial.clone()),
    };
    Ok(AssertedIdentity {
        scheme,
        country,
        national_id: Some(code),
        given_name: cert.subject_attribute("2.5.4.42"),
        surname: cert.subject_attribute("2.5.4.4"),
        full_name: cert.subject_attribute("2.5.4.3"),
        date_of_birth: birth_date_attribute(&cert),
        bankid_mrtd_check: None,
    })
}

/// subjectDirectoryAttributes (2.5.29.9) → dateOfBirth (1.3.6.1.5.5.7.9.1), GeneralizedTime.
fn birth_date_attribute(cert: &crate::pki::Cert) -> Option<Date> {
    use crate::tlv::{Tag, Tlv};
    let raw = cert.extension_value("2.5.29.9")?;
    let seq = Tlv::parse_tagged(&raw, Tag::new(0x30)).ok()?;
    let dob_oid = const_oid::ObjectIdentifier::new("1.3.6.1.5.5.7.9.1").ok()?;
    for attr in seq.children().flatten() {
        let mut k = attr.children().flatten();
        let (Some(t), Some(values)) = (k.next(), k.next()) else { continue };
        if const_oid::ObjectIdentifier::from_bytes(t.value).ok() != Some(dob_oid) {
            continue;
        }
        let v = values.children().flatten().next()?;
        let text = core::str::from_utf8(v.value).ok()?;
        let d = text.get(..8)?;
        return Date::parse(&format!("{}-{}-{}", d.get(..4)?, d.get(4..6)?, d.get(6..8)?)).ok();
    }
    None
}

/// Parses one of the JSON forms, detecting which unless `kind` is given.
///
/// # Errors
/// [`IdentityError`].
#[cfg(feature = "serde")]
pub fn from_json(text: &str, kind: Option<InputKind>) -> Result<AssertedIdentity, IdentityError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| IdentityError::Unrecognised(e.to_string()))?;
    let kind = kind.or_else(|| json::detect(&v)).ok_or_else(|| {
        IdentityError::Unrecognised("not a BankID, Smart-ID, Mobile-ID or plain identity document".into())
    })?;
    match kind {
        InputKind::BankIdSeCollect => json::bankid_se(&v),
        InputKind::BankIdNoClaims => json::bankid_no(&v),
        InputKind::SmartIdSession => json::smart_id(&v),
        InputKind::MobileIdSession => json::mobile_id(&v),
        InputKind::Plain => json::plain(&v),
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    #[test]
    fn bankid_se_collect() {
        let j = r#"{"orderRef":"131daac9-16c6-4618-beb0-365768f37288","status":"complete",
          "completionData":{"user":{"personalNumber":"198504122386","name":"Åsa Öberg","givenName":"Åsa","surname":"Öberg"},
          "device":{"ipAddress":"192.0.2.1","uhi":"x"},"bankIdIssueDate":"2020-01-01","stepUp":{"mrtd":true},
          "signature":"PD94...","ocspResponse":"MIIH..."}}"#;
        let id = from_json(j, None).unwrap();
        assert_eq!(id.scheme, Scheme::BankIdSe);
        assert_eq!(id.national_id.as_deref(), Some("198504122386"));
        assert_eq!(id.surname.as_deref(), Some("Öberg"));
        assert_eq!(id.bankid_mrtd_check, Some(true));
        let legacy = j.replace("stepUp", "setUp");
        assert_eq!(from_json(&legacy, None).unwrap().bankid_mrtd_check, Some(true));
        let pending = r#"{"orderRef":"x","status":"pending","hintCode":"userSign"}"#;
        assert!(matches!(from_json(pending, None), Err(IdentityError::NotComplete(_))));
        assert_eq!(format!("{id:?}"), "AssertedIdentity(BankIdSe, ..)");
    }

    /// A Smart-ID session status without `state` is refused, not taken for COMPLETE.
    #[test]
    fn smart_id_without_state_is_refused() {
        let without = r#"{"result":{"endResult":"OK"},"cert":{"value":"AAAA","certificateLevel":"QUALIFIED"}}"#;
        let r = from_json(without, Some(InputKind::SmartIdSession));
        assert!(matches!(&r, Err(IdentityError::Invalid(m)) if m.contains("state")), "{r:?}");
    }

    #[test]
    fn bankid_no_claims_and_broker_aliases() {
        let j = r#"{"sub":"x","nnin_altsub":"23045612392","given_name":"Åsamund","family_name":"Østenbyen","birthdate":"1956-04-23"}"#;
        let id = from_json(j, None).unwrap();
        assert_eq!(id.country, Some(IdCountry::No));
        assert_eq!(id.date_of_birth, Date::parse("1956-04-23").ok());
        let signicat = r#"{"nin":"23045612392","nin_issuing_country":"NO","given_name":"A","family_name":"B"}"#;
        assert_eq!(from_json(signicat, None).unwrap().national_id.as_deref(), Some("23045612392"));
    }

    #[test]
    fn plain_and_unrecognised() {
        let id = from_json(
            r#"{"country":"EE","national_id":"38001085718","given_name":"Jaak-Kristjan","surname":"Jõeorg"}"#,
            None,
        )
        .unwrap();
        assert_eq!(id.country, Some(IdCountry::Ee));
        assert!(matches!(from_json("{}", None), Err(IdentityError::Unrecognised(_))));
        assert!(matches!(from_json("not json", None), Err(IdentityError::Unrecognised(_))));
        assert!(matches!(from_json(r#"{"country":"XX","surname":"A"}"#, None), Err(IdentityError::Invalid(_))));
    }
}
