using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Incidents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "BlockedAt",
                table: "Partner",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BlockedReason",
                table: "Partner",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Incident",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SourceRef = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ReportedById = table.Column<Guid>(type: "uuid", nullable: true),
                    ReportedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ReportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DiscoveredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SuspectId = table.Column<Guid>(type: "uuid", nullable: true),
                    SuspectName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    CopySerial = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    PartnerId = table.Column<Guid>(type: "uuid", nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    WentBeyondCircle = table.Column<bool>(type: "boolean", nullable: true),
                    NoneLearntShown = table.Column<bool>(type: "boolean", nullable: true),
                    TriagedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AffectedPeople = table.Column<long>(type: "bigint", nullable: true),
                    Grade = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: true),
                    GradedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CriticalInfrastructure = table.Column<bool>(type: "boolean", nullable: false),
                    AuthorityDueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AuthorityReportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AuthorityRemindAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AuthorityRemindedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AuthorityEscalatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ContainedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClosedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Review = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Accountability = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    SummaryDueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SummaryReportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SummaryRemindedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NoticeKinds = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    NoticeCause = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    NoticeHarm = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    NoticeMeasures = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    NoticeAdvice = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    NoticeContact = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    NoticeDraftedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ScopeCustomers = table.Column<int>(type: "integer", nullable: true),
                    Stamp = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Incident", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IncidentStep",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActorName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Kind = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    Action = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: true),
                    Target = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Detail = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    ReversedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReversedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentStep", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Incident_AuthorityDueAt",
                table: "Incident",
                column: "AuthorityDueAt",
                filter: "\"AuthorityReportedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Incident_Number",
                table: "Incident",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Incident_Status_ReportedAt",
                table: "Incident",
                columns: new[] { "Status", "ReportedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Incident_SuspectId",
                table: "Incident",
                column: "SuspectId");

            migrationBuilder.CreateIndex(
                name: "IX_IncidentStep_IncidentId_At",
                table: "IncidentStep",
                columns: new[] { "IncidentId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Incident");

            migrationBuilder.DropTable(
                name: "IncidentStep");

            migrationBuilder.DropColumn(
                name: "BlockedAt",
                table: "Partner");

            migrationBuilder.DropColumn(
                name: "BlockedReason",
                table: "Partner");
        }
    }
}
