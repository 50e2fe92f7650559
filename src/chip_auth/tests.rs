//! Chip Authentication against the BSI EAC worked example (TR-03110 test data, as in
//! ../shared/reference/test-vectors.json `bsi_eac_{ecdh,dh}_chip_auth`).

use super::*;
use crate::access::pace::Group;
use crate::access::pace::protocol::KeyAgreement;
use hex_literal::hex;

fn check(group: &Group, protocol: CaProtocol, v: &Vectors<'_>) {
    let chip = group.decode(v.pk_picc).expect("PK_PICC is a valid group element");
    let pcd = group.decode(v.pk_pcd).expect("PK_PCD is a valid group element");
    // Both sides reach K.
    // The DH example's ephemeral exponent is as long as p: reduce it modulo q (the keys
    // lie in the subgroup of order q, so the result is the same).
    let sk_pcd = reduce(group, v.sk_pcd);
    let k1 = group.shared_secret(&group.mul(&sk_pcd, &chip).unwrap());
    assert_eq!(k1.as_slice(), v.k);
    let k2 = group.shared_secret(&group.mul(v.sk_picc, &pcd).unwrap());
    assert_eq!(k2.as_slice(), v.k);
    // Version 2: KS = KDF(K ‖ r_PICC, c), token over our ephemeral key.
    let (enc, mac) = session_keys(protocol.cipher, v.k, Some(v.r_picc));
    assert_eq!(enc.as_slice(), v.ks_enc);
    assert_eq!(mac.as_slice(), v.ks_mac);
    let t = token(protocol.cipher, &mac, protocol.oid().as_bytes(), group.key_tag(), v.pk_pcd);
    assert_eq!(t, v.t_picc);
    // Without the nonce (version 1, ICAO) the keys differ.
    assert_ne!(session_keys(protocol.cipher, v.k, None).0.as_slice(), v.ks_enc);
}

fn reduce(group: &Group, x: &[u8]) -> Vec<u8> {
    use crypto_bigint::{BoxedUint, NonZero};
    let Group::Dh(g) = group else { return x.to_vec() };
    let q = NonZero::new(BoxedUint::from_be_slice_vartime(&g.order())).unwrap();
    BoxedUint::from_be_slice_vartime(x).rem_vartime(&q).to_be_bytes().to_vec()
}

struct Vectors<'a> {
    sk_picc: &'a [u8],
    sk_pcd: &'a [u8],
    pk_picc: &'a [u8],
    pk_pcd: &'a [u8],
    k: &'a [u8],
    r_picc: &'a [u8],
    ks_enc: &'a [u8],
    ks_mac: &'a [u8],
    t_picc: &'a [u8],
}

#[test]
fn bsi_eac_worked_example_ecdh_chip_authentication() {
    let sk_picc_static = hex!("7984674CF3B3A524BF929CE8A67FCF22173DA0BAD595EED6DEB72D22C542FA9D");
    let sk_pcd_ephemeral = hex!("00A6A4D255C5BF7A77EC3D0553DB74F693CF044E18C98364D4977A296108AF19BD");
    let pk_picc = hex!(
        "04A44EBE5451DF7AADB01E459B8C928A87746A57927C8C28A6775C97A7E1FE8D9A46FF4A1CC7E4D1389AEA19758E4F75"
        "C28C598FD734AEBEB135337CF95BE12E94"
    );
    let pk_pcd = hex!(
        "045A7A377FC9CAFC03AC7FF45441A8B2909D88EAB8E6B0173847AB49B949DF3799A34EE57EC55268CF8B1C3EC489F8BF"
        "4CF4C68D3FD9670E89C0D5D3FFF1AAF89F"
    );
    let k_shared_secret = hex!("791DA04273CCFE862E52DF60347E2557192E1F8D7517822CE3D306056C1CDEB4");
    let r_picc = hex!("4287B3072A3EDC60");
    let ks_enc = hex!("94ABCD271AB7D9A5590BA52CB518B831");
    let ks_mac = hex!("78B5709E7ABEDB185B424D0EE3A82499");
    let t_picc = hex!("FF0117D68DEE8E72");
    let v = Vectors {
        sk_picc: &sk_picc_static,
        sk_pcd: &sk_pcd_ephemeral,
        pk_picc: &pk_picc,
        pk_pcd: &pk_pcd,
        k: &k_shared_secret,
        r_picc: &r_picc,
        ks_enc: &ks_enc,
        ks_mac: &ks_mac,
        t_picc: &t_picc,
    };
    check(
        &Group::standard(KeyAgreement::Ecdh, 13).unwrap(),
        CaProtocol { key_agreement: KeyAgreement::Ecdh, cipher: Cipher::Aes128 },
        &v,
    );
}

#[test]
fn bsi_eac_worked_example_dh_chip_authentication() {
    let sk_picc_static = hex!("00D0E5A95ECA541DEF4FE92B9FF9920D49A454C297");
    let sk_pcd_ephemeral = hex!(
        "00A2CFFD06C34AFD622EEE0FC31F093FDFDA609C67121CACF0A8F52291DE6853BB5C93CF76705775ECF408A74302613B"
        "EECB381447D36494C9E18951EC17252DD2A807AAE09FA4DC30183339013D9C9191303CACEE3C91E926A36D014A5CFA94"
        "950CADB37B534F32A9BF76B37980979304C5663871BD746EB9E95A47CA471B4EDE"
    );
    let pk_picc = hex!(
        "1B3345F8DC04341BF8B2C97F652FA680E5D4FA4C146AE4B839431A644A79BC368C4822C89CD018A57F953644BEDA679C"
        "5B532902320E83E13B80DEEF8C18AF3E7D493AE3F88196101B9F78EAFE4B3025EF8BFF916B2FC02D762D0838DEA29C09"
        "B485591C2F47F87C71F530BB358F56AF6459D86DBF85EAF9EDBD962CD364F7B8"
    );
    let pk_pcd = hex!(
        "A2830947A6FCAACDE2FCB88B29AB38E07C3453ABC4BCB466087E11C79F32A19E6EF22BE108F8DD18FE8249C960951511"
        "200DC985AA3EC0CCAD59A5F9BBCC33EE5F1577E20330B4DD10EB06B740277C97A189180EDE52BEE9D429F10FB77F180F"
        "05D6A99C499CB5E1ECEEB8E92284F66EA98479674CE73F53C567A03B0D297833"
    );
    let k_shared_secret = hex!(
        "2A4FC2D11490DF4773DDFA6FF705557C51F4AD4533E8D8A66A3001BFDD271DB87BE3C1CAC22A05E8AF1A066DD0298E75"
        "DB928AAFDF00EB4BFB1BD12F372313C1CA649056517305638515D5A4FBE0AC59BDC80E8C5A5F46254D231916EA77F80A"
        "C58E6B63A26198EE4387F10981E8E46FFBA23790C81E679363C589587D30BBB3"
    );
    let r_picc = hex!("1A1AC1AB04D96965");
    let ks_enc = hex!("E813D09DF69FFCC63763C537F828985C");
    let ks_mac = hex!("066721F3EBEA787B4F1C6DCA431EC229");
    let t_picc = hex!("756891580F70164D");
    let v = Vectors {
        sk_picc: &sk_picc_static,
        sk_pcd: &sk_pcd_ephemeral,
        pk_picc: &pk_picc,
        pk_pcd: &pk_pcd,
        k: &k_shared_secret,
        r_picc: &r_picc,
        ks_enc: &ks_enc,
        ks_mac: &ks_mac,
        t_picc: &t_picc,
    };
    check(
        &Group::standard(KeyAgreement::Dh, 0).unwrap(),
        CaProtocol { key_agreement: KeyAgreement::Dh, cipher: Cipher::Aes128 },
        &v,
    );
}
