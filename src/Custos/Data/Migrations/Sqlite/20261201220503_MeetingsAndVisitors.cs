using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MeetingsAndVisitors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ExcludedPersonId",
                table: "AccountabilityEntries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Meetings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Venue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    VenueChecked = table.Column<bool>(type: "INTEGER", nullable: false),
                    StartsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Grade = table.Column<int>(type: "INTEGER", nullable: false),
                    PassOn = table.Column<int>(type: "INTEGER", nullable: false),
                    PassOnTo = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    OrganiserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganiserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Minutes = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Meetings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RestrictedAreas",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequiresNda = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RestrictedAreas", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Visits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AreaId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VisitorName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Organisation = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    IdDocumentCipher = table.Column<string>(type: "TEXT", nullable: false),
                    IdDocumentTail = table.Column<string>(type: "TEXT", maxLength: 4, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    VisitOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    HostId = table.Column<Guid>(type: "TEXT", nullable: false),
                    HostName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DecidedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecisionNote = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    NdaReference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CheckedInAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CheckedInBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    CheckedOutAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CheckedOutBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    OverstayNotifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Visits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MeetingAttendees",
                columns: table => new
                {
                    MeetingId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ConfirmedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MeetingAttendees", x => new { x.MeetingId, x.PersonId });
                    table.ForeignKey(
                        name: "FK_MeetingAttendees_Meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "Meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MeetingMaterials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MeetingId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CopyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Serial = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    HolderId = table.Column<Guid>(type: "TEXT", nullable: false),
                    HolderName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    HandedOutAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CollectedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MeetingMaterials", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MeetingMaterials_Meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "Meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_WhistleReportId",
                table: "AccountabilityEntries",
                column: "WhistleReportId");

            migrationBuilder.CreateIndex(
                name: "IX_MeetingAttendees_PersonId",
                table: "MeetingAttendees",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_MeetingMaterials_CopyId",
                table: "MeetingMaterials",
                column: "CopyId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MeetingMaterials_MeetingId",
                table: "MeetingMaterials",
                column: "MeetingId");

            migrationBuilder.CreateIndex(
                name: "IX_Meetings_Number",
                table: "Meetings",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Meetings_Status_StartsAt",
                table: "Meetings",
                columns: new[] { "Status", "StartsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RestrictedAreas_Code",
                table: "RestrictedAreas",
                column: "Code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Visits_AreaId_VisitOn",
                table: "Visits",
                columns: new[] { "AreaId", "VisitOn" });

            migrationBuilder.CreateIndex(
                name: "IX_Visits_Number",
                table: "Visits",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Visits_Status_CheckedInAt",
                table: "Visits",
                columns: new[] { "Status", "CheckedInAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MeetingAttendees");

            migrationBuilder.DropTable(
                name: "MeetingMaterials");

            migrationBuilder.DropTable(
                name: "RestrictedAreas");

            migrationBuilder.DropTable(
                name: "Visits");

            migrationBuilder.DropTable(
                name: "Meetings");

            migrationBuilder.DropIndex(
                name: "IX_AccountabilityEntries_WhistleReportId",
                table: "AccountabilityEntries");

            migrationBuilder.DropColumn(
                name: "ExcludedPersonId",
                table: "AccountabilityEntries");
        }
    }
}
