using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Incidents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "BlockedAt",
                table: "Partner",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BlockedReason",
                table: "Partner",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Incident",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SourceRef = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ReportedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReportedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ReportedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DiscoveredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SuspectId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SuspectName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    CopySerial = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    PartnerId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    WentBeyondCircle = table.Column<bool>(type: "INTEGER", nullable: true),
                    NoneLearntShown = table.Column<bool>(type: "INTEGER", nullable: true),
                    TriagedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AffectedPeople = table.Column<long>(type: "INTEGER", nullable: true),
                    Grade = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                    GradedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CriticalInfrastructure = table.Column<bool>(type: "INTEGER", nullable: false),
                    AuthorityDueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorityReportedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorityRemindAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorityRemindedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorityEscalatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ContainedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Review = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Accountability = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    SummaryDueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SummaryReportedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SummaryRemindedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NoticeKinds = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NoticeCause = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NoticeHarm = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NoticeMeasures = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NoticeAdvice = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NoticeContact = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NoticeDraftedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ScopeCustomers = table.Column<int>(type: "INTEGER", nullable: true),
                    Stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Incident", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IncidentStep",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                    Target = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    ReversedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReversedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
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
