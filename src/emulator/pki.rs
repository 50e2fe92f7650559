//! The emulator's own document PKI: a CSCA, a DSC and the signed EF.SOD, generated
//! deterministically from a seed for any signature scheme real documents use (RSA
//! PKCS#1 v1.5, RSA-PSS, ECDSA on named curves or with EXPLICIT parameters, each hash),
//! so every combination is tested without committed private keys. Also issues CRLs.
//!
//! These keys are test keys: EC signing uses the engine's variable-time test-key path.

use rsa::RsaPrivateKey;
use rsa::traits::PublicKeyParts;
use signature::{RandomizedSigner, SignatureEncoding, Signer};
use zeroize::Zeroizing;

use super::asn1::{NULL, bits, ctx, extension, name, name_attrs, octets, oid, seq, set, small_int, time, uint};
use super::rng::DetRng;
use crate::crypto::ec::{AffinePoint, Curve, DomainParams, NamedCurve};
use crate::crypto::hash::HashAlg;
use crate::date::Date;
use crate::oid as oids;
use crate::pki::Cert;

/// How the PKI signs (certificates and the SOD alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSA PKCS#1 v1.5 with a 2048-bit key.
    RsaPkcs1(HashAlg),
    /// RSASSA-PSS (MGF1 with the same hash, salt = hash length) with a 2048-bit key.
    RsaPss(HashAlg),
    /// ECDSA on a curve, named in the SPKI or given as explicit parameters.
    Ecdsa {
        /// The curve.
        curve: NamedCurve,
        /// Encode the domain parameters explicitly (as most CSCAs do).
        explicit: bool,
        /// The hash.
        hash: HashAlg,
    },
}

impl SignatureScheme {
    /// The message hash.
    #[must_use]
    pub fn hash(&self) -> HashAlg {
        match *self {
            Self::RsaPkcs1(h) | Self::RsaPss(h) => h,
            Self::Ecdsa { hash, .. } => hash,
        }
    }

    /// The AlgorithmIdentifier, DER.
    fn algorithm_id(&self) -> Vec<u8> {
        let h = self.hash();
        match self {
            Self::RsaPkcs1(_) => {
                let o = match h {
                    HashAlg::Sha1 => oids::SHA1_WITH_RSA,
                    HashAlg::Sha224 => oids::SHA224_WITH_RSA,
                    HashAlg::Sha256 => oids::SHA256_WITH_RSA,
                    HashAlg::Sha384 => oids::SHA384_WITH_RSA,
                    HashAlg::Sha512 => oids::SHA512_WITH_RSA,
                };
                seq(&[&oid(&o), &NULL])
            }
            Self::RsaPss(_) => {
                let hash_id = seq(&[&oid(&h.oid()), &NULL]);
                let mgf = seq(&[&oid(&oids::MGF1), &hash_id]);
                let salt = u32::try_from(h.output_len()).unwrap_or(32);
                let params = seq(&[&ctx(0, true, &hash_id), &ctx(1, true, &mgf), &ctx(2, true, &small_int(salt))]);
                seq(&[&oid(&oids::RSASSA_PSS), &params])
            }
            Self::Ecdsa { .. } => {
                let o = match h {
                    HashAlg::Sha1 => oids::ECDSA_SHA1,
                    HashAlg::Sha224 => oids::ECDSA_SHA224,
                    HashAlg::Sha256 => oids::ECDSA_SHA256,
                    HashAlg::Sha384 => oids::ECDSA_SHA384,
                    HashAlg::Sha512 => oids::ECDSA_SHA512,
                };
                seq(&[&oid(&o)])
            }
        }
    }
}

/// A generated key pair.
enum KeyPair {
    Rsa(Box<RsaPrivateKey>),
    Ec { curve: Box<Curve>, named: NamedCurve, explicit: bool, d: Zeroizing<Vec<u8>>, q: AffinePoint },
}

macro_rules! with_hash {
    ($h:expr, $d:ident => $body:expr) => {
        match $h {
            HashAlg::Sha1 => {
                type $d = sha1::Sha1;
                $body
            }
            HashAlg::Sha224 => {
                type $d = sha2::Sha224;
                $body
            }
            HashAlg::Sha256 => {
                type $d = sha2::Sha256;
                $body
            }
            HashAlg::Sha384 => {
                type $d = sha2::Sha384;
                $body
            }
            HashAlg::Sha512 => {
                type $d = sha2::Sha512;
                $body
            }
        }
    };
}

/// Key generation or signing failed (a bug in the emulator, reported, not panicked).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("virtual PKI: {0}")]
pub struct PkiGenError(String);

impl KeyPair {
    fn generate(scheme: &SignatureScheme, rng: &mut DetRng) -> Result<Self, PkiGenError> {
        match *scheme {
            SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss(_) => {
                RsaPrivateKey::new(rng, 2048).map(|k| Self::Rsa(Box::new(k))).map_err(|e| PkiGenError(e.to_string()))
            }
            SignatureScheme::Ecdsa { curve, explicit, .. } => {
                let c = Curve::named(curve).map_err(|e| PkiGenError(e.to_string()))?;
                let mut d = Zeroizing::new(vec![0u8; c.scalar_bytes() + 8]);
                rng.fill_bytes(&mut d);
                // Reduce via the order: d mod (n−1) + 1 is never zero.
                let d = Zeroizing::new(reduce_nonzero(&d, &c.order()));
                let q = c.mul_vartime(&d, c.generator()).ok_or_else(|| PkiGenError("degenerate key".into()))?;
                Ok(Self::Ec { curve: Box::new(c), named: curve, explicit, d, q })
            }
        }
    }

    /// SubjectPublicKeyInfo, DER.
    fn spki(&self) -> Vec<u8> {
        match self {
            Self::Rsa(k) => {
                let pk = seq(&[&uint(&k.n().as_ref().to_be_bytes()), &uint(&k.e().to_be_bytes())]);
                seq(&[&seq(&[&oid(&oids::RSA_ENCRYPTION), &NULL]), &bits(&pk)])
            }
            Self::Ec { curve, named, explicit, q, .. } => {
                let params = if *explicit {
                    explicit_params(*named, curve)
                } else {
                    super::asn1::oid(&const_oid::ObjectIdentifier::new_unwrap(named.oid()))
                };
                seq(&[&seq(&[&oid(&oids::EC_PUBLIC_KEY), &params]), &bits(&curve.encode_point(q))])
            }
        }
    }

    fn sign(&self, scheme: &SignatureScheme, message: &[u8], rng: &mut DetRng) -> Result<Vec<u8>, PkiGenError> {
        let err = |e: signature::Error| PkiGenError(e.to_string());
        match (self, scheme) {
            (Self::Rsa(k), SignatureScheme::RsaPkcs1(h)) => with_hash!(h, D => {
                let sk = rsa::pkcs1v15::SigningKey::<D>::new((**k).clone());
                sk.try_sign(message).map(|s| s.to_vec()).map_err(err)
            }),
            (Self::Rsa(k), SignatureScheme::RsaPss(h)) => with_hash!(h, D => {
                let sk = rsa::pss::SigningKey::<D>::new((**k).clone());
                sk.try_sign_with_rng(rng, message).map(|s| s.to_vec()).map_err(err)
            }),
            (Self::Ec { curve, d, .. }, SignatureScheme::Ecdsa { hash, .. }) => {
                let digest = hash.digest(message);
                for _ in 0..8 {
                    let mut k = Zeroizing::new(vec![0u8; curve.scalar_bytes() + 8]);
                    rng.fill_bytes(&mut k);
                    let k = Zeroizing::new(reduce_nonzero(&k, &curve.order()));
                    if let Some((r, s)) = curve.sign_ecdsa_test_key(d, &k, &digest) {
                        return Ok(seq(&[&uint(&r), &uint(&s)]));
                    }
                }
                Err(PkiGenError("no usable ECDSA nonce".into()))
            }
            _ => Err(PkiGenError("key and scheme do not match".into())),
        }
    }
}

/// `x mod (n − 1) + 1`, big-endian, for a scalar that must not be zero.
fn reduce_nonzero(x: &[u8], n: &[u8]) -> Vec<u8> {
    use crypto_bigint::{BoxedUint, NonZero};
    let n = BoxedUint::from_be_slice_vartime(n);
    let n1 = n.wrapping_sub(BoxedUint::one());
    let Some(n1) = Option::<NonZero<BoxedUint>>::from(NonZero::new(n1)) else { return vec![1] };
    let v = BoxedUint::from_be_slice_vartime(x).rem_vartime(&n1);
    let v = v.wrapping_add(BoxedUint::one());
    v.to_be_bytes().to_vec()
}

/// SpecifiedECDomain (SEC 1 C.2) for a named curve.
pub(crate) fn explicit_params(named: NamedCurve, curve: &Curve) -> Vec<u8> {
    explicit_params_of(curve, &DomainParams::named(named))
}

/// SpecifiedECDomain (version 1, prime field, cofactor 1) for any parameters.
pub(crate) fn explicit_params_of(curve: &Curve, d: &DomainParams) -> Vec<u8> {
    let field = seq(&[&oid(&oids::PRIME_FIELD), &uint(&d.p)]);
    let fb = curve.field_bytes();
    let pad = |v: &[u8]| {
        let mut out = vec![0u8; fb.saturating_sub(v.len())];
        out.extend_from_slice(v);
        out
    };
    let coeffs = seq(&[&octets(&pad(&d.a)), &octets(&pad(&d.b))]);
    let mut base = vec![0x04];
    base.extend_from_slice(&pad(&d.gx));
    base.extend_from_slice(&pad(&d.gy));
    seq(&[&small_int(1), &field, &coeffs, &octets(&base), &uint(&d.n), &small_int(1)])
}

/// Key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1).
fn key_id(spki: &[u8]) -> Vec<u8> {
    HashAlg::Sha1.digest(spki)
}

/// A generated CSCA and DSC.
pub struct VirtualPki {
    scheme: SignatureScheme,
    country: String,
    csca_key: KeyPair,
    dsc_key: KeyPair,
    csca: Cert,
    dsc: Cert,
    csca_name: Vec<u8>,
    /// How the DSC, CRLs and SignerInfos name the CSCA (its subject's bytes, unless
    /// [`VirtualPki::with_issuer_name_reencoded`]).
    issuer_name: Vec<u8>,
    csca_key_id: Vec<u8>,
    validity: Validity,
    rng: DetRng,
}

impl core::fmt::Debug for VirtualPki {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "VirtualPki({:?}, {})", self.scheme, self.country)
    }
}

/// Validity of the generated certificates.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    /// CSCA validity.
    pub csca: (Date, Date),
    /// DSC validity.
    pub dsc: (Date, Date),
}

impl Default for Validity {
    fn default() -> Self {
        let d = |y, m, day| Date { year: y, month: m, day };
        Self { csca: (d(2020, 1, 1), d(2049, 12, 31)), dsc: (d(2024, 1, 1), d(2040, 1, 1)) }
    }
}

impl VirtualPki {
    /// Generates a CSCA and a DSC of `country` (alpha-2) that sign with `scheme`.
    ///
    /// # Errors
    /// [`PkiGenError`] if key generation or signing fails.
    pub fn generate(
        seed: u64,
        country: &str,
        scheme: SignatureScheme,
        validity: Validity,
    ) -> Result<Self, PkiGenError> {
        let mut rng = DetRng::new(seed, "pki");
        let csca_key = KeyPair::generate(&scheme, &mut rng)?;
        let dsc_key = KeyPair::generate(&scheme, &mut rng)?;
        let csca_name = name(country, crate::pki::test_pki::TEST_PKI_ORGANIZATION, "CSCA");
        let dsc_name = name(country, crate::pki::test_pki::TEST_PKI_ORGANIZATION, "Document Signer");
        let csca_spki = csca_key.spki();
        let csca_key_id = key_id(&csca_spki);
        let csca_der = issue(IssueParams {
            serial: &[0x01],
            issuer_name: &csca_name,
            issuer_key: &csca_key,
            issuer_key_id: &csca_key_id,
            subject_name: &csca_name,
            subject_spki: &csca_spki,
            validity: validity.csca,
            ca: true,
            scheme,
            rng: &mut rng,
        })?;
        let dsc_spki = dsc_key.spki();
        let dsc_der = issue(IssueParams {
            serial: &[0x10, 0x01],
            issuer_name: &csca_name,
            issuer_key: &csca_key,
            issuer_key_id: &csca_key_id,
            subject_name: &dsc_name,
            subject_spki: &dsc_spki,
            validity: validity.dsc,
            ca: false,
            scheme,
            rng: &mut rng,
        })?;
        let parse = |d: &[u8]| Cert::from_der(d).map_err(|e| PkiGenError(e.to_string()));
        Ok(Self {
            scheme,
            country: country.to_string(),
            csca: parse(&csca_der)?,
            dsc: parse(&dsc_der)?,
            csca_key,
            dsc_key,
            issuer_name: csca_name.clone(),
            csca_name,
            csca_key_id,
            validity,
            rng,
        })
    }

    /// Re-issues the DSC with its EC key's parameters stating `stated` (explicit) while the
    /// point and every signature stay on the PKI's own curve: the issuer error of some
    /// Lithuanian DSCs (brainpoolP224r1 stated, P-224 used).
    ///
    /// # Errors
    /// [`PkiGenError`] for an RSA PKI.
    pub fn with_dsc_curve_misstated(mut self, stated: NamedCurve) -> Result<Self, PkiGenError> {
        let KeyPair::Ec { curve, q, .. } = &self.dsc_key else {
            return Err(PkiGenError("an RSA key has no curve to misstate".into()));
        };
        let stated_curve = Curve::named(stated).map_err(|e| PkiGenError(e.to_string()))?;
        let params = explicit_params(stated, &stated_curve);
        let spki = seq(&[&seq(&[&oid(&oids::EC_PUBLIC_KEY), &params]), &bits(&curve.encode_point(q))]);
        let issuer = self.issuer_name.clone();
        self.reissue_dsc(&issuer, &spki)?;
        Ok(self)
    }

    /// Issues the DSC again under the CSCA key, with `issuer_name` and `spki`.
    fn reissue_dsc(&mut self, issuer_name: &[u8], spki: &[u8]) -> Result<(), PkiGenError> {
        let dsc_name = name(&self.country, crate::pki::test_pki::TEST_PKI_ORGANIZATION, "Document Signer");
        let der = issue(IssueParams {
            serial: &[0x10, 0x01],
            issuer_name,
            issuer_key: &self.csca_key,
            issuer_key_id: &self.csca_key_id,
            subject_name: &dsc_name,
            subject_spki: spki,
            validity: self.validity.dsc,
            ca: false,
            scheme: self.scheme,
            rng: &mut self.rng,
        })?;
        self.dsc = Cert::from_der(&der).map_err(|e| PkiGenError(e.to_string()))?;
        Ok(())
    }

    /// Re-issues the DSC with its issuer written as some issuers write it: PrintableString
    /// and upper case, where the CSCA's subject is UTF8String in mixed case (the same name
    /// by RFC 5280 §7.1, other bytes). SignerInfos and CRLs name the CSCA that way too.
    ///
    /// # Errors
    /// [`PkiGenError`].
    pub fn with_issuer_name_reencoded(mut self) -> Result<Self, PkiGenError> {
        let printable = |o: &str, v: &str| {
            let id = const_oid::ObjectIdentifier::new_unwrap(o);
            set(&[&seq(&[&oid(&id), &crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x13), v.as_bytes())])])
        };
        let upper = crate::pki::test_pki::TEST_PKI_ORGANIZATION.to_ascii_uppercase();
        let alt =
            seq(&[&printable("2.5.4.6", &self.country), &printable("2.5.4.10", &upper), &printable("2.5.4.3", "CSCA")]);
        let dsc_spki = self.dsc_key.spki();
        self.reissue_dsc(&alt, &dsc_spki)?;
        self.issuer_name = alt;
        Ok(self)
    }

    /// The CSCA certificate (put it in the verifier's trust store).
    #[must_use]
    pub fn csca(&self) -> &Cert {
        &self.csca
    }

    /// The DSC certificate (embedded in the SOD).
    #[must_use]
    pub fn dsc(&self) -> &Cert {
        &self.dsc
    }

    /// The scheme.
    #[must_use]
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// Signs an LDSSecurityObject into an EF.SOD (ICAO 9303-10 §4.6.2): SignedData with the
    /// DSC, signed attributes contentType and messageDigest, signer by issuer and serial.
    ///
    /// # Errors
    /// [`PkiGenError`].
    pub fn sign_sod(&mut self, lds_security_object: &[u8]) -> Result<Vec<u8>, PkiGenError> {
        let content_info = self.sign_content(&oids::LDS_SECURITY_OBJECT, lds_security_object)?;
        Ok(crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x77), &content_info))
    }

    /// Signs `content` of type `content_type` into a CMS ContentInfo (SignedData with the
    /// DSC and the signed attributes contentType and messageDigest): EF.SOD's inside, or
    /// EF.CardSecurity (id-SecurityObject) as it is.
    ///
    /// # Errors
    /// [`PkiGenError`].
    pub fn sign_content(
        &mut self,
        content_type_oid: &const_oid::ObjectIdentifier,
        content: &[u8],
    ) -> Result<Vec<u8>, PkiGenError> {
        self.sign_content_with(content_type_oid, content, &[])
    }

    /// A CSCA master list (ICAO 9303-12 §9) of `certificates`, signed by this PKI's DSC as
    /// the master list signer, with `extra_certificates` in the CMS `certificates` field
    /// beside it (a forger's root, say: the CMS field is signed by no one).
    ///
    /// # Errors
    /// [`PkiGenError`].
    pub fn master_list(
        &mut self,
        certificates: &[&Cert],
        extra_certificates: &[&Cert],
    ) -> Result<Vec<u8>, PkiGenError> {
        let ders: Vec<&[u8]> = certificates.iter().map(|c| c.der()).collect();
        let list = seq(&[&small_int(0), &set(&ders)]);
        self.sign_content_with(&oids::CSCA_MASTER_LIST, &list, extra_certificates)
    }

    fn sign_content_with(
        &mut self,
        content_type_oid: &const_oid::ObjectIdentifier,
        content: &[u8],
        extra_certificates: &[&Cert],
    ) -> Result<Vec<u8>, PkiGenError> {
        let lds_security_object = content;
        let h = self.scheme.hash();
        let digest_alg = seq(&[&oid(&h.oid()), &NULL]);
        let content_type = seq(&[&oid(&oids::CONTENT_TYPE), &set(&[&oid(content_type_oid)])]);
        let message_digest = seq(&[&oid(&oids::MESSAGE_DIGEST), &set(&[&octets(&h.digest(lds_security_object))])]);
        let attrs = set(&[&content_type, &message_digest]);
        let signature = self.dsc_key.sign(&self.scheme, &attrs, &mut self.rng)?;
        let attrs_implicit = ctx(0, true, attrs.get(2..).unwrap_or_default());
        let sid = seq(&[&self.issuer_name, &uint(self.dsc.serial())]);
        let signer_info =
            seq(&[&small_int(1), &sid, &digest_alg, &attrs_implicit, &self.scheme.algorithm_id(), &octets(&signature)]);
        let encap = seq(&[&oid(content_type_oid), &ctx(0, true, &octets(lds_security_object))]);
        let mut certs = self.dsc.der().to_vec();
        for c in extra_certificates {
            certs.extend_from_slice(c.der());
        }
        let signed_data =
            seq(&[&small_int(3), &set(&[&digest_alg]), &encap, &ctx(0, true, &certs), &set(&[&signer_info])]);
        Ok(seq(&[&oid(&oids::SIGNED_DATA), &ctx(0, true, &signed_data)]))
    }

    /// A person's certificate as Smart-ID and Mobile-ID return them (ETSI EN 319 412-1
    /// natural-person semantics: `serialNumber` like `PNOEE-38001085718`, `givenName`,
    /// `surname`, `C`, and optionally a subjectDirectoryAttributes dateOfBirth), issued by
    /// this PKI's CSCA key. For testing e-ID parsing; DER.
    ///
    /// # Errors
    /// [`PkiGenError`].
    pub fn person_certificate(
        &mut self,
        country: &str,
        serial_number: &str,
        given_name: &str,
        surname: &str,
        birth_date: Option<Date>,
    ) -> Result<Vec<u8>, PkiGenError> {
        let cn = format!("{surname},{given_name},{}", serial_number.rsplit('-').next().unwrap_or(serial_number));
        let subject = name_attrs(&[
            ("2.5.4.6", country),
            ("2.5.4.3", &cn),
            ("2.5.4.4", surname),
            ("2.5.4.42", given_name),
            ("2.5.4.5", serial_number),
        ]);
        let person_key = KeyPair::generate(&self.scheme, &mut self.rng)?;
        let spki = person_key.spki();
        let mut exts = vec![extension("2.5.29.15", true, &[0x03, 0x02, 0x07, 0x80])];
        if let Some(d) = birth_date {
            let gt = format!("{:04}{:02}{:02}120000Z", d.year, d.month, d.day);
            let value = crate::tlv::encode_to_vec(crate::tlv::Tag::new(0x18), gt.as_bytes());
            let attr = seq(&[&oid(&const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.9.1")), &set(&[&value])]);
            exts.push(extension("2.5.29.9", false, &seq(&[&attr])));
        }
        let ext_refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
        let alg = self.scheme.algorithm_id();
        let tbs = seq(&[
            &ctx(0, true, &small_int(2)),
            &uint(&[0x20, 0x01]),
            &alg,
            &self.csca_name,
            &seq(&[&time(Date { year: 2024, month: 1, day: 1 }), &time(Date { year: 2029, month: 1, day: 1 })]),
            &subject,
            &spki,
            &ctx(3, true, &seq(&ext_refs)),
        ]);
        let sig = self.csca_key.sign(&self.scheme, &tbs, &mut self.rng)?;
        Ok(seq(&[&tbs, &alg, &bits(&sig)]))
    }

    /// A CRL of the CSCA listing `revoked` certificates.
    ///
    /// # Errors
    /// [`PkiGenError`].
    pub fn crl(&mut self, revoked: &[&Cert], this_update: Date, next_update: Date) -> Result<Vec<u8>, PkiGenError> {
        self.crl_with(revoked, this_update, Some(next_update))
    }

    /// [`VirtualPki::crl`] with `nextUpdate` optional (a CRL without one, which says
    /// nothing of when to look again).
    ///
    /// # Errors
    /// [`PkiGenError`].
    pub fn crl_with(
        &mut self,
        revoked: &[&Cert],
        this_update: Date,
        next_update: Option<Date>,
    ) -> Result<Vec<u8>, PkiGenError> {
        let alg = self.scheme.algorithm_id();
        let entries: Vec<Vec<u8>> = revoked.iter().map(|c| seq(&[&uint(c.serial()), &time(this_update)])).collect();
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let mut tbs_parts: Vec<Vec<u8>> = vec![small_int(1), alg.clone(), self.issuer_name.clone(), time(this_update)];
        tbs_parts.extend(next_update.map(time));
        if !refs.is_empty() {
            tbs_parts.push(seq(&refs));
        }
        let aki = seq(&[&ctx(0, false, &self.csca_key_id)]);
        tbs_parts.push(ctx(0, true, &seq(&[&extension("2.5.29.35", false, &aki)])));
        let tbs_refs: Vec<&[u8]> = tbs_parts.iter().map(Vec::as_slice).collect();
        let tbs = seq(&tbs_refs);
        let sig = self.csca_key.sign(&self.scheme, &tbs, &mut self.rng)?;
        Ok(seq(&[&tbs, &alg, &bits(&sig)]))
    }
}

struct IssueParams<'a> {
    serial: &'a [u8],
    issuer_name: &'a [u8],
    issuer_key: &'a KeyPair,
    issuer_key_id: &'a [u8],
    subject_name: &'a [u8],
    subject_spki: &'a [u8],
    validity: (Date, Date),
    ca: bool,
    scheme: SignatureScheme,
    rng: &'a mut DetRng,
}

/// Issues a certificate (ICAO 9303-12 §7.1 profile: CSCA with basicConstraints and
/// keyCertSign/cRLSign; DSC with digitalSignature).
fn issue(p: IssueParams<'_>) -> Result<Vec<u8>, PkiGenError> {
    let alg = p.scheme.algorithm_id();
    let mut exts = Vec::new();
    if p.ca {
        exts.push(extension("2.5.29.19", true, &seq(&[&[0x01, 0x01, 0xFF]])));
        exts.push(extension("2.5.29.15", true, &[0x03, 0x02, 0x01, 0x06]));
    } else {
        exts.push(extension("2.5.29.15", true, &[0x03, 0x02, 0x07, 0x80]));
    }
    exts.push(extension("2.5.29.14", false, &octets(&key_id(p.subject_spki))));
    exts.push(extension("2.5.29.35", false, &seq(&[&ctx(0, false, p.issuer_key_id)])));
    let ext_refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
    let tbs = seq(&[
        &ctx(0, true, &small_int(2)),
        &uint(p.serial),
        &alg,
        p.issuer_name,
        &seq(&[&time(p.validity.0), &time(p.validity.1)]),
        p.subject_name,
        p.subject_spki,
        &ctx(3, true, &seq(&ext_refs)),
    ]);
    let sig = p.issuer_key.sign(&p.scheme, &tbs, p.rng)?;
    Ok(seq(&[&tbs, &alg, &bits(&sig)]))
}
