//! `passchip emulate --vpcd HOST:PORT`: our virtual passport behind a real pcscd, through
//! vsmartcard's vpcd reader driver.
//!
//! Exit status: 0 when stopped (SIGTERM/SIGINT end the process), 1 when vpcd cannot be
//! reached or breaks the protocol, 2 on usage errors.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use clap::Args;
use passchip::emulator::vpcd::{Removal, VpcdCard, VpcdOptions};
use passchip::emulator::{AaSpec, DocumentSpec, VirtualChip, VirtualDocument};
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;

use crate::demo::ChipKind;

/// Options of `passchip emulate`.
#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// The vpcd socket to connect to (vpcd listens on 35963 for `Virtual PCD 00 00` and
    /// 35964 for `Virtual PCD 00 01`).
    #[arg(long, value_name = "HOST:PORT")]
    vpcd: String,
    /// Serve a synthetic document generated from this seed instead of the specimen.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Which kind of chip to model.
    #[arg(long, value_enum, default_value_t = ChipKind::Modern)]
    chip: ChipKind,
    /// A chip without PACE (no EF.CardAccess): readers use BAC.
    #[arg(long)]
    bac_only: bool,
    /// Give the chip an Active Authentication key (ECDSA P-256 in DG15).
    #[arg(long)]
    active_authentication: bool,
    /// Remove the card after this many command APDUs, then present it again (once).
    #[arg(long, value_name = "N")]
    remove_after: Option<u64>,
    /// How long the removed card stays away, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1500)]
    absent_ms: u64,
    /// How long to keep trying to reach vpcd, in seconds (pcscd starting or restarting).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    connect_timeout: u64,
    /// The chip offers PACE with Chip Authentication Mapping (ECDH, AES-128,
    /// brainpoolP256r1) and publishes EF.CardSecurity.
    #[arg(long)]
    pace_cam: bool,
    /// The CAN printed on the virtual card (default: the document's).
    #[arg(long, value_name = "CAN")]
    can: Option<String>,
    /// Play an attack (the modes of `demo --hostile`); `leave-on-extra-group` ends the
    /// process when the chip leaves the field.
    #[arg(long, value_enum, value_name = "MODE")]
    hostile: Option<crate::hostile::Attack>,
    /// Answer with the ATR of a contact card (a bank's login card in the desk's contact
    /// reader), not the contactless form: `read` must not pick it by itself.
    #[arg(long)]
    contact_card: bool,
    /// Behave like a reader that cannot carry extended-length APDUs (OMNIKEY 5x21 with the
    /// free CCID driver, ACR122U…): an extended command fails at the reader level, as
    /// pcscd reports it, and never reaches the chip.
    #[arg(long)]
    reader_without_extended: bool,
    /// Give the chip a PIN (an eID card): 3 tries, suspended at 1 until a PACE with the CAN.
    #[arg(long, value_name = "PIN")]
    pin: Option<String>,
    /// The chip's PUK, which unblocks the PIN.
    #[arg(long, value_name = "PUK", requires = "pin")]
    puk: Option<String>,
}

/// A contact card's ATR (T=0, historical bytes of a payment applet): not the PC/SC part 3
/// contactless form.
const CONTACT_ATR: [u8; 15] =
    [0x3B, 0x7F, 0x96, 0x00, 0x00, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x03, 0x00, 0xEF, 0x12];

/// Runs the card until the process is stopped.
pub fn run(args: &EmulateArgs) -> Result<(), String> {
    let mut spec = args.seed.map_or_else(DocumentSpec::specimen, DocumentSpec::from_seed);
    if args.bac_only {
        spec.pace = None;
    }
    if args.active_authentication {
        spec.active_authentication = Some(AaSpec::Ecdsa { curve: NamedCurve::P256, hash: HashAlg::Sha256, der: false });
    }
    if args.pace_cam {
        use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
        let cam = PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Cam, cipher: Cipher::Aes128 };
        spec.pace = Some((cam, 13));
    }
    if let Some(can) = &args.can {
        spec.can.clone_from(can);
    }
    if args.pin.is_some() {
        spec.pin.clone_from(&args.pin);
        spec.puk.clone_from(&args.puk);
    }
    if let Some(attack) = args.hostile {
        spec = attack.spec(spec);
    }
    let doc = VirtualDocument::build(spec);
    let chip = match args.hostile {
        Some(attack) => attack.chip(&doc, args.chip.profile()),
        None => VirtualChip::with_profile(doc, args.chip.profile()),
    };
    let mut options = VpcdOptions::for_chip(&chip);
    options.connect_for = Duration::from_secs(args.connect_timeout);
    if args.contact_card {
        options.atr = CONTACT_ATR.to_vec();
    }
    options.reader_without_extended = args.reader_without_extended;
    options.removal =
        args.remove_after.map(|n| Removal { after_apdus: n, absent_for: Duration::from_millis(args.absent_ms) });
    // A test document: its MRZ is printed so a tester can type it into `passchip read`.
    eprintln!("passchip emulate: virtual document for vpcd at {}; MRZ:", args.vpcd);
    for line in chip.document().mrz_lines() {
        eprintln!("  {line}");
    }
    let mut card = VpcdCard::new(chip, &args.vpcd, options);
    let stop = Arc::new(AtomicBool::new(false));
    card.serve(&stop).map_err(|e| e.to_string())
}
