# Inzage: English texts. Plain, short sentences. Every key is also in nl.ftl.

## General
show-password = Show password
hide-password = Hide password
skip-to-content = Skip to content
help-link = Need help?
nav-help-label = Help and language
switch-language-label = Nederlands
switch-language-code = nl
back-to-start = Back to the start
back-to-login = Back to sign in
to-login = Go to sign in
save = Save
bad-language = We do not know this language. Choose Nederlands or English.
servicedesk-mail-or-call = Mail { $email } or call { $phone }.
servicedesk-mail = Mail { $email }.
servicedesk-call = Call { $phone }.
servicedesk-of = Service desk of { $organisation }:

## Error pages
error-not-found-title = Not found
error-not-found = This page does not exist. The link may be old or not quite right.
error-forbidden-title = No access
error-forbidden = You may not see this.
error-csrf-title = Form expired
error-csrf = This form has expired. Go back, reload the page and try again.
error-bad-input-title = Something is not right
error-bad-request = Something is not right: { $detail }
error-conflict-title = This did not work
error-conflict = This did not work: { $detail }
error-unavailable-title = Not available right now
error-unavailable = Inzage cannot be reached right now. Please try again later.
error-full-title = Nothing can be saved now
error-full = Inzage cannot save anything right now: its storage is full. Nothing was saved. As we cannot record who looks either, no dossier is shown now. The administrator has been warned. Please try again later.
error-internal-title = Something went wrong
error-unreadable = We could not read this form. Go back, reload the page and try again.
error-internal = Something went wrong. Please try again later.
error-internal-reference = Asking for help? Give this number: { $reference }.
error-back-home = Go to the start page
bad-page-number = This page number is not right. Go back to the first page.
bad-tour-step = This step of the tour does not exist.
bad-date = This date is not right. Write the date as day-month-year, for example 06-09-2017.
bad-period-order = The first date must come before the second date.
bad-period-too-long = Choose a period of one year at most.

## Sign in
login-title = Sign in
login-email = E-mail
login-password = Password
login-public-computer = Public computer
login-public-computer-hint = Tick this box if you are not using your own computer. Then nothing is remembered.
login-submit = Sign in
login-oidc-heading = Do you work at the care organisation?
login-oidc-intro = Then sign in with your work account.
login-oidc-button = Sign in through { $organisation }
login-oidc-unavailable = Signing in through your organisation does not work right now. Try again later, or sign in with your e-mail address and password.
login-oidc-cancelled = You are not signed in. Signing in at your organisation was stopped.
login-oidc-failed = Signing in through your organisation did not work. Please try again.
login-oidc-no-account = You signed in at your organisation, but you have no Inzage account yet. Ask your functional admin to link your account.
login-oidc-needs-password = You have no SMS or app to sign in with yet. Sign in the first time with your e-mail address and password.
login-request-password = Request password
login-timed-out = You were not active for a while, so you were signed out. Sign in again; you will continue where you were.
login-rejected = The e-mail address or the password is not right. Please try again.
login-paused = There were too many wrong attempts. Signing in is paused until { $until }. Try again after that.
login-access-ended = You can no longer sign in. Your care has ended, or your access has ended. Questions? { $servicedesk }
login-busy = Too many sign-in attempts are coming from your network right now. We did not check this attempt. Try again after { $until }.

## Second step
code-title = Enter code
code-heading = Second step
code-app-intro = Open your app for sign-in codes. Enter the 6-digit code.
code-sms-intro = We send a 6-digit code to your mobile phone. The code works for 10 minutes.
code-send-sms = Send me a text message code
code-label = Code
code-submit = Continue
code-use-sms = I prefer a text message code
code-use-app = Use the code from my app
code-no-sms = No text message? Check that your phone is on. You can ask for a new code after 1 minute.
code-rejected = This code is not right. Look carefully and try again.
code-expired = This code no longer works. Ask for a new code.
code-paused = A wrong code was entered too often. Signing in is paused until { $until }. Sign in again after that.
sms-sent = We sent a text message with a 6-digit code.
sms-too-soon = You just received a code. You can get a new code from { $time }.
sms-not-possible = A text message code is not possible for you. Use the code from your app.

## Link an app
enrol-title = Link an app
enrol-heading = Link an app for sign-in codes
enrol-step-1 = Open an app for sign-in codes on your phone, for example an authenticator app.
enrol-step-2 = Scan this QR code with the app. Scanning does not work? Then type the key below.
enrol-step-3 = Enter the 6-digit code from the app.
enrol-qr-label = QR code for your app
enrol-key = Key:
enrol-submit = Link
app-linked-title = App linked
app-linked-text = Your app is linked. From now on you can sign in with the code from your app.
app-code-rejected = This code is not right. Scan the new QR code and try again.
app-removed = Your app is unlinked. You now sign in with a text message code.
app-required = You need an app to sign in. Link another app instead.

## Password
forgot-title = Forgot password
forgot-intro = Enter your e-mail address below. If we know your e-mail address, you will get an e-mail within a few minutes with a link to set a new password.
forgot-sent = If we know your e-mail address, you will get an e-mail within a few minutes. It has a link to set a new password.
forgot-interval = You get at most one e-mail per { $minutes } minutes. A link you already have keeps working until it expires.
forgot-too-many = Too many requests were made from this place. Try again in { $minutes } minutes.
forgot-email = E-mail address
forgot-new-email =
    { $sector ->
        [mental_health] Do you have a new e-mail address? Tell your (personal) practitioner.
       *[care] Do you have a new e-mail address? Tell your (personal) caregiver.
    }
set-password-title = Set password
set-password-done = Your password is set. You can now sign in with your e-mail address and this password.
set-password-link-gone = This link no longer works. A link works only once and not for long. Ask for a new one.
set-password-intro = Your user name is { $email }. Choose a password of at least 12 characters. A sentence of a few words is easy to remember.
set-password-new = New password
set-password-again = The same password again
set-password-submit = Set
password-mismatch = The two passwords are not the same. Please try again.
password-too-short = Your password is too short. Choose at least 12 characters.
password-too-long = Your password is too long. Choose at most 128 characters.
password-common = Many people use this password. Choose another password.
password-is-email = Your password may not be your e-mail address.
password-refused = This password is not possible. Choose another password.
password-changed = Your password has been changed. You have been signed out on other devices.
password-current-wrong = Your current password is not right.
password-paused = A wrong password was entered too often. Signing in is paused until { $until }.

## My account and sessions
account-title = My account
account-username = Your user name is { $email }.
account-password-title = Change password
account-password-current = Your current password
account-password-new = New password (at least 12 characters)
account-app-title = App for sign-in codes
account-app-linked = You have linked an app.
account-app-other = Link another app
account-app-remove = Unlink app
account-app-none = You sign in with a text message code.
account-app-link = Link an app if you prefer a code from an app.
account-details-title = E-mail address and mobile number
account-change-intro = You sign in with these. Want to change something? Enter your password. You then get a code at the new address or number.
account-change-email = Change e-mail address
account-change-mobile = Change mobile number
account-change-new-email = New e-mail address
account-change-new-mobile = New mobile number
account-change-send-code = Send a code
account-change-code-sent = We sent a code to the new address or number. Enter the code below.
account-change-waiting = We sent a code to { $to }. Enter the code before { $until }.
account-change-confirm = Confirm
account-change-done = Your details were changed. You were signed out on other devices. Your old address and number get a message.
account-change-declined = Fine. Nothing changes.
account-change-unchanged = This is your e-mail address or number already.
account-change-staff-email = Your work e-mail address is also your user name. The functional administrator of your organisation changes it.
account-change-gone-title = This link no longer works
account-change-gone = No change is waiting any more. Perhaps the time is up, or the code was wrong too often. Start again if you need to.
account-change-in-use = This e-mail address belongs to another account. Choose another address.
reauth-app-code = The code from your app
reauth-app-code-current = The code from your current app
reauth-app-wrong = The code from your app is not right.
confirm-change-title = Is this change right?
confirm-change-intro = A staff member of { $organisation } wants to change your details:
confirm-change-email = New e-mail address
confirm-change-mobile = New mobile number
confirm-change-effect = If you say yes, you sign in with these from now on. You are signed out on other devices.
confirm-change-until = You can do this until { $until }.
confirm-change-yes = Yes, this is right
confirm-change-no = No, do not change
link-title = New invitation
link-intro = { $organisation } wants you to look along in this file, as { $relation }.
link-parts = You may then see:
link-yes = Yes, I want to look along
link-no = No, rather not
link-accepted = You now look along in this file. Choose it below.
link-declined = Fine. You do not look along in this file.
account-language-title = Language
account-language-label = Language of Inzage
language-saved = Your choice has been saved.
sessions-title = My sessions
sessions-intro = Here you see where you are signed in now.
sessions-line = { $device } – last active { $time }
sessions-this-one = (this session)
sessions-end-others = Sign out everywhere else
sessions-unknown-device = Unknown device
sessions-ended = You have been signed out in { $count } other { $count ->
    [one] place
   *[other] places
}.

## Menu
nav-account-label = Menu
nav-side-label = Dossier
nav-tiles-label = Parts of the dossier
menu-help = Help
menu-account = My account
menu-sessions = My sessions
menu-logout = Sign out
menu-my-dossier = My dossier
menu-switch-dossier = Choose another dossier

## Staff (start)
staff-welcome = Welcome
staff-signed-in-as = You are signed in as { $email }.
staff-clients-title = My clients
staff-clients-search = Search by name or client number
staff-clients-search-hint = You see the clients of your own teams. Your own clients are at the top.
staff-clients-search-submit = Search
staff-clients-count = { $count ->
    [one] 1 client
   *[other] { $count } clients
}
staff-clients-team = Team
staff-clients-mine = your client
staff-no-client-list = Your role has no client list. You find your work in the menu.

## Tiles
tile-profile = My details
tile-client-plan =
    { $sector ->
        [mental_health] Treatment plan
       *[care] Client plan
    }
tile-reports = Reports
tile-appointments = Appointments
tile-documents = Documents
tile-network = My network
tile-audit-trail = Who looked
tile-episodes = Care periods

## Start
start-title = My dossier
start-hello-contact = Welcome
start-intro-contact = Here you look along in the record of { $name }. You only see the parts { $name } gave consent for.
start-hello = Hello { $name }
start-intro =
    { $sector ->
        [mental_health] Here you read your dossier. Your practitioners write in it about your care and about your agreements.
       *[care] Here you read your dossier. Your caregivers write in it about your care and about your agreements.
    }
start-choose = Click a tile above. The tile turns blue and you see what is in it.
whose-own = Dossier of { $name }
whose-other = You are looking at the dossier of { $name }
readable-until = Your care has ended. You can still read your dossier until { $date }.
no-access-title = No dossier
no-access-text =
    { $sector ->
        [mental_health] You cannot see a dossier now. Perhaps the access has ended. Questions? Ask the practitioners or the service desk.
       *[care] You cannot see a dossier now. Perhaps the access has ended. Questions? Ask the caregivers or the service desk.
    }

## Tour
tour-step = Tour: step { $number } of { $total }
tour-prev = Previous
tour-next = Next
tour-close = Close the tour
tour-finish = Done
tour-start-again = Watch the tour again
tour-welcome-title = Welcome to Inzage
tour-welcome-text = In a few steps we show you how it works. You can always close the tour. Later you can watch it again from Help.
tour-tile-profile = Here are your name, address, e-mail and phone number. Is something wrong? Here you read what you can do.
tour-tile-client-plan =
    { $sector ->
        [mental_health] Here is your treatment plan. Click a plan and then choose which part you want to read.
       *[care] Here is your client plan. Click a plan and then choose which part you want to read.
    }
tour-tile-reports =
    { $sector ->
        [mental_health] Here you read what your practitioners write about you. The newest is at the top.
       *[care] Here you read what your caregivers write about you. The newest is at the top.
    }
tour-tile-appointments = Here you see your appointments. You can put an appointment in your own calendar.
tour-tile-documents = Here are your documents, such as letters and reports. You can open or save them.
tour-tile-network = Here you see who else may look in your dossier.
tour-tile-audit-trail = Here you see who looked in your dossier, and when.
tour-menu-title = Help and signing out
tour-menu-text = At the top right you find Help, My account and Sign out. Are you done? Always sign out.

## Contact person: choose a dossier
choose-title = Which dossier do you want to see?
choose-intro = You may look in more than one dossier. Choose the dossier you want to open now.
choose-open = Dossier of { $name }
choose-current = open now

## Relations
relation-mentor = Mentor
relation-legal-representative = Legal representative
relation-curator = Guardian
relation-administrator = Financial administrator
relation-family = Family
relation-partner = Partner
relation-other = Contact person

## Roles
role-caregiver = caregiver
role-primary-caregiver =
    { $sector ->
        [mental_health] personal practitioner
       *[care] personal caregiver
    }
role-practitioner = practitioner
role-secretariat = secretariat
role-functional-admin = functional administrator
role-privacy-officer = privacy officer
role-unknown = staff member

## My details
profile-name = Name
profile-birth-date = Date of birth
profile-client-number = Client number
profile-address = Address
profile-email = E-mail
profile-mobile = Mobile number
profile-location = Location
profile-primary-caregiver =
    { $sector ->
        [mental_health] Personal practitioner
       *[care] Personal caregiver
    }
profile-unknown = Not known
profile-wrong-title = Is something wrong?
profile-wrong-text =
    { $sector ->
        [mental_health] Tell your (personal) practitioner or the secretariat. They can change it. You have the right to have mistakes corrected and to add something to your dossier.
       *[care] Tell your (personal) caregiver or the secretariat. They can change it. You have the right to have mistakes corrected and to add something to your dossier.
    }

## Client plan
plans-intro = Click a plan to read it. The newest plan is at the top.
plans-none =
    { $sector ->
        [mental_health] There is no treatment plan you can read yet.
       *[care] There is no client plan you can read yet.
    }
plans-back = Back to all plans
plan-contents = Contents
plan-empty = This plan has no parts yet.
plan-goals = Goals
plan-agreements = Agreements
plan-nothing = Nothing here yet.

## Reports
filter-title = Choose a period
filter-from = From
filter-until = Up to and including
filter-hint = Write a date as day-month-year, for example 06-09-2017. Leave empty for everything.
filter-show = Show
filter-clear = Show everything
who-filter-default = Last 30 days
reports-count = { $count ->
    [one] 1 report
   *[other] { $count } reports
}
page-of = page { $page } of { $pages }
reports-none = There are no reports in this period.
report-by = Written by { $name } ({ $role })
report-changed = changed
report-changed-explained = This report was changed later. You see the newest version.
report-read-more = Read more
reports-back = Back to all reports
pager-label = Pages
pager-prev = Previous page
pager-next = Next page

## Appointments
appointments-upcoming = Upcoming appointments
appointments-past = Earlier appointments
appointments-none-upcoming = You have no new appointments now.
appointments-none-past = There are no earlier appointments.
appointments-change-title = Change or cancel an appointment?
appointments-change-text =
    { $sector ->
        [mental_health] You cannot do that here. Call or mail the secretariat or your practitioner. Preferably 24 hours in advance.
       *[care] You cannot do that here. Call or mail the secretariat or your caregiver. Preferably 24 hours in advance.
    }
appointment-cancelled = Cancelled
appointment-duration = Duration
appointment-with = With
appointment-place = Where
appointment-ics = Add to your calendar
at-time = at { $time }
minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
ics-with = With { $name }

## Documents
documents-none = There are no documents yet.
document-open = Open
document-download = Download
doc-kind-pdf = PDF
doc-kind-image = image
doc-kind-file = file

## My network
network-intro = These people may also look in your dossier. You also see what they may see.
network-none = Nobody else looks in your dossier.
network-may-see = May see:
network-until = until { $date }
network-change-title = Do you want to change this?
network-change-text =
    { $sector ->
        [mental_health] Do you want someone else to look as well? Or do you want someone to stop? Tell your (personal) practitioner. Together you arrange it.
       *[care] Do you want someone else to look as well? Or do you want someone to stop? Tell your (personal) caregiver. Together you arrange it.
    }

## Who looked
who-intro = Here you see who looked in your dossier or changed something. The newest is at the top.
who-period = From { $from } up to and including { $until }
who-none = Nobody looked in your dossier in this period.
who-col-when = When
who-col-who = Who
who-col-what = What
who-yourself = you
who-staff = { $name } ({ $role })
who-unknown-staff = a staff member
who-contact-person = { $name } (contact person)
who-unknown-contact-person = a contact person
who-system = Inzage (automatic)
who-integration = { $name } (connected system)
times = { $count } times
who-question-title = Is something wrong?
who-question-text =
    { $sector ->
        [mental_health] Do you see someone who should not have looked in your dossier? Tell your practitioner or the service desk. They will look into it.
       *[care] Do you see someone who should not have looked in your dossier? Tell your caregiver or the service desk. They will look into it.
    }
what-line = { $subject }: { $verb }
subject-profile = Details
subject-client-plan =
    { $sector ->
        [mental_health] Treatment plan
       *[care] Client plan
    }
subject-reports = Reports
subject-appointments = Appointments
subject-documents = Documents
subject-network = Network
subject-audit-trail = Who looked
subject-episodes = Care period
subject-account = Account
subject-dossier = Dossier
verb-viewed = viewed
verb-added = added
verb-changed = changed
verb-finalised = made final
verb-removed = removed
verb-granted = access given
verb-revoked = access stopped
verb-invited = invitation sent
verb-signed-in = signed in
verb-signed-out = signed out
verb-password-set = password set
verb-notified = sent a notification (without content)
verb-used = used

## Help
help-title = Need help?
help-intro =
    { $sector ->
        [mental_health] Here you find answers to questions many people have. Still stuck? Look at it together with your (personal) practitioner, or contact the service desk.
       *[care] Here you find answers to questions many people have. Still stuck? Look at it together with your (personal) caregiver, or contact the service desk.
    }
help-more = More help on your care organisation's website
help-servicedesk = Service desk
help-tour-title = Tour
help-tour-text = Do you want to see again how Inzage works?
help-q-login = I cannot sign in
help-a-login = Your user name is your e-mail address. Mind capital letters in your password. Signing in for the first time? Click Request password. You get an e-mail with a link.
help-q-forgot = I forgot my password
help-a-forgot = Request a new password. Within a few minutes you get an e-mail with a link. The link works once.
help-q-sms = The text message code does not arrive
help-a-sms =
    { $sector ->
        [mental_health] Check that your phone is on and has signal. After 1 minute you can ask for a new code. Do you have another mobile number? Tell the secretariat or your practitioner.
       *[care] Check that your phone is on and has signal. After 1 minute you can ask for a new code. Do you have another mobile number? Tell the secretariat or your caregiver.
    }
help-q-paused = Signing in is paused
help-a-paused = After { $tries } wrong attempts you have to wait { $minutes } minutes. Then you can try again. You also get an e-mail about it.
help-q-who = Who can look in my dossier?
help-a-who =
    { $sector ->
        [mental_health] You and the practitioners of your team. A contact person can look too, if you want that. You arrange it with your practitioners. Under My network you see who may look, and under Who looked you see who did.
       *[care] You and the caregivers of your team. A contact person can look too, if you want that. You arrange it with your caregivers. Under My network you see who may look, and under Who looked you see who did.
    }
help-q-wrong = Something in my dossier is wrong
help-a-wrong =
    { $sector ->
        [mental_health] Tell your (personal) practitioner or the secretariat. You may have mistakes corrected. You may also have something added to your dossier.
       *[care] Tell your (personal) caregiver or the secretariat. You may have mistakes corrected. You may also have something added to your dossier.
    }
help-q-stop = I do not want to read along any more
help-a-stop =
    { $sector ->
        [mental_health] Do you not want to read along any more, or do you want a contact person to stop? Tell your (personal) practitioner.
       *[care] Do you not want to read along any more, or do you want a contact person to stop? Tell your (personal) caregiver.
    }
help-q-timeout = I was suddenly signed out
help-a-timeout = If you do nothing for { $minutes } minutes, you are signed out. That way nobody else can look in your dossier. Sign in again; you continue where you were.

## Development
outbox-title = Outbox (development)
outbox-intro = For development only: messages Inzage would send, newest first.
outbox-empty = No messages yet.

## E-mail and SMS
mail-hello = Hello,
mail-invite-subject = Your invitation to Inzage
mail-invite-intro = You can now read your own file in Inzage.
mail-invite-click = Click this link and choose a password:
mail-invite-valid = The link works once and is valid until { $until }.
mail-invite-username = Your user name is your e-mail address: { $email }
mail-invite-unexpected = Did you not expect this e-mail? Then you do not need to do anything.
mail-reset-subject = Set a new password
mail-reset-intro = You asked for a new password for Inzage.
mail-reset-click = Click this link and choose a new password:
mail-reset-valid = The link works once and is valid for 1 hour.
mail-reset-unexpected = Did you not ask for this? Then you do not need to do anything.
notify-title = Messages about your file
notify-intro = Would you like an e-mail or text message when there is something new? Such a message never says what is in the file. You read it only when you sign in.
notify-what = What would you like a message about?
notify-news-label = Something new in the file (at most once a day)
notify-reminders-label = A reminder, the day before an appointment
notify-how = How would you like to get it?
notify-by-email = By e-mail
notify-by-sms = By text message
notify-sms-needs-mobile = A text message needs a mobile number. Your account has none.
notify-saved = Your choice for messages is saved.
notify-no-channel = Choose e-mail or text message. Otherwise we cannot send you a message.
notify-no-mobile = A text message needs a mobile number. Choose e-mail.
unsubscribe-title = No more messages
unsubscribe-intro = Don't want messages about the file any more? Click the button.
unsubscribe-button = No more messages
unsubscribe-later = Messages again later? Turn them on in My account.
unsubscribe-done = Done. You will not get messages about the file any more. You can turn them on again in My account.
unsubscribe-gone = This link no longer works. You can turn messages off in My account.
unsubscribe-to-account = To My account
mail-afschrift-ready-subject = Your copy is ready
mail-afschrift-ready-intro = The copy of the file is ready. You can download it in the portal until { $until }. The file is not attached to this e-mail.
notify-news-subject-own = News in your file
notify-news-subject-other = News in a file you may read
notify-news-own = There is something new in your file.
notify-news-other = There is something new in a file you may read.
notify-news-sms-own = There is something new in your file. Look in the portal.
notify-news-sms-other = There is something new in a file you may read. Look in the portal.
notify-reminder-subject = Reminder: an appointment tomorrow
notify-reminder-own = You have an appointment tomorrow at { $time }. Look in the portal.
notify-reminder-other = There is an appointment tomorrow at { $time } in a file you may read. Look in the portal.
notify-look = Look in the portal:
notify-why = You get this message because you turned it on in My account. This message never says what is in the file.
notify-stop = Don't want these messages any more? Click here:
mail-code-reused-subject = Someone used a code from your app again
mail-code-reused-intro = Someone signing in to Inzage used a code from your app that had been used before. We refused that code.
mail-code-reused-unexpected = Was this not you? Change your password and contact the service desk.
mail-password-changed-subject = Your password was changed
mail-password-changed-intro = Your password for Inzage was just changed.
mail-password-changed-unexpected = Did you not do this? Contact the service desk at once.
mail-oidc-linked-subject = You can now sign in through your organisation
mail-oidc-linked-intro = Your Inzage account is now linked to your sign-in at your organisation. You can sign in with the button "Sign in through your organisation". Your sign-in is at:
mail-oidc-linked-unexpected = Did you not do this? Contact the service desk at once.
mail-lockout-subject = Login is paused for a while
mail-lockout-intro = Someone logged in to your account wrongly { $count } times.
mail-lockout-until = So logging in is paused until { $until }.
mail-lockout-after = After that you can log in again.
mail-lockout-unexpected = Was this not you? Then ask for a new password.
mail-help-mail-or-call = Need help? E-mail { $email } or call { $phone }.
mail-help-mail = Need help? E-mail { $email }.
sms-code = Your Inzage code is { $code }. This code is valid for 10 minutes. Do not share it with anyone.
mail-app-changed-subject = The way you sign in was changed
mail-app-linked-intro = An app for sign-in codes was just linked to your Inzage account. You were signed out on other devices.
mail-app-removed-intro = The app for sign-in codes was just removed from your Inzage account. You now sign in with an SMS code. You were signed out on other devices.
mail-passkey-changed-subject = The way you sign in was changed
mail-passkey-added-intro = A passkey named "{ $name }" was just added to your Inzage account. You were signed out on other devices.
mail-passkey-removed-intro = The passkey named "{ $name }" was just removed from your Inzage account. You were signed out on other devices.
mail-passkey-alone = This passkey signs you in without your password.
mail-passkey-copied-subject = Someone may have used a copy of your passkey
mail-passkey-copied-intro = When signing in to Inzage, one of your passkeys answered like a copy of it would. We refused it.
mail-passkey-copied-unexpected = Was this not you? Remove the passkey in My account, change your password and contact the service desk.
mail-identifiers-changed-subject = Your details for Inzage were changed
mail-identifiers-changed-intro = The e-mail address or mobile number you sign in to Inzage with was changed. This message goes to your old e-mail address and your old number.
mail-identifiers-changed-unexpected =
    { $sector ->
        [mental_health] Is this not right? Contact your practitioner or the service desk at once.
       *[care] Is this not right? Contact your caregiver or the service desk at once.
    }
sms-identifiers-changed = The e-mail address or mobile number you sign in to Inzage with was changed. Not right? Contact the service desk at once.
mail-confirm-code-subject = Your code for Inzage
mail-confirm-code-intro = You want to use this e-mail address for Inzage. Your code is: { $code }
mail-confirm-code-valid = Enter the code on the page My account. The code is valid for { $minutes } minutes.
mail-confirm-code-unexpected = Did you not ask for this? Then you do not need to do anything. Nothing changes.
sms-confirm-code = Your code to use this number for Inzage is { $code }. The code is valid for { $minutes } minutes.
mail-change-request-subject = Is your new e-mail address or number right?
mail-change-request-intro = A staff member of { $organisation } wants to change your details in Inzage:
mail-change-request-email = new e-mail address: { $email }
mail-change-request-mobile = new mobile number: { $mobile }
mail-change-request-click = Is this right? Sign in and confirm it with this link:
mail-change-request-valid = The link is valid until { $until }.
mail-change-request-unexpected = Is this not right? Then do nothing. Nothing changes without your yes.
mail-link-subject = New invitation in Inzage
mail-link-intro = A care organisation wants to give you access to a file in Inzage.
mail-link-sign-in = Sign in to see who it is about. Then you choose: yes or no.
mail-link-unexpected = Did you not expect this? Then you do not need to do anything. Nothing happens without your yes.
mail-address-taken-subject = Invitation to Inzage
mail-address-taken-intro = A care organisation wanted to invite you to Inzage with this e-mail address. You already have an account in Inzage with this address.
mail-address-taken-what = Do you want the invitation? Then give the organisation another e-mail address.

## Staff workspace: a client's page
staff-back-to-clients = Back to My clients
staff-tabs-label = Parts of the record
staff-tab-profile = Details
staff-tab-network = Network and portal
staff-open-client = Open the record of { $name }
staff-episodes-none = There is no care episode yet.
staff-episode-open = From { $start } (ongoing)
staff-episode-ended = From { $start } up to and including { $end }
staff-status-draft = draft
staff-status-final = final
staff-report-hidden = not visible to the client
staff-report-shown = visible to the client and permitted contact persons
staff-report-new = New report
staff-report-new-hint = A new report starts as a draft. Only staff see a draft. After "Make final", or by itself after the organisation's period, it becomes final.
staff-report-category = Category
staff-report-body = Text
staff-report-visible = May the client read this report in the portal?
staff-report-visible-yes = Yes, visible to the client
staff-report-visible-no = No, staff only
staff-report-save-draft = Save draft
staff-report-edit = Edit draft
staff-report-finalise = Make final
staff-report-finalise-hint = Making it final cannot be undone. After that the report can only be corrected with a new version.
staff-report-draft-note = This is a draft. The client does not see it yet.
staff-report-finalised-by-job = This report was made final automatically after the organisation's period. The author is shown above.
staff-report-old-version = This is an earlier version. There is a newer one.
staff-report-correct = Correct (new version)
staff-report-correct-hint = A final report is never overwritten. Your correction becomes a new version; the earlier version stays visible to staff. The client sees the new version marked "changed".
staff-report-correct-save = Save correction
staff-report-history = Versions
staff-report-version = Version { $n }
staff-report-category-error = Fill in a category (at most 100 characters).
staff-report-body-empty = Write the text of the report.
staff-report-body-too-long = The text is too long: at most { $max } characters.
staff-report-body-control = The text contains characters that are not allowed (control characters).
staff-report-visible-error = Choose whether the client may read this report.
staff-form-not-saved = Nothing was saved. Correct this and try again:
staff-notice-saved = Saved.
staff-notice-finalised = The report is final. The client sees it now (if it is visible).
staff-notice-corrected = The correction was saved as a new version.
staff-notice-stale = Someone changed this report meanwhile. Nothing was made final. Look at the new text and try again.
staff-conflict-title = Not saved: someone else was first
staff-conflict-text = After you opened this form someone else changed this report. Your text was not saved and is not lost: it is shown below next to the current version, and in the form. Check both and save again.
staff-conflict-yours = Your version (not saved)
staff-conflict-current = Current version
staff-report-last-saved = Last saved: { $when }.
staff-access-client-title = The client's portal
staff-access-status = Status
staff-access-not-invited = Not invited yet
staff-access-invited = Invited on
staff-access-active = Active, last signed in on
staff-access-active-never = Active, never signed in
staff-access-stopped = Stopped at the client's request
staff-access-paused = Sign-in paused
staff-access-paused-until = Sign-in paused until { $when }
staff-invite = Invite
staff-invite-again = Invite again
staff-invite-impossible = The invitation cannot be sent. Check that the e-mail address and mobile number are known, and that the client may use the portal now (care episode, age).
staff-portal-stop = Stop the portal at the client's request
staff-portal-restart = Turn the portal on again
staff-portal-stop-hint = Stopping closes the portal for the client at once, even if they are signed in now. Contact persons keep their own access; revoke that separately below.
staff-bad-choice = This choice does not exist.
staff-contacts-title = Contact persons
staff-contacts-none = There are no contact persons yet.
staff-contact-no-email = no e-mail address
staff-contact-no-mobile = no mobile number
staff-grant-from = From { $date }
staff-grant-until = up to and including { $date }
staff-grant-consent = Consent recorded by { $name } on { $when }.
staff-grant-revoked = revoked on { $when }
staff-grant-inactive = not (or no longer) valid
staff-grant-revoke = Revoke access
staff-contact-add = Add a contact person
staff-contact-given = First name
staff-contact-prefix = Name prefix
staff-contact-family = Last name
staff-contact-relation = Relation to the client
staff-contact-relation-choose = Choose a relation
staff-contact-parts = What may this contact person see?
staff-contact-until = Access up to and including (optional)
staff-contact-until-hint = Write the date as day-month-year. Leave empty: no end date.
staff-contact-consent = The client gives consent. I record that now in my name.
staff-contact-add-submit = Add contact person
staff-contact-given-error = Fill in the first name (at most 100 characters).
staff-contact-family-error = Fill in the last name (at most 100 characters).
staff-contact-prefix-error = The name prefix is too long or contains characters that are not allowed.
staff-contact-relation-error = Choose the relation to the client.
staff-contact-email-error = This e-mail address is not right.
staff-contact-mobile-error = This mobile number is not right. Write it like this: 06 12345678.
staff-contact-parts-error = Choose at least one part the contact person may see.
staff-contact-until-range = The end date must be today or later, and at most ten years ahead.
staff-contact-consent-error = Without the client's consent you cannot give a contact person access.
staff-notice-invited = The invitation was sent. Earlier invitation links no longer work.
staff-notice-contact-added = The contact person was added. Invite them now.
staff-notice-revoked = Access was revoked. Open sessions of this contact person ended at once.
staff-notice-portal-stopped = The portal is stopped for the client.
staff-notice-portal-restarted = The portal is on again for the client.
staff-notice-network-stale = This had changed meanwhile. See below how it is now.
staff-episode-start = Start a care episode
staff-episode-end = End the care episode (discharge)
staff-episode-start-date = Start date of the new care episode
staff-episode-end-date = End date of the care episode
staff-episode-start-hint = Write the date as day-month-year.
staff-episode-end-hint = Write the date as day-month-year. After this date the client can still read the record for as long as the organisation allows.
staff-episode-date-range = This date is too far away.
staff-episode-date-order = This date does not fit: an end comes after the start, a new start after the previous end.
staff-notice-episode-started = The new care episode has started.
staff-notice-episode-ended = The care episode has ended.
staff-appointments-none = No appointments.
staff-appointments-back = Back to all appointments
staff-appointment-new = New appointment
staff-appointment-create = Make appointment
staff-appointment-change = Change or cancel the appointment
staff-appointment-save = Save change
staff-appointment-cancel = Cancel appointment
staff-appointment-cancel-hint = A cancelled appointment stays visible, marked "Cancelled".
staff-appointment-cancelled-note = This appointment was cancelled and can no longer change.
staff-appointment-conflict-text = After you opened this form someone else changed or cancelled this appointment. Your change was not saved: both versions are shown below.
staff-appointment-date = Date
staff-appointment-time = Start time
staff-appointment-minutes = Duration in minutes
staff-appointment-practitioner = With whom
staff-appointment-place = Where
staff-appointment-description = About what
staff-appointment-duration = { $minutes } minutes
staff-appointment-time-error = This time is not right. Write the time like this: 14:30.
staff-appointment-minutes-error = Choose a duration of 5 to 1440 minutes.
staff-appointment-practitioner-error = Choose a member of the client's team.
staff-appointment-place-error = Fill in where the appointment is (at most 100 characters).
staff-appointment-description-error = Fill in what the appointment is about (at most 2000 characters).
staff-notice-appointment-cancelled = The appointment was cancelled. The client sees it as cancelled.
staff-notice-appointment-stale = This appointment had changed meanwhile.
staff-documents-none = There are no documents.
staff-document-remove = Remove document
staff-document-remove-reason = Why do you remove this document?
staff-document-remove-hint = The document disappears from the record and the portal. It is not really erased: the reason, who and when are recorded.
staff-remove-reason-error = Write why you remove the document (at most 500 characters).
staff-upload-title = Add a document
staff-upload-file = File
staff-upload-file-hint = PDF, PNG or JPEG, at most { $limit }.
staff-upload-doc-title = Title
staff-upload-doc-type = Kind of document
staff-upload-doc-date = Date of the document
staff-upload-visible = May the client see this document in the portal?
staff-upload-submit = Add document
staff-upload-title-error = Fill in a title (at most 100 characters).
staff-upload-type-error = Fill in the kind of document (at most 100 characters).
staff-upload-visible-error = Choose whether the client may see this document.
staff-upload-too-large = The file is too large. It may be at most { $limit }.
staff-upload-type-refused = This file is not a PDF, PNG or JPEG. We look at the content, not the name.
staff-upload-no-file = Choose a file.
staff-upload-unreadable = The form could not be read. Please try again.
staff-notice-document-uploaded = The document was added.
staff-notice-document-removed = The document was removed. The reason was recorded.
staff-plans-none =
    { $sector ->
        [mental_health] There is no treatment plan yet.
       *[care] There is no client plan yet.
    }
staff-plan-new = Make a new version
staff-plan-date = Date of the new version
staff-plan-new-hint = The new version starts as a draft with the text of the latest version. Write the date as day-month-year.
staff-plan-draft-exists = There is a draft already. Finish that first.
staff-plan-draft-note = This is a draft. The client sees it only once it is final.
staff-plan-edit-section = Edit this domain
staff-plan-add-domain = Add a domain
staff-plan-domain = Domain
staff-plan-finalise-hint = Making it final cannot be undone. After that the client sees this version. A next change becomes a new version.
staff-plan-incomplete = Not final yet: every domain needs goals and agreements.
staff-plan-domain-error = Fill in the domain (at most 100 characters).
staff-plan-goals-error = Write the goals (at most { $max } characters).
staff-plan-agreements-error = Write the agreements (at most { $max } characters).
staff-plan-markdown-hint = You can use formatting: # heading, - bullet, 1. numbered, **bold**, [text](https://…) for a link. Any other markup (such as HTML) becomes plain text.
staff-plan-save-section = Save domain
staff-plan-final-readonly = This version is final and no longer changes. Make a new version to change something.
staff-plan-conflict-text = After you opened this form someone else changed this domain. Your text was not saved and is not lost: both versions are shown below, and your text is in the form.
staff-notice-plan-finalised =
    { $sector ->
        [mental_health] The treatment plan is final. The client sees this version now.
       *[care] The client plan is final. The client sees this version now.
    }

## Audit viewer (privacy officer)
audit-title = Search the audit log
audit-intro = Search your organisation's log: who looked at or changed what, and when. Denied attempts are marked red. Every search is recorded too.
audit-client = Client number
audit-staff = Staff member's e-mail address
audit-action = Action
audit-action-any = All actions
audit-denied-only = Denied attempts only
audit-search = Search
audit-csv = Download as CSV
audit-count = { $count ->
    [one] 1 event
   *[other] { $count } events
}
audit-limited = You see the newest { $limit }. Narrow the search to see more.
audit-col-when = When
audit-col-who = Who
audit-col-role = As
audit-col-client = Client
audit-col-what = What
audit-col-source = From (network address)
audit-col-outcome = Outcome
audit-allowed = allowed
audit-denied = DENIED
audit-default-period = Without dates you see the last 7 days.
audit-not-allowed = Only a privacy officer can search the audit log.
admin-title = Organisation administration
audit-action-read = read
audit-action-list = list viewed
audit-action-create = created
audit-action-update = changed
audit-action-finalise = made final
audit-action-delete = removed
audit-action-export = exported
audit-action-grant = access granted
audit-action-revoke = access revoked
audit-action-invite = invited
audit-action-login = signed in
audit-action-logout = signed out
audit-action-code-sent = code sent
audit-action-second-factor = second step
audit-action-lockout = sign-in paused
audit-action-password-set = password set
audit-action-password-reset-requested = password reset requested
audit-action-session-start = session started
audit-action-session-end = session ended
audit-action-notify = notification sent
admin-audited = Every change here is recorded in the audit log.
admin-settings = Settings
admin-idle = Sign out after this many idle minutes
admin-threshold = Pause after this many failed sign-in attempts
admin-pause = Minutes of pause after too many failed attempts
admin-grace = Days after discharge the client can still read
admin-min-age = Minimum age for the portal
admin-eligibility = Portal for care episodes that started on or after (optional)
admin-finalise = Reports final automatically after this many hours
admin-upload = Largest document in MB
admin-upload-now = Now: { $size }.
admin-sd-email = Service desk e-mail
admin-sd-phone = Service desk phone
admin-help-url = Web address with more help (https://…)
admin-staff-sms = Staff may use an SMS code (otherwise an app only)
admin-auto-invite = Invite clients automatically once e-mail and mobile are known
admin-settings-save = Save settings
admin-idle-error = Sign out after: choose { $min } to { $max } minutes.
admin-threshold-error = Failed attempts: choose { $min } to { $max }.
admin-pause-error = Pause: choose { $min } to { $max } minutes.
admin-grace-error = Days after discharge: choose { $min } to { $max }.
admin-min-age-error = Minimum age: choose { $min } to { $max } years.
admin-finalise-error = Final automatically: choose { $min } to { $max } hours.
admin-request-days = Days to answer a client's request (correction, addition)
admin-request-days-error = Days for a request: choose { $min } to { $max } days.
admin-retention-years = Years a dossier is kept after the last care (WGBO: at least 20)
admin-retention-years-error = Retention: choose { $min } to { $max } years.
admin-upload-error = Largest document: choose { $min } to { $max } MB.
admin-phone-error = The phone number may only have digits, spaces, +, - and brackets.
admin-help-url-error = The web address must start with https:// or be a page of this site (such as /hulp).
admin-locations = Locations and teams
admin-location-name = Name of the new location
admin-location-add = Add location
admin-location-error = Fill in the name of the location (at most 100 characters).
admin-team-location = Location of the team
admin-team-name = Name of the new team
admin-team-add = Add team
admin-team-error = Choose a location and fill in the name of the team (at most 100 characters).
admin-staff = Staff members
admin-roles = Roles
admin-teams = Teams
admin-inactive = disabled
admin-staff-add = Add staff member
admin-roles-error = Choose at least one role.
admin-exists-error = This exists already (same name or same e-mail address).
admin-invalid-error = This is not possible: a team belongs to another organisation, or a value is not right.
admin-back = Back to administration
admin-active = May sign in (turning this off also ends all open sessions)
admin-staff-save = Save
admin-staff-invite = Send invitation
admin-staff-refused = This is not possible. You cannot remove your own admin role or disable yourself; an invitation needs an e-mail address.
admin-notice-invited = The invitation was sent.
admin-own-roles = You cannot change your own roles and teams. Ask another functional administrator.
admin-four-eyes-hint = The privacy officer role, or a role with access to files for a functional administrator, takes effect only when another functional administrator approves it.
admin-notice-awaiting = Saved as a request. Another functional administrator must approve it.
admin-notice-approved = Approved. The change has been made.
admin-notice-rejected = Rejected. Nothing changed.
admin-pending = Waiting for approval
admin-pending-intro = These changes take effect only when a second functional administrator approves them.
admin-pending-email = Work e-mail: { $email }. Check that this address really belongs to this person: the invitation goes there.
admin-pending-asked = Asked by { $name } on { $when }.
admin-pending-active = May sign in.
admin-pending-approve = Approve
admin-pending-reject = Reject
admin-pending-other = Another functional administrator must approve this.
staff-pause-end = End the pause now
staff-details-change = Change e-mail or mobile number
staff-details-hint = The old e-mail address and the old number get a message about this change.
staff-details-hint-in-use = This person signs in with these details. The change takes effect only when they confirm it: they get an e-mail at the old address.
staff-access-change = Change
staff-access-change-waiting = Asked on { $when }, waiting for the person to confirm
staff-notice-details-asked = Asked. The person gets an e-mail at the old address and confirms the change there. Until then nothing changes.
staff-details-save = Save change
staff-details-refused = This is not possible: someone with an account needs an e-mail address and a mobile number, and an e-mail address can belong to one account only.
staff-notice-pause-ended = The pause is over. Signing in works again.
staff-notice-details-changed = The details were changed. The old e-mail address got a message.

## Register a client and change their details (issue 14)
staff-register-link = Register a client
staff-register-title = Register a client
staff-register-intro = Fill in the new client's details. Client number, given name, family name, date of birth, team and start of care are required. The client gets access to the portal only when you send an invitation (or when your organisation does so automatically).
staff-register-submit = Register client
staff-client-legend-person = Person
staff-client-legend-address = Address and contact
staff-client-legend-care = Care
staff-client-number = Client number
staff-client-number-hint = Your organisation's own number: letters, digits and -, at most 20 characters. Not the BSN.
staff-client-birth = Date of birth
staff-client-street = Street
staff-client-house = House number
staff-client-postal = Postal code
staff-client-city = Town
staff-client-contact-hint = With an e-mail address and a mobile number the client can be invited to the portal.
staff-client-team = Team (the location belongs to the team)
staff-client-choose = Choose a team
staff-client-caregiver =
    { $sector ->
        [mental_health] Lead practitioner (optional)
       *[care] Primary caregiver (optional)
    }
staff-client-caregiver-hint =
    { $sector ->
        [mental_health] Only a lead practitioner of the chosen team.
       *[care] Only a primary caregiver of the chosen team.
    }
staff-client-no-caregiver = Not chosen yet
staff-client-start = Start of care (care episode)
staff-client-current-team = Current team
staff-client-given-error = Fill in the given name (at most 100 characters).
staff-client-family-error = Fill in the family name (at most 100 characters).
staff-client-prefix-error = The name prefix is too long or holds characters that cannot be used.
staff-client-address-error = Part of the address is too long or holds characters that cannot be used.
staff-client-number-error = Fill in a client number: letters, digits and -, at most 20 characters.
staff-client-number-taken = This client number is in use. Choose another number.
staff-client-birth-error = This date of birth is not right. Write it like this: 31-12-1990. It is not in the future and not before 1900.
staff-client-team-error = Choose a team.
staff-client-caregiver-error =
    { $sector ->
        [mental_health] This lead practitioner is not in the chosen team.
       *[care] This primary caregiver is not in the chosen team.
    }
staff-client-start-error = This start date cannot be used. Write it like this: 31-12-2026. It lies after the end of an earlier episode and before the end of this one.
staff-client-contact-in-use-error = The client already uses the portal. An e-mail address and a mobile number can then only be replaced, not emptied.
staff-client-edit-link = Change details
staff-client-edit-title = Change details
staff-client-edit-intro = Change what is not right. The old details are kept: you see them under "Earlier versions". If the client already uses the portal, the client confirms a new e-mail address or mobile number first.
staff-client-save = Save changes
staff-client-back-to-profile = Back to the details
staff-client-stale = Someone else changed the details meanwhile. Nothing was saved.
staff-client-stale-yours = The form now shows the new details. This is what you filled in:
staff-dup-title = Does this client exist already?
staff-dup-intro = These clients have the same date of birth and a similar name. Check whether it is the same person. Is it another person? Then tick that and register again.
staff-dup-same-number = This client number is in use. Choose another number.
staff-dup-number-badge = same client number
staff-dup-confirm = I checked: this is another person.
staff-notice-client-registered = The client is registered.
staff-notice-client-saved = The details are saved.
staff-notice-client-unchanged = Nothing had changed. Nothing was saved.
staff-history-title = Earlier versions
staff-history-intro = Every change of the details, newest first. Nothing is overwritten.
staff-history-version = Version { $version } · { $when } · { $who }
staff-history-change = { $field }: { $old } → { $new }
staff-history-empty = (empty)
staff-history-none = No changes kept yet.
client-field-client_number = Client number
client-field-given_name = Given name
client-field-name_prefix = Name prefix
client-field-family_name = Family name
client-field-birth_date = Date of birth
client-field-street = Street
client-field-house_number = House number
client-field-postal_code = Postal code
client-field-city = Town
client-field-email = E-mail
client-field-mobile = Mobile number
client-field-team = Team
client-field-primary_caregiver =
    { $sector ->
        [mental_health] Lead practitioner
       *[care] Primary caregiver
    }
client-field-episode_start = Start of care
client-changed-by-client = the client
client-changed-by-system = the system
login-too-young = You cannot sign in (yet). The portal is for clients aged { $age } and older. Questions? { $servicedesk }
login-before-start = You cannot sign in. The portal is for care that started on or after { $date }. This care started earlier. Questions? { $servicedesk }
profile-care-title = Care episode
profile-care-since = Care has run since { $start }.
profile-care-ended = Care ran from { $start } up to and including { $end }.
profile-care-earlier =
    { $sector ->
        [mental_health] You also had care with us before. Those earlier episodes are not in the portal. Do you want to see them? Ask your practitioner or the service desk. You have the right to.
       *[care] You also had care with us before. Those earlier episodes are not in the portal. Do you want to see them? Ask your caregiver or the service desk. You have the right to.
    }
profile-care-earlier-contact =
    { $sector ->
        [mental_health] There was care before too. Those earlier episodes are not in the portal. The client (or a legal representative) can ask for them at the practitioner or the service desk.
       *[care] There was care before too. Those earlier episodes are not in the portal. The client (or a legal representative) can ask for them at the caregiver or the service desk.
    }
sms-sent-at-once = We sent you a text message with a 6-digit code.
code-sms-intro-sent = Look at your mobile phone. Type the 6-digit code below. The code works for 10 minutes.
code-resend-hint = No text message? Wait a minute. Then you can have a new code sent.
code-send-again = Send a new code
footer-servicedesk = Questions? Service desk of { $organisation }:
footer-help = Help on the website
admin-help-url-hint = An address that starts with https://, or a page of this site, such as /hulp.
admin-display-name = Name on the sign-in page and in e-mails
admin-display-name-hint = Leave empty: the organisation's registered name.
admin-display-name-error = The name is too long (at most 100 characters) or holds characters that cannot be used.
admin-sector = Kind of care (sets the words)
admin-sector-hint = Disability care says caregiver and client plan. Mental health says practitioner and treatment plan. This holds for every page and e-mail.
admin-sector-care = Disability care (caregiver, client plan)
admin-sector-mental-health = Mental health (practitioner, treatment plan)
admin-sector-error = Choose the kind of care.
admin-logo = Logo
admin-logo-now = The logo now
admin-logo-file = New logo (PNG or JPEG)
admin-logo-hint = At most 512 kB. The logo shows on the sign-in page and at the top of every page.
admin-logo-save = Save logo
admin-logo-error = This file cannot be used: choose a PNG or JPEG image of at most 512 kB.
admin-notice-logo = The logo is saved.
help-q-discharge = My care has ended. Can I still read?
help-a-discharge = Yes. After your care ends you can read your dossier for { $days } more days. After that you cannot sign in. The top of your dossier says until when.
help-q-browsers = Which browser can I use?
help-a-browsers = Inzage works in the latest versions of Chrome, Edge, Firefox and Safari, on phone, tablet and computer. Also with a screen reader and with the keyboard alone. An old browser (such as Internet Explorer) does not work.
staff-grant-change = Change access
staff-grant-change-consent = The client consents again to this access. I record that now in my name.
staff-grant-change-save = Save access
staff-notice-grant-changed = The access is changed. The old access stays in the history; the contact person sees the new parts at once.
login-timed-out-kept = You were inactive for a while, so you were signed out. What you just tried to save has been kept. Sign in again; you get your text back to save it.
staff-kept-restored = This is the text you had written when you were signed out. It is not saved yet. Check it and save it.
staff-idle-note = After { $minutes } minutes without doing anything you are signed out. Save your text in time. If you are signed out anyway, we keep what you save and give it back after you sign in.
idle-warning = You will be signed out in { $minutes } minutes because you are inactive. Save your text, or click "I am still here".
idle-stay = I am still here
mail-not-registered-subject = Signing in to Inzage
mail-not-registered-intro = Someone (perhaps you) asked for a new password for this e-mail address. You cannot sign in with this address yet: you have not been invited.
mail-not-registered-what = Do you want to see your dossier? Ask the secretariat of your care organisation to register your e-mail address and mobile number. Then you get an invitation by e-mail.
mail-not-registered-unexpected = Did you not ask for anything? Then you can forget this e-mail.
tour-contact-welcome-text = You are looking along in the dossier of someone who chose you as a contact person. In a few steps we show you how it works. You can always close the tour.
tour-contact-tile-profile = Here are the client's name, address and contact details.
tour-contact-tile-client-plan =
    { $sector ->
        [mental_health] Here is the client's treatment plan. Click a plan and then choose which part you want to read.
       *[care] Here is the client's client plan. Click a plan and then choose which part you want to read.
    }
tour-contact-tile-reports =
    { $sector ->
        [mental_health] Here you read what the practitioners write about the client. The newest is at the top.
       *[care] Here you read what the caregivers write about the client. The newest is at the top.
    }
tour-contact-tile-appointments = Here you see the client's appointments. You can put an appointment in your own calendar.
tour-contact-tile-documents = Here are the client's documents, such as letters and reports.
tour-contact-tile-network = Here you see who else may look in this dossier.
tour-contact-tile-audit-trail = Here you see who looked in this dossier, and when.
readable-until-contact = The client's care has ended. You can still read the dossier until { $date }.
mail-invite-intro-contact = You were chosen as a contact person of a client. With the client's consent you can now look along in that client's dossier in Inzage.
menu-start = Start
admin-apps = Other apps
admin-apps-intro = Your organisation's other e-health applications, such as online therapy or questionnaires. Clients see them in the portal under "Other apps".
admin-app-name = Name
admin-app-url = Web address (https://)
admin-app-text = One line of explanation
admin-app-add = Add app
admin-app-remove = Remove
admin-app-error = Fill in a name, a web address that starts with https:// and a short explanation (at most 100 characters).
tile-other-apps = Other apps
other-apps-title = Other apps
other-apps-intro = Your care organisation also uses these apps. They open in a new tab. You then leave Inzage: that app's own rules apply there.
other-apps-none = Your care organisation has no other apps.
other-apps-new-tab = (opens in a new tab, outside Inzage)
plan-title =
    { $sector ->
        [mental_health] Treatment plan - { $name } ({ $date }) - Client
       *[care] Client plan - { $name } ({ $date }) - Client
    }
staff-dup-other-team = A client in another team ({ $team }). You do not see who it is: ask that team.
verb-password-only = entered the right password, but did not sign in (no code entered)

## Requests: correction and addition (issue 15)
tile-requests = My requests
staff-tab-requests = Requests
voice-title = Is something wrong?
voice-text = Is something incorrect? You can ask to have it corrected. Do you disagree with something? You can write your own addition. It will be shown next to it.
voice-correct = Ask for a correction
voice-add = Write your own addition
voice-mine = See your requests
voice-phone = Prefer to call or e-mail? That is possible too.
voice-additions-title = Addition by the client
voice-additions-title-client = Your addition
voice-addition-when = Written on { $when }
request-kind-correction = Correction
request-kind-addition = Addition
request-about-profile = My details
request-about-report = Report
request-about-plan-section = Part of the plan
request-new-title-correction = Ask for a correction
request-new-title-addition = Write your own addition
request-new-intro-correction-profile = Write down what is wrong in your details, and what it should be. The secretariat reads your request.
request-new-intro-correction =
    { $sector ->
        [mental_health] Write down what is wrong, and what it should be. Your practitioner reads your request.
       *[care] Write down what is wrong, and what it should be. Your caregiver reads your request.
    }
request-new-intro-addition = Write down what you want to say about it. Your addition is shown with this item. Everyone who may read the item also reads your addition. You cannot remove your addition later.
request-new-due = You will get an answer within { $days } days.
request-new-text = Your text
request-new-text-hint = At most { $max } characters.
request-new-submit = Send
request-new-back = Back
request-text-error = Write down your request (at most { $max } characters).
request-too-many = You already have many open requests. Wait for an answer, or call or e-mail us.
requests-intro = Here you see what you asked or added, and the answer.
requests-none = You have not asked or added anything yet.
requests-sent = Sent. You see your request below.
request-asked-on = Asked on { $date }
request-about = About: { $what }
request-open-correction = We are looking into it. You will get an answer by { $date }.
request-open-addition = Your addition is shown with the item.
request-accepted = Corrected.
request-declined = Not corrected.
request-read = Read by { $name }.
request-answer-by = Answer from { $name } on { $date }:
request-open-item = See the item
request-your-text = Your text:
## Requests for staff
staff-requests-title = Requests from clients
staff-requests-intro = Open requests from clients in your teams that you can answer. The oldest is at the top.
staff-requests-none = There are no open requests.
staff-requests-client-none = This client has no requests yet.
staff-request-client = Client
staff-request-kind = Kind
staff-request-about = About
staff-request-asked = Asked on
staff-request-due = Answer by
staff-request-status = Status
staff-request-overdue = overdue
staff-request-status-open = open
staff-request-status-accepted = corrected
staff-request-status-declined = not corrected
staff-request-status-read = read
staff-request-text = What the client wrote
staff-request-answer = Answer to the client
staff-request-answer-hint = A reason is required when not correcting. The client reads this.
staff-request-accept = Corrected
staff-request-decline = Do not correct
staff-request-mark-read = Read
staff-request-how-to-correct = First correct the item itself (a new version; the old one stays in the history), then mark the request as corrected.
staff-request-reason-error = Write down the reason (at most { $max } characters). The client reads it.
staff-request-not-yours = Someone with another role answers this request.
staff-requests-link = Requests from clients
request-bad-answer = This answer does not fit this request.
subject-requests = Requests
request-bad-characters = Your text has characters we cannot keep. Type your text yourself, without pasting.
request-decided-by = By { $name } on { $date }.
admin-emergency = The organisation's emergency number (outside office hours)
admin-emergency-hint = This number is shown with "Ask your team": those questions are not for emergencies.
admin-emergency-error = Emergency number: digits, spaces and + - ( ) only.

## Ask your team (issue 15)
tile-questions = Ask your team
staff-tab-questions = Questions
tour-tile-questions = Here you ask your team a question. You read the answer here too. This is not for emergencies.
tour-contact-tile-questions = Here you ask the client's team a question. You read the answer here too. This is not for emergencies.
subject-questions = Questions to the team
questions-emergency-title = Not for emergencies
questions-emergency-text = It can take a few days before you get an answer.
questions-emergency-org = Do you need help quickly? Call us:
questions-emergency-112 = Is a life in danger? Call
questions-intro = Ask your team a question here. You get the answer on this page.
questions-intro-contact = Ask the client's team a question here. You get the answer on this page. You only see your own questions. Note: the client can read your questions and the answers too.
questions-new = Your question
questions-new-hint = Short and clear. At most { $max } characters.
questions-send = Send
questions-sent = Your question has been sent.
questions-mine = Your questions
questions-none = You have not asked anything yet.
questions-back = Back to your questions
question-asked-by = Question from { $name } on { $when }
question-open = open
question-done = done
question-answers =
    { $count ->
        [0] no answer yet
        [one] 1 answer
       *[other] { $count } answers
    }
question-team = (team)
question-reply = Your reply
question-reply-send = Send
question-saved = Sent.
question-error = Write down your question (at most { $max } characters).
question-too-many = You already have many open questions. Wait for an answer.
question-closed = Do you have another question? Ask a new one.
question-closed-by = Done by { $name } on { $when }.
staff-questions-none = This client has not asked anything yet.
staff-question-by-contact = asked by a contact person
staff-question-answer = Answer
staff-question-answer-hint = The person who asked reads this in the portal, and so does the client (also when a contact person asked). Write simply and briefly, and nothing the asker may not know.
staff-question-send = Send answer
staff-question-close = Done
staff-clients-open-questions =
    { $count ->
        [one] 1 open question
       *[other] { $count } open questions
    }
## My network, by the client (issue 15)
network-stop = Stop access
network-stop-title = Stop access for { $name }?
network-stop-text = { $name } can then no longer look in your dossier, at once. Want to give access again later? Ask your team.
network-stop-yes = Yes, stop access
network-stop-no = No, go back
network-ended = Access has stopped. This person can no longer look in your dossier.
network-add-title = Give someone access?
network-add-link = Ask your team to add someone
network-privacy-advice = The information in your dossier is personal. So do not give everyone the right to read your dossier. Choose only what that person really needs to see.
request-new-title-network = Give someone access
request-new-intro-network = Write down who it is, what this person is to you, and how we can reach them. The secretariat will contact you.
request-kind-network = Add someone
request-about-network = My network
request-network-parts = What may this person see?
request-parts-error = Choose what this person may see.
request-proposed = Proposed: { $tiles }
request-accepted-network = Added.
request-declined-network = Not added.
staff-request-how-to-add = Add the person on the Network and portal tab (with the client's consent and the parts the client proposes), then mark the request as added.
staff-request-accept-network = Added
staff-request-decline-network = Do not add
staff-request-status-added = added
staff-privacy-advice = Tell the client: the information in the dossier is personal. Do not give everyone the right to read everything; choose only what this person really needs to see.
read-aloud = Read aloud
read-aloud-stop = Stop reading
plan-whole = Read the whole plan on one page (also to print)
plan-print-hint = Want the plan on paper? Print this page. The buttons and menus are not printed.
filter-words = Search by word
filter-category = Kind of report
filter-category-all = All kinds
reports-none-found = No reports found. Try another word, or choose all kinds.
who-client = the client

## Afschrift (issue 15, ADR 0022)
afschrift-title = Copy of the file of { $name }
afschrift-footer = Copy from Inzage, made on { $date }
afschrift-made = This copy was made on { $date }.
afschrift-what = It holds everything in the file that you may read in Inzage. The documents are attached to this file.
afschrift-addition = Addition by the client ({ $date }): { $text }
afschrift-date = Date
afschrift-kind = Kind
afschrift-report-by = Written by { $name } ({ $role })
afschrift-corrected = This report was changed. This is the newest version.
afschrift-none = Nothing here.
afschrift-cancelled = cancelled
afschrift-attached = Attachment: { $file }
afschrift-not-attached = This document is not attached, because the copy would get too large. You find it under Documents.
afschrift-grant-ended = (ended on { $date })
afschrift-request-open = Not answered yet.
afschrift-request-accepted = Corrected.
afschrift-request-declined = Not corrected. Reason:
afschrift-request-read = Read by the team.
afschrift-page-title = Download your file
afschrift-page-intro = You can download a copy of your whole file, free of charge. You get one PDF file with everything you may read in Inzage, including who looked at your file. The documents are attached.
afschrift-page-keep = The file stays ready for { $days } days. Only you can download it. Keep it safe: it holds a lot of personal information.
afschrift-ask = Make a copy
afschrift-asked = We are making your copy. This can take a while. Come back to this page later.
afschrift-busy = We are already making a copy for you. Wait until it is ready.
afschrift-refresh = See if it is ready
afschrift-status-queued = Waiting for its turn
afschrift-status-building = Being made ({ $percent }%)
afschrift-status-ready = Ready
afschrift-status-failed = It did not work. Try again, or call the service desk.
afschrift-status-expired = Expired
afschrift-asked-at = Asked on { $date }
afschrift-download = Download the copy (PDF, { $size })
afschrift-download-fhir = Also download it as a file for other care systems (FHIR)
afschrift-until = Can be downloaded until { $date }.
afschrift-once-a-day = You already made a copy today. You can make another one in a day.
afschrift-refused = Only the client and a legal representative can make a copy. Would you like one? Ask the team.
afschrift-link = Download your file
staff-represents-title = Legal representative
staff-represents-intro = A legal representative (for example a mentor or curator) may make a copy of the file. Record why.
staff-represents-on = Is the legal representative
staff-represents-reason = Reason (for example: court decision of 1 March 2026)
staff-represents-save = Save
staff-represents-set = Recorded by { $name } on { $date }: { $reason }
staff-represents-reason-needed = Write down the reason.
staff-represents-relation = Only a mentor, curator or legal representative can be recorded as representative. Change the relation first.
staff-represents-saved = Saved.

# Retention (WGBO, ADR 0024)
oidc-title = Sign-in through the organisation
oidc-intro = Staff can sign in with their work account, at the organisation's identity provider (OpenID Connect). Inzage never creates an account itself: a staff member must already have one. Inzage finds the account by a link below, or by an e-mail address the identity provider has verified.
oidc-settings = Settings
oidc-redirect-uri = Register this address as the redirect URI at the identity provider:
oidc-issuer = Issuer (address of the identity provider)
oidc-issuer-hint = An https address, for example https://login.example.nl. Inzage checks it when you save.
oidc-client-id = Client ID
oidc-client-secret = Client secret
oidc-secret-kept = A secret is stored (encrypted). Leave this field empty to keep it.
oidc-secret-none = No secret stored yet.
oidc-trust-mfa = The identity provider may replace the second step
oidc-trust-mfa-hint = Only when the identity provider says the staff member signed in with two steps (amr "mfa", or an acr value below). Otherwise Inzage still asks for the SMS or app code itself.
oidc-acr = Acr values that count as two steps
oidc-acr-hint = Separated by spaces. Empty: only amr "mfa" counts.
oidc-enabled = Show the button on the sign-in page
oidc-save = Save
oidc-links = Linked accounts
oidc-links-intro = A link connects a person at the identity provider (subject) with a staff member's account. The staff member gets an e-mail when you make a link.
oidc-no-links = There are no links yet.
oidc-link-email = E-mail address in Inzage
oidc-link-subject = Subject at the identity provider
oidc-link-subject-hint = The person's fixed code at the identity provider (the "sub" claim), not the e-mail address.
oidc-link-how = Linked
oidc-linked-by-admin = by an admin
oidc-linked-by-email = at the first sign-in, by e-mail address
oidc-link-confirmed = confirmed by the staff member
oidc-link-unconfirmed = not confirmed yet: the staff member signs in once with their own SMS or app
oidc-unlink = Unlink
oidc-unlink-one = Unlink { $email }
oidc-link-new = New link
oidc-link-submit = Link
oidc-error-issuer = Enter an https address as the issuer.
oidc-error-no-provider = No identity provider (OpenID Connect) answers at this address. Check the address.
oidc-error-not-set = Set up the identity provider first.
oidc-error-client-id = Enter the client ID (at most 255 characters).
oidc-error-secret = Enter the client secret (at most 1000 characters).
oidc-error-no-key = A secret cannot be stored yet. Ask the server's administrator to set settings_key.
oidc-error-email = There is no staff member with this e-mail address in your organisation.
oidc-error-subject = Enter the subject (at most 255 characters).
oidc-error-linked = This subject is already linked, or this staff member already has a link. Unlink first.
oidc-error-no-link = This link no longer exists.
retention-title = Retention of dossiers
retention-intro = A dossier is kept { $years } years after the last care. After that it may be destroyed. Every hour Inzage looks for the dossiers that are that far. You destroy them yourself: one at a time, with a reason.
retention-due = Past their retention term
retention-none-due = No dossier is past its retention term.
retention-number = Client number
retention-name = Name
retention-last-care = Last care
retention-term-ended = Retention term ended on
retention-action = Action
retention-review = Review { $number }
retention-destroyed = Destroyed
retention-none-destroyed = No dossier has been destroyed yet.
retention-destroyed-line = Destroyed on { $at } by { $by } (last care { $last }).
retention-removed = Removed: { $rows } records, { $files } files, { $events } log lines.
retention-reason = Reason
retention-reason-hint = The reason is kept for good. Do not write the client's name or other details in it.
retention-back = Back to retention
retention-destroy-title = Destroy dossier
retention-years = { $years } years
retention-destroy-warning = Destroying cannot be undone. This goes:
retention-count-reports = { $n } reports
retention-count-documents = { $n } documents
retention-count-contacts = { $n } contact persons (with their account when it serves no other client)
retention-count-events = { $n } log lines about this dossier
retention-what-stays = What stays: that this dossier was destroyed, when, by whom and why. Not what it held.
retention-type-number = Type the client number ({ $number }) to confirm
retention-destroy-button = Destroy dossier for good
retention-cancel = Do not destroy
retention-confirm-error = The client number does not match. Nothing was destroyed.
retention-reason-error = Write a reason (at most 1000 characters). Nothing was destroyed.
retention-notice-destroyed = The dossier was destroyed.

# Passkeys (ADR 0029)
passkey-title = Passkeys
account-passkey-intro = With a passkey you sign in with your fingerprint, your face or the PIN of your phone or computer. You then need no SMS code or app code.
account-passkey-none = You have no passkey yet.
account-passkey-add = Add a passkey
account-passkey-name = Name of the passkey, for example: my phone
account-passkey-instead = I also want to sign in without my password, with this passkey alone.
account-passkey-instead-hint = Your password keeps working. You can still use it.
account-passkey-next = Next
account-passkey-added-on = Added on { $date }
account-passkey-used-on = Last used on { $date }
account-passkey-also-password = Also without a password.
account-passkey-remove = Remove { $name }
account-passkey-remove-button = Remove passkey
passkey-create-title = Make a passkey
passkey-create-intro = Press the button. Your phone or computer then asks for your fingerprint, your face or your PIN.
passkey-create-button = Make a passkey
passkey-added = Your passkey was added.
passkey-removed = Your passkey was removed.
passkey-not-added = Making the passkey did not work. Please try again.
passkey-known = This passkey was added already.
passkey-expired = That took too long. Please start again.
passkey-too-many = You have { $max } passkeys already. Remove one first.
passkey-not-here = Passkeys do not work at this address of Inzage.
passkey-name-invalid = Give the passkey a name of at most { $max } characters.
passkey-needs-js = A passkey needs JavaScript switched on in your browser. You can also sign in another way.
passkey-elsewhere = Passkeys work at { $origin }.
passkey-cancelled = That did not work. Try again, or choose another way.
passkey-unsupported = Your browser cannot use passkeys. Choose another way.
passkey-back = Back
code-passkey-heading = Or use your passkey
code-passkey-intro = You then need no code.
code-use-passkey = Use passkey
login-passkey-heading = Do you have a passkey?
login-passkey-intro = Then you can sign in without a password.
login-passkey-button = Sign in with a passkey
passkey-sign-in-title = Sign in with a passkey
passkey-sign-in-intro = Press the button and choose your passkey. Your phone or computer then asks for your fingerprint, your face or your PIN.
passkey-sign-in-button = Use passkey
passkey-rejected = Signing in with this passkey does not work. Sign in with your e-mail address and password.
passkey-only-second-step = You cannot sign in without a password with this passkey. Sign in with your password. You can then use the passkey.
passkey-start-failed = Signing in with a passkey does not work right now. Sign in with your password.
