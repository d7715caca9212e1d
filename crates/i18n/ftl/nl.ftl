# Inzage: Nederlandse teksten (standaardtaal). Makkelijk Nederlands (B1):
# korte zinnen, "je". Elke sleutel staat ook in en.ftl.

## Algemeen
show-password = Toon wachtwoord
hide-password = Verberg wachtwoord
skip-to-content = Naar de inhoud
help-link = Hulp nodig?
nav-help-label = Hulp en taal
switch-language-label = English
switch-language-code = en
back-to-start = Terug naar de start
back-to-login = Terug naar inloggen
to-login = Naar inloggen
save = Bewaren
bad-language = Deze taal kennen we niet. Kies Nederlands of English.
servicedesk-mail-or-call = Mail naar { $email } of bel { $phone }.
servicedesk-mail = Mail naar { $email }.
servicedesk-call = Bel { $phone }.
servicedesk-of = Servicedesk van { $organisation }:

## Foutpagina's
error-not-found-title = Niet gevonden
error-not-found = Deze pagina bestaat niet. Misschien is de link oud of niet helemaal goed.
error-forbidden-title = Geen toegang
error-forbidden = Dit mag je niet bekijken.
error-csrf-title = Formulier verlopen
error-csrf = Dit formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog een keer.
error-bad-input-title = Er klopt iets niet
error-bad-request = Er klopt iets niet: { $detail }
error-conflict-title = Dit lukt niet
error-conflict = Dit lukt niet: { $detail }
error-unavailable-title = Even niet bereikbaar
error-unavailable = Inzage is even niet bereikbaar. Probeer het later opnieuw.
error-full-title = Nu niets opslaan
error-full = Inzage kan op dit moment niets opslaan: de opslag is vol. Er is niets bewaard. Omdat we ook niet kunnen bewaren wie er meekijkt, laten we nu geen dossier zien. De beheerder is gewaarschuwd. Probeer het later opnieuw.
error-internal-title = Er ging iets mis
error-unreadable = We konden dit formulier niet lezen. Ga terug, laad de pagina opnieuw en probeer het nog een keer.
error-internal = Er ging iets mis. Probeer het later opnieuw.
error-internal-reference = Vraag je hulp? Noem dan dit nummer: { $reference }.
error-back-home = Naar de startpagina
bad-page-number = Dit paginanummer klopt niet. Ga terug naar de eerste pagina.
bad-tour-step = Deze stap van de rondleiding bestaat niet.
bad-date = Deze datum klopt niet. Schrijf de datum zo: dag-maand-jaar, bijvoorbeeld 06-09-2017.
bad-period-order = De eerste datum moet vóór de tweede datum liggen.
bad-period-too-long = Kies een periode van hoogstens één jaar.

## Inloggen
login-title = Inloggen
login-email = E-mail
login-password = Wachtwoord
login-public-computer = Publieke computer
login-public-computer-hint = Zet hier een vinkje als je niet op je eigen computer werkt. Dan wordt niets onthouden.
login-submit = Inloggen
login-oidc-heading = Werk je bij de zorgorganisatie?
login-oidc-intro = Log dan in met het account van je werk.
login-oidc-button = Inloggen via { $organisation }
login-oidc-unavailable = Inloggen via je organisatie lukt nu niet. Probeer het later nog eens, of log in met je e-mailadres en wachtwoord.
login-oidc-cancelled = Je bent niet ingelogd. Het inloggen bij je organisatie is gestopt.
login-oidc-failed = Inloggen via je organisatie is niet gelukt. Probeer het nog eens.
login-oidc-no-account = Je bent ingelogd bij je organisatie, maar je hebt nog geen account in Inzage. Vraag je functioneel beheerder om je account te koppelen.
login-oidc-needs-password = Je hebt nog geen sms of app om mee in te loggen. Log de eerste keer in met je e-mailadres en wachtwoord.
login-request-password = Wachtwoord opvragen
login-timed-out = Je was een tijd niet actief. Daarom ben je uitgelogd. Log opnieuw in; daarna ga je verder waar je was.
login-rejected = Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw.
login-paused = Er is te vaak verkeerd ingelogd. Inloggen is gepauzeerd tot { $until }. Probeer het daarna opnieuw.
login-access-ended = Je kunt niet meer inloggen. Je zorg is gestopt, of je toegang is beëindigd. Vragen? { $servicedesk }
login-busy = Er komen nu te veel inlogpogingen van jouw netwerk. We hebben deze poging niet bekeken. Probeer het opnieuw na { $until }.

## Tweede stap
code-title = Code invullen
code-heading = Tweede stap
code-app-intro = Open je app voor inlogcodes. Vul de code van 6 cijfers in.
code-sms-intro = We sturen een code van 6 cijfers naar je mobiele telefoon. De code werkt 10 minuten.
code-send-sms = Stuur mij een sms-code
code-label = Code
code-submit = Verder
code-use-sms = Liever een sms-code
code-use-app = Code uit mijn app gebruiken
code-no-sms = Komt de sms niet? Kijk of je telefoon aan staat. Je kunt na 1 minuut een nieuwe code vragen.
code-rejected = Deze code klopt niet. Kijk goed en probeer het opnieuw.
code-expired = Deze code werkt niet meer. Vraag een nieuwe code.
code-paused = Er is te vaak een verkeerde code ingevuld. Inloggen is gepauzeerd tot { $until }. Log daarna opnieuw in.
sms-sent = We hebben een sms gestuurd met een code van 6 cijfers.
sms-too-soon = Je hebt net een code gekregen. Een nieuwe code kan vanaf { $time }.
sms-not-possible = Een sms-code is voor jou niet mogelijk. Gebruik de code uit je app.

## App koppelen
enrol-title = App koppelen
enrol-heading = App voor inlogcodes koppelen
enrol-step-1 = Open een app voor inlogcodes op je telefoon, bijvoorbeeld een authenticator-app.
enrol-step-2 = Scan deze QR-code met de app. Lukt scannen niet? Typ dan de sleutel hieronder over.
enrol-step-3 = Vul de code van 6 cijfers uit de app in.
enrol-qr-label = QR-code voor je app
enrol-key = Sleutel:
enrol-submit = Koppelen
app-linked-title = App gekoppeld
app-linked-text = Je app is gekoppeld. Je kunt voortaan inloggen met de code uit je app.
app-code-rejected = Deze code klopt niet. Scan de nieuwe QR-code en probeer het opnieuw.
app-removed = Je app is ontkoppeld. Je logt nu in met een sms-code.
app-required = Je hebt een app nodig om in te loggen. Koppel liever een andere app.

## Wachtwoord
forgot-title = Wachtwoord vergeten
forgot-intro = Vul hieronder je e-mailadres in. Als je e-mailadres bij ons bekend is, krijg je binnen enkele minuten een e-mail met een link om een nieuw wachtwoord in te stellen.
forgot-sent = Als je e-mailadres bij ons bekend is, krijg je binnen enkele minuten een e-mail. Daarin staat een link om een nieuw wachtwoord in te stellen.
forgot-interval = Je krijgt hoogstens één e-mail per { $minutes } minuten. Een link die je al hebt, blijft werken tot hij verloopt.
forgot-too-many = Er zijn vanaf deze plek te veel aanvragen gedaan. Probeer het over { $minutes } minuten opnieuw.
forgot-email = E-mailadres
forgot-new-email =
    { $sector ->
        [mental_health] Heb je een nieuw e-mailadres? Vertel het aan je (regie)behandelaar.
       *[care] Heb je een nieuw e-mailadres? Vertel het aan je (persoonlijk) begeleider.
    }
set-password-title = Wachtwoord instellen
set-password-done = Je wachtwoord is ingesteld. Je kunt nu inloggen met je e-mailadres en dit wachtwoord.
set-password-link-gone = Deze link werkt niet meer. Een link werkt maar één keer en is niet lang geldig. Vraag een nieuwe aan.
set-password-intro = Je gebruikersnaam is { $email }. Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden is goed te onthouden.
set-password-new = Nieuw wachtwoord
set-password-again = Nog een keer hetzelfde wachtwoord
set-password-submit = Instellen
password-mismatch = De twee wachtwoorden zijn niet hetzelfde. Probeer het opnieuw.
password-too-short = Je wachtwoord is te kort. Kies minstens 12 tekens.
password-too-long = Je wachtwoord is te lang. Kies hoogstens 128 tekens.
password-common = Dit wachtwoord wordt door veel mensen gebruikt. Kies een ander wachtwoord.
password-is-email = Je wachtwoord mag niet je e-mailadres zijn.
password-refused = Dit wachtwoord kan niet. Kies een ander wachtwoord.
password-changed = Je wachtwoord is veranderd. Op andere apparaten ben je uitgelogd.
password-current-wrong = Je huidige wachtwoord klopt niet.
password-paused = Er is te vaak een verkeerd wachtwoord ingevuld. Inloggen is gepauzeerd tot { $until }.

## Mijn account en sessies
account-title = Mijn account
account-username = Je gebruikersnaam is { $email }.
account-password-title = Wachtwoord veranderen
account-password-current = Je huidige wachtwoord
account-password-new = Nieuw wachtwoord (minstens 12 tekens)
account-app-title = App voor inlogcodes
account-app-linked = Je hebt een app gekoppeld.
account-app-other = Een andere app koppelen
account-app-remove = App ontkoppelen
account-app-none = Je logt in met een sms-code.
account-app-link = Koppel een app als je liever een code uit een app gebruikt.
account-details-title = E-mailadres en mobiel nummer
account-change-intro = Hiermee log je in. Wil je iets veranderen? Vul je wachtwoord in. Je krijgt dan een code op het nieuwe adres of nummer.
account-change-email = E-mailadres veranderen
account-change-mobile = Mobiel nummer veranderen
account-change-new-email = Nieuw e-mailadres
account-change-new-mobile = Nieuw mobiel nummer
account-change-send-code = Stuur een code
account-change-code-sent = We hebben een code gestuurd naar het nieuwe adres of nummer. Vul de code hieronder in.
account-change-waiting = We stuurden een code naar { $to }. Vul de code in vóór { $until }.
account-change-confirm = Bevestigen
account-change-done = Je gegevens zijn veranderd. Op andere apparaten ben je uitgelogd. Je oude adres en nummer krijgen een bericht.
account-change-declined = Goed. Er verandert niets.
account-change-unchanged = Dit is al je e-mailadres of nummer.
account-change-staff-email = Je werk-e-mailadres is ook je gebruikersnaam. Dat verandert de functioneel beheerder van je organisatie.
account-change-gone-title = Deze link werkt niet meer
account-change-gone = Er wacht geen wijziging meer. Misschien is de tijd voorbij, of was de code te vaak fout. Begin opnieuw als dat nodig is.
account-change-in-use = Dit e-mailadres hoort al bij een ander account. Kies een ander adres.
reauth-app-code = De code uit je app
reauth-app-code-current = De code uit je huidige app
reauth-app-wrong = De code uit je app klopt niet.
confirm-change-title = Klopt deze wijziging?
confirm-change-intro = Een medewerker van { $organisation } wil je gegevens veranderen:
confirm-change-email = Nieuw e-mailadres
confirm-change-mobile = Nieuw mobiel nummer
confirm-change-effect = Als je ja zegt, log je voortaan hiermee in. Op andere apparaten word je uitgelogd.
confirm-change-until = Je kunt dit doen tot { $until }.
confirm-change-yes = Ja, dit klopt
confirm-change-no = Nee, niet veranderen
link-title = Nieuwe uitnodiging
link-intro = { $organisation } wil dat jij meekijkt in dit dossier, als { $relation }.
link-parts = Je mag dan dit zien:
link-yes = Ja, ik wil meekijken
link-no = Nee, liever niet
link-accepted = Je kijkt nu mee in dit dossier. Kies het hieronder.
link-declined = Goed. Je kijkt niet mee in dit dossier.
account-language-title = Taal
account-language-label = Taal van Inzage
language-saved = Je keuze is bewaard.
sessions-title = Mijn sessies
sessions-intro = Hier zie je waar je nu bent ingelogd.
sessions-line = { $device } – laatst actief { $time }
sessions-this-one = (deze sessie)
sessions-end-others = Log overal anders uit
sessions-unknown-device = Onbekend apparaat
sessions-ended = Je bent op { $count } andere { $count ->
    [one] plek
   *[other] plekken
} uitgelogd.

## Menu
nav-account-label = Menu
nav-side-label = Dossier
nav-tiles-label = Onderdelen van het dossier
menu-help = Hulp
menu-account = Mijn account
menu-sessions = Mijn sessies
menu-logout = Uitloggen
menu-my-dossier = Mijn dossier
menu-switch-dossier = Ander dossier kiezen

## Medewerkers (start)
staff-welcome = Welkom
staff-signed-in-as = Je bent ingelogd als { $email }.
staff-clients-title = Mijn cliënten
staff-clients-search = Zoek op naam of cliëntnummer
staff-clients-search-hint = Je ziet de cliënten van je eigen teams. Je eigen cliënten staan bovenaan.
staff-clients-search-submit = Zoeken
staff-clients-count = { $count ->
    [one] 1 cliënt
   *[other] { $count } cliënten
}
staff-clients-team = Team
staff-clients-mine = jouw cliënt
staff-no-client-list = Met jouw rol heb je geen cliëntenlijst. Je werk vind je via het menu.

## Tegels
tile-profile = Mijn gegevens
tile-client-plan =
    { $sector ->
        [mental_health] Behandelplan
       *[care] Cliëntplan
    }
tile-reports = Rapportages
tile-appointments = Afspraken
tile-documents = Documenten
tile-network = Mijn netwerk
tile-audit-trail = Wie keek mee
tile-episodes = Zorgperiodes

## Start
start-title = Mijn dossier
start-hello = Hallo { $name }
start-hello-contact = Welkom
start-intro-contact = Hier kijk je mee in het dossier van { $name }. Je ziet alleen de onderdelen waarvoor { $name } toestemming gaf.
start-intro =
    { $sector ->
        [mental_health] Hier lees je je dossier. Je behandelaars schrijven erin over je zorg en over jullie afspraken.
       *[care] Hier lees je je dossier. Je begeleiders schrijven erin over je zorg en over jullie afspraken.
    }
start-choose = Klik op een tegel hierboven. De tegel wordt blauw en je ziet wat erin staat.
whose-own = Dossier van { $name }
whose-other = Je kijkt in het dossier van { $name }
readable-until = Je zorg is gestopt. Je kunt je dossier nog lezen tot en met { $date }.
no-access-title = Geen dossier
no-access-text =
    { $sector ->
        [mental_health] Je kunt nu geen dossier bekijken. Misschien is de toegang gestopt. Heb je vragen? Vraag het aan de behandelaars of de servicedesk.
       *[care] Je kunt nu geen dossier bekijken. Misschien is de toegang gestopt. Heb je vragen? Vraag het aan de begeleiding of de servicedesk.
    }

## Rondleiding
tour-step = Rondleiding: stap { $number } van { $total }
tour-prev = Vorige
tour-next = Volgende
tour-close = Rondleiding sluiten
tour-finish = Klaar
tour-start-again = Rondleiding opnieuw bekijken
tour-welcome-title = Welkom in Inzage
tour-welcome-text = We laten je in een paar stappen zien hoe het werkt. Je kunt de rondleiding altijd sluiten. Later kun je hem opnieuw bekijken via Hulp.
tour-tile-profile = Hier staan je naam, adres, e-mail en telefoonnummer. Klopt er iets niet? Dan lees je hier wat je kunt doen.
tour-tile-client-plan =
    { $sector ->
        [mental_health] Hier staat je behandelplan. Klik op een plan en kies dan welk deel je wilt lezen.
       *[care] Hier staat je cliëntplan. Klik op een plan en kies dan welk deel je wilt lezen.
    }
tour-tile-reports =
    { $sector ->
        [mental_health] Hier lees je wat je behandelaars over je schrijven. Het nieuwste staat bovenaan.
       *[care] Hier lees je wat je begeleiders over je schrijven. Het nieuwste staat bovenaan.
    }
tour-tile-appointments = Hier zie je je afspraken. Je kunt een afspraak in je eigen agenda zetten.
tour-tile-documents = Hier staan je documenten, zoals brieven en verslagen. Je kunt ze openen of bewaren.
tour-tile-network = Hier zie je wie er nog meer in je dossier mag kijken.
tour-tile-audit-trail = Hier zie je wie er in je dossier heeft gekeken, en wanneer.
tour-menu-title = Hulp en uitloggen
tour-menu-text = Rechts bovenin vind je Hulp, Mijn account en Uitloggen. Ben je klaar? Log dan altijd uit.

## Contactpersoon: dossier kiezen
choose-title = Welk dossier wil je bekijken?
choose-intro = Je mag in meer dan één dossier kijken. Kies het dossier dat je nu wilt openen.
choose-open = Dossier van { $name }
choose-current = nu open

## Relaties
relation-mentor = Mentor
relation-legal-representative = Wettelijk vertegenwoordiger
relation-curator = Curator
relation-administrator = Bewindvoerder
relation-family = Familie
relation-partner = Partner
relation-other = Contactpersoon

## Rollen
role-caregiver = begeleider
role-primary-caregiver =
    { $sector ->
        [mental_health] regiebehandelaar
       *[care] persoonlijk begeleider
    }
role-practitioner = behandelaar
role-secretariat = secretariaat
role-functional-admin = functioneel beheerder
role-privacy-officer = privacy officer
role-unknown = medewerker

## Mijn gegevens
profile-name = Naam
profile-birth-date = Geboortedatum
profile-client-number = Cliëntnummer
profile-address = Adres
profile-email = E-mail
profile-mobile = Mobiel nummer
profile-location = Locatie
profile-primary-caregiver =
    { $sector ->
        [mental_health] Regiebehandelaar
       *[care] Persoonlijk begeleider
    }
profile-unknown = Niet bekend
profile-wrong-title = Klopt er iets niet?
profile-wrong-text =
    { $sector ->
        [mental_health] Vertel het aan je (regie)behandelaar of het secretariaat. Zij kunnen het veranderen. Je hebt het recht om fouten te laten verbeteren en om iets toe te voegen aan je dossier.
       *[care] Vertel het aan je (persoonlijk) begeleider of het secretariaat. Zij kunnen het veranderen. Je hebt het recht om fouten te laten verbeteren en om iets toe te voegen aan je dossier.
    }

## Cliëntplan
plans-intro = Klik op een plan om het te lezen. Het nieuwste plan staat bovenaan.
plans-none =
    { $sector ->
        [mental_health] Er is nog geen behandelplan dat je kunt lezen.
       *[care] Er is nog geen cliëntplan dat je kunt lezen.
    }
plans-back = Terug naar alle plannen
plan-contents = Inhoud
plan-empty = Dit plan heeft nog geen onderdelen.
plan-goals = Doelen
plan-agreements = Afspraken
plan-nothing = Hier staat nog niets.

## Rapportages
filter-title = Kies een periode
filter-from = Vanaf
filter-until = Tot en met
filter-hint = Schrijf een datum zo: dag-maand-jaar, bijvoorbeeld 06-09-2017. Laat leeg voor alles.
filter-show = Laat zien
filter-clear = Alles laten zien
who-filter-default = Laatste 30 dagen
reports-count = { $count ->
    [one] 1 rapportage
   *[other] { $count } rapportages
}
page-of = pagina { $page } van { $pages }
reports-none = Er zijn geen rapportages in deze periode.
report-by = Geschreven door { $name } ({ $role })
report-changed = gewijzigd
report-changed-explained = Deze rapportage is later veranderd. Je ziet de nieuwste versie.
report-read-more = Lees verder
reports-back = Terug naar alle rapportages
pager-label = Pagina's
pager-prev = Vorige pagina
pager-next = Volgende pagina

## Afspraken
appointments-upcoming = Komende afspraken
appointments-past = Eerdere afspraken
appointments-none-upcoming = Je hebt nu geen nieuwe afspraken.
appointments-none-past = Er zijn geen eerdere afspraken.
appointments-change-title = Een afspraak veranderen of afzeggen?
appointments-change-text =
    { $sector ->
        [mental_health] Dat kan niet hier. Bel of mail het secretariaat of je behandelaar. Doe dit het liefst 24 uur van tevoren.
       *[care] Dat kan niet hier. Bel of mail het secretariaat of je begeleider. Doe dit het liefst 24 uur van tevoren.
    }
appointment-cancelled = Afgezegd
appointment-duration = Duur
appointment-with = Met
appointment-place = Waar
appointment-ics = Zet in je agenda
at-time = om { $time }
minutes = { $count ->
    [one] 1 minuut
   *[other] { $count } minuten
}
ics-with = Met { $name }

## Documenten
documents-none = Er zijn nog geen documenten.
document-open = Openen
document-download = Downloaden
doc-kind-pdf = PDF
doc-kind-image = afbeelding
doc-kind-file = bestand

## Mijn netwerk
network-intro = Deze mensen mogen ook in je dossier kijken. Je ziet ook wat ze mogen zien.
network-none = Er kijkt niemand anders mee in je dossier.
network-may-see = Mag zien:
network-until = tot en met { $date }
network-change-title = Wil je dit veranderen?
network-change-text =
    { $sector ->
        [mental_health] Wil je dat iemand anders ook meekijkt? Of wil je dat iemand stopt met meekijken? Zeg het tegen je (regie)behandelaar. Samen regelen jullie het.
       *[care] Wil je dat iemand anders ook meekijkt? Of wil je dat iemand stopt met meekijken? Zeg het tegen je (persoonlijk) begeleider. Samen regelen jullie het.
    }

## Wie keek mee
who-intro = Hier zie je wie er in je dossier heeft gekeken of iets heeft veranderd. Het nieuwste staat bovenaan.
who-period = Van { $from } tot en met { $until }
who-none = In deze periode heeft niemand in je dossier gekeken.
who-col-when = Wanneer
who-col-who = Wie
who-col-what = Wat
who-yourself = jijzelf
who-staff = { $name } ({ $role })
who-unknown-staff = een medewerker
who-contact-person = { $name } (contactpersoon)
who-unknown-contact-person = een contactpersoon
who-system = Inzage (automatisch)
who-integration = { $name } (gekoppeld systeem)
times = { $count } keer
who-question-title = Klopt er iets niet?
who-question-text =
    { $sector ->
        [mental_health] Zie je iemand die niet in je dossier had mogen kijken? Vertel het aan je behandelaar of de servicedesk. Zij zoeken het uit.
       *[care] Zie je iemand die niet in je dossier had mogen kijken? Vertel het aan je begeleider of de servicedesk. Zij zoeken het uit.
    }
what-line = { $subject }: { $verb }
subject-profile = Gegevens
subject-client-plan =
    { $sector ->
        [mental_health] Behandelplan
       *[care] Cliëntplan
    }
subject-reports = Rapportages
subject-appointments = Afspraken
subject-documents = Documenten
subject-network = Netwerk
subject-audit-trail = Wie keek mee
subject-episodes = Zorgperiode
subject-account = Account
subject-dossier = Dossier
verb-viewed = bekeken
verb-added = toegevoegd
verb-changed = veranderd
verb-finalised = definitief gemaakt
verb-removed = verwijderd
verb-granted = toegang gegeven
verb-revoked = toegang gestopt
verb-invited = uitnodiging gestuurd
verb-signed-in = ingelogd
verb-signed-out = uitgelogd
verb-password-set = wachtwoord ingesteld
verb-notified = bericht gestuurd (zonder inhoud)
verb-used = gebruikt

## Hulp
help-title = Hulp nodig?
help-intro =
    { $sector ->
        [mental_health] Hier vind je antwoorden op vragen die veel mensen hebben. Kom je er niet uit? Kijk er samen met je (regie)behandelaar naar, of neem contact op met de servicedesk.
       *[care] Hier vind je antwoorden op vragen die veel mensen hebben. Kom je er niet uit? Kijk er samen met je (persoonlijk) begeleider naar, of neem contact op met de servicedesk.
    }
help-more = Meer hulp op de website van je zorgorganisatie
help-servicedesk = Servicedesk
help-tour-title = Rondleiding
help-tour-text = Wil je nog een keer zien hoe Inzage werkt?
help-q-login = Inloggen lukt niet
help-a-login = Je gebruikersnaam is je e-mailadres. Let op hoofdletters in je wachtwoord. Log je voor het eerst in? Klik dan op Wachtwoord opvragen. Je krijgt een e-mail met een link.
help-q-forgot = Ik ben mijn wachtwoord vergeten
help-a-forgot = Vraag een nieuw wachtwoord aan. Je krijgt binnen een paar minuten een e-mail met een link. De link werkt één keer.
help-q-sms = De sms-code komt niet
help-a-sms =
    { $sector ->
        [mental_health] Kijk of je telefoon aan staat en bereik heeft. Na 1 minuut kun je een nieuwe code vragen. Heb je een ander 06-nummer? Vertel het aan het secretariaat of je behandelaar.
       *[care] Kijk of je telefoon aan staat en bereik heeft. Na 1 minuut kun je een nieuwe code vragen. Heb je een ander 06-nummer? Vertel het aan het secretariaat of je begeleider.
    }
help-q-paused = Inloggen is gepauzeerd
help-a-paused = Na { $tries } keer verkeerd inloggen moet je { $minutes } minuten wachten. Daarna kun je het opnieuw proberen. Je krijgt er ook een e-mail over.
help-q-who = Wie kan in mijn dossier kijken?
help-a-who =
    { $sector ->
        [mental_health] Jijzelf en je behandelaars van je team. Ook een contactpersoon kan meekijken, als jij dat wilt. Dat regel je samen met je behandelaars. Onder Mijn netwerk zie je wie er meekijkt, en onder Wie keek mee zie je wie er gekeken heeft.
       *[care] Jijzelf en je begeleiders van je team. Ook een contactpersoon kan meekijken, als jij dat wilt. Dat regel je samen met je begeleiding. Onder Mijn netwerk zie je wie er meekijkt, en onder Wie keek mee zie je wie er gekeken heeft.
    }
help-q-wrong = Er klopt iets niet in mijn dossier
help-a-wrong =
    { $sector ->
        [mental_health] Vertel het aan je (regie)behandelaar of het secretariaat. Je mag fouten laten verbeteren. Je mag ook iets laten toevoegen aan je dossier.
       *[care] Vertel het aan je (persoonlijk) begeleider of het secretariaat. Je mag fouten laten verbeteren. Je mag ook iets laten toevoegen aan je dossier.
    }
help-q-stop = Ik wil niet meer meelezen
help-a-stop =
    { $sector ->
        [mental_health] Wil je niet meer meelezen, of wil je dat een contactpersoon niet meer meeleest? Zeg het tegen je (regie)behandelaar.
       *[care] Wil je niet meer meelezen, of wil je dat een contactpersoon niet meer meeleest? Zeg het tegen je (persoonlijk) begeleider.
    }
help-q-timeout = Ik ben ineens uitgelogd
help-a-timeout = Als je { $minutes } minuten niets doet, word je uitgelogd. Zo kan niemand anders in je dossier kijken. Log opnieuw in; je gaat verder waar je was.

## Ontwikkeling
outbox-title = Outbox (ontwikkeling)
outbox-intro = Alleen voor ontwikkeling: berichten die Inzage zou versturen, nieuwste eerst.
outbox-empty = Nog geen berichten.

## E-mail en sms
mail-hello = Hallo,
mail-invite-subject = Je uitnodiging voor Inzage
mail-invite-intro = Je kunt nu je eigen dossier bekijken in Inzage.
mail-invite-click = Klik op deze link en kies een wachtwoord:
mail-invite-valid = De link werkt één keer en is geldig tot { $until }.
mail-invite-username = Je gebruikersnaam is je e-mailadres: { $email }
mail-invite-unexpected = Heb je deze e-mail niet verwacht? Dan hoef je niets te doen.
mail-reset-subject = Nieuw wachtwoord instellen
mail-reset-intro = Je hebt een nieuw wachtwoord aangevraagd voor Inzage.
mail-reset-click = Klik op deze link en kies een nieuw wachtwoord:
mail-reset-valid = De link werkt één keer en is 1 uur geldig.
mail-reset-unexpected = Heb jij dit niet aangevraagd? Dan hoef je niets te doen.
notify-title = Berichten over je dossier
notify-intro = Wil je een e-mail of sms als er iets nieuws is? In zo'n bericht staat nooit wat er in het dossier staat. Je leest het pas als je inlogt.
notify-what = Waarover wil je een bericht?
notify-news-label = Er staat iets nieuws in het dossier (hoogstens 1 keer per dag)
notify-reminders-label = Een herinnering, de dag voor een afspraak
notify-how = Hoe wil je het bericht krijgen?
notify-by-email = Per e-mail
notify-by-sms = Per sms
notify-sms-needs-mobile = Een sms kan alleen met een 06-nummer. Dat staat niet in je account.
notify-saved = Je keuze voor berichten is opgeslagen.
notify-no-channel = Kies per e-mail of per sms. Anders kunnen we je geen bericht sturen.
notify-no-mobile = Een sms kan alleen met een 06-nummer. Kies per e-mail.
unsubscribe-title = Geen berichten meer
unsubscribe-intro = Wil je geen berichten meer krijgen over het dossier? Klik dan op de knop.
unsubscribe-button = Geen berichten meer
unsubscribe-later = Later weer berichten? Zet ze aan in Mijn account.
unsubscribe-done = Klaar. Je krijgt geen berichten meer over het dossier. Je kunt ze weer aanzetten in Mijn account.
unsubscribe-gone = Deze link werkt niet meer. Je kunt berichten uitzetten in Mijn account.
unsubscribe-to-account = Naar Mijn account
mail-afschrift-ready-subject = Je afschrift is klaar
mail-afschrift-ready-intro = Het afschrift van het dossier is klaar. Je kunt het downloaden in het portaal tot { $until }. Het bestand zit niet bij deze e-mail.
notify-news-subject-own = Nieuws in je dossier
notify-news-subject-other = Nieuws in een dossier dat je mag lezen
notify-news-own = Er staat iets nieuws in je dossier.
notify-news-other = Er staat iets nieuws in een dossier dat je mag lezen.
notify-news-sms-own = Er staat iets nieuws in je dossier. Kijk in het portaal.
notify-news-sms-other = Er staat iets nieuws in een dossier dat je mag lezen. Kijk in het portaal.
notify-reminder-subject = Herinnering: morgen een afspraak
notify-reminder-own = Je hebt morgen om { $time } een afspraak. Kijk in het portaal.
notify-reminder-other = Er is morgen om { $time } een afspraak in een dossier dat je mag lezen. Kijk in het portaal.
notify-look = Kijk in het portaal:
notify-why = Je krijgt dit bericht omdat je het hebt aangezet in Mijn account. In dit bericht staat nooit wat er in het dossier staat.
notify-stop = Wil je deze berichten niet meer krijgen? Klik dan hier:
mail-code-reused-subject = Iemand gebruikte een code van je app opnieuw
mail-code-reused-intro = Bij het inloggen op Inzage werd een code van je app gebruikt die al eerder was gebruikt. We hebben die code geweigerd.
mail-code-reused-unexpected = Was jij dit niet? Verander dan je wachtwoord en neem contact op met de servicedesk.
mail-password-changed-subject = Je wachtwoord is veranderd
mail-password-changed-intro = Je wachtwoord voor Inzage is zojuist veranderd.
mail-password-changed-unexpected = Heb jij dit niet gedaan? Neem dan meteen contact op met de servicedesk.
mail-oidc-linked-subject = Je kunt nu inloggen via je organisatie
mail-oidc-linked-intro = Je account in Inzage is gekoppeld aan je inlog bij je organisatie. Je kunt nu inloggen met de knop "Inloggen via je organisatie". Je inlog staat bij:
mail-oidc-linked-unexpected = Heb jij dit niet gedaan? Neem dan meteen contact op met de servicedesk.
mail-lockout-subject = Inloggen is even gepauzeerd
mail-lockout-intro = Er is { $count } keer verkeerd ingelogd op jouw account.
mail-lockout-until = Daarom is inloggen gepauzeerd tot { $until }.
mail-lockout-after = Daarna kun je weer inloggen.
mail-lockout-unexpected = Was jij dit niet? Vraag dan een nieuw wachtwoord aan.
mail-help-mail-or-call = Hulp nodig? Mail naar { $email } of bel { $phone }.
mail-help-mail = Hulp nodig? Mail naar { $email }.
sms-code = Je Inzage-code is { $code }. Deze code is 10 minuten geldig. Deel deze code met niemand.
mail-app-changed-subject = Je manier van inloggen is veranderd
mail-app-linked-intro = Er is zojuist een app voor inlogcodes gekoppeld aan je account in Inzage. Op andere apparaten ben je uitgelogd.
mail-app-removed-intro = De app voor inlogcodes is zojuist losgekoppeld van je account in Inzage. Je logt nu in met een sms-code. Op andere apparaten ben je uitgelogd.
mail-passkey-changed-subject = Je manier van inloggen is veranderd
mail-passkey-added-intro = Er is zojuist een passkey met de naam "{ $name }" toegevoegd aan je account in Inzage. Op andere apparaten ben je uitgelogd.
mail-passkey-removed-intro = De passkey met de naam "{ $name }" is zojuist verwijderd van je account in Inzage. Op andere apparaten ben je uitgelogd.
mail-passkey-alone = Met deze passkey kun je inloggen zonder wachtwoord.
mail-passkey-copied-subject = Iemand gebruikte misschien een kopie van je passkey
mail-passkey-copied-intro = Bij het inloggen op Inzage gaf een van je passkeys een antwoord dat lijkt op dat van een kopie. We hebben het geweigerd.
mail-passkey-copied-unexpected = Was jij dit niet? Verwijder de passkey in Mijn account, verander je wachtwoord en neem contact op met de servicedesk.
mail-identifiers-changed-subject = Je gegevens voor Inzage zijn veranderd
mail-identifiers-changed-intro = Het e-mailadres of mobiele nummer waarmee je inlogt in Inzage is veranderd. Dit bericht gaat naar je oude e-mailadres en je oude nummer.
mail-identifiers-changed-unexpected =
    { $sector ->
        [mental_health] Klopt dit niet? Neem dan meteen contact op met je behandelaar of de servicedesk.
       *[care] Klopt dit niet? Neem dan meteen contact op met je begeleider of de servicedesk.
    }
sms-identifiers-changed = Het e-mailadres of mobiele nummer waarmee je inlogt in Inzage is veranderd. Klopt dit niet? Neem meteen contact op met de servicedesk.
mail-confirm-code-subject = Je code voor Inzage
mail-confirm-code-intro = Je wilt dit e-mailadres gebruiken voor Inzage. Je code is: { $code }
mail-confirm-code-valid = Vul de code in op de pagina Mijn account. De code is { $minutes } minuten geldig.
mail-confirm-code-unexpected = Heb jij dit niet gevraagd? Dan hoef je niets te doen. Er verandert niets.
sms-confirm-code = Je code om dit nummer te gebruiken voor Inzage is { $code }. De code is { $minutes } minuten geldig.
mail-change-request-subject = Klopt je nieuwe e-mailadres of nummer?
mail-change-request-intro = Een medewerker van { $organisation } wil je gegevens in Inzage veranderen:
mail-change-request-email = nieuw e-mailadres: { $email }
mail-change-request-mobile = nieuw mobiel nummer: { $mobile }
mail-change-request-click = Klopt dit? Log in en bevestig het met deze link:
mail-change-request-valid = De link is geldig tot { $until }.
mail-change-request-unexpected = Klopt dit niet? Doe dan niets. Er verandert niets zonder jouw ja.
mail-link-subject = Nieuwe uitnodiging in Inzage
mail-link-intro = Een zorgorganisatie wil je toegang geven tot een dossier in Inzage.
mail-link-sign-in = Log in om te zien om wie het gaat. Daarna kies je: ja of nee.
mail-link-unexpected = Heb je dit niet verwacht? Dan hoef je niets te doen. Zonder jouw ja gebeurt er niets.
mail-address-taken-subject = Uitnodiging voor Inzage
mail-address-taken-intro = Een zorgorganisatie wilde je uitnodigen voor Inzage met dit e-mailadres. Met dit adres heb je al een account in Inzage.
mail-address-taken-what = Wil je de uitnodiging wel? Geef de organisatie dan een ander e-mailadres.

## Staff workspace: a client's page
staff-back-to-clients = Terug naar Mijn cliënten
staff-tabs-label = Onderdelen van het dossier
staff-tab-profile = Gegevens
staff-tab-network = Netwerk en portaal
staff-open-client = Open het dossier van { $name }
staff-episodes-none = Er is nog geen zorgperiode.
staff-episode-open = Vanaf { $start } (loopt nog)
staff-episode-ended = Van { $start } tot en met { $end }
staff-status-draft = concept
staff-status-final = definitief
staff-report-hidden = niet zichtbaar voor cliënt
staff-report-shown = zichtbaar voor cliënt en toegestane contactpersonen
staff-report-new = Nieuwe rapportage
staff-report-new-hint = Een nieuwe rapportage is eerst een concept. Alleen medewerkers zien een concept. Na "Definitief maken", of vanzelf na de termijn van de organisatie, wordt hij definitief.
staff-report-category = Categorie
staff-report-body = Tekst
staff-report-visible = Mag de cliënt deze rapportage lezen in het portaal?
staff-report-visible-yes = Ja, zichtbaar voor de cliënt
staff-report-visible-no = Nee, alleen voor medewerkers
staff-report-save-draft = Concept opslaan
staff-report-edit = Concept aanpassen
staff-report-finalise = Definitief maken
staff-report-finalise-hint = Definitief maken kan niet ongedaan worden. Daarna kun je de rapportage alleen nog corrigeren met een nieuwe versie.
staff-report-draft-note = Dit is een concept. De cliënt ziet het nog niet.
staff-report-finalised-by-job = Deze rapportage is automatisch definitief gemaakt na de termijn van de organisatie. De schrijver staat hierboven.
staff-report-old-version = Dit is een oudere versie. Er is een nieuwere versie.
staff-report-correct = Corrigeren (nieuwe versie)
staff-report-correct-hint = Een definitieve rapportage wordt nooit overschreven. Je correctie wordt een nieuwe versie; de oude versie blijft zichtbaar voor medewerkers. De cliënt ziet de nieuwe versie met "gewijzigd".
staff-report-correct-save = Correctie opslaan
staff-report-history = Versies
staff-report-version = Versie { $n }
staff-report-category-error = Vul een categorie in (hoogstens 100 tekens).
staff-report-body-empty = Schrijf de tekst van de rapportage.
staff-report-body-too-long = De tekst is te lang: hoogstens { $max } tekens.
staff-report-body-control = De tekst bevat tekens die niet kunnen (stuurtekens).
staff-report-visible-error = Kies of de cliënt deze rapportage mag lezen.
staff-form-not-saved = Er is niets opgeslagen. Verbeter dit en probeer het opnieuw:
staff-notice-saved = Opgeslagen.
staff-notice-finalised = De rapportage is definitief. De cliënt ziet hem nu (als hij zichtbaar is).
staff-notice-corrected = De correctie is opgeslagen als nieuwe versie.
staff-notice-stale = Iemand heeft deze rapportage intussen veranderd. Er is niets definitief gemaakt. Bekijk de nieuwe tekst en probeer het opnieuw.
staff-conflict-title = Niet opgeslagen: iemand anders was je voor
staff-conflict-text = Na het openen van dit formulier heeft iemand anders deze rapportage veranderd. Jouw tekst is niet opgeslagen en niet verloren: hij staat hieronder naast de huidige versie, en in het formulier. Kijk beide na en sla opnieuw op.
staff-conflict-yours = Jouw versie (niet opgeslagen)
staff-conflict-current = Huidige versie
staff-report-last-saved = Laatst opgeslagen: { $when }.
staff-access-client-title = Portaal van de cliënt
staff-access-status = Status
staff-access-not-invited = Nog niet uitgenodigd
staff-access-invited = Uitgenodigd op
staff-access-active = Actief, laatst ingelogd op
staff-access-active-never = Actief, nog nooit ingelogd
staff-access-stopped = Gestopt op verzoek van de cliënt
staff-access-paused = Inloggen gepauzeerd
staff-access-paused-until = Inloggen gepauzeerd tot { $when }
staff-invite = Uitnodigen
staff-invite-again = Opnieuw uitnodigen
staff-invite-impossible = Uitnodigen lukt niet. Kijk of het e-mailadres en het mobiele nummer bekend zijn, en of de cliënt het portaal nu mag gebruiken (zorgperiode, leeftijd).
staff-portal-stop = Portaal stoppen op verzoek van de cliënt
staff-portal-restart = Portaal weer aanzetten
staff-portal-stop-hint = Stoppen sluit het portaal voor de cliënt zelf meteen, ook als die nu is ingelogd. Contactpersonen houden hun eigen toegang; die trek je hieronder apart in.
staff-bad-choice = Deze keuze bestaat niet.
staff-contacts-title = Contactpersonen
staff-contacts-none = Er zijn nog geen contactpersonen.
staff-contact-no-email = geen e-mailadres
staff-contact-no-mobile = geen mobiel nummer
staff-grant-from = Vanaf { $date }
staff-grant-until = tot en met { $date }
staff-grant-consent = Toestemming vastgelegd door { $name } op { $when }.
staff-grant-revoked = ingetrokken op { $when }
staff-grant-inactive = niet (meer) geldig
staff-grant-revoke = Toegang intrekken
staff-contact-add = Contactpersoon toevoegen
staff-contact-given = Voornaam
staff-contact-prefix = Tussenvoegsel
staff-contact-family = Achternaam
staff-contact-relation = Relatie tot de cliënt
staff-contact-relation-choose = Kies een relatie
staff-contact-parts = Wat mag deze contactpersoon zien?
staff-contact-until = Toegang tot en met (niet verplicht)
staff-contact-until-hint = Schrijf de datum zo: dag-maand-jaar. Leeg laten: geen einddatum.
staff-contact-consent = De cliënt geeft toestemming. Ik leg dat nu vast op mijn naam.
staff-contact-add-submit = Contactpersoon toevoegen
staff-contact-given-error = Vul de voornaam in (hoogstens 100 tekens).
staff-contact-family-error = Vul de achternaam in (hoogstens 100 tekens).
staff-contact-prefix-error = Het tussenvoegsel is te lang of bevat tekens die niet kunnen.
staff-contact-relation-error = Kies de relatie tot de cliënt.
staff-contact-email-error = Dit e-mailadres klopt niet.
staff-contact-mobile-error = Dit mobiele nummer klopt niet. Schrijf het zo: 06 12345678.
staff-contact-parts-error = Kies minstens één onderdeel dat de contactpersoon mag zien.
staff-contact-until-range = De einddatum moet vandaag of later zijn, en hoogstens tien jaar vooruit.
staff-contact-consent-error = Zonder toestemming van de cliënt kun je geen contactpersoon toegang geven.
staff-notice-invited = De uitnodiging is verstuurd. Oudere uitnodigingslinks werken niet meer.
staff-notice-contact-added = De contactpersoon is toegevoegd. Nodig hem of haar nu uit.
staff-notice-revoked = De toegang is ingetrokken. Open sessies van deze contactpersoon zijn meteen gestopt.
staff-notice-portal-stopped = Het portaal is gestopt voor de cliënt.
staff-notice-portal-restarted = Het portaal staat weer aan voor de cliënt.
staff-notice-network-stale = Dit was intussen al veranderd. Kijk hieronder hoe het nu is.
staff-episode-start = Zorgperiode starten
staff-episode-end = Zorgperiode beëindigen (ontslag)
staff-episode-start-date = Startdatum van de nieuwe zorgperiode
staff-episode-end-date = Einddatum van de zorgperiode
staff-episode-start-hint = Schrijf de datum zo: dag-maand-jaar.
staff-episode-end-hint = Schrijf de datum zo: dag-maand-jaar. Na deze datum kan de cliënt het dossier nog lezen zolang de organisatie dat toestaat.
staff-episode-date-range = Deze datum ligt te ver weg.
staff-episode-date-order = Deze datum past niet: een einde ligt na de start, een nieuwe start na het vorige einde.
staff-notice-episode-started = De nieuwe zorgperiode is gestart.
staff-notice-episode-ended = De zorgperiode is beëindigd.
staff-appointments-none = Geen afspraken.
staff-appointments-back = Terug naar alle afspraken
staff-appointment-new = Nieuwe afspraak
staff-appointment-create = Afspraak maken
staff-appointment-change = Afspraak wijzigen of annuleren
staff-appointment-save = Wijziging opslaan
staff-appointment-cancel = Afspraak annuleren
staff-appointment-cancel-hint = Een geannuleerde afspraak blijft zichtbaar, met "Afgezegd" erbij.
staff-appointment-cancelled-note = Deze afspraak is geannuleerd en kan niet meer veranderen.
staff-appointment-conflict-text = Na het openen van dit formulier heeft iemand anders deze afspraak veranderd of geannuleerd. Jouw wijziging is niet opgeslagen: hieronder staan beide versies.
staff-appointment-date = Datum
staff-appointment-time = Begintijd
staff-appointment-minutes = Duur in minuten
staff-appointment-practitioner = Met wie
staff-appointment-place = Waar
staff-appointment-description = Waarover
staff-appointment-duration = { $minutes } minuten
staff-appointment-time-error = Deze tijd klopt niet. Schrijf de tijd zo: 14:30.
staff-appointment-minutes-error = Kies een duur van 5 tot 1440 minuten.
staff-appointment-practitioner-error = Kies een medewerker van het team van de cliënt.
staff-appointment-place-error = Vul in waar de afspraak is (hoogstens 100 tekens).
staff-appointment-description-error = Vul in waarover de afspraak gaat (hoogstens 2000 tekens).
staff-notice-appointment-cancelled = De afspraak is geannuleerd. De cliënt ziet hem als afgezegd.
staff-notice-appointment-stale = Deze afspraak was intussen al veranderd.
staff-documents-none = Er zijn geen documenten.
staff-document-remove = Document verwijderen
staff-document-remove-reason = Waarom verwijder je dit document?
staff-document-remove-hint = Het document verdwijnt uit het dossier en het portaal. Het wordt niet echt gewist: de reden, wie en wanneer worden vastgelegd.
staff-remove-reason-error = Schrijf waarom je het document verwijdert (hoogstens 500 tekens).
staff-upload-title = Document toevoegen
staff-upload-file = Bestand
staff-upload-file-hint = PDF, PNG of JPEG, hoogstens { $limit }.
staff-upload-doc-title = Titel
staff-upload-doc-type = Soort document
staff-upload-doc-date = Datum van het document
staff-upload-visible = Mag de cliënt dit document zien in het portaal?
staff-upload-submit = Document toevoegen
staff-upload-title-error = Vul een titel in (hoogstens 100 tekens).
staff-upload-type-error = Vul de soort document in (hoogstens 100 tekens).
staff-upload-visible-error = Kies of de cliënt dit document mag zien.
staff-upload-too-large = Het bestand is te groot. Het mag hoogstens { $limit } zijn.
staff-upload-type-refused = Dit bestand is geen PDF, PNG of JPEG. We kijken naar de inhoud, niet naar de naam.
staff-upload-no-file = Kies een bestand.
staff-upload-unreadable = Het formulier kon niet gelezen worden. Probeer het opnieuw.
staff-notice-document-uploaded = Het document is toegevoegd.
staff-notice-document-removed = Het document is verwijderd. De reden is vastgelegd.
staff-plans-none =
    { $sector ->
        [mental_health] Er is nog geen behandelplan.
       *[care] Er is nog geen cliëntplan.
    }
staff-plan-new = Nieuwe versie maken
staff-plan-date = Datum van de nieuwe versie
staff-plan-new-hint = De nieuwe versie begint als concept met de tekst van de laatste versie. Schrijf de datum zo: dag-maand-jaar.
staff-plan-draft-exists = Er is al een concept. Maak dat eerst af.
staff-plan-draft-note = Dit is een concept. De cliënt ziet het pas als het definitief is.
staff-plan-edit-section = Dit domein aanpassen
staff-plan-add-domain = Domein toevoegen
staff-plan-domain = Domein
staff-plan-finalise-hint = Definitief maken kan niet ongedaan worden. Daarna ziet de cliënt deze versie. Een volgende verandering wordt een nieuwe versie.
staff-plan-incomplete = Nog niet definitief: elk domein heeft doelen en afspraken nodig.
staff-plan-domain-error = Vul het domein in (hoogstens 100 tekens).
staff-plan-goals-error = Schrijf de doelen (hoogstens { $max } tekens).
staff-plan-agreements-error = Schrijf de afspraken (hoogstens { $max } tekens).
staff-plan-markdown-hint = Je kunt opmaak gebruiken: # kopje, - opsomming, 1. genummerd, **vet**, [tekst](https://…) voor een link. Andere opmaak (zoals HTML) wordt gewone tekst.
staff-plan-save-section = Domein opslaan
staff-plan-final-readonly = Deze versie is definitief en verandert niet meer. Maak een nieuwe versie om iets te veranderen.
staff-plan-conflict-text = Na het openen van dit formulier heeft iemand anders dit domein veranderd. Jouw tekst is niet opgeslagen en niet verloren: hieronder staan beide versies, en jouw tekst staat in het formulier.
staff-notice-plan-finalised =
    { $sector ->
        [mental_health] Het behandelplan is definitief. De cliënt ziet deze versie nu.
       *[care] Het cliëntplan is definitief. De cliënt ziet deze versie nu.
    }

## Audit viewer (privacy officer)
audit-title = Auditlog doorzoeken
audit-intro = Zoek in het logboek van je organisatie: wie keek of veranderde wat, en wanneer. Geweigerde pogingen zijn rood gemarkeerd. Elke zoekopdracht wordt zelf ook vastgelegd.
audit-client = Cliëntnummer
audit-staff = E-mailadres van de medewerker
audit-action = Actie
audit-action-any = Alle acties
audit-denied-only = Alleen geweigerde pogingen
audit-search = Zoeken
audit-csv = Download als CSV
audit-count = { $count ->
    [one] 1 gebeurtenis
   *[other] { $count } gebeurtenissen
}
audit-limited = Je ziet de nieuwste { $limit }. Maak de zoekopdracht kleiner om meer te zien.
audit-col-when = Wanneer
audit-col-who = Wie
audit-col-role = Als
audit-col-client = Cliënt
audit-col-what = Wat
audit-col-source = Vanaf (netwerkadres)
audit-col-outcome = Uitkomst
audit-allowed = toegestaan
audit-denied = GEWEIGERD
audit-default-period = Zonder datums zie je de laatste 7 dagen.
audit-not-allowed = Alleen een privacy officer kan het auditlog doorzoeken.
admin-title = Beheer van de organisatie
audit-action-read = bekeken
audit-action-list = lijst bekeken
audit-action-create = aangemaakt
audit-action-update = gewijzigd
audit-action-finalise = definitief gemaakt
audit-action-delete = verwijderd
audit-action-export = geëxporteerd
audit-action-grant = toegang gegeven
audit-action-revoke = toegang ingetrokken
audit-action-invite = uitgenodigd
audit-action-login = ingelogd
audit-action-logout = uitgelogd
audit-action-code-sent = code verstuurd
audit-action-second-factor = tweede stap
audit-action-lockout = inloggen gepauzeerd
audit-action-password-set = wachtwoord ingesteld
audit-action-password-reset-requested = wachtwoord opgevraagd
audit-action-session-start = sessie gestart
audit-action-session-end = sessie beëindigd
audit-action-notify = bericht gestuurd
admin-audited = Elke wijziging hier wordt vastgelegd in het auditlog.
admin-settings = Instellingen
admin-idle = Uitloggen na zoveel minuten niets doen
admin-threshold = Pauze na zoveel foute inlogpogingen
admin-pause = Minuten pauze na te veel foute pogingen
admin-grace = Dagen na ontslag dat de cliënt nog kan lezen
admin-min-age = Minimumleeftijd voor het portaal
admin-eligibility = Portaal voor zorgperiodes die begonnen op of na (niet verplicht)
admin-finalise = Rapportages automatisch definitief na zoveel uur
admin-upload = Grootste document in MB
admin-upload-now = Nu: { $size }.
admin-sd-email = E-mail van de servicedesk
admin-sd-phone = Telefoon van de servicedesk
admin-help-url = Webadres met meer hulp (https://…)
admin-staff-sms = Medewerkers mogen een sms-code gebruiken (anders alleen een app)
admin-auto-invite = Cliënten automatisch uitnodigen zodra e-mail en mobiel bekend zijn
admin-settings-save = Instellingen opslaan
admin-idle-error = Uitloggen na: kies { $min } tot { $max } minuten.
admin-threshold-error = Foute pogingen: kies { $min } tot { $max }.
admin-pause-error = Pauze: kies { $min } tot { $max } minuten.
admin-grace-error = Dagen na ontslag: kies { $min } tot { $max }.
admin-min-age-error = Minimumleeftijd: kies { $min } tot { $max } jaar.
admin-finalise-error = Automatisch definitief: kies { $min } tot { $max } uur.
admin-request-days = Dagen om een verzoek van een cliënt te beantwoorden (verbetering, aanvulling)
admin-request-days-error = Dagen voor een verzoek: kies { $min } tot { $max } dagen.
admin-retention-years = Jaren dat een dossier bewaard blijft na de laatste zorg (WGBO: minstens 20)
admin-retention-years-error = Bewaartermijn: kies { $min } tot { $max } jaar.
admin-upload-error = Grootste document: kies { $min } tot { $max } MB.
admin-phone-error = Het telefoonnummer mag alleen cijfers, spaties, +, - en haakjes hebben.
admin-help-url-error = Het webadres moet beginnen met https:// of een pagina van deze site zijn (zoals /hulp).
admin-locations = Locaties en teams
admin-location-name = Naam van de nieuwe locatie
admin-location-add = Locatie toevoegen
admin-location-error = Vul de naam van de locatie in (hoogstens 100 tekens).
admin-team-location = Locatie van het team
admin-team-name = Naam van het nieuwe team
admin-team-add = Team toevoegen
admin-team-error = Kies een locatie en vul de naam van het team in (hoogstens 100 tekens).
admin-staff = Medewerkers
admin-roles = Rollen
admin-teams = Teams
admin-inactive = uitgeschakeld
admin-staff-add = Medewerker toevoegen
admin-roles-error = Kies minstens één rol.
admin-exists-error = Dit bestaat al (dezelfde naam of hetzelfde e-mailadres).
admin-invalid-error = Dit kan niet: een team hoort bij een andere organisatie, of een gegeven klopt niet.
admin-back = Terug naar beheer
admin-active = Mag inloggen (uitzetten stopt ook alle open sessies)
admin-staff-save = Opslaan
admin-staff-invite = Uitnodiging sturen
admin-staff-refused = Dit kan niet. Je kunt je eigen beheerrol niet weghalen en jezelf niet uitschakelen; een uitnodiging vraagt een e-mailadres.
admin-notice-invited = De uitnodiging is verstuurd.
admin-own-roles = Je kunt je eigen rollen en teams niet veranderen. Vraag het een andere functioneel beheerder.
admin-four-eyes-hint = De rol privacy officer, of een rol met toegang tot dossiers voor een functioneel beheerder, gaat pas in als een andere functioneel beheerder het goedkeurt.
admin-notice-awaiting = Opgeslagen als verzoek. Een andere functioneel beheerder moet het goedkeuren.
admin-notice-approved = Goedgekeurd. De wijziging is doorgevoerd.
admin-notice-rejected = Afgewezen. Er is niets veranderd.
admin-pending = Wacht op goedkeuring
admin-pending-intro = Deze wijzigingen gaan pas in als een tweede functioneel beheerder ze goedkeurt.
admin-pending-email = Werkmail: { $email }. Controleer dat dit adres echt van deze persoon is: daar komt de uitnodiging.
admin-pending-asked = Gevraagd door { $name } op { $when }.
admin-pending-active = Mag inloggen.
admin-pending-approve = Goedkeuren
admin-pending-reject = Afwijzen
admin-pending-other = Een andere functioneel beheerder moet dit goedkeuren.
staff-pause-end = Pauze nu beëindigen
staff-details-change = E-mail of mobiel nummer wijzigen
staff-details-hint = Het oude e-mailadres en het oude nummer krijgen een bericht over deze wijziging.
staff-details-hint-in-use = Deze persoon logt al in met deze gegevens. De wijziging gaat pas in als de persoon haar bevestigt: die krijgt een e-mail op het oude adres.
staff-access-change = Wijziging
staff-access-change-waiting = Gevraagd op { $when }, wacht op bevestiging door de persoon
staff-notice-details-asked = Gevraagd. De persoon krijgt een e-mail op het oude adres en bevestigt de wijziging daar. Tot dan blijft alles hetzelfde.
staff-details-save = Wijziging opslaan
staff-details-refused = Dit kan niet: wie een account heeft, heeft een e-mailadres en een mobiel nummer nodig, en een e-mailadres kan maar bij één account horen.
staff-notice-pause-ended = De pauze is voorbij. Inloggen kan weer.
staff-notice-details-changed = De gegevens zijn gewijzigd. Het oude e-mailadres kreeg een bericht.

## Cliënt registreren en gegevens wijzigen (issue 14)
staff-register-link = Cliënt registreren
staff-register-title = Cliënt registreren
staff-register-intro = Vul de gegevens van de nieuwe cliënt in. Cliëntnummer, voornaam, achternaam, geboortedatum, team en start van de zorg zijn verplicht. De cliënt krijgt pas toegang tot het portaal als je een uitnodiging stuurt (of als jullie organisatie dat automatisch doet).
staff-register-submit = Cliënt registreren
staff-client-legend-person = Persoon
staff-client-legend-address = Adres en contact
staff-client-legend-care = Zorg
staff-client-number = Cliëntnummer
staff-client-number-hint = Het nummer van jullie eigen organisatie: letters, cijfers en -, hoogstens 20 tekens. Niet het BSN.
staff-client-birth = Geboortedatum
staff-client-street = Straat
staff-client-house = Huisnummer
staff-client-postal = Postcode
staff-client-city = Woonplaats
staff-client-contact-hint = Met e-mailadres en mobiel nummer kan de cliënt worden uitgenodigd voor het portaal.
staff-client-team = Team (de locatie hoort bij het team)
staff-client-choose = Kies een team
staff-client-caregiver =
    { $sector ->
        [mental_health] Regiebehandelaar (niet verplicht)
       *[care] Persoonlijk begeleider (niet verplicht)
    }
staff-client-caregiver-hint =
    { $sector ->
        [mental_health] Alleen een regiebehandelaar van het gekozen team.
       *[care] Alleen een persoonlijk begeleider van het gekozen team.
    }
staff-client-no-caregiver = Nog niet gekozen
staff-client-start = Start van de zorg (zorgperiode)
staff-client-current-team = Huidige team
staff-client-given-error = Vul de voornaam in (hoogstens 100 tekens).
staff-client-family-error = Vul de achternaam in (hoogstens 100 tekens).
staff-client-prefix-error = Het tussenvoegsel is te lang of bevat tekens die niet kunnen.
staff-client-address-error = Een deel van het adres is te lang of bevat tekens die niet kunnen.
staff-client-number-error = Vul een cliëntnummer in: letters, cijfers en -, hoogstens 20 tekens.
staff-client-number-taken = Dit cliëntnummer is al in gebruik. Kies een ander nummer.
staff-client-birth-error = Deze geboortedatum klopt niet. Schrijf hem zo: 31-12-1990. Hij ligt niet in de toekomst en niet voor 1900.
staff-client-team-error = Kies een team.
staff-client-caregiver-error =
    { $sector ->
        [mental_health] Deze regiebehandelaar hoort niet bij het gekozen team.
       *[care] Deze persoonlijk begeleider hoort niet bij het gekozen team.
    }
staff-client-start-error = Deze startdatum kan niet. Schrijf hem zo: 31-12-2026. Hij ligt na het einde van een eerdere zorgperiode en voor het einde van deze.
staff-client-contact-in-use-error = De cliënt gebruikt het portaal al. Een e-mailadres en een mobiel nummer kunnen dan alleen worden vervangen, niet leeggemaakt.
staff-client-edit-link = Gegevens wijzigen
staff-client-edit-title = Gegevens wijzigen
staff-client-edit-intro = Verander wat niet klopt. De oude gegevens blijven bewaard: je ziet ze onder "Eerdere versies". Als de cliënt het portaal al gebruikt, bevestigt de cliënt een nieuw e-mailadres of mobiel nummer eerst zelf.
staff-client-save = Wijzigingen opslaan
staff-client-back-to-profile = Terug naar de gegevens
staff-client-stale = Iemand anders heeft de gegevens intussen veranderd. Er is niets opgeslagen.
staff-client-stale-yours = Het formulier toont nu de nieuwe gegevens. Dit had jij ingevuld:
staff-dup-title = Bestaat deze cliënt al?
staff-dup-intro = Deze cliënten hebben dezelfde geboortedatum en een naam die erop lijkt. Kijk of het dezelfde persoon is. Is het een andere persoon? Vink dat dan aan en registreer opnieuw.
staff-dup-same-number = Dit cliëntnummer is al in gebruik. Kies een ander nummer.
staff-dup-number-badge = zelfde cliëntnummer
staff-dup-confirm = Ik heb gekeken: dit is een andere persoon.
staff-notice-client-registered = De cliënt is geregistreerd.
staff-notice-client-saved = De gegevens zijn opgeslagen.
staff-notice-client-unchanged = Er was niets veranderd. Er is niets opgeslagen.
staff-history-title = Eerdere versies
staff-history-intro = Elke wijziging van de gegevens, de nieuwste eerst. Niets wordt overschreven.
staff-history-version = Versie { $version } · { $when } · { $who }
staff-history-change = { $field }: { $old } → { $new }
staff-history-empty = (leeg)
staff-history-none = Nog geen wijzigingen bewaard.
client-field-client_number = Cliëntnummer
client-field-given_name = Voornaam
client-field-name_prefix = Tussenvoegsel
client-field-family_name = Achternaam
client-field-birth_date = Geboortedatum
client-field-street = Straat
client-field-house_number = Huisnummer
client-field-postal_code = Postcode
client-field-city = Woonplaats
client-field-email = E-mail
client-field-mobile = Mobiel nummer
client-field-team = Team
client-field-primary_caregiver =
    { $sector ->
        [mental_health] Regiebehandelaar
       *[care] Persoonlijk begeleider
    }
client-field-episode_start = Start van de zorg
client-changed-by-client = de cliënt zelf
client-changed-by-system = het systeem
login-too-young = Inloggen kan (nog) niet. Het portaal is er voor cliënten van { $age } jaar en ouder. Vragen? { $servicedesk }
login-before-start = Inloggen kan niet. Het portaal is er voor zorg die begon op of na { $date }. Deze zorg begon eerder. Vragen? { $servicedesk }
profile-care-title = Zorgperiode
profile-care-since = De zorg loopt sinds { $start }.
profile-care-ended = De zorg liep van { $start } tot en met { $end }.
profile-care-earlier =
    { $sector ->
        [mental_health] Je had eerder ook zorg bij ons. Die eerdere periodes staan niet in het portaal. Wil je die gegevens zien? Vraag het aan je behandelaar of de servicedesk. Je hebt daar recht op.
       *[care] Je had eerder ook zorg bij ons. Die eerdere periodes staan niet in het portaal. Wil je die gegevens zien? Vraag het aan je begeleider of de servicedesk. Je hebt daar recht op.
    }
profile-care-earlier-contact =
    { $sector ->
        [mental_health] Er was eerder ook zorg. Die eerdere periodes staan niet in het portaal. De cliënt (of een wettelijk vertegenwoordiger) kan ze opvragen bij de behandelaar of de servicedesk.
       *[care] Er was eerder ook zorg. Die eerdere periodes staan niet in het portaal. De cliënt (of een wettelijk vertegenwoordiger) kan ze opvragen bij de begeleider of de servicedesk.
    }
sms-sent-at-once = We hebben je een sms gestuurd met een code van 6 cijfers.
code-sms-intro-sent = Kijk op je mobiele telefoon. Typ de code van 6 cijfers hieronder. De code werkt 10 minuten.
code-resend-hint = Geen sms gekregen? Wacht een minuut. Daarna kun je een nieuwe code laten sturen.
code-send-again = Stuur een nieuwe code
footer-servicedesk = Vragen? Servicedesk van { $organisation }:
footer-help = Hulp op de website
admin-help-url-hint = Een adres dat begint met https://, of een pagina van deze site, zoals /hulp.
admin-display-name = Naam op het inlogscherm en in e-mails
admin-display-name-hint = Leeg laten: de geregistreerde naam van de organisatie.
admin-display-name-error = De naam is te lang (hoogstens 100 tekens) of bevat tekens die niet kunnen.
admin-sector = Soort zorg (bepaalt de woorden)
admin-sector-hint = Gehandicaptenzorg zegt begeleider en cliëntplan. GGZ zegt behandelaar en behandelplan. Dit geldt voor alle pagina's en e-mails.
admin-sector-care = Gehandicaptenzorg (begeleider, cliëntplan)
admin-sector-mental-health = GGZ (behandelaar, behandelplan)
admin-sector-error = Kies de soort zorg.
admin-logo = Logo
admin-logo-now = Het logo nu
admin-logo-file = Nieuw logo (PNG of JPEG)
admin-logo-hint = Hoogstens 512 kB. Het logo staat op het inlogscherm en bovenaan elke pagina.
admin-logo-save = Logo opslaan
admin-logo-error = Dit bestand kan niet: kies een PNG- of JPEG-afbeelding van hoogstens 512 kB.
admin-notice-logo = Het logo is opgeslagen.
help-q-discharge = Mijn zorg is gestopt. Kan ik nog lezen?
help-a-discharge = Ja. Na het einde van je zorg kun je je dossier nog { $days } dagen lezen. Daarna kun je niet meer inloggen. Bovenaan je dossier staat tot wanneer het kan.
help-q-browsers = Welke browser kan ik gebruiken?
help-a-browsers = Inzage werkt in de nieuwste versies van Chrome, Edge, Firefox en Safari, op telefoon, tablet en computer. Ook met een schermlezer en alleen met het toetsenbord. Een oude browser (zoals Internet Explorer) werkt niet.
staff-grant-change = Toegang wijzigen
staff-grant-change-consent = De cliënt geeft opnieuw toestemming voor deze toegang. Ik leg dat nu vast op mijn naam.
staff-grant-change-save = Toegang opslaan
staff-notice-grant-changed = De toegang is gewijzigd. De oude toegang staat in de geschiedenis; de contactpersoon ziet de nieuwe onderdelen meteen.
login-timed-out-kept = Je was een tijd niet actief. Daarom ben je uitgelogd. Wat je net wilde opslaan, is bewaard. Log opnieuw in; je krijgt je tekst terug om hem op te slaan.
staff-kept-restored = Dit is de tekst die je had geschreven toen je werd uitgelogd. Hij is nog niet opgeslagen. Kijk hem na en sla hem op.
staff-idle-note = Na { $minutes } minuten zonder iets te doen word je uitgelogd. Sla je tekst op tijd op. Wordt je toch uitgelogd, dan bewaren we wat je opslaat en krijg je het na het inloggen terug.
idle-warning = Je wordt over { $minutes } minuten uitgelogd omdat je niets doet. Sla je tekst op, of klik op "Ik ben er nog".
idle-stay = Ik ben er nog
mail-not-registered-subject = Inloggen bij Inzage
mail-not-registered-intro = Iemand (misschien jij) vroeg een nieuw wachtwoord aan voor dit e-mailadres. Met dit e-mailadres kun je nog niet inloggen: je bent nog niet uitgenodigd.
mail-not-registered-what = Wil je je dossier bekijken? Vraag het secretariaat van je zorgorganisatie om je e-mailadres en je mobiele nummer te registreren. Daarna krijg je een uitnodiging per e-mail.
mail-not-registered-unexpected = Heb je niets aangevraagd? Dan kun je deze e-mail vergeten.
tour-contact-welcome-text = Je kijkt mee in het dossier van iemand die jou als contactpersoon koos. We laten je in een paar stappen zien hoe het werkt. Je kunt de rondleiding altijd sluiten.
tour-contact-tile-profile = Hier staan de naam, het adres en de contactgegevens van de cliënt.
tour-contact-tile-client-plan =
    { $sector ->
        [mental_health] Hier staat het behandelplan van de cliënt. Klik op een plan en kies dan welk deel je wilt lezen.
       *[care] Hier staat het cliëntplan van de cliënt. Klik op een plan en kies dan welk deel je wilt lezen.
    }
tour-contact-tile-reports =
    { $sector ->
        [mental_health] Hier lees je wat de behandelaars over de cliënt schrijven. Het nieuwste staat bovenaan.
       *[care] Hier lees je wat de begeleiders over de cliënt schrijven. Het nieuwste staat bovenaan.
    }
tour-contact-tile-appointments = Hier zie je de afspraken van de cliënt. Je kunt een afspraak in je eigen agenda zetten.
tour-contact-tile-documents = Hier staan documenten van de cliënt, zoals brieven en verslagen.
tour-contact-tile-network = Hier zie je wie er nog meer in dit dossier mag kijken.
tour-contact-tile-audit-trail = Hier zie je wie er in dit dossier heeft gekeken, en wanneer.
readable-until-contact = De zorg van de cliënt is gestopt. Je kunt het dossier nog lezen tot en met { $date }.
mail-invite-intro-contact = Je bent gekozen als contactpersoon van een cliënt. Met toestemming van de cliënt kun je nu in Inzage meekijken in het dossier van die cliënt.
menu-start = Start
admin-apps = Andere apps
admin-apps-intro = Andere e-health-toepassingen van jullie organisatie, zoals online therapie of vragenlijsten. Cliënten zien ze in het portaal onder "Andere apps".
admin-app-name = Naam
admin-app-url = Webadres (https://)
admin-app-text = Uitleg in één zin
admin-app-add = App toevoegen
admin-app-remove = Verwijderen
admin-app-error = Vul een naam, een webadres dat begint met https:// en een korte uitleg in (hoogstens 100 tekens).
tile-other-apps = Andere apps
other-apps-title = Andere apps
other-apps-intro = Je zorgorganisatie gebruikt ook deze apps. Ze openen in een nieuw tabblad. Je verlaat Inzage dan: daar gelden de regels van die app.
other-apps-none = Je zorgorganisatie heeft geen andere apps.
other-apps-new-tab = (opent in een nieuw tabblad, buiten Inzage)
plan-title =
    { $sector ->
        [mental_health] Behandelplan - { $name } ({ $date }) - Cliënt
       *[care] Cliëntplan - { $name } ({ $date }) - Cliënt
    }
staff-dup-other-team = Een cliënt in een ander team ({ $team }). Wie dat is, zie je niet: vraag het aan dat team.
verb-password-only = het goede wachtwoord ingevuld, maar niet ingelogd (de code niet ingevuld)

## Verzoeken: verbetering en aanvulling (issue 15)
tile-requests = Mijn verzoeken
staff-tab-requests = Verzoeken
voice-title = Klopt er iets niet?
voice-text = Staat er iets fout? Dan kun je vragen om het te verbeteren. Ben je het ergens niet mee eens? Dan kun je je eigen aanvulling schrijven. Die komt erbij te staan.
voice-correct = Vraag om een verbetering
voice-add = Schrijf je eigen aanvulling
voice-mine = Bekijk je verzoeken
voice-phone = Liever bellen of mailen? Dat kan ook.
voice-additions-title = Aanvulling van de cliënt
voice-additions-title-client = Jouw aanvulling
voice-addition-when = Geschreven op { $when }
request-kind-correction = Verbetering
request-kind-addition = Aanvulling
request-about-profile = Mijn gegevens
request-about-report = Rapportage
request-about-plan-section = Onderdeel van het plan
request-new-title-correction = Vraag om een verbetering
request-new-title-addition = Schrijf je eigen aanvulling
request-new-intro-correction-profile = Schrijf op wat er niet klopt in je gegevens, en wat het wel moet zijn. Het secretariaat leest je vraag.
request-new-intro-correction =
    { $sector ->
        [mental_health] Schrijf op wat er niet klopt, en wat het wel moet zijn. Je behandelaar leest je vraag.
       *[care] Schrijf op wat er niet klopt, en wat het wel moet zijn. Je begeleider leest je vraag.
    }
request-new-intro-addition = Schrijf op wat jij erover wilt zeggen. Je aanvulling komt bij dit stuk te staan. Iedereen die het stuk mag lezen, leest ook je aanvulling. Je kunt je aanvulling later niet weghalen.
request-new-due = Je krijgt binnen { $days } dagen antwoord.
request-new-text = Jouw tekst
request-new-text-hint = Niet meer dan { $max } tekens.
request-new-submit = Versturen
request-new-back = Terug
request-text-error = Schrijf je vraag op (niet meer dan { $max } tekens).
request-too-many = Je hebt al veel verzoeken die nog open staan. Wacht op een antwoord, of bel of mail ons.
requests-intro = Hier zie je wat je hebt gevraagd of aangevuld, en het antwoord.
requests-none = Je hebt nog niets gevraagd of aangevuld.
requests-sent = Verstuurd. Je ziet je verzoek hieronder.
request-asked-on = Gevraagd op { $date }
request-about = Over: { $what }
request-open-correction = We kijken ernaar. Je krijgt uiterlijk { $date } antwoord.
request-open-addition = Je aanvulling staat bij het stuk.
request-accepted = Verbeterd.
request-declined = Niet verbeterd.
request-read = Gelezen door { $name }.
request-answer-by = Antwoord van { $name } op { $date }:
request-open-item = Bekijk het stuk
request-your-text = Jouw tekst:
## Verzoeken voor medewerkers
staff-requests-title = Verzoeken van cliënten
staff-requests-intro = Open verzoeken van cliënten in je teams die jij kunt beantwoorden. Het oudste staat bovenaan.
staff-requests-none = Er zijn geen open verzoeken.
staff-requests-client-none = Deze cliënt heeft nog geen verzoeken.
staff-request-client = Cliënt
staff-request-kind = Soort
staff-request-about = Over
staff-request-asked = Gevraagd op
staff-request-due = Antwoord uiterlijk
staff-request-status = Stand
staff-request-overdue = te laat
staff-request-status-open = open
staff-request-status-accepted = verbeterd
staff-request-status-declined = niet verbeterd
staff-request-status-read = gelezen
staff-request-text = Wat de cliënt schreef
staff-request-answer = Antwoord aan de cliënt
staff-request-answer-hint = Bij niet verbeteren is een reden verplicht. De cliënt leest dit.
staff-request-accept = Verbeterd
staff-request-decline = Niet verbeteren
staff-request-mark-read = Gelezen
staff-request-how-to-correct = Verbeter eerst het stuk zelf (een nieuwe versie; de oude blijft in de geschiedenis), en zet dan het verzoek op verbeterd.
staff-request-reason-error = Schrijf de reden op (niet meer dan { $max } tekens). De cliënt leest die.
staff-request-not-yours = Dit verzoek beantwoordt iemand met een andere rol.
staff-requests-link = Verzoeken van cliënten
request-bad-answer = Dit antwoord past niet bij dit verzoek.
subject-requests = Verzoeken
request-bad-characters = In je tekst staan tekens die we niet kunnen bewaren. Typ je tekst zelf, zonder te plakken.
request-decided-by = Door { $name } op { $date }.
admin-emergency = Noodnummer van de organisatie (buiten kantoortijd)
admin-emergency-hint = Dit nummer staat bij "Vraag aan je team": die vragen zijn niet voor spoed.
admin-emergency-error = Noodnummer: alleen cijfers, spaties en + - ( ).

## Vraag aan je team (issue 15)
tile-questions = Vraag aan je team
staff-tab-questions = Vragen
tour-tile-questions = Hier stel je een vraag aan je team. Het antwoord lees je hier ook. Dit is niet voor spoed.
tour-contact-tile-questions = Hier stel je een vraag aan het team van de cliënt. Het antwoord lees je hier ook. Dit is niet voor spoed.
subject-questions = Vragen aan het team
questions-emergency-title = Niet voor spoed
questions-emergency-text = Het kan een paar dagen duren voor je antwoord krijgt.
questions-emergency-org = Heb je snel hulp nodig? Bel ons:
questions-emergency-112 = Is het levensgevaarlijk? Bel
questions-intro = Stel hier een vraag aan je team. Je krijgt het antwoord op deze pagina.
questions-intro-contact = Stel hier een vraag aan het team van de cliënt. Je krijgt het antwoord op deze pagina. Je ziet alleen je eigen vragen. Let op: de cliënt kan je vragen en de antwoorden ook lezen.
questions-new = Je vraag
questions-new-hint = Kort en duidelijk. Niet meer dan { $max } tekens.
questions-send = Versturen
questions-sent = Je vraag is verstuurd.
questions-mine = Je vragen
questions-none = Je hebt nog geen vragen gesteld.
questions-back = Terug naar je vragen
question-asked-by = Vraag van { $name } op { $when }
question-open = open
question-done = afgehandeld
question-answers =
    { $count ->
        [0] nog geen antwoord
        [one] 1 antwoord
       *[other] { $count } antwoorden
    }
question-team = (team)
question-reply = Je reactie
question-reply-send = Versturen
question-saved = Verstuurd.
question-error = Schrijf je vraag op (niet meer dan { $max } tekens).
question-too-many = Je hebt al veel vragen die nog open staan. Wacht op een antwoord.
question-closed = Heb je nog een vraag? Stel dan een nieuwe vraag.
question-closed-by = Afgehandeld door { $name } op { $when }.
staff-questions-none = Deze cliënt heeft nog geen vragen gesteld.
staff-question-by-contact = gesteld door een contactpersoon
staff-question-answer = Antwoord
staff-question-answer-hint = De vrager leest dit in het portaal, en de cliënt ook (ook als een contactpersoon vroeg). Schrijf eenvoudig en kort, en niets wat de vrager niet mag weten.
staff-question-send = Antwoord versturen
staff-question-close = Afgehandeld
staff-clients-open-questions =
    { $count ->
        [one] 1 open vraag
       *[other] { $count } open vragen
    }
## Mijn netwerk, door de cliënt (issue 15)
network-stop = Toegang stoppen
network-stop-title = Toegang van { $name } stoppen?
network-stop-text = { $name } kan dan meteen niet meer in je dossier kijken. Wil je later toch weer toegang geven? Vraag het dan aan je team.
network-stop-yes = Ja, stop de toegang
network-stop-no = Nee, terug
network-ended = De toegang is gestopt. Deze persoon kan niet meer in je dossier kijken.
network-add-title = Iemand toegang geven?
network-add-link = Vraag je team om iemand toe te voegen
network-privacy-advice = De informatie in je dossier is persoonlijk. Geef daarom niet iedereen het recht om je dossier te lezen. Kies alleen wat die persoon echt moet zien.
request-new-title-network = Iemand toegang geven
request-new-intro-network = Schrijf op wie het is, wat die persoon voor je is, en hoe we die persoon kunnen bereiken. Het secretariaat neemt contact met je op.
request-kind-network = Iemand toevoegen
request-about-network = Mijn netwerk
request-network-parts = Wat mag deze persoon zien?
request-parts-error = Kies wat deze persoon mag zien.
request-proposed = Voorgesteld: { $tiles }
request-accepted-network = Toegevoegd.
request-declined-network = Niet toegevoegd.
staff-request-how-to-add = Voeg de persoon toe op het tabblad Netwerk en portaal (met de toestemming van de cliënt en de onderdelen die de cliënt voorstelt), en zet dan het verzoek op toegevoegd.
staff-request-accept-network = Toegevoegd
staff-request-decline-network = Niet toevoegen
staff-request-status-added = toegevoegd
staff-privacy-advice = Zeg het de cliënt: de informatie in het dossier is persoonlijk. Geef niet iedereen het recht om alles te lezen; kies alleen wat deze persoon echt moet zien.
read-aloud = Lees voor
read-aloud-stop = Stop met voorlezen
plan-whole = Lees het hele plan op één pagina (ook om af te drukken)
plan-print-hint = Wil je het plan op papier? Druk deze pagina af. De knoppen en menu's worden dan niet afgedrukt.
filter-words = Zoek op woord
filter-category = Soort rapportage
filter-category-all = Alle soorten
reports-none-found = Er zijn geen rapportages gevonden. Probeer een ander woord, of kies alle soorten.
who-client = de cliënt

## Afschrift (issue 15, ADR 0022)
afschrift-title = Afschrift van het dossier van { $name }
afschrift-footer = Afschrift uit Inzage, gemaakt op { $date }
afschrift-made = Dit afschrift is gemaakt op { $date }.
afschrift-what = Hierin staat alles uit het dossier dat je in Inzage mag lezen. De documenten zitten als bijlage in dit bestand.
afschrift-addition = Aanvulling van de cliënt ({ $date }): { $text }
afschrift-date = Datum
afschrift-kind = Soort
afschrift-report-by = Geschreven door { $name } ({ $role })
afschrift-corrected = Deze rapportage is gewijzigd. Dit is de nieuwste versie.
afschrift-none = Hier staat niets.
afschrift-cancelled = afgezegd
afschrift-attached = Bijlage: { $file }
afschrift-not-attached = Dit document is niet bijgevoegd, omdat het afschrift anders te groot wordt. Je vindt het bij Documenten.
afschrift-grant-ended = (gestopt op { $date })
afschrift-request-open = Nog niet beantwoord.
afschrift-request-accepted = Verbeterd.
afschrift-request-declined = Niet verbeterd. Reden:
afschrift-request-read = Gelezen door het team.
afschrift-page-title = Download je dossier
afschrift-page-intro = Je kunt een kopie van je hele dossier downloaden. Dat heet een afschrift. Het is gratis. Je krijgt één PDF-bestand met alles wat je in Inzage mag lezen, ook wie er in je dossier keek. De documenten zitten erin als bijlage.
afschrift-page-keep = Het bestand blijft { $days } dagen klaar staan. Alleen jij kunt het downloaden. Bewaar het goed: er staat veel persoonlijke informatie in.
afschrift-ask = Maak een afschrift
afschrift-asked = We maken je afschrift. Dat kan even duren. Kom straks terug op deze pagina.
afschrift-busy = We zijn al een afschrift voor je aan het maken. Wacht tot dat klaar is.
afschrift-refresh = Kijk of het klaar is
afschrift-status-queued = Wacht op zijn beurt
afschrift-status-building = Wordt gemaakt ({ $percent }%)
afschrift-status-ready = Klaar
afschrift-status-failed = Niet gelukt. Probeer het nog een keer, of bel de servicedesk.
afschrift-status-expired = Verlopen
afschrift-asked-at = Gevraagd op { $date }
afschrift-download = Download het afschrift (PDF, { $size })
afschrift-download-fhir = Download het ook als bestand voor andere zorgsystemen (FHIR)
afschrift-until = Te downloaden tot { $date }.
afschrift-once-a-day = Je hebt vandaag al een afschrift gemaakt. Over een dag kan het weer.
afschrift-refused = Alleen de cliënt en een wettelijk vertegenwoordiger kunnen een afschrift maken. Wil je een afschrift? Vraag het aan het team.
afschrift-link = Download je dossier
staff-represents-title = Wettelijk vertegenwoordiger
staff-represents-intro = Een wettelijk vertegenwoordiger (bijvoorbeeld mentor of curator) mag een afschrift van het dossier maken. Leg vast waarom.
staff-represents-on = Is wettelijk vertegenwoordiger
staff-represents-reason = Reden (bijvoorbeeld: beschikking van de rechtbank van 1 maart 2026)
staff-represents-save = Opslaan
staff-represents-set = Vastgelegd door { $name } op { $date }: { $reason }
staff-represents-reason-needed = Schrijf de reden op.
staff-represents-relation = Alleen een mentor, curator of wettelijk vertegenwoordiger kan als vertegenwoordiger worden vastgelegd. Pas eerst de relatie aan.
staff-represents-saved = Opgeslagen.

# Bewaartermijn (WGBO, ADR 0024)
oidc-title = Inloggen via de organisatie
oidc-intro = Medewerkers kunnen inloggen met het account van hun werk, bij de identity provider van de organisatie (OpenID Connect). Inzage maakt nooit zelf een account aan: een medewerker moet al een account hebben. Inzage vindt het account via een koppeling hieronder, of via een e-mailadres dat de identity provider heeft gecontroleerd.
oidc-settings = Instellingen
oidc-redirect-uri = Registreer dit adres als redirect URI bij de identity provider:
oidc-issuer = Issuer (adres van de identity provider)
oidc-issuer-hint = Een https-adres, bijvoorbeeld https://login.example.nl. Inzage controleert het adres als je opslaat.
oidc-client-id = Client ID
oidc-client-secret = Client secret
oidc-secret-kept = Er is een secret bewaard (versleuteld). Laat dit veld leeg om het te houden.
oidc-secret-none = Nog geen secret bewaard.
oidc-trust-mfa = De identity provider mag de tweede stap vervangen
oidc-trust-mfa-hint = Alleen als de identity provider meldt dat de medewerker met twee stappen heeft ingelogd (amr "mfa", of een acr-waarde hieronder). Anders vraagt Inzage zelf nog om de sms- of app-code.
oidc-acr = Acr-waarden die gelden als twee stappen
oidc-acr-hint = Gescheiden door spaties. Leeg: alleen amr "mfa" telt.
oidc-enabled = Knop tonen op de inlogpagina
oidc-save = Opslaan
oidc-links = Gekoppelde accounts
oidc-links-intro = Een koppeling verbindt een persoon bij de identity provider (subject) met het account van een medewerker. De medewerker krijgt een e-mail als je een koppeling maakt.
oidc-no-links = Er zijn nog geen koppelingen.
oidc-link-email = E-mailadres in Inzage
oidc-link-subject = Subject bij de identity provider
oidc-link-subject-hint = De vaste code van de persoon bij de identity provider (claim "sub"), niet het e-mailadres.
oidc-link-how = Gekoppeld
oidc-linked-by-admin = door beheer
oidc-linked-by-email = bij eerste keer inloggen, via het e-mailadres
oidc-link-confirmed = bevestigd door de medewerker
oidc-link-unconfirmed = nog niet bevestigd: de medewerker logt één keer in met de eigen sms of app
oidc-unlink = Ontkoppelen
oidc-unlink-one = Ontkoppel { $email }
oidc-link-new = Nieuwe koppeling
oidc-link-submit = Koppelen
oidc-error-issuer = Vul een https-adres in bij Issuer.
oidc-error-no-provider = Op dit adres antwoordt geen identity provider (OpenID Connect). Controleer het adres.
oidc-error-not-set = Stel eerst de identity provider in.
oidc-error-client-id = Vul de client ID in (hoogstens 255 tekens).
oidc-error-secret = Vul het client secret in (hoogstens 1000 tekens).
oidc-error-no-key = Een secret kan nog niet worden bewaard. Vraag de beheerder van de server om settings_key in te stellen.
oidc-error-email = Er is geen medewerker met dit e-mailadres in je organisatie.
oidc-error-subject = Vul het subject in (hoogstens 255 tekens).
oidc-error-linked = Dit subject is al gekoppeld, of deze medewerker heeft al een koppeling. Ontkoppel eerst.
oidc-error-no-link = Deze koppeling bestaat niet meer.
retention-title = Bewaartermijn van dossiers
retention-intro = Een dossier blijft { $years } jaar bewaard na de laatste zorg. Daarna mag het worden vernietigd. Elk uur kijkt Inzage welke dossiers zo ver zijn. Vernietigen doe je zelf: één dossier tegelijk, met een reden.
retention-due = Bewaartermijn voorbij
retention-none-due = Er zijn geen dossiers waarvan de bewaartermijn voorbij is.
retention-number = Cliëntnummer
retention-name = Naam
retention-last-care = Laatste zorg
retention-term-ended = Bewaartermijn voorbij op
retention-action = Actie
retention-review = Bekijk { $number }
retention-destroyed = Al vernietigd
retention-none-destroyed = Er is nog geen dossier vernietigd.
retention-destroyed-line = Vernietigd op { $at } door { $by } (laatste zorg { $last }).
retention-removed = Weg: { $rows } gegevens, { $files } bestanden, { $events } logregels.
retention-reason = Reden
retention-reason-hint = De reden blijft altijd bewaard. Schrijf er geen naam of andere gegevens van de cliënt in.
retention-back = Terug naar bewaartermijn
retention-destroy-title = Dossier vernietigen
retention-years = { $years } jaar
retention-destroy-warning = Vernietigen kan niet ongedaan worden gemaakt. Dit gaat weg:
retention-count-reports = { $n } rapportages
retention-count-documents = { $n } documenten
retention-count-contacts = { $n } contactpersonen (met hun account als dat bij geen andere cliënt hoort)
retention-count-events = { $n } logregels over dit dossier
retention-what-stays = Wat blijft: dat dit dossier is vernietigd, wanneer, door wie en waarom. Niet wat erin stond.
retention-type-number = Typ het cliëntnummer ({ $number }) om te bevestigen
retention-destroy-button = Dossier definitief vernietigen
retention-cancel = Niet vernietigen
retention-confirm-error = Het cliëntnummer klopt niet. Er is niets vernietigd.
retention-reason-error = Schrijf een reden (hooguit 1000 tekens). Er is niets vernietigd.
retention-notice-destroyed = Het dossier is vernietigd.

# Passkeys (ADR 0029)
passkey-title = Passkeys
account-passkey-intro = Met een passkey log je in met je vingerafdruk, je gezicht of de pincode van je telefoon of computer. Je hebt dan geen sms-code of app-code nodig.
account-passkey-none = Je hebt nog geen passkey.
account-passkey-add = Passkey toevoegen
account-passkey-name = Naam van de passkey, bijvoorbeeld: mijn telefoon
account-passkey-instead = Ik wil ook zonder wachtwoord inloggen, alleen met deze passkey.
account-passkey-instead-hint = Je wachtwoord blijft werken. Je kunt het nog steeds gebruiken.
account-passkey-next = Verder
account-passkey-added-on = Toegevoegd op { $date }
account-passkey-used-on = Laatst gebruikt op { $date }
account-passkey-also-password = Ook zonder wachtwoord.
account-passkey-remove = { $name } verwijderen
account-passkey-remove-button = Passkey verwijderen
passkey-create-title = Passkey maken
passkey-create-intro = Druk op de knop. Je telefoon of computer vraagt dan om je vingerafdruk, je gezicht of je pincode.
passkey-create-button = Passkey maken
passkey-added = Je passkey is toegevoegd.
passkey-removed = Je passkey is verwijderd.
passkey-not-added = Het maken van de passkey is niet gelukt. Probeer het opnieuw.
passkey-known = Deze passkey is al toegevoegd.
passkey-expired = Dat duurde te lang. Begin opnieuw.
passkey-too-many = Je hebt al { $max } passkeys. Verwijder er eerst een.
passkey-not-here = Passkeys werken niet op dit adres van Inzage.
passkey-name-invalid = Geef de passkey een naam van hoogstens { $max } tekens.
passkey-needs-js = Voor een passkey moet JavaScript aan staan in je browser. Je kunt ook op een andere manier inloggen.
passkey-elsewhere = Passkeys werken op { $origin }.
passkey-cancelled = Het is niet gelukt. Probeer het opnieuw, of kies een andere manier.
passkey-unsupported = Je browser kan geen passkeys gebruiken. Kies een andere manier.
passkey-back = Terug
code-passkey-heading = Of gebruik je passkey
code-passkey-intro = Je hebt dan geen code nodig.
code-use-passkey = Passkey gebruiken
login-passkey-heading = Heb je een passkey?
login-passkey-intro = Dan kun je inloggen zonder wachtwoord.
login-passkey-button = Inloggen met een passkey
passkey-sign-in-title = Inloggen met een passkey
passkey-sign-in-intro = Druk op de knop en kies je passkey. Je telefoon of computer vraagt dan om je vingerafdruk, je gezicht of je pincode.
passkey-sign-in-button = Passkey gebruiken
passkey-rejected = Inloggen met deze passkey lukt niet. Log in met je e-mailadres en wachtwoord.
passkey-only-second-step = Met deze passkey kun je niet zonder wachtwoord inloggen. Log in met je wachtwoord. Daarna kun je de passkey gebruiken.
passkey-start-failed = Inloggen met een passkey lukt nu niet. Log in met je wachtwoord.
