//! Demo catalogue of Sơn La province: cooperatives under the current
//! two-tier units (communes and wards), areas by their familiar names,
//! products with variants, origin stories, lots and certificates (some expired).

use chrono::NaiveDate;

use crate::auth::Viewer;
use crate::auth::inputs::{DisplayName, Password};
use crate::auth::password::PasswordHashing;
use crate::auth::service::{self as accounts, NewAccount};
use crate::auth::tokens::TokenKeys;
use crate::catalog::service::certifications::{self, NewCertification};
use crate::catalog::service::lots::{self, NewLot};
use crate::catalog::service::products::{self, NewProduct, NewVariant, OriginStoryInput};
use crate::catalog::{Category, CertificationKind, CertificationScope, ProductStatus, Unit};
use crate::cooperatives::inputs::BankAccount;
use crate::cooperatives::service::{self as coops, NewCooperative};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CooperativeId, ProductId, UserId};
use crate::places::Province;
use crate::values::{Email, Measure, Name, PhoneNumber, Sku, Slug, Tags, Vnd};

/// A seed variant: label, unit, net quantity, price in đồng.
type SeedVariant = (&'static str, Unit, f64, i64);
/// A seed product: name, comma-separated tags, variants.
type SeedProduct = (&'static str, &'static str, &'static [SeedVariant]);

struct Coop {
    slug: &'static str,
    name: &'static str,
    owner: &'static str,
    ward: &'static str,
    street: &'static str,
    area: &'static str,
    phone: &'static str,
    description: &'static str,
    category: Category,
    practice: &'static str,
    season: &'static str,
    months: &'static [i32],
    altitude: i32,
    products: &'static [SeedProduct],
    /// (kind, stars, valid from, valid until)
    certificates: &'static [(CertificationKind, Option<i32>, &'static str, &'static str)],
}

const COOPS: &[Coop] = &[
    Coop {
        slug: "htx-xoai-yen-chau",
        name: "HTX Xoài Yên Châu",
        owner: "htx.xoaiyenchau@farmstream.vn",
        ward: "Xã Yên Châu",
        street: "Bản Phiêng Hán",
        area: "Yên Châu",
        phone: "0912110001",
        description: "Hợp tác xã trồng xoài tròn, xoài đài loan trên đồi đá vôi Yên Châu, thu hoạch tháng 5 đến tháng 7.",
        category: Category::Fruit,
        practice: "VietGAP, bao trái từ khi quả non, không dùng thuốc kích chín",
        season: "Tháng 5 – tháng 7",
        months: &[5, 6, 7],
        altitude: 450,
        products: &[
            (
                "Xoài tròn Yên Châu",
                "xoài,đặc sản,yên châu",
                &[
                    ("Hộp 2 kg", Unit::Kg, 2.0, 120_000),
                    ("Thùng 5 kg", Unit::Kg, 5.0, 280_000),
                ],
            ),
            (
                "Xoài đài loan Yên Châu",
                "xoài,yên châu",
                &[("Thùng 5 kg", Unit::Kg, 5.0, 200_000)],
            ),
            (
                "Xoài xanh ăn giòn",
                "xoài,chấm muối",
                &[("Túi 1 kg", Unit::Kg, 1.0, 45_000)],
            ),
            (
                "Xoài sấy dẻo",
                "xoài,sấy,quà tặng",
                &[
                    ("Gói 200 g", Unit::G, 200.0, 65_000),
                    ("Hộp 500 g", Unit::G, 500.0, 150_000),
                ],
            ),
            (
                "Mít Thái Yên Châu",
                "mít,yên châu",
                &[("Quả 8–10 kg", Unit::Piece, 1.0, 250_000)],
            ),
            (
                "Nhãn muộn Yên Châu",
                "nhãn,yên châu",
                &[("Túi 2 kg", Unit::Kg, 2.0, 90_000)],
            ),
            (
                "Chuối tây chín cây",
                "chuối",
                &[("Nải", Unit::Bunch, 1.0, 40_000)],
            ),
            (
                "Xoài tròn ngâm mắm",
                "xoài,đặc sản",
                &[("Hũ 500 g", Unit::G, 500.0, 85_000)],
            ),
            (
                "Mận tam hoa Yên Châu",
                "mận",
                &[("Túi 2 kg", Unit::Kg, 2.0, 70_000)],
            ),
        ],
        certificates: &[
            (CertificationKind::Vietgap, None, "2025-03-01", "2028-03-01"),
            (CertificationKind::Ocop, Some(4), "2024-01-15", "2027-01-15"),
        ],
    },
    Coop {
        slug: "htx-che-tan-lap",
        name: "HTX Chè Tân Lập Mộc Châu",
        owner: "htx.chetanlap@farmstream.vn",
        ward: "Xã Tân Lập",
        street: "Tiểu khu 1",
        area: "Mộc Châu",
        phone: "0912110002",
        description: "Đồi chè ô long và chè xanh trên cao nguyên Mộc Châu, sao thủ công theo cách của người Thái.",
        category: Category::Tea,
        practice: "Hữu cơ, hái một tôm hai lá, sao chảo gang",
        season: "Quanh năm, ngon nhất vụ xuân",
        months: &[3, 4, 5, 8, 9, 10],
        altitude: 1050,
        products: &[
            (
                "Chè ô long Mộc Châu",
                "chè,ô long,mộc châu",
                &[
                    ("Hộp 200 g", Unit::G, 200.0, 180_000),
                    ("Hộp 500 g", Unit::G, 500.0, 420_000),
                ],
            ),
            (
                "Chè xanh Mộc Châu",
                "chè,trà xanh,mộc châu",
                &[("Gói 500 g", Unit::G, 500.0, 150_000)],
            ),
            (
                "Chè Shan tuyết cổ thụ",
                "chè,shan tuyết,quà tặng",
                &[("Hộp 200 g", Unit::G, 200.0, 350_000)],
            ),
            (
                "Trà hoa vàng",
                "trà,thảo mộc",
                &[("Hộp 50 g", Unit::G, 50.0, 250_000)],
            ),
            (
                "Hồng trà Mộc Châu",
                "chè,hồng trà",
                &[("Hộp 200 g", Unit::G, 200.0, 160_000)],
            ),
            (
                "Trà túi lọc ô long",
                "chè,túi lọc",
                &[("Hộp 25 túi", Unit::Box, 1.0, 95_000)],
            ),
            (
                "Matcha Mộc Châu",
                "chè,matcha",
                &[("Hũ 100 g", Unit::G, 100.0, 220_000)],
            ),
            (
                "Chè búp khô Tân Lập",
                "chè",
                &[("Gói 1 kg", Unit::Kg, 1.0, 260_000)],
            ),
            (
                "Bánh chè xanh",
                "chè,bánh",
                &[("Hộp 300 g", Unit::G, 300.0, 75_000)],
            ),
        ],
        certificates: &[
            (CertificationKind::Organic, None, "2023-06-01", "2025-06-01"),
            (CertificationKind::Ocop, Some(5), "2025-02-01", "2028-02-01"),
        ],
    },
    Coop {
        slug: "htx-man-hau-na-ka",
        name: "HTX Mận hậu Nà Ka",
        owner: "htx.manhaunaka@farmstream.vn",
        ward: "Phường Mộc Sơn",
        street: "Bản Nà Ka",
        area: "Mộc Châu",
        phone: "0912110003",
        description: "Vườn mận hậu hơn 30 năm tuổi ở bản Nà Ka, quả giòn, ngọt thanh, chín vào đầu hè.",
        category: Category::Fruit,
        practice: "VietGAP, tỉa cành thưa quả, bón phân chuồng hoai",
        season: "Tháng 5 – tháng 6",
        months: &[5, 6],
        altitude: 1000,
        products: &[
            (
                "Mận hậu Mộc Châu",
                "mận,mộc châu,đặc sản",
                &[
                    ("Hộp 2 kg", Unit::Kg, 2.0, 140_000),
                    ("Thùng 5 kg", Unit::Kg, 5.0, 300_000),
                ],
            ),
            (
                "Mận cơm Mộc Châu",
                "mận",
                &[("Túi 2 kg", Unit::Kg, 2.0, 80_000)],
            ),
            (
                "Mận sấy dẻo",
                "mận,sấy",
                &[("Gói 250 g", Unit::G, 250.0, 70_000)],
            ),
            (
                "Rượu mận Mộc Châu",
                "mận,rượu",
                &[("Chai 500 ml", Unit::Bottle, 1.0, 150_000)],
            ),
            (
                "Ô mai mận hậu",
                "mận,ô mai,quà tặng",
                &[("Hộp 300 g", Unit::G, 300.0, 95_000)],
            ),
            (
                "Đào Mộc Châu",
                "đào,mộc châu",
                &[("Túi 2 kg", Unit::Kg, 2.0, 110_000)],
            ),
            ("Lê Mộc Châu", "lê", &[("Túi 2 kg", Unit::Kg, 2.0, 100_000)]),
            (
                "Hồng giòn Mộc Châu",
                "hồng",
                &[("Hộp 2 kg", Unit::Kg, 2.0, 130_000)],
            ),
            (
                "Siro mận hậu",
                "mận,đồ uống",
                &[("Chai 1 lít", Unit::Litre, 1.0, 120_000)],
            ),
        ],
        certificates: &[(CertificationKind::Vietgap, None, "2022-05-01", "2025-05-01")],
    },
    Coop {
        slug: "htx-ca-phe-chieng-ban",
        name: "HTX Cà phê Chiềng Ban",
        owner: "htx.caphechiengban@farmstream.vn",
        ward: "Xã Chiềng Mai",
        street: "Bản Phiêng Ngùa",
        area: "Mai Sơn",
        phone: "0912110004",
        description: "Cà phê arabica Sơn La trồng dưới tán cây, hái chín chọn lọc, sơ chế ướt và phơi giàn.",
        category: Category::Coffee,
        practice: "Hái chín 100%, sơ chế ướt, phơi giàn cao",
        season: "Tháng 10 – tháng 1",
        months: &[1, 10, 11, 12],
        altitude: 900,
        products: &[
            (
                "Cà phê arabica Sơn La rang mộc",
                "cà phê,arabica,sơn la",
                &[
                    ("Gói 250 g", Unit::G, 250.0, 120_000),
                    ("Gói 500 g", Unit::G, 500.0, 220_000),
                ],
            ),
            (
                "Cà phê arabica honey",
                "cà phê,arabica,honey",
                &[("Gói 250 g", Unit::G, 250.0, 160_000)],
            ),
            (
                "Cà phê nhân xanh arabica",
                "cà phê,nhân xanh",
                &[("Bao 1 kg", Unit::Bag, 1.0, 180_000)],
            ),
            (
                "Cà phê phin giấy",
                "cà phê,tiện lợi",
                &[("Hộp 10 gói", Unit::Box, 1.0, 90_000)],
            ),
            (
                "Cà phê natural Chiềng Ban",
                "cà phê,natural",
                &[("Gói 250 g", Unit::G, 250.0, 170_000)],
            ),
            (
                "Trà cascara",
                "cà phê,cascara,trà",
                &[("Gói 200 g", Unit::G, 200.0, 80_000)],
            ),
            (
                "Cà phê bột pha phin",
                "cà phê,bột",
                &[("Gói 500 g", Unit::G, 500.0, 150_000)],
            ),
            (
                "Cà phê cold brew",
                "cà phê,đồ uống",
                &[("Chai 1 lít", Unit::Litre, 1.0, 140_000)],
            ),
            (
                "Mật ong hoa cà phê",
                "mật ong,cà phê",
                &[("Chai 500 ml", Unit::Bottle, 1.0, 180_000)],
            ),
        ],
        certificates: &[
            (
                CertificationKind::Globalgap,
                None,
                "2025-09-01",
                "2027-09-01",
            ),
            (CertificationKind::Ocop, Some(3), "2021-03-01", "2024-03-01"),
        ],
    },
    Coop {
        slug: "htx-rau-an-toan-van-ho",
        name: "HTX Rau an toàn Vân Hồ",
        owner: "htx.rauvanho@farmstream.vn",
        ward: "Xã Vân Hồ",
        street: "Bản Bó Nhàng",
        area: "Vân Hồ",
        phone: "0912110005",
        description: "Rau cải mèo, su su, bắp cải trồng trong nhà lưới trên cao nguyên Vân Hồ, giao trong ngày hái.",
        category: Category::Vegetable,
        practice: "VietGAP, nhà lưới, tưới nhỏ giọt",
        season: "Quanh năm",
        months: &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        altitude: 1000,
        products: &[
            (
                "Rau cải mèo Vân Hồ",
                "rau,cải mèo",
                &[("Bó 500 g", Unit::Bunch, 1.0, 25_000)],
            ),
            (
                "Su su ngọn",
                "rau,su su",
                &[("Bó 500 g", Unit::Bunch, 1.0, 20_000)],
            ),
            (
                "Bắp cải cao nguyên",
                "rau,bắp cải",
                &[("Cây 1,5 kg", Unit::Piece, 1.0, 30_000)],
            ),
            (
                "Cà chua bi",
                "rau,cà chua",
                &[("Hộp 500 g", Unit::G, 500.0, 35_000)],
            ),
            (
                "Dâu tây Mộc Châu",
                "dâu tây,mộc châu",
                &[("Hộp 500 g", Unit::G, 500.0, 120_000)],
            ),
            (
                "Khoai sọ Vân Hồ",
                "khoai",
                &[("Túi 2 kg", Unit::Kg, 2.0, 60_000)],
            ),
            ("Bí đỏ hồ lô", "bí", &[("Quả", Unit::Piece, 1.0, 40_000)]),
            ("Măng đắng", "măng", &[("Túi 1 kg", Unit::Kg, 1.0, 50_000)]),
            (
                "Súp lơ xanh",
                "rau,súp lơ",
                &[("Cây", Unit::Piece, 1.0, 30_000)],
            ),
        ],
        certificates: &[(CertificationKind::Vietgap, None, "2025-01-01", "2027-12-31")],
    },
    Coop {
        slug: "htx-mat-ong-moc-chau",
        name: "HTX Mật ong Mộc Châu",
        owner: "htx.matongmocchau@farmstream.vn",
        ward: "Phường Thảo Nguyên",
        street: "Tiểu khu Bó Bun",
        area: "Mộc Châu",
        phone: "0912110006",
        description: "Đàn ong nội nuôi theo mùa hoa: hoa nhãn, hoa cà phê, hoa bạc hà; mật quay tại chỗ, không pha đường.",
        category: Category::Honey,
        practice: "Nuôi ong nội, quay mật khi nắp vít trên 70%",
        season: "Tháng 3 – tháng 5 và tháng 10 – tháng 12",
        months: &[3, 4, 5, 10, 11, 12],
        altitude: 1000,
        products: &[
            (
                "Mật ong hoa nhãn",
                "mật ong,hoa nhãn",
                &[
                    ("Chai 500 ml", Unit::Bottle, 1.0, 200_000),
                    ("Chai 1 lít", Unit::Litre, 1.0, 380_000),
                ],
            ),
            (
                "Mật ong bạc hà",
                "mật ong,bạc hà,đặc sản",
                &[("Chai 500 ml", Unit::Bottle, 1.0, 350_000)],
            ),
            (
                "Mật ong rừng Sơn La",
                "mật ong,rừng",
                &[("Chai 500 ml", Unit::Bottle, 1.0, 300_000)],
            ),
            (
                "Sáp ong nguyên chất",
                "sáp ong",
                &[("Bánh 200 g", Unit::G, 200.0, 90_000)],
            ),
            (
                "Phấn hoa ong",
                "phấn hoa",
                &[("Hũ 250 g", Unit::G, 250.0, 150_000)],
            ),
            (
                "Mật ong ngâm gừng",
                "mật ong,gừng",
                &[("Hũ 500 ml", Unit::Bottle, 1.0, 170_000)],
            ),
            (
                "Sữa ong chúa",
                "sữa ong chúa",
                &[("Hũ 100 g", Unit::G, 100.0, 400_000)],
            ),
            (
                "Mật ong hoa cải",
                "mật ong",
                &[("Chai 500 ml", Unit::Bottle, 1.0, 190_000)],
            ),
            (
                "Chanh đào ngâm mật ong",
                "mật ong,chanh đào",
                &[("Hũ 1 lít", Unit::Litre, 1.0, 220_000)],
            ),
        ],
        certificates: &[(CertificationKind::Ocop, Some(4), "2025-05-01", "2028-05-01")],
    },
    Coop {
        slug: "htx-bo-sua-moc-chau",
        name: "HTX Bò sữa Thảo Nguyên Mộc Châu",
        owner: "htx.bosuamocchau@farmstream.vn",
        ward: "Phường Mộc Châu",
        street: "Tiểu khu 70",
        area: "Mộc Châu",
        phone: "0912110007",
        description: "Các hộ nuôi bò sữa trên thảo nguyên Mộc Châu, sữa vắt sáng nay, làm bánh sữa và sữa chua thủ công.",
        category: Category::Dairy,
        practice: "Bò ăn cỏ tươi, vắt sữa máy khép kín, thanh trùng trong ngày",
        season: "Quanh năm",
        months: &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        altitude: 1050,
        products: &[
            (
                "Sữa tươi thanh trùng Mộc Châu",
                "sữa,mộc châu",
                &[("Chai 1 lít", Unit::Litre, 1.0, 45_000)],
            ),
            (
                "Bánh sữa Mộc Châu",
                "bánh sữa,đặc sản,quà tặng",
                &[("Hộp 250 g", Unit::G, 250.0, 60_000)],
            ),
            (
                "Sữa chua nếp cẩm",
                "sữa chua",
                &[("Hộp 6 hũ", Unit::Box, 1.0, 55_000)],
            ),
            (
                "Phô mai tươi",
                "phô mai",
                &[("Hộp 200 g", Unit::G, 200.0, 90_000)],
            ),
            (
                "Bơ lạt thủ công",
                "bơ",
                &[("Hộp 200 g", Unit::G, 200.0, 85_000)],
            ),
            (
                "Sữa chua uống",
                "sữa chua",
                &[("Chai 500 ml", Unit::Bottle, 1.0, 30_000)],
            ),
            (
                "Kẹo sữa Mộc Châu",
                "kẹo,quà tặng",
                &[("Gói 300 g", Unit::G, 300.0, 50_000)],
            ),
            (
                "Váng sữa",
                "váng sữa",
                &[("Hộp 4 hũ", Unit::Box, 1.0, 48_000)],
            ),
            (
                "Bê chao Mộc Châu",
                "thịt,đặc sản",
                &[("Gói 1 kg", Unit::Kg, 1.0, 350_000)],
            ),
        ],
        certificates: &[(CertificationKind::Vietgap, None, "2024-08-01", "2027-08-01")],
    },
];

fn date(raw: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(AppError::internal)
}

/// What seeding the catalogue did.
#[derive(Debug, Default)]
pub struct CatalogReport {
    pub cooperatives_created: usize,
    pub products_created: usize,
}

/// Loads the cooperatives that are missing, with everything they sell.
pub async fn run(db: &Db, keys: &TokenKeys, password: &str) -> AppResult<CatalogReport> {
    let mut report = CatalogReport::default();
    for coop in COOPS {
        if coops::find_by_slug(db, coop.slug).await?.is_some() {
            continue;
        }
        let owner = owner_of(db, keys, coop, password).await?;
        let viewer = Viewer::User(owner);
        let created = coops::create(
            db,
            &viewer,
            NewCooperative {
                name: Name::parse(coop.name, "name")?,
                slug: Some(Slug::parse(coop.slug, "slug")?),
                province: Province::parse("Sơn La", "province")?,
                ward: coop.ward.to_owned(),
                street: Some(coop.street.to_owned()),
                area: Some(coop.area.to_owned()),
                description: Some(coop.description.to_owned()),
                phone: Some(PhoneNumber::parse(coop.phone, "phone")?),
                email: Some(Email::parse(coop.owner, "email")?),
                bank: Some(BankAccount::parse(
                    "970415",
                    &format!("10{}", &coop.phone[2..]),
                    coop.name,
                    "bank",
                )?),
            },
        )
        .await?;
        let coop_id = CooperativeId::from(created.id);
        report.cooperatives_created += 1;
        for (kind, stars, from, until) in coop.certificates {
            certifications::add(
                db,
                &viewer,
                NewCertification {
                    cooperative: coop_id,
                    kind: *kind,
                    stars: *stars,
                    issuer: "Sở Nông nghiệp và Môi trường tỉnh Sơn La".into(),
                    number: format!("{}-{}-{}", kind, &coop.phone[6..], &from[..4]),
                    valid_from: date(from)?,
                    valid_until: date(until)?,
                    scope: CertificationScope::Cooperative,
                    product: None,
                    lot: None,
                },
            )
            .await?;
        }
        for (i, (name, tags, variants)) in coop.products.iter().enumerate() {
            let product = seed_product(db, &viewer, coop, coop_id, i, name, tags, variants).await?;
            report.products_created += 1;
            seed_origin_and_lot(db, &viewer, coop, product, i).await?;
        }
    }
    Ok(report)
}

async fn owner_of(db: &Db, keys: &TokenKeys, coop: &Coop, password: &str) -> AppResult<UserId> {
    let email = Email::parse(coop.owner, "email")?;
    if let Some(user) = accounts::find_by_email(db, &email).await? {
        return Ok(UserId::from(user.id));
    }
    let session = accounts::register(
        db,
        keys,
        &PasswordHashing::for_tools(),
        NewAccount {
            email,
            password: Password::parse_new(password, "password")?,
            display_name: DisplayName::parse(
                &format!("Ban quản trị {}", coop.name),
                "displayName",
            )?,
            phone: Some(PhoneNumber::parse(coop.phone, "phone")?),
        },
    )
    .await?;
    Ok(UserId::from(session.user.id))
}

#[expect(
    clippy::too_many_arguments,
    reason = "one row of seed data, spelled out"
)]
async fn seed_product(
    db: &Db,
    viewer: &Viewer,
    coop: &Coop,
    coop_id: CooperativeId,
    index: usize,
    name: &str,
    tags: &str,
    variants: &[(&str, Unit, f64, i64)],
) -> AppResult<ProductId> {
    let sku_prefix: String = coop
        .slug
        .split('-')
        .skip(1)
        .map(|w| w.chars().next().unwrap_or('x'))
        .collect();
    let new = NewProduct {
        cooperative: coop_id,
        name: Name::parse(name, "name")?,
        slug: None,
        description: format!("{name} của {}. {}", coop.name, coop.description),
        category: if tags.contains("mật ong") && coop.category != Category::Honey {
            Category::Honey
        } else {
            coop.category
        },
        // Every ninth product stays a draft, to show what shoppers do not see.
        status: if index == 8 {
            ProductStatus::Draft
        } else {
            ProductStatus::Active
        },
        harvest_months: crate::catalog::inputs::harvest_months(coop.months, "months")?,
        tags: Tags::parse(
            &tags.split(',').map(str::to_owned).collect::<Vec<_>>(),
            "tags",
        )?,
        variants: variants
            .iter()
            .enumerate()
            .map(|(v, (label, unit, qty, price))| {
                Ok(NewVariant {
                    name: Name::parse(label, "variant")?,
                    sku: Sku::parse(&format!("{}-{:02}-{}", sku_prefix, index + 1, v + 1), "sku")?,
                    unit: *unit,
                    net_quantity: Measure::parse(*qty, "netQuantity")?,
                    price: Vnd::parse(*price, "price")?,
                    compare_at: index
                        .is_multiple_of(3)
                        .then(|| Vnd::parse(price + price / 5, "price"))
                        .transpose()?,
                    // A few sold out, to make stock filters meaningful.
                    stock: if (index + v) % 7 == 6 {
                        0
                    } else {
                        20 + i32::try_from(index * 7 + v * 3).unwrap_or(0)
                    },
                })
            })
            .collect::<AppResult<_>>()?,
    };
    Ok(ProductId::from(products::create(db, viewer, new).await?.id))
}

async fn seed_origin_and_lot(
    db: &Db,
    viewer: &Viewer,
    coop: &Coop,
    product: ProductId,
    index: usize,
) -> AppResult<()> {
    let grower = [
        "Lò Văn Hặc",
        "Cầm Thị Xuân",
        "Vì Văn Pọm",
        "Hà Thị Mai",
        "Quàng Văn Thanh",
    ][index % 5];
    products::set_origin_story(
        db,
        viewer,
        product,
        OriginStoryInput {
            farm_name: format!("Vườn nhà {grower}, {}", coop.street),
            grower_name: Some(grower.to_owned()),
            province: "Sơn La".into(),
            commune: Some(coop.ward.to_owned()),
            area: Some(coop.area.to_owned()),
            latitude: Some(21.0 + f64::from(u8::try_from(index).unwrap_or(0)) * 0.01),
            longitude: Some(104.3 + f64::from(u8::try_from(index).unwrap_or(0)) * 0.01),
            altitude_m: Some(coop.altitude),
            cultivation_practice: Some(coop.practice.to_owned()),
            harvest_season: Some(coop.season.to_owned()),
            story: format!(
                "Gia đình {grower} làm vườn ở {street}, {area} đã ba thế hệ. Ở độ cao khoảng {alt} mét, \
                 ngày nắng đêm lạnh giúp sản phẩm đậm vị. {practice}. Mỗi lô hàng đều ghi ngày thu hoạch \
                 để người mua biết rõ nguồn gốc.",
                street = coop.street,
                area = coop.area,
                alt = coop.altitude,
                practice = coop.practice,
            ),
        },
    )
    .await?;
    let month = coop.months[index % coop.months.len()];
    let year = if month > 10 { 2025 } else { 2026 };
    lots::create(
        db,
        viewer,
        NewLot {
            product,
            variant: None,
            harvested_on: NaiveDate::from_ymd_opt(year, u32::try_from(month).unwrap_or(1), 10)
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("bad seed date")))?,
            quantity: Measure::parse(
                200.0 + 50.0 * f64::from(u8::try_from(index).unwrap_or(0)),
                "quantity",
            )?,
            unit: Unit::Kg,
            plot: Some(format!("Lô đồi số {}", index + 1)),
            notes: None,
        },
    )
    .await?;
    Ok(())
}
