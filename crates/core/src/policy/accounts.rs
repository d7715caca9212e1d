//! Who may change an account, and how (ADR 0013). An account belongs to
//! its holder: its login identifiers (e-mail address, mobile number) and
//! its credentials change only with the holder's consent, and a new link
//! to a dossier reaches an existing account only when the holder accepts
//! it while signed in.
use crate::model::AccountKind;
use serde::Serialize;

/// What the rules need to know about an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountFacts {
    pub kind: AccountKind,
    /// The holder has set a password (the account is in use).
    pub has_password: bool,
    /// Dossier rows that sign in with this account (a client's own row,
    /// or every contact-person row linked to it).
    pub linked_rows: u32,
}

/// How a change of an account's e-mail address or mobile number, asked
/// for by staff, takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangePath {
    /// Nobody holds the account yet (invited, no password, one row): staff
    /// change it; open invitation links stop working.
    Direct,
    /// The holder confirms, signed in, through a link sent to the old
    /// address; until then nothing changes.
    HolderConfirms,
}

/// Staff change the contact details of a row with an account (or none).
pub fn staff_identifier_change(account: Option<&AccountFacts>) -> ChangePath {
    match account {
        None => ChangePath::Direct,
        Some(a) if !a.has_password && a.linked_rows <= 1 => ChangePath::Direct,
        Some(_) => ChangePath::HolderConfirms,
    }
}

/// What an invitation of a contact-person row does with its e-mail address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPath {
    /// No account has this address: a new one, for this row only.
    NewAccount,
    /// A contact person's account has it: the row waits until the holder
    /// accepts (or declines) the link while signed in. The account itself
    /// is not touched.
    HolderAccepts,
    /// Another kind of account (a client's, a staff member's) has it: an
    /// account serves one kind of person, so the holder is told to give
    /// another address. Staff see the same "invited" as in the other cases.
    AddressTaken,
}

pub fn contact_person_link(existing: Option<AccountKind>) -> LinkPath {
    match existing {
        None => LinkPath::NewAccount,
        Some(AccountKind::ContactPerson) => LinkPath::HolderAccepts,
        Some(_) => LinkPath::AddressTaken,
    }
}

/// A decision about an account's own business (its links, its identifier
/// changes, its credentials): only the holder, signed in, decides.
pub fn holder_only(session_account: &str, target_account: &str) -> bool {
    !session_account.is_empty() && session_account == target_account
}

/// Who may ask for notifications about a dossier (ADR 0021): the people
/// the portal is for, a client and a contact person. Staff learn of their
/// work in the workspace (the queue, the counts on Mijn cliënten), not by
/// mail. Which dossier news a reader hears of is decided per item by
/// [`crate::policy::decide`], as for reading.
pub fn may_be_notified(kind: AccountKind) -> bool {
    matches!(kind, AccountKind::Client | AccountKind::ContactPerson)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_are_for_clients_and_contact_persons() {
        assert!(may_be_notified(AccountKind::Client));
        assert!(may_be_notified(AccountKind::ContactPerson));
        assert!(!may_be_notified(AccountKind::Staff));
    }

    fn acct(has_password: bool, linked_rows: u32) -> AccountFacts {
        AccountFacts {
            kind: AccountKind::ContactPerson,
            has_password,
            linked_rows,
        }
    }

    #[test]
    fn staff_change_an_account_directly_only_while_nobody_holds_it() {
        use ChangePath::*;
        let table = [
            (None, Direct),
            (Some(acct(false, 0)), Direct),
            (Some(acct(false, 1)), Direct),
            // Shared by two rows: somebody else's link would move with it.
            (Some(acct(false, 2)), HolderConfirms),
            (Some(acct(true, 1)), HolderConfirms),
            (Some(acct(true, 3)), HolderConfirms),
        ];
        for (a, want) in table {
            assert_eq!(staff_identifier_change(a.as_ref()), want, "{a:?}");
        }
    }

    #[test]
    fn an_existing_account_is_linked_only_by_its_holder() {
        use LinkPath::*;
        assert_eq!(contact_person_link(None), NewAccount);
        assert_eq!(
            contact_person_link(Some(AccountKind::ContactPerson)),
            HolderAccepts
        );
        assert_eq!(contact_person_link(Some(AccountKind::Client)), AddressTaken);
        assert_eq!(contact_person_link(Some(AccountKind::Staff)), AddressTaken);
    }

    #[test]
    fn only_the_holder_decides_about_their_account() {
        assert!(holder_only("a1", "a1"));
        assert!(!holder_only("a1", "a2"));
        assert!(!holder_only("", ""));
    }
}
