//! Who the generated requests are between, and what they say: names with accents, companies,
//! countries weighted like a European marketplace's, texts in the buyer's language.

use parley_domain::{MemberId, OrganizationId, ProductId};

use super::Maker;
use super::rows::{Rows, int, text};
use crate::{Connection, StoreError};

/// A deterministic generator (SplitMix64): the same plan writes the same shapes.
pub(super) struct Random(u64);

impl Random {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `[0, n)`.
    pub(super) fn below(&mut self, n: i64) -> i64 {
        (self.next() % n.max(1) as u64) as i64
    }

    /// In `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as i64) as usize]
    }
}

/// A seller as the generator uses one.
pub(super) struct Person {
    pub id: MemberId,
    pub name: String,
    pub email: String,
}

/// Countries (with their language) in rough proportion to a European marketplace's buyers.
const COUNTRIES: &[(&str, &str, u32)] = &[
    ("DE", "de", 22),
    ("FR", "fr", 18),
    ("ES", "es", 10),
    ("IT", "it", 10),
    ("GB", "en", 8),
    ("AT", "de", 4),
    ("CH", "de", 4),
    ("BE", "fr", 4),
    ("PT", "pt", 4),
    ("NL", "en", 4),
    ("PL", "en", 3),
    ("US", "en", 3),
    ("RU", "ru", 2),
    ("CN", "zh", 2),
    ("JP", "ja", 2),
];
const FIRST: &[&str] = &[
    "Anna",
    "Jürgen",
    "Élodie",
    "Marco",
    "Lucía",
    "João",
    "Søren",
    "Ingrid",
    "Pierre",
    "Zoë",
    "Ángela",
    "Dmitri",
    "Hiroshi",
    "Mei",
    "Olivia",
    "Thomas",
    "François",
    "Giulia",
    "Björn",
];
const LAST: &[&str] = &[
    "Müller",
    "Dupont",
    "García",
    "Rossi",
    "Smith",
    "Schäfer",
    "Fernández",
    "Nováková",
    "Lefèvre",
    "Bianchi",
    "Silva",
    "Ivanov",
    "Tanaka",
    "Wang",
    "Jensen",
    "Öztürk",
    "Martin",
    "Weiß",
    "Moreau",
    "Costa",
];
const COMPANIES: &[&str] = &[
    "Agrar",
    "Bau",
    "Hydro",
    "Techno",
    "Industrie",
    "Services",
    "Distribución",
    "Énergie",
    "Logistik",
    "Metall",
    "Impianti",
    "Obras",
    "Wasser",
    "Pompes",
    "Construcciones",
];
const TERRITORIES: [&[&str]; 2] = [&["DE", "AT", "CH"], &["FR", "BE"]];
const PRODUCTS: &[&str] = &[
    "pump",
    "valve",
    "filter",
    "compressor",
    "tank",
    "controller",
    "sensor",
    "motor",
    "pipe",
    "nozzle",
];

/// A buyer of the pool the requests draw from.
pub(super) struct Buyer {
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    pub country: &'static str,
    pub language: &'static str,
    pub email: String,
}

impl Buyer {
    pub(super) fn new(n: u64, random: &mut Random) -> Self {
        let total: u32 = COUNTRIES.iter().map(|c| c.2).sum();
        let mut pick = random.below(i64::from(total)) as u32;
        let (country, language, _) = *COUNTRIES
            .iter()
            .find(|c| {
                let hit = pick < c.2;
                pick = pick.saturating_sub(c.2);
                hit
            })
            .unwrap_or(&COUNTRIES[0]);
        let (first, last) = (random.pick(FIRST), random.pick(LAST));
        let company = (random.below(10) > 0).then(|| {
            format!(
                "{} {} {}",
                last,
                random.pick(COMPANIES),
                ["GmbH", "SARL", "S.L.", "S.r.l.", "Ltd"][n as usize % 5]
            )
        });
        let domain = company.as_deref().map_or("mail".to_owned(), |c| {
            c.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join("-")
                .to_lowercase()
        });
        Self {
            id: parley_domain::BuyerId::new().to_string(),
            name: format!("{first} {last}"),
            company,
            country,
            language,
            email: format!("buyer{n}@{}.example", ascii(&domain)),
        }
    }

    pub(super) fn row(&self, rows: &mut Rows, now: i64) {
        rows.add(
            "buyers",
            vec![
                text(self.id.clone()),
                text(self.name.clone()),
                crate::statement::Param::from(self.company.clone()),
                text(self.country),
                text(self.language),
                text(self.email.clone()),
                int(now),
            ],
        );
    }
}

/// `text` with accents folded and anything else outside `[a-z0-9-]` dropped (an address part).
fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ä' | 'á' | 'à' => 'a',
            'é' | 'è' | 'ê' => 'e',
            'ö' | 'ó' => 'o',
            'ü' | 'ú' => 'u',
            'í' => 'i',
            'ñ' => 'n',
            other => other,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// Three marketplaces (made once; a second seed reuses them): (id, name).
pub(super) async fn marketplaces(
    conn: &mut Connection,
    now: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for (slug, name) in [
        ("seed-agri", "Agri Market"),
        ("seed-build", "Build Market"),
        ("seed-water", "Water Market"),
    ] {
        let id = parley_domain::MarketplaceId::new().to_string();
        sqlx::query(
            "INSERT INTO marketplaces (id, slug, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(&id)
        .bind(slug)
        .bind(name)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        let id: String = sqlx::query_scalar("SELECT id FROM marketplaces WHERE slug = $1")
            .bind(slug)
            .fetch_one(&mut *conn)
            .await?;
        out.push((id, name.to_owned()));
    }
    Ok(out)
}

fn person(
    rows: &mut Rows,
    org: OrganizationId,
    name: String,
    email: String,
    role: &str,
    now: i64,
) -> Person {
    let id = MemberId::new();
    rows.add(
        "members",
        vec![
            text(id.to_string()),
            text(org.to_string()),
            text(name.clone()),
            text(email.clone()),
            text("en"),
            text(role),
            int(now),
        ],
    );
    Person { id, name, email }
}

/// Manufacturer `n` (a random suffix keeps a second seed's addresses apart from the first's),
/// its admin and salesperson, twenty products and two distributors with their territories.
pub(super) fn maker(rows: &mut Rows, n: u32, now: i64) -> Maker {
    let tag = &MemberId::new().to_string()[24..];
    let id = OrganizationId::new();
    let name = format!("Maker {n}");
    rows.add(
        "organizations",
        vec![
            text(id.to_string()),
            text("manufacturer"),
            text(name.clone()),
            text("DE"),
            int(now),
        ],
    );
    let admin = person(
        rows,
        id,
        format!("Admin {n}"),
        format!("admin{n}-{tag}@maker{n}.example"),
        "admin",
        now,
    );
    let sales = person(
        rows,
        id,
        format!("Sales {n}"),
        format!("sales{n}-{tag}@maker{n}.example"),
        "sales",
        now,
    );
    let products = (0..20)
        .map(|k| {
            let product = ProductId::new();
            let label = format!("{} {}-{k:02}", PRODUCTS[k % PRODUCTS.len()], n);
            let reference = format!("REF-{n}-{k:02}");
            rows.add(
                "products",
                vec![
                    text(product.to_string()),
                    text(id.to_string()),
                    text(label.clone()),
                    text(reference.clone()),
                    text(["irrigation", "building", "industry"][k % 3]),
                    int(now),
                ],
            );
            (product, label, reference)
        })
        .collect();
    let network = TERRITORIES
        .iter()
        .enumerate()
        .map(|(d, territory)| {
            let org = OrganizationId::new();
            let org_name = format!("Distributor {n}-{d}");
            rows.add(
                "organizations",
                vec![
                    text(org.to_string()),
                    text("distributor"),
                    text(org_name.clone()),
                    text(territory[0]),
                    int(now),
                ],
            );
            let member = person(
                rows,
                org,
                format!("Seller {n}-{d}"),
                format!("seller{n}-{d}-{tag}@dist.example"),
                "admin",
                now,
            );
            rows.add(
                "network_links",
                vec![
                    text(id.to_string()),
                    text(org.to_string()),
                    text(territory.join(",")),
                    text(format!("[\"{}\"]", member.email)),
                    text("[]"),
                    int(now),
                ],
            );
            super::Distributor {
                id: org,
                name: org_name,
                member,
                territory,
            }
        })
        .collect();
    Maker {
        id,
        admin,
        sales,
        products,
        network,
    }
}
