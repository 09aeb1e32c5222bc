use super::*;
use proptest::prelude::*;

fn rules() -> TipRules {
    TipRules {
        rewards: vec![
            RewardRule { finding: "major_hazard".into(), percent_of_penalty: 15, min_yuan: 3000, max_yuan: 300_000 },
            RewardRule { finding: "general_hazard".into(), percent_of_penalty: 0, min_yuan: 200, max_yuan: 2000 },
        ],
        ..TipRules::default()
    }
}

#[test]
fn a_reward_is_the_rules_share_of_the_penalty_within_its_bounds() {
    let r = rules();
    // 15 % of 100,000 = 15,000.
    assert_eq!(reward_yuan(&r, "major_hazard", Outcome::True, 100_000), Ok(15_000));
    // Below the floor: the floor.
    assert_eq!(reward_yuan(&r, "major_hazard", Outcome::True, 1_000), Ok(3_000));
    // Above the ceiling: the ceiling.
    assert_eq!(reward_yuan(&r, "major_hazard", Outcome::True, 10_000_000), Ok(300_000));
    // Partly true: half.
    assert_eq!(reward_yuan(&r, "major_hazard", Outcome::PartlyTrue, 100_000), Ok(7_500));
    assert_eq!(reward_yuan(&r, "general_hazard", Outcome::True, 0), Ok(200));
    assert_eq!(reward_yuan(&r, "major_hazard", Outcome::Untrue, 100_000), Err(RewardError::NotFounded));
    assert_eq!(reward_yuan(&r, "arson", Outcome::True, 1), Err(RewardError::UnknownFinding("arson".into())));
    assert_eq!(reward_yuan(&r, "major_hazard", Outcome::True, -1), Err(RewardError::NegativePenalty));
}

#[test]
fn the_happy_path_runs_from_receipt_to_payment() {
    let mut s = TipState::Received;
    let mut o = None;
    for a in [
        Action::Assign,
        Action::Conclude(Outcome::True),
        Action::ProposeReward,
        Action::ApproveReward,
        Action::RecordPayment,
    ] {
        if let Action::Conclude(x) = a {
            o = Some(x);
        }
        s = next(s, o, a).unwrap();
    }
    assert_eq!(s, TipState::Closed);
}

#[test]
fn an_untrue_tip_closes_at_once_and_earns_nothing() {
    assert_eq!(next(TipState::Assigned, None, Action::Conclude(Outcome::Untrue)), Ok(TipState::Closed));
    assert_eq!(next(TipState::Concluded, Some(Outcome::Untrue), Action::ProposeReward), Err(TipError::NotFounded));
    assert_eq!(check_approver(7, 7), Err(TipError::SamePerson));
    assert_eq!(check_approver(7, 8), Ok(()));
}

#[test]
fn receipt_codes_carry_100_bits_and_survive_retyping() {
    let code = |bytes: &[u8; 13]| ReceiptCode::generate(bytes).to_string();
    assert_eq!(code(&[0xff; 13]), "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ");
    let a = code(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    let b = code(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]);
    // The last nibble is dropped (100 of 104 bits); one bit before it changes the code.
    assert_eq!(a, b);
    let c = code(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x1d]);
    assert_ne!(a, c);
    let typed = a.to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
    let parsed = ReceiptCode::parse(&typed).unwrap();
    assert_eq!(parsed.canonical(), a.replace('-', ""));
    assert_eq!(parsed.to_string(), a, "shown again as it was given");
    assert_eq!(format!("{parsed:?}"), "ReceiptCode(…)", "never printed by a log line");
    assert_eq!(ReceiptCode::parse("ABC"), None);
    assert_eq!(ReceiptCode::parse("UUUUU-UUUUU-UUUUU-UUUUU"), None, "U is not in the alphabet");
    assert_eq!(ReceiptCode::parse("举报举报举报举报举报举报举报举报举报举报"), None);
}

#[test]
fn proof_of_work_is_checked_in_one_hash() {
    let nonce = solve_proof_of_work("abc", 12);
    assert!(proof_of_work_ok("abc", &nonce, 12));
    // Most nonces do not: the work is real.
    assert!((0..64).filter(|n| proof_of_work_ok("abc", &n.to_string(), 12)).count() < 4);
    assert!(!proof_of_work_ok("abc", "", 0));
    assert_eq!(leading_zero_bits(&[0, 0b0001_0000]), 11);
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Assign),
        Just(Action::Reassign),
        Just(Action::Conclude(Outcome::True)),
        Just(Action::Conclude(Outcome::PartlyTrue)),
        Just(Action::Conclude(Outcome::Untrue)),
        Just(Action::ProposeReward),
        Just(Action::ApproveReward),
        Just(Action::RejectReward),
        Just(Action::RecordPayment),
        Just(Action::Close),
    ]
}

proptest! {
    /// Whatever is attempted in whatever order: a closed tip stays closed, no reward state is
    /// reached without a founded outcome, and payment only follows approval.
    #[test]
    fn no_sequence_pays_an_untrue_tip_or_reopens_a_closed_one(actions in proptest::collection::vec(any_action(), 0..30)) {
        let mut s = TipState::Received;
        let mut outcome = None;
        for a in actions {
            let before = s;
            // A refused step changes nothing; an accepted one must keep the invariants.
            if let Ok(after) = next(s, outcome, a) {
                prop_assert_ne!(before, TipState::Closed);
                if let Action::Conclude(o) = a { outcome = Some(o); }
                if matches!(after, TipState::RewardProposed | TipState::RewardApproved) {
                    prop_assert!(outcome.is_some_and(Outcome::founded));
                }
                if a == Action::RecordPayment {
                    prop_assert_eq!(before, TipState::RewardApproved);
                }
                s = after;
            }
        }
    }

    #[test]
    fn every_receipt_code_normalises_to_itself(bytes in proptest::array::uniform13(any::<u8>())) {
        let code = ReceiptCode::generate(&bytes);
        let shown = code.to_string();
        prop_assert_eq!(shown.len(), RECEIPT_CHARS + 3);
        prop_assert_eq!(code.canonical(), shown.replace('-', ""));
        prop_assert_eq!(ReceiptCode::parse(&shown), Some(code));
    }

    #[test]
    fn a_reward_never_leaves_its_bounds(penalty in 0i64..100_000_000, partly in any::<bool>()) {
        let r = rules();
        let o = if partly { Outcome::PartlyTrue } else { Outcome::True };
        let y = reward_yuan(&r, "major_hazard", o, penalty).unwrap();
        let (lo, hi) = if partly { (1500, 150_000) } else { (3000, 300_000) };
        prop_assert!((lo..=hi).contains(&y));
    }
}
