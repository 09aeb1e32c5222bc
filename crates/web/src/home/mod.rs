//! Home: where each person lands — a bureau on its cockpit, an enterprise on its workbench
//! (this period's duties, its open hazards, the list to sign), a guard on the round under way,
//! the public on the tip form — and the way back to the page that asked for a sign-in.

pub mod pages;
