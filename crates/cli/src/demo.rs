//! `inzage demo`: the demo organisation (idempotent) and, with --clients,
//! a generated dataset at scale. Everything goes through the domain
//! services as the `demo` system principal, so it is audited like any write.
use crate::{exit, CliError};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use inzage_core::ids::*;
use inzage_core::model::*;
use inzage_core::types::{local_date, BirthDate, ClientNumber, Email, Label, MobileNumber};
use inzage_service::accounts::InviteTarget;
use inzage_service::admin::{NewClient, NewStaff, OrgSettings};
use inzage_service::writes::*;
use inzage_service::{Ctx, Services};
use std::time::Instant;

/// Generated clients per transaction.
const CHUNK: usize = 100;

pub const DEMO_ORG: &str = "Zorggroep De Linde (demo)";

/// The second demo organisation: mental health (GGZ), so a newcomer sees
/// both sectors' words (behandelaar and behandelplan there).
pub const DEMO_GGZ_ORG: &str = "GGZ Oost (demo)";

/// The password of every demo account (printed by `inzage demo`, in the README).
pub const DEMO_PASSWORD: &str = "Inzage-demo-2026";

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Also generate this many clients (numbers G000001…); existing ones are kept.
    #[arg(long, default_value_t = 0)]
    clients: u32,
    /// Reports per generated client.
    #[arg(long, default_value_t = 20)]
    reports_per_client: u32,
    /// Seed for the generated data.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Also write this many read events of the demo generator to the audit
    /// trail (a large trail to benchmark audit searches on).
    #[arg(long, default_value_t = 0)]
    audit_events: u64,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self {
            clients: 0,
            reports_per_client: 20,
            seed: 7,
            audit_events: 0,
        }
    }
}

/// splitmix64: small, deterministic, good enough for demo data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn l(s: &str) -> Result<Label, CliError> {
    Ok(Label::parse("demo", s)?)
}

struct Staff {
    anna: StaffId,
    joris: StaffId,
    fatima: StaffId,
}

const GIVEN: &[&str] = &[
    "Anouk", "Bram", "Chantal", "Daan", "Emma", "Fleur", "Gijs", "Hanna", "Ibrahim", "Jesse",
    "Kim", "Lotte", "Milan", "Noah", "Olga", "Priya", "Ruben", "Sanne", "Tim", "Yara", "Zeynep",
    "Lucas", "Julia", "Sem",
];
const FAMILY: &[&str] = &[
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Yilmaz",
    "El Idrissi",
    "Nguyen",
];
const CATEGORIES: &[&str] = &[
    "Dagrapportage",
    "Gesprek",
    "Medisch",
    "Wonen",
    "Werk en dagbesteding",
    "Contact met familie",
];
const SENTENCES: &[&str] = &[
    "Vandaag was een rustige dag.",
    "We hebben samen boodschappen gedaan.",
    "Je was op tijd bij je werk.",
    "We hebben gepraat over je doelen voor deze maand.",
    "Je vond het moeilijk om op tijd op te staan.",
    "Het ging goed met koken.",
    "Je hebt je moeder gebeld.",
    "Je hebt je medicijnen zelf op tijd ingenomen.",
    "We hebben afgesproken om volgende week weer te wandelen.",
    "Je was blij met het bezoek van je zus.",
    "Er was onrust in de groep. Je bleef rustig.",
    "Je hebt je kamer opgeruimd.",
    "We hebben de planning voor het weekend gemaakt.",
    "Je gaf aan dat je slecht had geslapen.",
];

fn split_family(f: &str) -> (Option<&str>, &str) {
    for p in ["van den ", "van der ", "van ", "de "] {
        if let Some(rest) = f.strip_prefix(p) {
            return (Some(p.trim_end()), rest);
        }
    }
    (None, f)
}

fn report_text(rng: &mut Rng) -> String {
    let n = 2 + rng.below(3);
    (0..n)
        .map(|_| rng.pick(SENTENCES))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A final report with a random category and text; `at` draws its time
/// after them (the order keeps the demo's random sequence).
fn final_report(
    rng: &mut Rng,
    author: &StaffId,
    author_role: Role,
    visible_to_client: bool,
    at: impl FnOnce(&mut Rng) -> chrono::DateTime<Utc>,
) -> ReportImport {
    let category = rng.pick(CATEGORIES).to_owned();
    let body = report_text(rng);
    ReportImport {
        author: author.clone(),
        author_role,
        category,
        body,
        status: DocStatus::Final,
        visible_to_client,
        created_at: at(rng),
    }
}

pub async fn run(svc: &Services, args: DemoArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let ctx = Ctx::system("demo");
    let (org, staff, team_ids) = match svc.find_organisation_by_name(DEMO_ORG).await? {
        Some(org) => {
            println!(
                "demo organisation already present ({}); nothing to add to it",
                org.id
            );
            let members = svc.list_staff(&ctx, &org.id).await?.into_inner();
            let find = |email: &str| {
                members
                    .iter()
                    .find(|m| m.email == email)
                    .map(|m| m.id.clone())
            };
            let teams = svc
                .list_teams(&org.id)
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect::<Vec<_>>();
            let staff = match (
                find("anna.bakker@demo.inzage.nl"),
                find("joris.visser@demo.inzage.nl"),
                find("fatima.elamrani@demo.inzage.nl"),
            ) {
                (Some(anna), Some(joris), Some(fatima)) => Staff {
                    anna,
                    joris,
                    fatima,
                },
                _ => {
                    return Err(CliError {
                        code: exit::CONFLICT_OR_NOT_FOUND,
                        message: "demo organisation is incomplete; use a fresh database".into(),
                    })
                }
            };
            (org.id, staff, teams)
        }
        None => {
            let (org, staff, teams) = base_demo(svc, &ctx).await?;
            println!("demo organisation loaded ({org})");
            (org, staff, teams)
        }
    };
    if svc.find_organisation_by_name(DEMO_GGZ_ORG).await?.is_none() {
        let ggz = ggz_demo(svc, &ctx).await?;
        println!("demo GGZ organisation loaded ({ggz})");
    }
    if args.clients > 0 {
        generate(svc, &ctx, &org, &staff, &team_ids, &args).await?;
    }
    if args.audit_events > 0 {
        let clients: Vec<_> = svc
            .list_clients(&ctx, &org)
            .await?
            .into_inner()
            .into_iter()
            .map(|c| c.id)
            .collect();
        svc.import_read_trail(&ctx, &clients, args.audit_events)
            .await?;
        println!("{} audit events written", args.audit_events);
    }
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    print_logins(svc, &org).await?;
    Ok(())
}

async fn print_logins(svc: &Services, org: &OrganisationId) -> Result<(), CliError> {
    println!(
        "demo accounts (password for all: {DEMO_PASSWORD}; the SMS code arrives in data/outbox; serve --dev-outbox shows it at /dev/outbox):"
    );
    println!("  {:<36} cliënt, open zorgperiode", "test.1@demo.inzage.nl");
    println!("  {:<36} cliënt, 15 jaar", "daan.2@demo.inzage.nl");
    println!(
        "  {:<36} cliënt, 10 dagen geleden uitgeschreven",
        "sara.3@demo.inzage.nl"
    );
    println!(
        "  {:<36} cliënt, 40 dagen geleden uitgeschreven (inloggen lukt niet meer)",
        "mohamed.4@demo.inzage.nl"
    );
    println!(
        "  {:<36} mentor van Test Client (cliëntplan, afspraken)",
        "mila.vries@voorbeeld.nl"
    );
    for m in svc
        .list_staff(&Ctx::system("demo"), org)
        .await?
        .into_inner()
    {
        let roles: Vec<&str> = m.roles.iter().map(|r| r.label_nl()).collect();
        println!("  {:<36} {}", m.email, roles.join(", "));
    }
    println!("  GGZ organisation ({DEMO_GGZ_ORG}: behandelaar, behandelplan):");
    println!("  {:<36} cliënt", "lotte.1@ggz.demo.inzage.nl");
    println!(
        "  {:<36} behandelaar + regiebehandelaar",
        "bas.jansen@ggz.demo.inzage.nl"
    );
    println!("  {:<36} secretariaat", "sanne.kok@ggz.demo.inzage.nl");
    Ok(())
}

/// The GGZ demo organisation: one team, a behandelaar, a secretary and one
/// client with a treatment plan, reports and an appointment.
async fn ggz_demo(svc: &Services, ctx: &Ctx) -> Result<OrganisationId, CliError> {
    let now = svc.clock().now();
    let today = local_date(now);
    let settings = OrgSettings {
        sector: inzage_web::i18n::Sector::MentalHealth,
        display_name: Some("GGZ Oost".into()),
        servicedesk_email: Some("servicedesk@ggz.demo.inzage.nl".into()),
        servicedesk_phone: Some("088 - 765 43 21".into()),
        help_url: Some("/hulp".into()),
        staff_sms_allowed: true,
        ..OrgSettings::default()
    };
    let org = svc
        .create_organisation(ctx, l(DEMO_GGZ_ORG)?, settings)
        .await?;
    let poli = svc
        .create_location(ctx, &org, l("Polikliniek Oost")?)
        .await?;
    let team = svc
        .create_team(ctx, &poli, l("Behandelteam Stemming")?)
        .await?;
    let member = |g: &str, f: &str, email: &str, roles: Vec<Role>| -> Result<NewStaff, CliError> {
        Ok(NewStaff {
            given_name: l(g)?,
            name_prefix: None,
            family_name: l(f)?,
            email: Email::parse(email)?,
            mobile: Some(MobileNumber::parse("06 8765 4321")?),
            roles,
            team_ids: vec![team.clone()],
        })
    };
    let bas = svc
        .create_staff(
            ctx,
            &org,
            member(
                "Bas",
                "Jansen",
                "bas.jansen@ggz.demo.inzage.nl",
                vec![Role::Practitioner, Role::PrimaryCaregiver],
            )?,
        )
        .await?;
    let sanne = svc
        .create_staff(
            ctx,
            &org,
            member(
                "Sanne",
                "Kok",
                "sanne.kok@ggz.demo.inzage.nl",
                vec![Role::Secretariat],
            )?,
        )
        .await?;
    for m in [&bas, &sanne] {
        svc.provision_account(ctx, InviteTarget::Staff(m.clone()), DEMO_PASSWORD)
            .await?;
    }
    let start = today - Duration::days(120);
    let lotte = svc
        .create_client(
            ctx,
            &org,
            NewClient {
                client_number: ClientNumber::parse("GGZ-1")?,
                given_name: l("Lotte")?,
                name_prefix: None,
                family_name: l("Meijer")?,
                birth_date: BirthDate::parse("14-02-1996", today)?,
                street: Some(l("Stationsweg")?),
                house_number: Some(l("4")?),
                postal_code: Some(l("5611 AB")?),
                city: Some(l("Eindhoven")?),
                email: Some(Email::parse("lotte.1@ggz.demo.inzage.nl")?),
                mobile: Some(MobileNumber::parse("06 5555 0101")?),
                team_id: Some(team.clone()),
                primary_caregiver_id: Some(bas.clone()),
            },
            Some(start),
        )
        .await?;
    let mut imp = DossierImport::default();
    imp.plans.push(PlanImport {
        plan_date: start + Duration::days(14),
        status: DocStatus::Final,
        created_by: bas.clone(),
        sections: vec![
            (
                "Stemming".into(),
                "Minder somber zijn en weer plezier hebben in dingen.".into(),
                "Elke week een gesprek met Bas. Elke dag een wandeling.".into(),
            ),
            (
                "Werk".into(),
                "Weer twee dagen per week werken.".into(),
                "Samen met de bedrijfsarts een plan maken.".into(),
            ),
        ],
    });
    let mut rng = Rng(11);
    for k in 0..6i64 {
        imp.reports.push(final_report(
            &mut rng,
            &bas,
            Role::Practitioner,
            true,
            |_| now - Duration::days(3 + k * 7),
        ));
    }
    let at = Utc.from_utc_datetime(
        &(today + Duration::days(5))
            .and_hms_opt(10, 0, 0)
            .unwrap_or_default(),
    );
    imp.appointments.push(AppointmentImport {
        starts_at: at,
        ends_at: at + Duration::minutes(50),
        practitioner: bas.clone(),
        place: "Polikliniek Oost, kamer 3".into(),
        description: "Gesprek over je behandelplan".into(),
        status: AppointmentStatus::Planned,
    });
    svc.import_dossier(ctx, &lotte, imp).await?;
    svc.provision_account(ctx, InviteTarget::Client(lotte), DEMO_PASSWORD)
        .await?;
    Ok(org)
}

async fn base_demo(
    svc: &Services,
    ctx: &Ctx,
) -> Result<(OrganisationId, Staff, Vec<TeamId>), CliError> {
    let now = svc.clock().now();
    let today = local_date(now);
    let settings = OrgSettings {
        servicedesk_email: Some("servicedesk@demo.inzage.nl".into()),
        servicedesk_phone: Some("085 - 130 45 75".into()),
        help_url: Some("/hulp".into()),
        // So a newcomer can sign in as staff with the SMS code from the outbox.
        staff_sms_allowed: true,
        ..OrgSettings::default()
    };
    let org = svc.create_organisation(ctx, l(DEMO_ORG)?, settings).await?;
    let linde = svc.create_location(ctx, &org, l("De Linde")?).await?;
    let anker = svc.create_location(ctx, &org, l("Het Anker")?).await?;
    let team_linde = svc
        .create_team(ctx, &linde, l("Woongroep De Linde")?)
        .await?;
    let team_anker = svc
        .create_team(ctx, &anker, l("Ambulant team Het Anker")?)
        .await?;
    let staff = |g: &str,
                 p: Option<&str>,
                 f: &str,
                 email: &str,
                 roles: Vec<Role>,
                 teams: Vec<TeamId>|
     -> Result<NewStaff, CliError> {
        Ok(NewStaff {
            given_name: l(g)?,
            name_prefix: p.map(l).transpose()?,
            family_name: l(f)?,
            email: Email::parse(email)?,
            mobile: Some(MobileNumber::parse("06 1234 5678")?),
            roles,
            team_ids: teams,
        })
    };
    let anna = svc
        .create_staff(
            ctx,
            &org,
            staff(
                "Anna",
                None,
                "Bakker",
                "anna.bakker@demo.inzage.nl",
                vec![Role::Caregiver, Role::PrimaryCaregiver],
                vec![team_linde.clone()],
            )?,
        )
        .await?;
    let joris = svc
        .create_staff(
            ctx,
            &org,
            staff(
                "Joris",
                None,
                "Visser",
                "joris.visser@demo.inzage.nl",
                vec![Role::Caregiver],
                vec![team_linde.clone()],
            )?,
        )
        .await?;
    let fatima = svc
        .create_staff(
            ctx,
            &org,
            staff(
                "Fatima",
                None,
                "El Amrani",
                "fatima.elamrani@demo.inzage.nl",
                vec![Role::Practitioner, Role::PrimaryCaregiver],
                vec![team_anker.clone()],
            )?,
        )
        .await?;
    svc.create_staff(
        ctx,
        &org,
        staff(
            "Kees",
            Some("de"),
            "Jong",
            "kees.dejong@demo.inzage.nl",
            vec![Role::Secretariat],
            vec![team_linde.clone(), team_anker.clone()],
        )?,
    )
    .await?;
    svc.create_staff(
        ctx,
        &org,
        staff(
            "Ria",
            None,
            "Smit",
            "ria.smit@demo.inzage.nl",
            vec![Role::FunctionalAdmin],
            vec![],
        )?,
    )
    .await?;
    svc.create_staff(
        ctx,
        &org,
        staff(
            "Pieter",
            None,
            "Mulder",
            "pieter.mulder@demo.inzage.nl",
            vec![Role::PrivacyOfficer],
            vec![],
        )?,
    )
    .await?;
    let st = Staff {
        anna: anna.clone(),
        joris: joris.clone(),
        fatima: fatima.clone(),
    };
    for m in svc.list_staff(ctx, &org).await?.into_inner() {
        svc.provision_account(ctx, InviteTarget::Staff(m.id.clone()), DEMO_PASSWORD)
            .await?;
    }

    struct Demo<'a> {
        number: &'a str,
        given: &'a str,
        prefix: Option<&'a str>,
        family: &'a str,
        birth: &'a str,
        team: &'a TeamId,
        pc: &'a StaffId,
        start: NaiveDate,
        discharged_days_ago: Option<i64>,
    }
    let clients = [
        Demo {
            number: "C-1001",
            given: "Test",
            prefix: None,
            family: "Client",
            birth: "12-03-1985",
            team: &team_linde,
            pc: &anna,
            start: NaiveDate::from_ymd_opt(2017, 9, 1).unwrap_or(today),
            discharged_days_ago: None,
        },
        Demo {
            number: "C-1002",
            given: "Daan",
            prefix: None,
            family: "Jansen",
            birth: &format!(
                "05-05-{}",
                today
                    .format("%Y")
                    .to_string()
                    .parse::<i32>()
                    .unwrap_or(2026)
                    - 15
            ),
            team: &team_anker,
            pc: &fatima,
            start: today - Duration::days(300),
            discharged_days_ago: None,
        },
        Demo {
            number: "C-1003",
            given: "Sara",
            prefix: None,
            family: "Öztürk",
            birth: "21-07-1994",
            team: &team_anker,
            pc: &fatima,
            start: today - Duration::days(500),
            discharged_days_ago: Some(10),
        },
        Demo {
            number: "C-1004",
            given: "Mohamed",
            prefix: None,
            family: "Bouzid",
            birth: "02-11-1979",
            team: &team_linde,
            pc: &anna,
            start: today - Duration::days(700),
            discharged_days_ago: Some(40),
        },
    ];
    let mut rng = Rng(42);
    for (ci, d) in clients.iter().enumerate() {
        let new = NewClient {
            client_number: ClientNumber::parse(d.number)?,
            given_name: l(d.given)?,
            name_prefix: d.prefix.map(l).transpose()?,
            family_name: l(d.family)?,
            birth_date: BirthDate::parse(d.birth, today)?,
            street: Some(l("Lindelaan")?),
            house_number: Some(l(&format!("{}", 10 + ci))?),
            postal_code: Some(l("3512 AB")?),
            city: Some(l("Utrecht")?),
            email: Some(Email::parse(&format!(
                "{}.{}@demo.inzage.nl",
                d.given.to_lowercase(),
                ci + 1
            ))?),
            mobile: Some(MobileNumber::parse(&format!("06 5555 00{:02}", ci + 1))?),
            team_id: Some(d.team.clone()),
            primary_caregiver_id: Some(d.pc.clone()),
        };
        let client = svc.create_client(ctx, &org, new, Some(d.start)).await?;
        let other = if d.pc == &anna { &joris } else { &fatima };
        let author_role = |s: &StaffId| {
            if s == &fatima {
                Role::Practitioner
            } else if s == &anna {
                Role::PrimaryCaregiver
            } else {
                Role::Caregiver
            }
        };
        // A discharged client's dossier ends at the discharge: nothing in it
        // is dated after that day (the portal stays readable for the grace
        // period, so these dates show).
        let (until, last_day) = match d.discharged_days_ago.map(Duration::days) {
            Some(gone) => (now - gone, today - gone),
            None => (now, today),
        };
        let mut imp = DossierImport::default();
        // Plans: the seed's 06-09-2017 version for the first client, then yearly versions and a draft.
        let plan_dates: Vec<NaiveDate> = if ci == 0 {
            vec![
                NaiveDate::from_ymd_opt(2017, 9, 6).unwrap_or(today),
                last_day - Duration::days(400),
                last_day - Duration::days(30),
            ]
        } else {
            vec![d.start + Duration::days(14), last_day - Duration::days(10)]
        };
        for (pi, date) in plan_dates.iter().enumerate() {
            imp.plans.push(PlanImport {
                plan_date: *date,
                status: DocStatus::Final,
                created_by: d.pc.clone(),
                sections: plan_sections(pi),
            });
        }
        imp.plans.push(PlanImport {
            plan_date: last_day,
            status: DocStatus::Draft,
            created_by: d.pc.clone(),
            sections: plan_sections(9),
        });
        // Reports: final visible, hidden, a recent draft, from two authors.
        for k in 0..10i64 {
            let author = if k % 3 == 0 { other } else { d.pc };
            imp.reports.push(final_report(
                &mut rng,
                author,
                author_role(author),
                k != 4,
                |rng| until - Duration::days(2 + k * 3) - Duration::hours(rng.below(8) as i64),
            ));
        }
        // Older reports, one every five days, so the tile has pages (a
        // real dossier holds hundreds) and the load test reads a full page.
        for k in 0..50i64 {
            let at = until - Duration::days(32 + k * 5) - Duration::hours(rng.below(8) as i64);
            if at.date_naive() <= d.start {
                break;
            }
            let author = if k % 4 == 0 { other } else { d.pc };
            imp.reports.push(final_report(
                &mut rng,
                author,
                author_role(author),
                true,
                |_| at,
            ));
        }
        // A draft in progress, only for clients still in care (its
        // finalise job would publish it at once after a discharge).
        if d.discharged_days_ago.is_none() {
            imp.reports.push(ReportImport {
                author: d.pc.clone(),
                author_role: author_role(d.pc),
                category: "Dagrapportage".into(),
                body: "Concept: nog niet klaar. Dit zie je pas als het definitief is.".into(),
                status: DocStatus::Draft,
                visible_to_client: true,
                created_at: now - Duration::hours(2),
            });
        }
        // Appointments: three past, three future (one cancelled); none
        // after a discharge.
        for k in [-21i64, -14, -7, 3, 10, 17] {
            if k > 0 && d.discharged_days_ago.is_some() {
                continue;
            }
            let day = last_day + Duration::days(k);
            let start = Utc.from_utc_datetime(
                &day.and_hms_opt(9 + (k.rem_euclid(5)) as u32, 0, 0)
                    .unwrap_or_default(),
            );
            imp.appointments.push(AppointmentImport {
                starts_at: start,
                ends_at: start + Duration::minutes(45),
                practitioner: if k % 2 == 0 {
                    d.pc.clone()
                } else {
                    other.clone()
                },
                place: if d.team == &team_linde {
                    "De Linde, kamer 2".into()
                } else {
                    "Het Anker, spreekkamer 1".into()
                },
                description: if k > 0 {
                    "Gesprek over je cliëntplan".into()
                } else {
                    "Evaluatie".into()
                },
                status: if k == 10 {
                    AppointmentStatus::Cancelled
                } else {
                    AppointmentStatus::Planned
                },
            });
        }
        let name = format!("{} {}", d.given, d.family);
        imp.documents.push(DocumentImport {
            title: "Welkomstbrief".into(),
            doc_type: "Brief".into(),
            doc_date: d.start,
            content_type: "application/pdf".into(),
            bytes: crate::pdf::simple_pdf(
                "Welkom bij Zorggroep De Linde",
                &[
                    format!("Beste {name},"),
                    String::new(),
                    "Fijn dat je bij ons bent.".into(),
                    "Je begeleider helpt je graag op weg.".into(),
                ],
            ),
            visible_to_client: true,
            uploaded_by: d.pc.clone(),
        });
        imp.documents.push(DocumentImport {
            title: "Verslag evaluatiegesprek".into(),
            doc_type: "Verslag".into(),
            doc_date: last_day - Duration::days(30),
            content_type: "application/pdf".into(),
            bytes: crate::pdf::simple_pdf(
                "Verslag evaluatiegesprek",
                &[
                    format!("Cliënt: {name}"),
                    "We hebben je doelen besproken.".into(),
                    "Het gaat goed met wonen en werk.".into(),
                ],
            ),
            visible_to_client: true,
            uploaded_by: d.pc.clone(),
        });
        imp.documents.push(DocumentImport {
            title: "Intern overleg (niet zichtbaar voor cliënt)".into(),
            doc_type: "Intern".into(),
            doc_date: last_day - Duration::days(15),
            content_type: "application/pdf".into(),
            bytes: crate::pdf::simple_pdf(
                "Intern overleg",
                &[format!("Over: {name}"), "Alleen voor medewerkers.".into()],
            ),
            visible_to_client: false,
            uploaded_by: d.pc.clone(),
        });
        svc.import_dossier(ctx, &client, imp).await?;
        // Contact persons.
        let valid_from = now - Duration::days(60);
        let mut first_contact = None;
        if ci == 0 {
            first_contact = Some(
                svc.add_contact_person(
                    ctx,
                    &client,
                    contact("Mila", Some("de"), "Vries", Relation::Mentor)?,
                    NewGrant {
                        parts: vec![DossierPart::ClientPlan, DossierPart::Appointments],
                        valid_from,
                        valid_until: None,
                        consent_recorded_by: anna.clone(),
                    },
                )
                .await?
                .0,
            );
            // Mila is recorded as Test Client's legal representative: she
            // may ask for an afschrift (issue 15).
            if let Some(mila) = &first_contact {
                svc.set_representative(
                    &inzage_service::Ctx::new(Principal::Staff {
                        staff_id: anna.clone(),
                    }),
                    &client,
                    mila,
                    true,
                    "Mentorschap, beschikking van de kantonrechter (demo)",
                )
                .await?;
            }
            svc.add_contact_person(
                ctx,
                &client,
                contact("Peter", None, "Client", Relation::Family)?,
                NewGrant {
                    parts: vec![DossierPart::Reports, DossierPart::Appointments],
                    valid_from,
                    valid_until: Some(now + Duration::days(90)),
                    consent_recorded_by: anna.clone(),
                },
            )
            .await?;
        }
        if ci == 1 {
            svc.add_contact_person(
                ctx,
                &client,
                contact("Ellen", None, "Jansen", Relation::LegalRepresentative)?,
                NewGrant {
                    parts: DossierPart::ALL
                        .iter()
                        .copied()
                        .filter(|p| *p != DossierPart::Episodes)
                        .collect(),
                    valid_from,
                    valid_until: None,
                    consent_recorded_by: fatima.clone(),
                },
            )
            .await?;
        }
        if ci == 2 {
            // An adult who manages their own network (issue 15): her
            // partner may read her reports and appointments, and she can
            // stop that herself.
            first_contact = Some(
                svc.add_contact_person(
                    ctx,
                    &client,
                    contact("Noah", None, "Bakker", Relation::Partner)?,
                    NewGrant {
                        parts: vec![DossierPart::Reports, DossierPart::Appointments],
                        valid_from,
                        valid_until: None,
                        consent_recorded_by: anna.clone(),
                    },
                )
                .await?
                .0,
            );
        }
        svc.provision_account(ctx, InviteTarget::Client(client.clone()), DEMO_PASSWORD)
            .await?;
        if let Some(cp) = first_contact {
            svc.provision_account(ctx, InviteTarget::ContactPerson(cp), DEMO_PASSWORD)
                .await?;
        }
        if ci == 0 {
            client_voice(svc, &client, &anna).await?;
        }
        if let Some(days) = d.discharged_days_ago {
            svc.end_episode(ctx, &client, today - Duration::days(days))
                .await?;
        }
    }
    Ok((org, st, vec![team_linde, team_anker]))
}

/// The first client's voice (issue 15): an addition to their personal
/// data and a correction asked on their newest report, still open, so a
/// newcomer sees both in the portal and in the team's queue.
async fn client_voice(svc: &Services, client: &ClientId, anna: &StaffId) -> Result<(), CliError> {
    use inzage_service::requests::{RequestAbout, RequestKind};
    let me = Ctx::new(Principal::Client {
        client_id: client.clone(),
    });
    svc.ask(
        &me,
        client,
        RequestKind::Addition,
        RequestAbout::Profile,
        "Ik heb ook een tweede voornaam: Maria. Die staat er niet bij.",
    )
    .await?;
    let newest = svc
        .list_reports(
            &me,
            client,
            inzage_service::dossier::ReportFilter {
                page: 1,
                per_page: 1,
                ..Default::default()
            },
        )
        .await?
        .into_inner()
        .items
        .into_iter()
        .next();
    if let Some(report) = newest {
        svc.ask(
            &me,
            client,
            RequestKind::Correction,
            RequestAbout::Report(report.id),
            "Dit klopt niet. Ik was die dag niet boos, ik was moe.",
        )
        .await?;
    }
    // A question to the team, answered.
    let q = svc
        .ask_team(
            &me,
            client,
            "Mag ik zaterdag later thuiskomen? Er is een feest.",
        )
        .await?;
    let team = Ctx::new(Principal::Staff {
        staff_id: anna.clone(),
    });
    svc.add_to_question(
        &team,
        client,
        &q,
        "Ja, dat mag. Laat het ons weten als je thuis bent. Veel plezier!",
    )
    .await?;
    Ok(())
}

fn contact(
    g: &str,
    p: Option<&str>,
    f: &str,
    relation: Relation,
) -> Result<NewContactPerson, CliError> {
    Ok(NewContactPerson {
        given_name: l(g)?,
        name_prefix: p.map(l).transpose()?,
        family_name: l(f)?,
        relation,
        email: Some(Email::parse(&format!(
            "{}.{}@voorbeeld.nl",
            g.to_lowercase(),
            f.to_lowercase().replace(' ', "")
        ))?),
        mobile: Some(MobileNumber::parse("06 5555 0100")?),
    })
}

fn plan_sections(variant: usize) -> Vec<(String, String, String)> {
    let v = variant % 3;
    vec![
        (
            "Wonen".into(),
            [
                "Je houdt je kamer zelf schoon.",
                "Je kookt twee keer per week zelf.",
                "Je doet zelf de was.",
            ][v]
                .into(),
            "Op maandag ruim je samen met je begeleider je kamer op.".into(),
        ),
        (
            "Werk en dagbesteding".into(),
            "Je gaat vier dagen per week naar je werk.".into(),
            "Je begeleider belt je werk één keer per maand.".into(),
        ),
        (
            "Gezondheid".into(),
            "Je neemt je medicijnen zelf op tijd in.".into(),
            "Eén keer per week kijken we samen naar je medicijnlijst.".into(),
        ),
        (
            "Sociale contacten".into(),
            "Je ziet je familie elke maand.".into(),
            "Je plant zelf een bezoek aan je zus.".into(),
        ),
    ]
}

async fn generate(
    svc: &Services,
    ctx: &Ctx,
    org: &OrganisationId,
    staff: &Staff,
    teams: &[TeamId],
    args: &DemoArgs,
) -> Result<(), CliError> {
    let now = svc.clock().now();
    let today = local_date(now);
    let existing: std::collections::HashSet<String> = svc
        .list_clients(ctx, org)
        .await?
        .into_inner()
        .into_iter()
        .map(|c| c.client_number)
        .filter(|n| n.starts_with('G'))
        .collect();
    let todo: Vec<u32> = (1..=args.clients)
        .filter(|n| !existing.contains(&format!("G{n:06}")))
        .collect();
    if todo.is_empty() {
        println!("{} generated clients already present", args.clients);
        return Ok(());
    }
    let bar = ProgressBar::new(todo.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} clients  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let letter = crate::pdf::simple_pdf(
        "Welkom bij Zorggroep De Linde",
        &["Fijn dat je bij ons bent.".into()],
    );
    let authors = [
        (&staff.anna, Role::PrimaryCaregiver),
        (&staff.joris, Role::Caregiver),
        (&staff.fatima, Role::Practitioner),
    ];
    let mut batch: Vec<ClientImport> = Vec::with_capacity(CHUNK);
    let total = todo.len();
    for (i, n) in todo.into_iter().enumerate() {
        let mut rng = Rng(args.seed ^ (u64::from(n) << 20));
        let (prefix, family) = split_family(rng.pick(FAMILY));
        let team = &teams[(n as usize) % teams.len()];
        let start = today - Duration::days(30 + rng.below(2000) as i64);
        let birth = NaiveDate::from_ymd_opt(
            1950 + rng.below(55) as i32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .unwrap_or(today);
        let new = NewClient {
            client_number: ClientNumber::parse(&format!("G{n:06}"))?,
            given_name: l(rng.pick(GIVEN))?,
            name_prefix: prefix.map(l).transpose()?,
            family_name: l(family)?,
            birth_date: BirthDate::from_stored(birth),
            street: Some(l("Dorpsstraat")?),
            house_number: Some(l(&format!("{}", 1 + rng.below(200)))?),
            postal_code: Some(l("1234 AB")?),
            city: Some(l("Amersfoort")?),
            email: None,
            mobile: None,
            team_id: Some(team.clone()),
            primary_caregiver_id: Some(staff.anna.clone()),
        };
        let mut imp = DossierImport::default();
        imp.plans.push(PlanImport {
            plan_date: start + Duration::days(14),
            status: DocStatus::Final,
            created_by: staff.anna.clone(),
            sections: plan_sections(n as usize),
        });
        let span_minutes = (today - start).num_minutes().max(60);
        for k in 0..args.reports_per_client {
            let (author, role) = authors[rng.below(3) as usize];
            let is_last = k + 1 == args.reports_per_client;
            imp.reports.push(ReportImport {
                author: author.clone(),
                author_role: role,
                category: rng.pick(CATEGORIES).to_owned(),
                body: report_text(&mut rng),
                status: if is_last {
                    DocStatus::Draft
                } else {
                    DocStatus::Final
                },
                visible_to_client: rng.below(10) < 8,
                created_at: if is_last {
                    now - Duration::hours(1)
                } else {
                    now - Duration::minutes(60 + rng.below(span_minutes as u64) as i64)
                },
            });
        }
        for k in [-7i64, 7] {
            let s = now + Duration::days(k) + Duration::hours(rng.below(8) as i64);
            imp.appointments.push(AppointmentImport {
                starts_at: s,
                ends_at: s + Duration::minutes(30),
                practitioner: staff.anna.clone(),
                place: "Kantoor".into(),
                description: "Gesprek".into(),
                status: AppointmentStatus::Planned,
            });
        }
        imp.documents.push(DocumentImport {
            title: "Welkomstbrief".into(),
            doc_type: "Brief".into(),
            doc_date: start,
            content_type: "application/pdf".into(),
            bytes: letter.clone(),
            visible_to_client: true,
            uploaded_by: staff.anna.clone(),
        });
        batch.push(ClientImport {
            client: new,
            episode_start: start,
            dossier: imp,
        });
        if batch.len() == CHUNK || i + 1 == total {
            let n = batch.len() as u64;
            svc.import_clients(ctx, org, std::mem::take(&mut batch))
                .await?;
            bar.inc(n);
        }
    }
    bar.finish();
    Ok(())
}
