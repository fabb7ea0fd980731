//! Deterministic synthetic French contacts (CSV) and sample campaign images, for demos, tests and benchmarks.
//!
//! Every value is derived from a small built-in SplitMix64 generator, so the output only depends on
//! `(seed, record index)` and never changes with dependency upgrades. Record `i` is identical whatever
//! the number of records requested, which lets benchmarks slice any prefix of a million-record file.
//!
//! Addresses follow the six-line NF Z10-011 layout (`address2` = line 2, `address3` = line 3,
//! `street` = line 4, `address5` = line 5, then postcode and city), and French postcode/commune pairs
//! are real ones.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// Columns written by [`write_contacts`], in order.
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "civility",
    "first_name",
    "last_name",
    "company",
    "address2",
    "address3",
    "street",
    "address5",
    "postcode",
    "city",
    "country",
    "email",
    "mobile",
    "consent_email",
    "consent_sms",
    "postal_optout",
    "household",
    "vehicle",
    "dealer",
    "dealer_city",
];

// ---------------------------------------------------------------------------
// Pseudo-random generator
// ---------------------------------------------------------------------------

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 finaliser.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Small SplitMix64 stream; one independent stream per (seed, record, purpose).
struct Rng(u64);

/// Stream used for household-level values (last name, company, address, dealer).
const STREAM_HOUSEHOLD: u64 = 1;
/// Stream used for person-level values (civility, first name, contact data).
const STREAM_PERSON: u64 = 2;
/// Stream deciding whether a record joins the previous record's household.
const STREAM_LINK: u64 = 3;

impl Rng {
    fn new(seed: u64, index: u64, stream: u64) -> Self {
        let key = mix64(index.wrapping_mul(GOLDEN) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Rng(mix64(seed ^ key))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform integer in `0..n` (`n` must be below 2^32).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform integer in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p / 1000`.
    fn per_mille(&mut self, p: usize) -> bool {
        self.below(1000) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn letter(&mut self, last: u8) -> char {
        (b'A' + self.below(usize::from(last - b'A') + 1) as u8) as char
    }
}

// ---------------------------------------------------------------------------
// Reference tables
// ---------------------------------------------------------------------------

const MALE_FIRST_NAMES: &[&str] = &[
    "Jean-François",
    "Loïc",
    "Noël",
    "Jérôme",
    "Benoît",
    "Grégoire",
    "Frédéric",
    "Pierre",
    "Jean",
    "Michel",
    "Philippe",
    "Nicolas",
    "Stéphane",
    "Sébastien",
    "Thierry",
    "Éric",
    "Hervé",
    "François",
    "Raphaël",
    "Gaël",
    "Jean-Luc",
    "Jean-Pierre",
    "Louis",
    "Théo",
    "André",
    "René",
    "Joël",
    "Cédric",
];

const FEMALE_FIRST_NAMES: &[&str] = &[
    "Émilie",
    "Hélène",
    "Françoise",
    "Anne-Laure",
    "Zoé",
    "Inès",
    "Gaëlle",
    "Chloé",
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Céline",
    "Léa",
    "Manon",
    "Camille",
    "Aurélie",
    "Élodie",
    "Mélanie",
    "Sophie",
    "Valérie",
    "Marie-Christine",
    "Anaïs",
    "Clémence",
    "Agnès",
    "Maëlle",
    "Héloïse",
    "Noémie",
];

const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Béranger",
    "Le Gall",
    "de La Fontaine",
    "Château",
    "Le Goff",
    "Kerbrat",
    "Prévost",
    "Lemaître",
    "Gaillard",
    "Hébert",
    "d'Aubigné",
    "Da Silva",
    "Ménard",
    "Texier",
    "Lécuyer",
    "Bénard",
    "Pâris",
];

/// Company name patterns; `{}` is replaced by a family name.
const COMPANY_PATTERNS: &[(&str, &str)] = &[
    ("SARL Boulangerie ", ""),
    ("Cabinet ", " & Associés"),
    ("Pharmacie ", ""),
    ("EURL ", " Plomberie"),
    ("SAS Transports ", ""),
    ("Menuiserie ", " et Fils"),
    ("", " Immobilier"),
    ("Boucherie ", ""),
    ("Atelier ", " Couture"),
    ("Étude de Maître ", ""),
    ("Garage ", " Frères"),
    ("Fromagerie ", ""),
    ("Cave ", " et Cie"),
    ("Maçonnerie ", ""),
];

/// Companies that do not carry a family name.
const FIXED_COMPANIES: &[&str] = &[
    "SCI Les Érables",
    "Crèche Les Petits Lutins",
    "Association Sportive du Lac",
    "Clinique Vétérinaire des Prés",
    "Librairie du Théâtre",
];

const STREET_TYPES: &[&str] = &[
    "rue",
    "rue",
    "rue",
    "rue",
    "rue",
    "avenue",
    "avenue",
    "boulevard",
    "place",
    "allée",
    "impasse",
    "chemin",
    "route",
    "square",
    "cours",
];

/// Street names of at most 20 characters, so that normal street lines stay within 38 characters.
const STREET_NAMES: &[&str] = &[
    "de la République",
    "du Général Leclerc",
    "Victor Hugo",
    "Jean Jaurès",
    "de la Gare",
    "des Lilas",
    "Pasteur",
    "du Maréchal Foch",
    "de l'Église",
    "des Écoles",
    "Gambetta",
    "du 8 Mai 1945",
    "du 11 Novembre 1918",
    "Émile Zola",
    "de la Libération",
    "des Peupliers",
    "du Château",
    "Saint-Exupéry",
    "des Acacias",
    "de Verdun",
    "du Stade",
    "Carnot",
    "Paul Bert",
    "de Strasbourg",
    "du Moulin",
    "de la Fontaine",
    "Sainte-Catherine",
    "des Coteaux",
    "Molière",
    "des Frères Lumière",
    "Aristide Briand",
    "de la Paix",
    "du Port",
    "des Tanneurs",
    "Georges Clemenceau",
    "du Prieuré",
];

/// Long street lines (name + type), always more than 38 characters once numbered.
const LONG_STREETS: &[&str] = &[
    "boulevard du Maréchal Jean Marie de Lattre de Tassigny",
    "avenue des Martyrs de la Résistance et de la Déportation",
    "rue des Anciens Combattants d'Afrique du Nord",
    "avenue du Général Charles de Gaulle prolongée",
    "chemin de la Croix de Saint-Jacques de Compostelle",
    "place des Droits de l'Homme et du Citoyen",
];

const RESIDENCES: &[&str] = &[
    "Les Tilleuls",
    "Les Glycines",
    "Le Belvédère",
    "Les Pins",
    "Le Parc Fleuri",
    "L'Orée du Bois",
    "Les Acacias",
    "Le Clos Fleuri",
    "Les Marronniers",
    "Les Hortensias",
    "Le Val d'Or",
    "Les Cèdres",
    "Les Terrasses",
];

const BUILDINGS: &[&str] = &[
    "Le Panoramique",
    "Le Central",
    "Le Méridien",
    "Horizon",
    "Les Arcades",
];

const LIEUX_DITS: &[&str] = &[
    "La Croix",
    "Les Granges",
    "Le Bourg",
    "La Motte",
    "Les Essarts",
    "Le Moulin Neuf",
    "La Barre",
    "Les Rivières",
    "Le Chêne Vert",
    "La Garenne",
];

const HAMLETS: &[&str] = &["Vaux", "la Forêt", "Bellevue", "Saint-Roch", "l'Étang"];

const EMAIL_DOMAINS: &[&str] = &[
    "example.fr",
    "exemple.com",
    "example.com",
    "exemple.fr",
    "example.org",
    "example.net",
];

const VEHICLES: &[&str] = &["Aurore électrique", "Boréal hybride", "Cévenole SUV"];

// Regions used to match a contact with a nearby dealership.
const ARA: u8 = 0; // Auvergne-Rhône-Alpes
const BFC: u8 = 1; // Bourgogne-Franche-Comté
const IDF: u8 = 2; // Île-de-France
const PAC: u8 = 3; // Provence-Alpes-Côte d'Azur
const OCC: u8 = 4; // Occitanie
const NAQ: u8 = 5; // Nouvelle-Aquitaine
const OUE: u8 = 6; // Bretagne + Pays de la Loire
const HDF: u8 = 7; // Hauts-de-France
const GES: u8 = 8; // Grand Est
const NOR: u8 = 9; // Normandie
const CVL: u8 = 10; // Centre-Val de Loire
const COR: u8 = 11; // Corse (no dealership)
const DOM: u8 = 12; // Outre-mer (no dealership)
const FOREIGN: u8 = 13; // Abroad (no dealership)

/// Fictional dealerships: (name, city, region).
const DEALERS: &[(&str, &str, u8)] = &[
    ("Garage des Cèdres", "Lyon", ARA),
    ("Auto Rhône Prestige", "Villeurbanne", ARA),
    ("Forez Automobiles", "Saint-Étienne", ARA),
    ("Garage du Vercors", "Grenoble", ARA),
    ("Annecy Lac Automobiles", "Annecy", ARA),
    ("Garage des Volcans", "Clermont-Ferrand", ARA),
    ("Mâconnais Autos", "Mâcon", BFC),
    ("Garage de la Chouette", "Dijon", BFC),
    ("Comtoise Automobiles", "Besançon", BFC),
    ("Garage de l'Étoile", "Paris", IDF),
    ("Auto Seine Ouest", "Boulogne-Billancourt", IDF),
    ("Garage du Vieux-Port", "Marseille", PAC),
    ("Riviera Auto Prestige", "Nice", PAC),
    ("Garage du Capitole", "Toulouse", OCC),
    ("Auto Méditerranée", "Montpellier", OCC),
    ("Garage des Chartrons", "Bordeaux", NAQ),
    ("Garage de l'Erdre", "Nantes", OUE),
    ("Armor Automobiles", "Rennes", OUE),
    ("Garage du Beffroi", "Lille", HDF),
    ("Garage de l'Ill", "Strasbourg", GES),
    ("Auto Seine Normandie", "Rouen", NOR),
    ("Garage des Bords de Loire", "Orléans", CVL),
];

/// Real French postcode / commune pairs (commune in normal case with accents).
const FRENCH_PLACES: &[(&str, &str)] = &[
    ("01000", "Bourg-en-Bresse"),
    ("01100", "Oyonnax"),
    ("02000", "Laon"),
    ("02100", "Saint-Quentin"),
    ("03000", "Moulins"),
    ("03100", "Montluçon"),
    ("03200", "Vichy"),
    ("04000", "Digne-les-Bains"),
    ("05000", "Gap"),
    ("06000", "Nice"),
    ("06400", "Cannes"),
    ("06600", "Antibes"),
    ("07000", "Privas"),
    ("07100", "Annonay"),
    ("08000", "Charleville-Mézières"),
    ("09000", "Foix"),
    ("10000", "Troyes"),
    ("11000", "Carcassonne"),
    ("11100", "Narbonne"),
    ("12000", "Rodez"),
    ("12100", "Millau"),
    ("13001", "Marseille"),
    ("13006", "Marseille"),
    ("13008", "Marseille"),
    ("13013", "Marseille"),
    ("13100", "Aix-en-Provence"),
    ("13200", "Arles"),
    ("14000", "Caen"),
    ("14100", "Lisieux"),
    ("15000", "Aurillac"),
    ("16000", "Angoulême"),
    ("17000", "La Rochelle"),
    ("17300", "Rochefort"),
    ("18000", "Bourges"),
    ("18100", "Vierzon"),
    ("19000", "Tulle"),
    ("19100", "Brive-la-Gaillarde"),
    ("20000", "Ajaccio"),
    ("20200", "Bastia"),
    ("20250", "Corte"),
    ("20137", "Porto-Vecchio"),
    ("21000", "Dijon"),
    ("21200", "Beaune"),
    ("22000", "Saint-Brieuc"),
    ("23000", "Guéret"),
    ("24000", "Périgueux"),
    ("24100", "Bergerac"),
    ("25000", "Besançon"),
    ("26000", "Valence"),
    ("26100", "Romans-sur-Isère"),
    ("26200", "Montélimar"),
    ("27000", "Évreux"),
    ("28000", "Chartres"),
    ("29000", "Quimper"),
    ("29200", "Brest"),
    ("30000", "Nîmes"),
    ("30100", "Alès"),
    ("31000", "Toulouse"),
    ("32000", "Auch"),
    ("33000", "Bordeaux"),
    ("33500", "Libourne"),
    ("34000", "Montpellier"),
    ("34500", "Béziers"),
    ("35000", "Rennes"),
    ("35400", "Saint-Malo"),
    ("36000", "Châteauroux"),
    ("37000", "Tours"),
    ("37400", "Amboise"),
    ("38000", "Grenoble"),
    ("38130", "Échirolles"),
    ("38200", "Vienne"),
    ("39000", "Lons-le-Saunier"),
    ("40000", "Mont-de-Marsan"),
    ("41000", "Blois"),
    ("41100", "Vendôme"),
    ("42000", "Saint-Étienne"),
    ("42300", "Roanne"),
    ("42600", "Montbrison"),
    ("43000", "Le Puy-en-Velay"),
    ("44000", "Nantes"),
    ("44600", "Saint-Nazaire"),
    ("45000", "Orléans"),
    ("45200", "Montargis"),
    ("46000", "Cahors"),
    ("47000", "Agen"),
    ("48000", "Mende"),
    ("49000", "Angers"),
    ("49300", "Cholet"),
    ("50000", "Saint-Lô"),
    ("50100", "Cherbourg-en-Cotentin"),
    ("51000", "Châlons-en-Champagne"),
    ("51100", "Reims"),
    ("52000", "Chaumont"),
    ("53000", "Laval"),
    ("54000", "Nancy"),
    ("55000", "Bar-le-Duc"),
    ("56000", "Vannes"),
    ("56100", "Lorient"),
    ("57000", "Metz"),
    ("57100", "Thionville"),
    ("58000", "Nevers"),
    ("59000", "Lille"),
    ("59100", "Roubaix"),
    ("59300", "Valenciennes"),
    ("60000", "Beauvais"),
    ("60200", "Compiègne"),
    ("61000", "Alençon"),
    ("62000", "Arras"),
    ("62100", "Calais"),
    ("63000", "Clermont-Ferrand"),
    ("63200", "Riom"),
    ("63500", "Issoire"),
    ("64000", "Pau"),
    ("64100", "Bayonne"),
    ("65000", "Tarbes"),
    ("65100", "Lourdes"),
    ("66000", "Perpignan"),
    ("67000", "Strasbourg"),
    ("67500", "Haguenau"),
    ("68000", "Colmar"),
    ("68100", "Mulhouse"),
    ("69001", "Lyon"),
    ("69003", "Lyon"),
    ("69006", "Lyon"),
    ("69007", "Lyon"),
    ("69100", "Villeurbanne"),
    ("69200", "Vénissieux"),
    ("69300", "Caluire-et-Cuire"),
    ("69500", "Bron"),
    ("69800", "Saint-Priest"),
    ("70000", "Vesoul"),
    ("71000", "Mâcon"),
    ("71100", "Chalon-sur-Saône"),
    ("72000", "Le Mans"),
    ("73000", "Chambéry"),
    ("73100", "Aix-les-Bains"),
    ("74000", "Annecy"),
    ("74100", "Annemasse"),
    ("74200", "Thonon-les-Bains"),
    ("75001", "Paris"),
    ("75008", "Paris"),
    ("75011", "Paris"),
    ("75015", "Paris"),
    ("75017", "Paris"),
    ("75020", "Paris"),
    ("76000", "Rouen"),
    ("76200", "Dieppe"),
    ("76600", "Le Havre"),
    ("77000", "Melun"),
    ("77300", "Fontainebleau"),
    ("78000", "Versailles"),
    ("78100", "Saint-Germain-en-Laye"),
    ("79000", "Niort"),
    ("80000", "Amiens"),
    ("81000", "Albi"),
    ("81100", "Castres"),
    ("82000", "Montauban"),
    ("83000", "Toulon"),
    ("83400", "Hyères"),
    ("84000", "Avignon"),
    ("84100", "Orange"),
    ("85000", "La Roche-sur-Yon"),
    ("86000", "Poitiers"),
    ("87000", "Limoges"),
    ("88000", "Épinal"),
    ("89000", "Auxerre"),
    ("90000", "Belfort"),
    ("91300", "Massy"),
    ("92100", "Boulogne-Billancourt"),
    ("92200", "Neuilly-sur-Seine"),
    ("93100", "Montreuil"),
    ("93200", "Saint-Denis"),
    ("94000", "Créteil"),
    ("94300", "Vincennes"),
    ("95000", "Cergy"),
    ("95100", "Argenteuil"),
    ("97100", "Basse-Terre"),
    ("97110", "Pointe-à-Pitre"),
    ("97200", "Fort-de-France"),
    ("97300", "Cayenne"),
    ("97400", "Saint-Denis"),
    ("97410", "Saint-Pierre"),
    ("97600", "Mamoudzou"),
];

/// Foreign addresses: (country, postcode, city), written the way a French mailer prints them.
const FOREIGN_PLACES: &[(&str, &str, &str)] = &[
    ("BELGIQUE", "1000", "BRUXELLES"),
    ("BELGIQUE", "4000", "LIÈGE"),
    ("BELGIQUE", "7000", "MONS"),
    ("SUISSE", "1201", "GENÈVE"),
    ("SUISSE", "1003", "LAUSANNE"),
    ("SUISSE", "2000", "NEUCHÂTEL"),
    ("ALLEMAGNE", "66111", "SAARBRÜCKEN"),
    ("MONACO", "98000", "MONACO"),
];

/// Region of a French postcode, from its département.
fn region_of(postcode: &str) -> u8 {
    let dept: u32 = postcode.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
    match dept {
        1 | 3 | 7 | 15 | 26 | 38 | 42 | 43 | 63 | 69 | 73 | 74 => ARA,
        21 | 25 | 39 | 58 | 70 | 71 | 89 | 90 => BFC,
        75 | 77 | 78 | 91..=95 => IDF,
        4 | 5 | 6 | 13 | 83 | 84 => PAC,
        9 | 11 | 12 | 30..=32 | 34 | 46 | 48 | 65 | 66 | 81 | 82 => OCC,
        16 | 17 | 19 | 23 | 24 | 33 | 40 | 47 | 64 | 79 | 86 | 87 => NAQ,
        22 | 29 | 35 | 44 | 49 | 53 | 56 | 72 | 85 => OUE,
        2 | 59 | 60 | 62 | 80 => HDF,
        8 | 10 | 51 | 52 | 54 | 55 | 57 | 67 | 68 | 88 => GES,
        14 | 27 | 50 | 61 | 76 => NOR,
        18 | 28 | 36 | 37 | 41 | 45 => CVL,
        20 => COR,
        _ => DOM,
    }
}

// ---------------------------------------------------------------------------
// Record generation
// ---------------------------------------------------------------------------

/// Household-level values, shared by every member of a household.
#[derive(Default)]
struct Household {
    last_name: &'static str,
    company: String,
    address2: String,
    address3: String,
    street: String,
    address5: String,
    postcode: &'static str,
    city: &'static str,
    country: &'static str,
    dealer: usize,
}

/// Reusable text buffers for the per-record formatted fields.
#[derive(Default)]
struct Scratch {
    house: Household,
    id: String,
    email: String,
    mobile: String,
    household: String,
}

/// Whether record `index` (1-based) joins the household of record `index - 1`.
///
/// A record only joins a household head (a record that does not itself join), so that the shared
/// values can be regenerated from a single other record.
fn joins_previous(seed: u64, index: u64) -> bool {
    let flag = |i: u64| Rng::new(seed, i, STREAM_LINK).per_mille(112);
    index > 1 && flag(index) && !flag(index - 1)
}

/// Appends a street number, sometimes with a `bis`/`ter` suffix.
fn push_street_number(rng: &mut Rng, out: &mut String) {
    let n = match rng.below(100) {
        0..=69 => rng.range(1, 40),
        70..=94 => rng.range(1, 150),
        _ => rng.range(1, 399),
    };
    let _ = write!(out, "{n}");
    match rng.below(100) {
        0..=6 => out.push_str(" bis"),
        7..=9 => out.push_str(" ter"),
        _ => {}
    }
}

/// Fills `h` with the household values of household head `head` (1-based record index).
fn gen_household(seed: u64, head: u64, h: &mut Household) {
    let mut rng = Rng::new(seed, head, STREAM_HOUSEHOLD);
    // About 1 household in 200 carries a comma or double quote to exercise CSV quoting.
    let special = if rng.per_mille(5) { 1 + rng.below(3) } else { 0 };

    h.last_name = rng.pick(LAST_NAMES);

    h.company.clear();
    if special == 1 {
        let _ = write!(h.company, "{}, Fils & Cie", rng.pick(LAST_NAMES));
    } else if rng.per_mille(150) {
        if rng.per_mille(200) {
            h.company.push_str(rng.pick(FIXED_COMPANIES));
        } else {
            let (pre, post) = rng.pick(COMPANY_PATTERNS);
            let name = rng.pick(LAST_NAMES);
            h.company.push_str(pre);
            h.company.push_str(name);
            h.company.push_str(post);
        }
    }

    h.address2.clear();
    if rng.per_mille(300) {
        let a = &mut h.address2;
        let _ = match rng.below(6) {
            0 | 1 => write!(a, "Appartement {}", rng.range(1, 80)),
            2 => write!(
                a,
                "Appartement {} escalier {}",
                rng.range(1, 40),
                rng.letter(b'D')
            ),
            3 => {
                let civ = if rng.below(2) == 0 { "M." } else { "Mme" };
                write!(a, "Chez {civ} {}", rng.pick(LAST_NAMES))
            }
            4 => write!(a, "Escalier {} étage {}", rng.letter(b'E'), rng.range(1, 9)),
            _ => write!(a, "Porte {}", rng.range(1, 30)),
        };
    }

    h.address3.clear();
    if special == 3 {
        let _ = write!(
            h.address3,
            "Résidence \"{}\", bât. {}",
            rng.pick(RESIDENCES),
            rng.letter(b'F')
        );
    } else if rng.per_mille(250) {
        let a = &mut h.address3;
        let _ = match rng.below(5) {
            0 | 1 => write!(a, "Résidence {}", rng.pick(RESIDENCES)),
            2 => write!(
                a,
                "Résidence {} bâtiment {}",
                rng.pick(RESIDENCES),
                rng.letter(b'F')
            ),
            3 => write!(a, "Bâtiment {}", rng.letter(b'H')),
            _ => write!(a, "Immeuble {}", rng.pick(BUILDINGS)),
        };
    }

    h.street.clear();
    push_street_number(&mut rng, &mut h.street);
    h.street.push(' ');
    if special == 2 {
        let _ = write!(h.street, "allée \"{}\"", rng.pick(RESIDENCES));
    } else if rng.per_mille(30) {
        h.street.push_str(rng.pick(LONG_STREETS));
    } else {
        h.street.push_str(rng.pick(STREET_TYPES));
        h.street.push(' ');
        h.street.push_str(rng.pick(STREET_NAMES));
    }

    h.address5.clear();
    if rng.per_mille(150) {
        let a = &mut h.address5;
        let _ = match rng.below(10) {
            0..=5 => write!(a, "Lieu-dit {}", rng.pick(LIEUX_DITS)),
            6..=8 => write!(a, "BP {}", rng.range(1, 999)),
            _ => write!(a, "Hameau de {}", rng.pick(HAMLETS)),
        };
    }

    let region;
    if rng.per_mille(20) {
        let (country, postcode, city) = rng.pick(FOREIGN_PLACES);
        h.country = country;
        h.postcode = postcode;
        h.city = city;
        region = FOREIGN;
    } else {
        let (postcode, city) = rng.pick(FRENCH_PLACES);
        h.country = "";
        h.postcode = postcode;
        h.city = city;
        region = region_of(postcode);
    }

    // Nearest-region dealership most of the time, any dealership otherwise.
    let local = DEALERS.iter().filter(|d| d.2 == region).count();
    h.dealer = if local > 0 && rng.per_mille(850) {
        let nth = rng.below(local);
        DEALERS
            .iter()
            .enumerate()
            .filter(|(_, d)| d.2 == region)
            .nth(nth)
            .map_or(0, |(i, _)| i)
    } else {
        rng.below(DEALERS.len())
    };
}

/// Appends `s` lower-cased and folded to ASCII letters, digits and hyphens (for e-mail local parts).
fn push_ascii_folded(s: &str, out: &mut String) {
    for c in s.chars() {
        let folded = match c {
            'a'..='z' | '0'..='9' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' => 'a',
            'ç' | 'Ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'í' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ÿ' | 'Ÿ' => 'y',
            'ñ' | 'Ñ' => 'n',
            'œ' | 'Œ' => {
                out.push_str("oe");
                continue;
            }
            'æ' | 'Æ' => {
                out.push_str("ae");
                continue;
            }
            _ => continue, // spaces, apostrophes, anything else
        };
        out.push(folded);
    }
}

/// Fills `rec` with record `index` (1-based).
fn fill_record(seed: u64, index: u64, s: &mut Scratch, rec: &mut csv::StringRecord) {
    let head = if joins_previous(seed, index) {
        index - 1
    } else {
        index
    };
    gen_household(seed, head, &mut s.house);
    let h = &s.house;

    let mut rng = Rng::new(seed, index, STREAM_PERSON);
    let female = rng.below(2) == 0;
    let (civility, first_name) = if female {
        ("Mme", rng.pick(FEMALE_FIRST_NAMES))
    } else {
        ("M.", rng.pick(MALE_FIRST_NAMES))
    };

    s.id.clear();
    let _ = write!(s.id, "C{index:06}");

    s.email.clear();
    push_ascii_folded(first_name, &mut s.email);
    s.email.push('.');
    push_ascii_folded(h.last_name, &mut s.email);
    let _ = write!(s.email, "+{index}@{}", rng.pick(EMAIL_DOMAINS));

    s.mobile.clear();
    if !rng.per_mille(100) {
        let _ = write!(
            s.mobile,
            "0{} {:02} {:02} {:02} {:02}",
            6 + rng.below(2),
            rng.below(100),
            rng.below(100),
            rng.below(100),
            rng.below(100)
        );
    }

    let flag = |b: bool| if b { "1" } else { "0" };
    let consent_email = flag(rng.per_mille(600));
    let consent_sms = flag(rng.per_mille(400));
    let postal_optout = flag(rng.per_mille(20));

    s.household.clear();
    let _ = write!(s.household, "H{head:06}");

    let vehicle = rng.pick(VEHICLES);
    let (dealer, dealer_city, _) = DEALERS[h.dealer];

    rec.clear();
    rec.push_field(&s.id);
    rec.push_field(civility);
    rec.push_field(first_name);
    rec.push_field(h.last_name);
    rec.push_field(&h.company);
    rec.push_field(&h.address2);
    rec.push_field(&h.address3);
    rec.push_field(&h.street);
    rec.push_field(&h.address5);
    rec.push_field(h.postcode);
    rec.push_field(h.city);
    rec.push_field(h.country);
    rec.push_field(&s.email);
    rec.push_field(&s.mobile);
    rec.push_field(consent_email);
    rec.push_field(consent_sms);
    rec.push_field(postal_optout);
    rec.push_field(&s.household);
    rec.push_field(vehicle);
    rec.push_field(dealer);
    rec.push_field(dealer_city);
}

/// Writes `n` synthetic contacts as UTF-8 CSV (comma, header line, LF) to `out`; the same `(n, seed)` gives the same bytes.
pub fn write_contacts<W: std::io::Write>(n: usize, seed: u64, out: W) -> std::io::Result<()> {
    let mut wtr = csv::WriterBuilder::new()
        .delimiter(b',')
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .buffer_capacity(1 << 16)
        .from_writer(out);
    wtr.write_record(CONTACT_COLUMNS).map_err(csv_to_io)?;

    let mut scratch = Scratch::default();
    let mut rec = csv::StringRecord::with_capacity(512, CONTACT_COLUMNS.len());
    for index in 1..=n as u64 {
        fill_record(seed, index, &mut scratch, &mut rec);
        wtr.write_record(&rec).map_err(csv_to_io)?;
    }
    wtr.flush()
}

fn csv_to_io(e: csv::Error) -> io::Error {
    if e.is_io_error() {
        match e.into_kind() {
            csv::ErrorKind::Io(err) => err,
            other => io::Error::other(format!("{other:?}")),
        }
    } else {
        io::Error::other(e)
    }
}

// ---------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------

/// Sine computed with plain arithmetic only, so images are bit-identical on every platform.
fn det_sin(x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI, TAU};
    let mut r = x - (x / TAU).round() * TAU;
    if r > FRAC_PI_2 {
        r = PI - r;
    } else if r < -FRAC_PI_2 {
        r = -PI - r;
    }
    let r2 = r * r;
    // Taylor series to x^13: error < 1e-9 on [-pi/2, pi/2].
    let mut term = r;
    let mut sum = r;
    for k in 1..=6 {
        let k = f64::from(k);
        term *= -r2 / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
    }
    sum
}

fn det_cos(x: f64) -> f64 {
    det_sin(x + std::f64::consts::FRAC_PI_2)
}

/// Distance from `p` to segment `a`–`b`.
fn seg_dist(px: f64, py: f64, ax: f64, ay: f64, bx: f64, by: f64) -> f64 {
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (ax + t * dx - px, ay + t * dy - py);
    (qx * qx + qy * qy).sqrt()
}

/// Signed distance to a rounded box centred on (`cx`, `cy`) with half size `h` and corner radius `r`.
fn rounded_box_dist(px: f64, py: f64, cx: f64, cy: f64, h: f64, r: f64) -> f64 {
    let qx = (px - cx).abs() - (h - r);
    let qy = (py - cy).abs() - (h - r);
    let ox = qx.max(0.0);
    let oy = qy.max(0.0);
    (ox * ox + oy * oy).sqrt() + qx.max(qy).min(0.0) - r
}

/// Anti-aliased coverage of a shape from its signed distance (pixel units).
fn coverage(d: f64) -> f64 {
    (0.5 - d).clamp(0.0, 1.0)
}

const LOGO_W: usize = 600;
const LOGO_H: usize = 200;

/// Renders the brand mark as non-premultiplied RGBA8.
fn render_logo() -> Vec<u8> {
    let navy: [f64; 3] = [27.0, 42.0, 74.0];
    let teal = [18.0, 161.0, 155.0];
    let blue = [31.0, 78.0, 154.0];
    let orange = [242.0, 140.0, 40.0];
    let white = [255.0, 255.0, 255.0];

    let chevron = |px: f64, py: f64, ox: f64| {
        let d1 = seg_dist(px, py, 62.0 + ox, 58.0, 100.0 + ox, 100.0);
        let d2 = seg_dist(px, py, 100.0 + ox, 100.0, 62.0 + ox, 142.0);
        d1.min(d2) - 10.0
    };

    let mut img = vec![0_u8; LOGO_W * LOGO_H * 4];
    for y in 0..LOGO_H {
        for x in 0..LOGO_W {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            // Premultiplied accumulation, painted back to front.
            let mut acc = [0.0_f64; 4];
            let mut paint = |rgb: [f64; 3], a: f64| {
                if a > 0.0 {
                    for c in 0..3 {
                        acc[c] = rgb[c] * a + acc[c] * (1.0 - a);
                    }
                    acc[3] = a + acc[3] * (1.0 - a);
                }
            };

            // Badge: rounded square with a diagonal blue-to-teal gradient.
            let badge = coverage(rounded_box_dist(px, py, 100.0, 100.0, 82.0, 34.0));
            if badge > 0.0 {
                let t = ((px - 18.0 + py - 18.0) / 328.0).clamp(0.0, 1.0);
                let mut rgb = [0.0; 3];
                for c in 0..3 {
                    rgb[c] = blue[c] + (teal[c] - blue[c]) * t;
                }
                paint(rgb, badge);
            }
            // Two white chevrons, the second one slightly translucent.
            paint(white, coverage(chevron(px, py, 0.0)));
            paint(white, 0.7 * coverage(chevron(px, py, 38.0)));
            // Bars standing in for the brand name and tagline.
            paint(navy, coverage(seg_dist(px, py, 228.0, 68.0, 566.0, 68.0) - 18.0));
            paint(
                teal,
                coverage(seg_dist(px, py, 228.0, 116.0, 474.0, 116.0) - 11.0),
            );
            paint(
                orange,
                coverage(seg_dist(px, py, 228.0, 150.0, 392.0, 150.0) - 7.0),
            );

            let o = (y * LOGO_W + x) * 4;
            let a = acc[3];
            if a > 0.0 {
                for c in 0..3 {
                    img[o + c] = (acc[c] / a).round().clamp(0.0, 255.0) as u8;
                }
                img[o + 3] = (a * 255.0).round() as u8;
            }
        }
    }
    img
}

const SIG_W: usize = 400;
const SIG_H: usize = 120;

/// Renders a dark-blue handwritten-looking signature on white as RGB8.
fn render_signature() -> Vec<u8> {
    use std::f64::consts::TAU;
    // For each pixel, the best (half width - distance) over all stroke segments.
    let mut field = vec![f64::NEG_INFINITY; SIG_W * SIG_H];
    let mut stroke = |pts: &[(f64, f64, f64)]| {
        for w in pts.windows(2) {
            let (ax, ay, aw) = w[0];
            let (bx, by, bw) = w[1];
            let hw = 0.5 * (aw + bw);
            let margin = hw + 1.5;
            let x0 = (ax.min(bx) - margin).floor().max(0.0) as usize;
            let x1 = ((ax.max(bx) + margin).ceil() as usize).min(SIG_W - 1);
            let y0 = (ay.min(by) - margin).floor().max(0.0) as usize;
            let y1 = ((ay.max(by) + margin).ceil() as usize).min(SIG_H - 1);
            for y in y0..=y1 {
                for x in x0..=x1 {
                    let d = seg_dist(x as f64 + 0.5, y as f64 + 0.5, ax, ay, bx, by);
                    let v = &mut field[y * SIG_W + x];
                    *v = v.max(hw - d);
                }
            }
        }
    };

    // Main cursive stroke: a trochoid (loops) modulated by slow sines.
    let n = 2400;
    let main: Vec<(f64, f64, f64)> = (0..=n)
        .map(|i| {
            let t = f64::from(i) / f64::from(n);
            let phase = TAU * 6.5 * t;
            // Taller first loop, like a capital initial.
            let cap = (1.0 - t / 0.18).max(0.0);
            let env = 0.6 + 0.35 * det_sin(TAU * 1.3 * t + 0.4) + 0.7 * cap * cap;
            let x = 34.0 + 300.0 * t - 15.0 * det_sin(phase);
            let y = 58.0
                - 24.0 * env * det_cos(phase + 0.3)
                - 7.0 * det_sin(TAU * 0.9 * t)
                - 4.0 * det_sin(TAU * 3.1 * t + 1.0);
            let w = 1.35 + 0.75 * (0.5 + 0.5 * det_sin(TAU * 3.7 * t + 0.8));
            (x, y, w)
        })
        .collect();
    stroke(&main);

    // Underline flourish, thinning towards its end.
    let m = 800;
    let flourish: Vec<(f64, f64, f64)> = (0..=m)
        .map(|i| {
            let s = f64::from(i) / f64::from(m);
            let x = 48.0 + 322.0 * s;
            let y = 97.0 - 9.0 * det_sin(std::f64::consts::PI * s) + 3.0 * det_sin(TAU * 1.5 * s);
            let w = 1.7 * (1.0 - 0.75 * s) + 0.25;
            (x, y, w)
        })
        .collect();
    stroke(&flourish);

    let ink = [22.0_f64, 38.0, 112.0];
    let mut img = vec![255_u8; SIG_W * SIG_H * 3];
    for (px, &v) in img.chunks_exact_mut(3).zip(field.iter()) {
        let a = (v + 0.5).clamp(0.0, 1.0);
        if a > 0.0 {
            for c in 0..3 {
                px[c] = (255.0 + (ink[c] - 255.0) * a).round() as u8;
            }
        }
    }
    img
}

/// Writes the sample campaign's images into `dir`: `logo.png` (RGB with alpha) and `signature.jpg` (greyscale or RGB baseline JPEG).
pub fn write_assets(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_logo(&dir.join("logo.png"))?;
    write_signature(&dir.join("signature.jpg"))
}

fn write_logo(path: &Path) -> io::Result<()> {
    let rgba = render_logo();
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, LOGO_W as u32, LOGO_H as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    let mut writer = enc.write_header()?;
    writer.write_image_data(&rgba)?;
    writer.finish()?;
    Ok(())
}

fn write_signature(path: &Path) -> io::Result<()> {
    let rgb = render_signature();
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    let enc = jpeg_encoder::Encoder::new(file, 85);
    enc.encode(&rgb, SIG_W as u16, SIG_H as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(io::Error::other)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(n: usize, seed: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_contacts(n, seed, &mut out).unwrap();
        out
    }

    fn parse(bytes: &[u8]) -> (csv::StringRecord, Vec<csv::StringRecord>) {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = rdr.headers().unwrap().clone();
        let rows = rdr.records().map(|r| r.unwrap()).collect();
        (header, rows)
    }

    fn col(name: &str) -> usize {
        CONTACT_COLUMNS.iter().position(|c| *c == name).unwrap()
    }

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(generate(500, 42), generate(500, 42));
        assert_ne!(generate(500, 42), generate(500, 43));
    }

    #[test]
    fn records_do_not_depend_on_n() {
        let (_, small) = parse(&generate(10, 7));
        let (_, large) = parse(&generate(100, 7));
        assert_eq!(small.len(), 10);
        assert_eq!(large.len(), 100);
        assert_eq!(small[..], large[..10]);
        let a = generate(10, 7);
        assert_eq!(a[..], generate(100, 7)[..a.len()]);
    }

    #[test]
    fn header_and_field_count() {
        let bytes = generate(2000, 1);
        let (header, rows) = parse(&bytes);
        assert_eq!(header.iter().collect::<Vec<_>>(), CONTACT_COLUMNS);
        assert_eq!(rows.len(), 2000);
        for r in &rows {
            assert_eq!(r.len(), 21, "{r:?}");
            assert!(r.iter().all(|f| !f.contains('\n') && !f.contains('\r')));
        }
        assert!(bytes.ends_with(b"\n") && !bytes.contains(&b'\r'));
        assert!(bytes.starts_with(b"id,civility,first_name,"));
    }

    #[test]
    fn ids_postcodes_and_flags() {
        let (_, rows) = parse(&generate(5000, 2024));
        let mut ids = std::collections::HashSet::new();
        let (mut optout, mut email, mut sms, mut foreign) = (0, 0, 0, 0);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(&r[col("id")], format!("C{:06}", i + 1));
            assert!(ids.insert(r[col("id")].to_string()));
            assert!(matches!(&r[col("civility")], "M." | "Mme"));
            let pc = &r[col("postcode")];
            if r[col("country")].is_empty() {
                assert_eq!(pc.len(), 5, "{pc}");
                assert!(pc.bytes().all(|b| b.is_ascii_digit()));
            } else {
                foreign += 1;
                assert!(!pc.is_empty());
            }
            for name in ["consent_email", "consent_sms", "postal_optout"] {
                assert!(matches!(&r[col(name)], "0" | "1"));
            }
            optout += usize::from(&r[col("postal_optout")] == "1");
            email += usize::from(&r[col("consent_email")] == "1");
            sms += usize::from(&r[col("consent_sms")] == "1");
            let mobile = &r[col("mobile")];
            assert!(mobile.is_empty() || (mobile.len() == 14 && mobile.starts_with('0')));
            assert!(r[col("email")].is_ascii() && r[col("email")].contains('@'));
            assert!(VEHICLES.contains(&&r[col("vehicle")]));
        }
        assert!((50..=160).contains(&optout), "optout {optout}");
        assert!((2700..=3300).contains(&email), "email {email}");
        assert!((1700..=2300).contains(&sms), "sms {sms}");
        assert!((40..=170).contains(&foreign), "foreign {foreign}");
    }

    #[test]
    fn households_and_addresses() {
        let (_, rows) = parse(&generate(5000, 99));
        let mut shared = 0;
        let mut long = 0;
        let mut quoted = 0;
        for (i, r) in rows.iter().enumerate() {
            let hh = &r[col("household")];
            if i > 0 && hh == &rows[i - 1][col("household")] {
                shared += 1;
                for name in ["last_name", "street", "postcode", "city", "address2"] {
                    assert_eq!(&r[col(name)], &rows[i - 1][col(name)]);
                }
            } else {
                assert_eq!(hh, format!("H{:06}", i + 1));
            }
            if r[col("street")].chars().count() > 38 {
                long += 1;
            }
            for name in ["address2", "address3", "address5"] {
                assert!(r[col(name)].chars().count() <= 38, "{}", &r[col(name)]);
            }
            if r.iter().any(|f| f.contains(',') || f.contains('"')) {
                quoted += 1;
            }
        }
        assert!((350..=650).contains(&shared), "shared {shared}");
        assert!((60..=250).contains(&long), "long {long}");
        assert!((8..=60).contains(&quoted), "quoted {quoted}");
    }

    #[test]
    fn tables_are_sane() {
        let mut places = std::collections::HashSet::new();
        for (pc, city) in FRENCH_PLACES {
            assert_eq!(pc.len(), 5);
            assert!(places.insert((pc, city)), "duplicate {pc} {city}");
        }
        assert!(places.len() >= 80);
        for street in LONG_STREETS {
            assert!(street.chars().count() + 2 > 38);
        }
        for name in STREET_NAMES {
            assert!(name.chars().count() <= 20, "{name}");
        }
        assert!((20..=24).contains(&DEALERS.len()));
    }

    #[test]
    fn ascii_folding() {
        let mut s = String::new();
        push_ascii_folded("Jean-François", &mut s);
        s.push('.');
        push_ascii_folded("de La Fontaine", &mut s);
        s.push('.');
        push_ascii_folded("d'Aubigné Œ", &mut s);
        assert_eq!(s, "jean-francois.delafontaine.daubigneoe");
    }

    #[test]
    fn deterministic_sine() {
        for i in -200..200 {
            let x = f64::from(i) * 0.173;
            assert!((det_sin(x) - x.sin()).abs() < 1e-8);
        }
    }

    #[test]
    fn assets_are_valid() {
        let dir = std::env::temp_dir().join(format!("pli-samples-test-{}", std::process::id()));
        write_assets(&dir).unwrap();

        let png_bytes = std::fs::read(dir.join("logo.png")).unwrap();
        assert!(png_bytes.len() < 60_000, "logo {} bytes", png_bytes.len());
        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes[..]));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (600, 200));
        assert_eq!(info.color_type, png::ColorType::Rgba);
        assert_eq!(buf[3], 0, "corner must be transparent");

        let jpg = std::fs::read(dir.join("signature.jpg")).unwrap();
        assert!(jpg.len() < 60_000, "signature {} bytes", jpg.len());
        assert_eq!(&jpg[..2], &[0xFF, 0xD8]);
        assert_eq!(&jpg[jpg.len() - 2..], &[0xFF, 0xD9]);

        // Deterministic output.
        write_assets(&dir).unwrap();
        assert_eq!(std::fs::read(dir.join("logo.png")).unwrap(), png_bytes);
        assert_eq!(std::fs::read(dir.join("signature.jpg")).unwrap(), jpg);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
