//! What an organiser types belongs to that enrolment, a certificate keeps the
//! name it was issued with, and a course has a contact of its own.
//!
//! A participant is one person across courses, matched by phone; until now
//! the details every organiser typed (name, commune, cooperative…) were
//! written onto that one shared record, so enrolling a known phone in course
//! Y rewrote what course X showed and what X's certificates said. Each
//! enrolment now keeps its own copy of the details given to its course
//! (backfilled from the participant), each certificate the name it was issued
//! to, and each course the contact its organisers chose to publish (the
//! organisers' sign-in e-mail and phone are no longer shown to the public).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    FullName,
    Email,
    CooperativeId,
    RoleInCooperative,
    Commune,
    Area,
    Gender,
}

#[derive(DeriveIden)]
enum TrainingCertificates {
    Table,
    ParticipantName,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    ContactName,
    ContactPhone,
    ContactEmail,
}

/// One column per statement: SQLite alters a table one change at a time.
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            Enrolments::Table,
            string_len(Enrolments::FullName, 100).default("").to_owned(),
        )
        .await?;
        add(
            manager,
            Enrolments::Table,
            string_len_null(Enrolments::Email, 254),
        )
        .await?;
        add(
            manager,
            Enrolments::Table,
            uuid_null(Enrolments::CooperativeId),
        )
        .await?;
        add(
            manager,
            Enrolments::Table,
            string_len_null(Enrolments::RoleInCooperative, 100),
        )
        .await?;
        add(
            manager,
            Enrolments::Table,
            string_len(Enrolments::Commune, 100).default("").to_owned(),
        )
        .await?;
        add(
            manager,
            Enrolments::Table,
            string_len(Enrolments::Area, 100).default("").to_owned(),
        )
        .await?;
        add(
            manager,
            Enrolments::Table,
            string_len_null(Enrolments::Gender, 16),
        )
        .await?;
        add(
            manager,
            TrainingCertificates::Table,
            string_len(TrainingCertificates::ParticipantName, 100)
                .default("")
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Courses::Table,
            string_len_null(Courses::ContactName, 100),
        )
        .await?;
        add(
            manager,
            Courses::Table,
            string_len_null(Courses::ContactPhone, 20),
        )
        .await?;
        add(
            manager,
            Courses::Table,
            string_len_null(Courses::ContactEmail, 254),
        )
        .await?;

        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE enrolments SET \
             full_name = COALESCE((SELECT p.full_name FROM participants p WHERE p.id = enrolments.participant_id), ''), \
             email = (SELECT p.email FROM participants p WHERE p.id = enrolments.participant_id), \
             cooperative_id = (SELECT p.cooperative_id FROM participants p WHERE p.id = enrolments.participant_id), \
             role_in_cooperative = (SELECT p.role_in_cooperative FROM participants p WHERE p.id = enrolments.participant_id), \
             commune = COALESCE((SELECT p.commune FROM participants p WHERE p.id = enrolments.participant_id), ''), \
             area = COALESCE((SELECT p.area FROM participants p WHERE p.id = enrolments.participant_id), ''), \
             gender = (SELECT p.gender FROM participants p WHERE p.id = enrolments.participant_id)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE training_certificates SET participant_name = COALESCE(\
             (SELECT e.full_name FROM enrolments e WHERE e.course_id = training_certificates.course_id \
              AND e.participant_id = training_certificates.participant_id), '')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Courses::ContactEmail,
            Courses::ContactPhone,
            Courses::ContactName,
        ] {
            drop(manager, Courses::Table, column).await?;
        }
        drop(
            manager,
            TrainingCertificates::Table,
            TrainingCertificates::ParticipantName,
        )
        .await?;
        for column in [
            Enrolments::Gender,
            Enrolments::Area,
            Enrolments::Commune,
            Enrolments::RoleInCooperative,
            Enrolments::CooperativeId,
            Enrolments::Email,
            Enrolments::FullName,
        ] {
            drop(manager, Enrolments::Table, column).await?;
        }
        Ok(())
    }
}
