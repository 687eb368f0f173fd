//! The demo's cast: its marketplaces, the manufacturer and its network with their members, the
//! buyers (each writing in their own language) and the products.

use parley_domain::{LanguageCode, OrganizationKind};

pub(super) const MARKETPLACES: [(&str, &str); 6] = [
    ("directindustry", "DirectIndustry"),
    ("archiexpo", "ArchiExpo"),
    ("medicalexpo", "MedicalExpo"),
    ("agriexpo", "AgriExpo"),
    ("nauticexpo", "NauticExpo"),
    ("aeroexpo", "AeroExpo"),
];

pub(super) struct DemoOrg {
    pub name: &'static str,
    pub kind: OrganizationKind,
    pub country: &'static str,
    pub territories: &'static str,
    pub members: &'static [(&'static str, &'static str, &'static str, LanguageCode)],
}

pub(super) const MANUFACTURER: DemoOrg = DemoOrg {
    name: "Hydrotech Pumps",
    kind: OrganizationKind::Manufacturer,
    country: "FR",
    territories: "",
    members: &[
        (
            "Claire Martin",
            "claire.martin@hydrotech.example",
            "+33 4 72 00 00 01",
            LanguageCode::Fr,
        ),
        (
            "Tom Becker",
            "tom.becker@hydrotech.example",
            "+33 4 72 00 00 02",
            LanguageCode::En,
        ),
    ],
};

pub(super) const NETWORK: [DemoOrg; 2] = [
    DemoOrg {
        name: "Iberia Fluidos",
        kind: OrganizationKind::Distributor,
        country: "ES",
        territories: "ES,PT",
        members: &[(
            "Lucía García",
            "lucia.garcia@iberiafluidos.example",
            "+34 91 000 00 01",
            LanguageCode::Es,
        )],
    },
    DemoOrg {
        name: "Alpen Vertrieb",
        kind: OrganizationKind::AreaManager,
        country: "DE",
        territories: "DE,AT,CH",
        members: &[(
            "Jonas Weber",
            "jonas.weber@alpenvertrieb.example",
            "+49 89 000 00 01",
            LanguageCode::De,
        )],
    },
];

/// (name, company, country, language, email, phone, message)
pub(super) const BUYERS: [(&str, &str, &str, &str, &str, &str, &str); 8] = [
    (
        "Luc Moreau",
        "Brasserie du Rhône",
        "FR",
        "fr",
        "luc.moreau@buyer.example",
        "+33 6 10 00 00 01",
        "Bonjour, pourriez-vous m'envoyer un devis pour deux pompes et le délai de livraison ?",
    ),
    (
        "Carmen Ruiz",
        "Aguas del Sur",
        "ES",
        "es",
        "carmen.ruiz@buyer.example",
        "+34 600 000 001",
        "Hola, necesito un presupuesto para tres bombas y el plazo de entrega a Sevilla.",
    ),
    (
        "John Smith",
        "Smith Brewing Ltd",
        "GB",
        "en",
        "john.smith@buyer.example",
        "+44 7700 900001",
        "Hello, could you quote two units with delivery to Leeds, and the warranty terms?",
    ),
    (
        "Anna Schmidt",
        "Stadtwerke Nord",
        "DE",
        "de",
        "anna.schmidt@buyer.example",
        "+49 151 0000001",
        "Guten Tag, bitte senden Sie mir ein Angebot für vier Pumpen mit Lieferung nach Hamburg.",
    ),
    (
        "Giulia Rossi",
        "Cantina Rossi",
        "IT",
        "it",
        "giulia.rossi@buyer.example",
        "+39 333 000 0001",
        "Buongiorno, vorrei un preventivo per due pompe e i tempi di consegna a Verona.",
    ),
    (
        "João Silva",
        "Vinhos do Douro",
        "PT",
        "pt",
        "joao.silva@buyer.example",
        "+351 910 000 001",
        "Olá, gostaria de um orçamento para duas bombas com entrega no Porto.",
    ),
    (
        "Ivan Petrov",
        "Sibir Agro",
        "RU",
        "ru",
        "ivan.petrov@buyer.example",
        "+7 900 000 00 01",
        "Здравствуйте, пришлите, пожалуйста, коммерческое предложение на два насоса.",
    ),
    (
        "Yuki Tanaka",
        "Tanaka Marine",
        "JP",
        "ja",
        "yuki.tanaka@buyer.example",
        "+81 90 0000 0001",
        "こんにちは。ポンプ2台の見積もりと納期を教えてください。",
    ),
];

pub(super) const PRODUCTS: [(&str, &str); 6] = [
    ("HT-200", "Centrifugal pump HT-200"),
    ("HT-350", "Submersible pump HT-350"),
    ("HT-DOSE", "Dosing pump HT-Dose"),
    ("HT-MAR", "Marine bilge pump HT-Mar"),
    ("HT-AGRI", "Irrigation pump HT-Agri"),
    ("HT-AERO", "Fuel transfer pump HT-Aero"),
];
