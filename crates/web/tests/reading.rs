//! Easier reading (issue 15): Rapportages searchable by word (case and
//! accents do not matter) and filterable by category; the whole plan on
//! one printable page; "Lees voor" marks the texts to read aloud.
use axum::http::StatusCode;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_service::writes::NewReport;
use inzage_service::Ctx;

mod common;
use common::world::{label, world, World};

async fn final_report(w: &World, category: &str, body: &str) {
    let anna = Ctx::new(Principal::Staff {
        staff_id: w.anna.clone(),
    });
    let id = w
        .svc
        .create_report(
            &anna,
            &w.aisha,
            NewReport {
                category: label(category),
                body: Text::parse("body", body, 20_000).expect("text"),
                visible_to_client: true,
            },
        )
        .await
        .expect("report");
    w.svc.finalise_report(&anna, &id, 1).await.expect("final");
}

#[tokio::test]
async fn reports_are_found_by_word_and_category_and_the_plan_reads_as_one_page() {
    let w = world().await;
    final_report(&w, "Wonen", "Vandaag samen gekookt met Özlem.").await;
    final_report(&w, "Werk", "Op het werk was het druk.").await;
    final_report(&w, "Wonen", "De kamer is opgeruimd.").await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let all = aisha.get("/dossier/rapportages").await.body;
    assert!(
        all.contains("Zoek op woord") && all.contains("<option value=\"Werk\""),
        "{all}"
    );
    assert!(
        all.contains("data-read-aloud-label=\"Lees voor\""),
        "the button's words on the body"
    );

    let found = aisha.get("/dossier/rapportages?woorden=OZLEM").await.body;
    assert!(found.contains("gekookt met Özlem"), "{found}");
    assert!(
        !found.contains("druk") && !found.contains("opgeruimd"),
        "{found}"
    );
    let two_words = aisha
        .get("/dossier/rapportages?woorden=kamer+opgeruimd")
        .await
        .body;
    assert!(two_words.contains("opgeruimd") && !two_words.contains("Özlem"));
    let werk = aisha.get("/dossier/rapportages?soort=Werk").await.body;
    assert!(werk.contains("druk") && !werk.contains("opgeruimd") && !werk.contains("Özlem"));
    assert!(werk.contains("<option value=\"Werk\" selected>"), "{werk}");
    let none = aisha
        .get("/dossier/rapportages?soort=Werk&woorden=kamer")
        .await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(!none.body.contains("opgeruimd") && !none.body.contains("druk"));
    // Paging keeps the search.
    assert!(!none.body.contains("pagina=2"));
    let report = aisha.get("/dossier/rapportages?woorden=druk").await.body;
    let i = report
        .find("href=\"/dossier/rapportages/")
        .expect("a report link");
    let href: String = report[i + 6..].chars().take_while(|c| *c != '"').collect();
    let one = aisha.get(&href).await.body;
    assert!(
        one.contains("<article class=\"inzage-report\" data-read-aloud>"),
        "{one}"
    );

    // The whole plan on one page.
    let anna = Ctx::new(Principal::Staff {
        staff_id: w.anna.clone(),
    });
    let day = local_date(w.clock.now_for_test());
    let plan = w
        .svc
        .new_plan_version(&anna, &w.aisha, day)
        .await
        .expect("plan");
    let section = w
        .svc
        .plan(&anna, &plan)
        .await
        .expect("draft")
        .into_inner()
        .sections
        .remove(0);
    w.svc
        .update_plan_section(
            &anna,
            &section.id,
            section.revision,
            inzage_service::plans::SectionEdit {
                domain: label("Wonen"),
                goals: Text::parse("goals", "Je kookt zelf.", 100).expect("t"),
                agreements: Text::parse("agreements", "Op dinsdag.", 100).expect("t"),
            },
        )
        .await
        .expect("section");
    w.svc
        .add_plan_section(&anna, &plan, label("Werk"))
        .await
        .expect("second section");
    let plan_view = w.svc.plan(&anna, &plan).await.expect("p").into_inner();
    let werk = plan_view
        .sections
        .iter()
        .find(|s| s.domain == "Werk")
        .expect("werk");
    w.svc
        .update_plan_section(
            &anna,
            &werk.id,
            werk.revision,
            inzage_service::plans::SectionEdit {
                domain: label("Werk"),
                goals: Text::parse("goals", "Je werkt vier dagen.", 100).expect("t"),
                agreements: Text::parse("agreements", "Elke maand bellen.", 100).expect("t"),
            },
        )
        .await
        .expect("werk");
    w.svc.finalise_plan(&anna, &plan).await.expect("final");
    let one_section = aisha.get(&format!("/dossier/clientplan/{plan}")).await.body;
    assert!(one_section.contains("?alles=1#heel-plan"), "{one_section}");
    assert!(!one_section.contains("Je werkt vier dagen."));
    let whole = aisha
        .get(&format!("/dossier/clientplan/{plan}?alles=1"))
        .await;
    assert_eq!(whole.status, StatusCode::OK);
    for s in [
        "Je kookt zelf.",
        "Op dinsdag.",
        "Je werkt vier dagen.",
        "Elke maand bellen.",
        "Druk deze pagina af",
    ] {
        assert!(whole.body.contains(s), "{s}: {}", whole.body);
    }
    assert!(whole
        .body
        .contains("id=\"heel-plan\" class=\"inzage-whole-plan\" data-read-aloud"));
}
