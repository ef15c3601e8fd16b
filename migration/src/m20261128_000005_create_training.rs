//! Training programmes: courses and their organisers, sessions, participants
//! (one record per person, matched by phone), enrolments with a waitlist,
//! attendance and certificates.
//!
//! Invariants held by the schema: a course never has more enrolled
//! participants than seats (`enrolled_count <= capacity`), a session ends
//! after it starts, a person is enrolled at most once per course and has one
//! attendance mark per session, and certificate numbers and check-in codes
//! are unique.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    Title,
    Description,
    Topic,
    HostOrganisation,
    Area,
    StartsOn,
    EndsOn,
    Capacity,
    EnrolledCount,
    MinAttendancePercent,
    Status,
    CreatedBy,
    CompletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CourseOrganisers {
    Table,
    CourseId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TrainingSessions {
    Table,
    Id,
    CourseId,
    Title,
    StartsAt,
    EndsAt,
    Location,
    OnlineUrl,
    CheckinCode,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Participants {
    Table,
    Id,
    FullName,
    Phone,
    Email,
    UserId,
    CooperativeId,
    RoleInCooperative,
    Commune,
    Area,
    Gender,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    CourseId,
    ParticipantId,
    Status,
    Seq,
    EnrolledAt,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    SessionId,
    ParticipantId,
    Status,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum TrainingCertificates {
    Table,
    Id,
    Number,
    CourseId,
    ParticipantId,
    IssuedOn,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(
        clippy::too_many_lines,
        reason = "a released migration: the training tables, statement by statement, kept as shipped"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Courses::Table)
                    .col(uuid(Courses::Id).primary_key())
                    .col(string_len(Courses::Title, 200))
                    .col(text(Courses::Description))
                    .col(string_len(Courses::Topic, 100))
                    .col(string_len(Courses::HostOrganisation, 200))
                    .col(string_len(Courses::Area, 100))
                    .col(date(Courses::StartsOn))
                    .col(date(Courses::EndsOn))
                    .col(integer(Courses::Capacity))
                    .col(integer(Courses::EnrolledCount).default(0))
                    .col(integer(Courses::MinAttendancePercent))
                    .col(string_len(Courses::Status, 16))
                    .col(uuid(Courses::CreatedBy))
                    .col(timestamp_with_time_zone_null(Courses::CompletedAt))
                    .col(timestamp_with_time_zone(Courses::CreatedAt))
                    .col(timestamp_with_time_zone(Courses::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Courses::Table, Courses::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .check(Expr::col(Courses::Capacity).gt(0))
                    .check(Expr::col(Courses::EnrolledCount).gte(0))
                    .check(Expr::col(Courses::EnrolledCount).lte(Expr::col(Courses::Capacity)))
                    .check(Expr::col(Courses::MinAttendancePercent).between(0, 100))
                    .check(Expr::col(Courses::EndsOn).gte(Expr::col(Courses::StartsOn)))
                    .check(Expr::col(Courses::Status).is_in([
                        "DRAFT",
                        "PUBLISHED",
                        "CANCELLED",
                        "COMPLETED",
                    ]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_courses_starts_on",
                Courses::Table,
                &["starts_on", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CourseOrganisers::Table)
                    .col(uuid(CourseOrganisers::CourseId))
                    .col(uuid(CourseOrganisers::UserId))
                    .col(timestamp_with_time_zone(CourseOrganisers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(CourseOrganisers::CourseId)
                            .col(CourseOrganisers::UserId),
                    )
                    .foreign_key(&mut fk(
                        (CourseOrganisers::Table, CourseOrganisers::CourseId),
                        (Courses::Table, Courses::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CourseOrganisers::Table, CourseOrganisers::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_course_organisers_user",
                CourseOrganisers::Table,
                &["user_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrainingSessions::Table)
                    .col(uuid(TrainingSessions::Id).primary_key())
                    .col(uuid(TrainingSessions::CourseId))
                    .col(string_len(TrainingSessions::Title, 200))
                    .col(timestamp_with_time_zone(TrainingSessions::StartsAt))
                    .col(timestamp_with_time_zone(TrainingSessions::EndsAt))
                    .col(string_len_null(TrainingSessions::Location, 300))
                    .col(string_len_null(TrainingSessions::OnlineUrl, 500))
                    .col(string_len_uniq(TrainingSessions::CheckinCode, 16))
                    .col(timestamp_with_time_zone_null(TrainingSessions::CancelledAt))
                    .col(timestamp_with_time_zone(TrainingSessions::CreatedAt))
                    .col(timestamp_with_time_zone(TrainingSessions::UpdatedAt))
                    .foreign_key(&mut fk(
                        (TrainingSessions::Table, TrainingSessions::CourseId),
                        (Courses::Table, Courses::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(
                        Expr::col(TrainingSessions::EndsAt)
                            .gt(Expr::col(TrainingSessions::StartsAt)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_training_sessions_course",
                TrainingSessions::Table,
                &["course_id", "starts_at"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Participants::Table)
                    .col(uuid(Participants::Id).primary_key())
                    .col(string_len(Participants::FullName, 100))
                    .col(string_len_uniq(Participants::Phone, 20))
                    .col(string_len_null(Participants::Email, 254))
                    .col(uuid_null(Participants::UserId))
                    .col(uuid_null(Participants::CooperativeId))
                    .col(string_len_null(Participants::RoleInCooperative, 100))
                    .col(string_len(Participants::Commune, 100))
                    .col(string_len(Participants::Area, 100))
                    .col(string_len_null(Participants::Gender, 16))
                    .col(timestamp_with_time_zone(Participants::CreatedAt))
                    .col(timestamp_with_time_zone(Participants::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Participants::Table, Participants::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        (Participants::Table, Participants::CooperativeId),
                        (Cooperatives::Table, Cooperatives::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .check(
                        Expr::col(Participants::Gender)
                            .is_null()
                            .or(Expr::col(Participants::Gender).is_in(["FEMALE", "MALE", "OTHER"])),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("idx_participants_user", Participants::Table, &["user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrolments::Table)
                    .col(uuid(Enrolments::CourseId))
                    .col(uuid(Enrolments::ParticipantId))
                    .col(string_len(Enrolments::Status, 16))
                    .col(big_integer(Enrolments::Seq))
                    .col(timestamp_with_time_zone(Enrolments::EnrolledAt))
                    .col(timestamp_with_time_zone_null(Enrolments::WithdrawnAt))
                    .primary_key(
                        Index::create()
                            .col(Enrolments::CourseId)
                            .col(Enrolments::ParticipantId),
                    )
                    .foreign_key(&mut fk(
                        (Enrolments::Table, Enrolments::CourseId),
                        (Courses::Table, Courses::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Enrolments::Table, Enrolments::ParticipantId),
                        (Participants::Table, Participants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(Expr::col(Enrolments::Status).is_in([
                        "ENROLLED",
                        "WAITLISTED",
                        "WITHDRAWN",
                    ]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_enrolments_course_seq",
                    Enrolments::Table,
                    &["course_id", "seq"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_enrolments_participant",
                Enrolments::Table,
                &["participant_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(uuid(Attendance::SessionId))
                    .col(uuid(Attendance::ParticipantId))
                    .col(string_len(Attendance::Status, 16))
                    .col(uuid_null(Attendance::RecordedBy))
                    .col(timestamp_with_time_zone(Attendance::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(Attendance::SessionId)
                            .col(Attendance::ParticipantId),
                    )
                    .foreign_key(&mut fk(
                        (Attendance::Table, Attendance::SessionId),
                        (TrainingSessions::Table, TrainingSessions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Attendance::Table, Attendance::ParticipantId),
                        (Participants::Table, Participants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(
                        Expr::col(Attendance::Status)
                            .is_in(["PRESENT", "LATE", "EXCUSED", "ABSENT"]),
                    )
                    .to_owned(),
            )
            .await?;

        // Reports count a participant's attendance across the course's sessions.
        manager
            .create_index(index(
                "idx_attendance_participant",
                Attendance::Table,
                &["participant_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrainingCertificates::Table)
                    .col(uuid(TrainingCertificates::Id).primary_key())
                    .col(string_len_uniq(TrainingCertificates::Number, 32))
                    .col(uuid(TrainingCertificates::CourseId))
                    .col(uuid(TrainingCertificates::ParticipantId))
                    .col(date(TrainingCertificates::IssuedOn))
                    .col(timestamp_with_time_zone(TrainingCertificates::CreatedAt))
                    .foreign_key(&mut fk(
                        (TrainingCertificates::Table, TrainingCertificates::CourseId),
                        (Courses::Table, Courses::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (
                            TrainingCertificates::Table,
                            TrainingCertificates::ParticipantId,
                        ),
                        (Participants::Table, Participants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_training_certificates_course_participant",
                    TrainingCertificates::Table,
                    &["course_id", "participant_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TrainingCertificates::Table.into_iden(),
            Attendance::Table.into_iden(),
            Enrolments::Table.into_iden(),
            Participants::Table.into_iden(),
            TrainingSessions::Table.into_iden(),
            CourseOrganisers::Table.into_iden(),
            Courses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
