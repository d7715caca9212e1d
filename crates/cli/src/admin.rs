//! `inzage admin …`: non-interactive set-up and scripting. Input is parsed
//! into the domain's newtypes first; a bad value names its flag and nothing
//! is written. Created ids are printed (or returned as JSON with --json).
use crate::{exit, CliError};
use clap::{Args, Subcommand};
use inzage_core::ids::*;
use inzage_core::model::Role;
use inzage_core::smart::SmartScope;
use inzage_core::types::{
    local_date, parse_date, BirthDate, ClientNumber, Email, Label, MobileNumber,
};
use inzage_service::admin::{NewClient, NewStaff, OrgSettings};
use inzage_service::fhir::smart::{Jwks, NewFhirClient};
use inzage_service::{Ctx, Services};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum AdminCmd {
    #[command(subcommand)]
    Org(OrgCmd),
    #[command(subcommand)]
    Location(LocationCmd),
    #[command(subcommand)]
    Team(TeamCmd),
    #[command(subcommand)]
    Staff(StaffCmd),
    #[command(subcommand)]
    Client(ClientCmd),
    /// Systems that call the FHIR API (SMART Backend Services).
    #[command(subcommand)]
    FhirClient(FhirClientCmd),
    /// E-mail a single-use link to set a password (again: the old link stops working).
    Invite {
        /// Client id.
        #[arg(long, group = "who")]
        client: Option<String>,
        /// Contact person id.
        #[arg(long, group = "who")]
        contact_person: Option<String>,
        /// Staff member id.
        #[arg(long, group = "who")]
        staff: Option<String>,
        #[command(flatten)]
        out: Json,
    },
}

#[derive(Args, Debug)]
pub struct Json {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
pub enum OrgCmd {
    /// Create an organisation with the default settings (override with flags).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        servicedesk_email: Option<String>,
        #[arg(long)]
        servicedesk_phone: Option<String>,
        #[arg(long)]
        help_url: Option<String>,
        /// Days of portal access after discharge.
        #[arg(long, default_value_t = 30)]
        grace_days: i64,
        /// Minimum client age for the portal (0 or 18).
        #[arg(long, default_value_t = 0)]
        min_client_age: i64,
        /// Only clients in care since this date (dd-mm-jjjj or yyyy-mm-dd).
        #[arg(long)]
        eligibility_start: Option<String>,
        #[arg(long, default_value_t = 24)]
        finalise_after_hours: i64,
        /// Let staff use an SMS code as second step (default: authenticator app only).
        #[arg(long)]
        staff_sms_allowed: bool,
        /// Invite eligible clients automatically once e-mail and mobile are known.
        #[arg(long)]
        auto_invite: bool,
        #[command(flatten)]
        out: Json,
    },
    List {
        #[command(flatten)]
        out: Json,
    },
}

#[derive(Subcommand, Debug)]
pub enum FhirClientCmd {
    /// Register a system (the organisation's ECD) with its public keys;
    /// prints its client id (the `iss` and `sub` of its assertions).
    Create {
        /// The organisation whose dossiers it reaches (default: the only one).
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        name: String,
        /// A JSON Web Key Set file with its public keys (RS384 or ES384, each with a kid).
        #[arg(long)]
        jwks: std::path::PathBuf,
        /// The scopes it may ask for, space-separated (or repeat the flag), e.g. "system/Patient.cruds system/*.rs".
        #[arg(long, required = true)]
        scope: Vec<String>,
        #[command(flatten)]
        out: Json,
    },
    List {
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        out: Json,
    },
    /// Stop a system's access at once (its tokens stop working).
    Disable {
        #[arg(long)]
        id: String,
    },
    /// Give a disabled system access again.
    Enable {
        #[arg(long)]
        id: String,
    },
    /// The organisation's own naming system for client numbers (e.g.
    /// urn:oid:2.16.528.1.1234.1): Patient.identifier.system. Without
    /// --system the installation's default is used again.
    NamingSystem {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        system: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum LocationCmd {
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        out: Json,
    },
    List {
        #[arg(long)]
        org: String,
        #[command(flatten)]
        out: Json,
    },
}

#[derive(Subcommand, Debug)]
pub enum TeamCmd {
    Create {
        #[arg(long)]
        location: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        out: Json,
    },
    List {
        #[arg(long)]
        org: String,
        #[command(flatten)]
        out: Json,
    },
}

#[derive(Subcommand, Debug)]
pub enum StaffCmd {
    /// Create a staff member with one or more roles and teams.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        given_name: String,
        #[arg(long)]
        name_prefix: Option<String>,
        #[arg(long)]
        family_name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        mobile: Option<String>,
        /// caregiver, primary_caregiver, practitioner, secretariat, functional_admin, privacy_officer (repeatable)
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Team id (repeatable).
        #[arg(long = "team")]
        teams: Vec<String>,
        #[command(flatten)]
        out: Json,
    },
    /// Set a member's whole state: roles, teams, and whether they may sign
    /// in. The operator is the second pair of eyes itself: it applies at
    /// once (privileged roles, a new caregiver waiting for approval in an
    /// organisation with one functional admin) and supersedes a request
    /// that waits.
    Update {
        #[arg(long)]
        id: String,
        /// caregiver, primary_caregiver, practitioner, secretariat, functional_admin, privacy_officer (repeatable)
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Team id (repeatable).
        #[arg(long = "team")]
        teams: Vec<String>,
        /// Switch the member off (they cannot sign in; open sessions end).
        #[arg(long)]
        inactive: bool,
        #[command(flatten)]
        out: Json,
    },
    List {
        #[arg(long)]
        org: String,
        #[command(flatten)]
        out: Json,
    },
}

// Parsed once at start-up; the size difference does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum ClientCmd {
    /// Create a client; an episode starts today unless --episode-start is given.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        number: String,
        #[arg(long)]
        given_name: String,
        #[arg(long)]
        name_prefix: Option<String>,
        #[arg(long)]
        family_name: String,
        /// dd-mm-jjjj or yyyy-mm-dd
        #[arg(long)]
        birth_date: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        mobile: Option<String>,
        /// Team id (the client's location follows from the team).
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        street: Option<String>,
        #[arg(long)]
        house_number: Option<String>,
        #[arg(long)]
        postal_code: Option<String>,
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        episode_start: Option<String>,
        #[command(flatten)]
        out: Json,
    },
    List {
        #[arg(long)]
        org: String,
        #[command(flatten)]
        out: Json,
    },
}

fn id<T>(flag: &str, raw: &str, parse: fn(&str) -> Option<T>) -> Result<T, CliError> {
    parse(raw).ok_or_else(|| CliError {
        code: exit::INVALID_INPUT,
        message: format!("invalid --{flag}: not an id (expected a UUID such as 0b0c6f5e-8a0e-4c1e-9d7b-1f0f3c2b9a11)"),
    })
}

/// `--role` and `--team` values.
fn roles_and_teams(
    roles: &[String],
    teams: &[String],
) -> Result<(Vec<Role>, Vec<TeamId>), CliError> {
    let mut parsed = Vec::new();
    for r in roles {
        parsed.push(Role::from_code(r.trim()).ok_or_else(|| CliError {
            code: exit::INVALID_INPUT,
            message: format!(
                "invalid --role: {r:?} (choose from {})",
                Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
            ),
        })?);
    }
    let mut team_ids = Vec::new();
    for t in teams {
        team_ids.push(id("team", t, TeamId::parse)?);
    }
    Ok((parsed, team_ids))
}

/// `--org`, or the installation's only organisation.
async fn the_org(svc: &Services, org: Option<&str>) -> Result<OrganisationId, CliError> {
    if let Some(o) = org {
        return id("org", o, OrganisationId::parse);
    }
    let orgs = svc.list_organisations().await?;
    match orgs.as_slice() {
        [one] => Ok(one.id.clone()),
        _ => Err(CliError {
            code: exit::INVALID_INPUT,
            message: "give --org: there is not exactly one organisation".into(),
        }),
    }
}

fn created(json: bool, kind: &str, id: &str) {
    if json {
        println!("{}", json!({ "kind": kind, "id": id }));
    } else {
        println!("{id}");
    }
}

fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

pub async fn run(svc: &Services, cmd: AdminCmd) -> Result<(), CliError> {
    let ctx = Ctx::system("cli");
    let today = local_date(svc.clock().now());
    match cmd {
        AdminCmd::Org(OrgCmd::Create {
            name,
            servicedesk_email,
            servicedesk_phone,
            help_url,
            grace_days,
            min_client_age,
            eligibility_start,
            finalise_after_hours,
            staff_sms_allowed,
            auto_invite,
            out,
        }) => {
            let name = Label::parse("name", &name)?;
            let servicedesk_email = servicedesk_email
                .map(|e| Email::parse(&e))
                .transpose()
                .map_err(|mut e| {
                    e.field = "servicedesk_email";
                    e
                })?;
            let eligibility_start_date = eligibility_start
                .map(|d| parse_date("eligibility_start", &d))
                .transpose()?;
            let settings = OrgSettings {
                grace_days_after_discharge: grace_days,
                min_client_age,
                eligibility_start_date,
                finalise_after_hours,
                servicedesk_email: servicedesk_email.map(|e| e.as_str().to_owned()),
                servicedesk_phone,
                help_url,
                staff_sms_allowed,
                auto_invite,
                ..OrgSettings::default()
            };
            let id = svc.create_organisation(&ctx, name, settings).await?;
            created(out.json, "organisation", id.as_str());
        }
        AdminCmd::Org(OrgCmd::List { out }) => {
            let orgs = svc.list_organisations().await?;
            if out.json {
                print_json(&orgs);
            } else {
                for o in orgs {
                    println!("{}\t{}", o.id, o.name);
                }
            }
        }
        AdminCmd::FhirClient(FhirClientCmd::Create {
            org,
            name,
            jwks,
            scope,
            out,
        }) => {
            let org = the_org(svc, org.as_deref()).await?;
            let name = Label::parse("name", &name)?;
            let text = std::fs::read_to_string(&jwks).map_err(|e| CliError {
                code: exit::INVALID_INPUT,
                message: format!("invalid --jwks: cannot read {}: {e}", jwks.display()),
            })?;
            let jwks = Jwks::parse(&text)?;
            let scopes = SmartScope::parse_list(&scope.join(" ")).map_err(|_| CliError {
                code: exit::INVALID_INPUT,
                message: "invalid --scope: use system/<Type>.<cruds>, e.g. system/Patient.rs"
                    .into(),
            })?;
            let id = svc
                .create_fhir_client(
                    &ctx,
                    NewFhirClient {
                        organisation_id: org,
                        name,
                        jwks,
                        scopes,
                    },
                )
                .await?;
            created(out.json, "fhir_client", &id);
        }
        AdminCmd::FhirClient(FhirClientCmd::List { org, out }) => {
            let org = the_org(svc, org.as_deref()).await?;
            let items = svc.list_fhir_clients(&ctx, &org).await?.into_inner();
            if out.json {
                print_json(&items);
            } else {
                for c in items {
                    let state = if c.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    };
                    println!("{}\t{}\t{}\t{}", c.id, c.name, state, c.scopes);
                }
            }
        }
        AdminCmd::FhirClient(FhirClientCmd::Disable { id }) => {
            svc.set_fhir_client_disabled(&ctx, &id, true).await?;
        }
        AdminCmd::FhirClient(FhirClientCmd::Enable { id }) => {
            svc.set_fhir_client_disabled(&ctx, &id, false).await?;
        }
        AdminCmd::FhirClient(FhirClientCmd::NamingSystem { org, system }) => {
            let org = the_org(svc, org.as_deref()).await?;
            let system = system
                .as_deref()
                .map(inzage_service::fhir::smart::parse_naming_system)
                .transpose()?;
            svc.set_client_number_system(&ctx, &org, system).await?;
        }
        AdminCmd::Location(LocationCmd::Create { org, name, out }) => {
            let org = id("org", &org, OrganisationId::parse)?;
            let name = Label::parse("name", &name)?;
            let id = svc.create_location(&ctx, &org, name).await?;
            created(out.json, "location", id.as_str());
        }
        AdminCmd::Location(LocationCmd::List { org, out }) => {
            let org = id("org", &org, OrganisationId::parse)?;
            let items = svc.list_locations(&org).await?;
            if out.json {
                print_json(&items);
            } else {
                for l in items {
                    println!("{}\t{}", l.id, l.name);
                }
            }
        }
        AdminCmd::Team(TeamCmd::Create {
            location,
            name,
            out,
        }) => {
            let location = id("location", &location, LocationId::parse)?;
            let name = Label::parse("name", &name)?;
            let id = svc.create_team(&ctx, &location, name).await?;
            created(out.json, "team", id.as_str());
        }
        AdminCmd::Team(TeamCmd::List { org, out }) => {
            let org = id("org", &org, OrganisationId::parse)?;
            let items = svc.list_teams(&org).await?;
            if out.json {
                print_json(&items);
            } else {
                for t in items {
                    println!("{}\t{}\t{}", t.id, t.name, t.location_id);
                }
            }
        }
        AdminCmd::Staff(StaffCmd::Create {
            org,
            given_name,
            name_prefix,
            family_name,
            email,
            mobile,
            roles,
            teams,
            out,
        }) => {
            let org = id("org", &org, OrganisationId::parse)?;
            let (parsed_roles, team_ids) = roles_and_teams(&roles, &teams)?;
            let new = NewStaff {
                given_name: Label::parse("given_name", &given_name)?,
                name_prefix: Label::parse_opt("name_prefix", name_prefix.as_deref())?,
                family_name: Label::parse("family_name", &family_name)?,
                email: Email::parse(&email)?,
                mobile: mobile.map(|m| MobileNumber::parse(&m)).transpose()?,
                roles: parsed_roles,
                team_ids,
            };
            let id = svc.create_staff(&ctx, &org, new).await?;
            created(out.json, "staff_member", id.as_str());
        }
        AdminCmd::Staff(StaffCmd::Update {
            id: staff,
            roles,
            teams,
            inactive,
            out,
        }) => {
            let staff = id("id", &staff, StaffId::parse)?;
            let (roles, team_ids) = roles_and_teams(&roles, &teams)?;
            svc.update_staff(
                &ctx,
                &staff,
                inzage_service::admin::StaffUpdate {
                    roles,
                    team_ids,
                    active: !inactive,
                },
            )
            .await?;
            created(out.json, "staff_member", staff.as_str());
        }
        AdminCmd::Staff(StaffCmd::List { org, out }) => {
            let org = id("org", &org, OrganisationId::parse)?;
            let items = svc.list_staff(&ctx, &org).await?.into_inner();
            if out.json {
                print_json(&items);
            } else {
                for m in items {
                    let roles: Vec<&str> = m.roles.iter().map(|r| r.code()).collect();
                    println!(
                        "{}\t{} {}\t{}\t{}\t{}",
                        m.id,
                        m.given_name,
                        m.family_name,
                        m.email,
                        roles.join(","),
                        if m.active { "active" } else { "inactive" }
                    );
                }
            }
        }
        AdminCmd::Client(ClientCmd::Create {
            org,
            number,
            given_name,
            name_prefix,
            family_name,
            birth_date,
            email,
            mobile,
            team,
            street,
            house_number,
            postal_code,
            city,
            episode_start,
            out,
        }) => {
            let org = id("org", &org, OrganisationId::parse)?;
            let new = NewClient {
                client_number: ClientNumber::parse(&number).map_err(|mut e| {
                    e.field = "number";
                    e
                })?,
                given_name: Label::parse("given_name", &given_name)?,
                name_prefix: Label::parse_opt("name_prefix", name_prefix.as_deref())?,
                family_name: Label::parse("family_name", &family_name)?,
                birth_date: BirthDate::parse(&birth_date, today)?,
                street: Label::parse_opt("street", street.as_deref())?,
                house_number: Label::parse_opt("house_number", house_number.as_deref())?,
                postal_code: Label::parse_opt("postal_code", postal_code.as_deref())?,
                city: Label::parse_opt("city", city.as_deref())?,
                email: email.map(|e| Email::parse(&e)).transpose()?,
                mobile: mobile.map(|m| MobileNumber::parse(&m)).transpose()?,
                team_id: team.map(|t| id("team", &t, TeamId::parse)).transpose()?,
                primary_caregiver_id: None,
            };
            let start = episode_start
                .map(|d| parse_date("episode_start", &d))
                .transpose()?;
            let id = svc.create_client(&ctx, &org, new, start).await?;
            created(out.json, "client", id.as_str());
        }
        AdminCmd::Client(ClientCmd::List { org, out }) => {
            let org = id("org", &org, OrganisationId::parse)?;
            let items = svc.list_clients(&ctx, &org).await?.into_inner();
            if out.json {
                print_json(&items);
            } else {
                for c in items {
                    println!("{}\t{}\t{}", c.id, c.client_number, c.display_name);
                }
            }
        }
        AdminCmd::Invite {
            client,
            contact_person,
            staff,
            out,
        } => {
            use inzage_service::accounts::InviteTarget;
            let target = match (client, contact_person, staff) {
                (Some(c), None, None) => InviteTarget::Client(id("client", &c, ClientId::parse)?),
                (None, Some(c), None) => {
                    InviteTarget::ContactPerson(id("contact-person", &c, ContactPersonId::parse)?)
                }
                (None, None, Some(s)) => InviteTarget::Staff(id("staff", &s, StaffId::parse)?),
                _ => {
                    return Err(CliError {
                        code: exit::USAGE,
                        message: "name exactly one of --client, --contact-person, --staff".into(),
                    })
                }
            };
            let invited = svc.invite(&ctx, target).await?;
            if out.json {
                print_json(&invited);
            } else {
                println!(
                    "invitation sent to {} (link valid until {})",
                    invited.email,
                    inzage_core::types::display_datetime(invited.expires_at)
                );
            }
        }
    }
    Ok(())
}
