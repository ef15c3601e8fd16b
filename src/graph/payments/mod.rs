//! Payments as the API shows them: bank transfers staff sort out, and the
//! payment queries and mutations over [`crate::payments::service`].

mod enums;
mod objects;
mod resolvers;

pub use enums::TransferOutcome;
pub use objects::{AssignTransferPayload, BankTransfer};
pub use resolvers::{PaymentMutation, PaymentQuery};
