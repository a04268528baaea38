using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AnonymousReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "CopyHolderId",
                table: "Incident",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "GradeRemindedAt",
                table: "Incident",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SummaryEscalatedAt",
                table: "Incident",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "HandlesReports",
                table: "CommitteeSeat",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "WhistleAttachment",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReportId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Cipher = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhistleAttachment", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WhistleChallenge",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Bits = table.Column<int>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhistleChallenge", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WhistleMessage",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReportId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    FromReporter = table.Column<bool>(type: "INTEGER", nullable: false),
                    HandlerName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    BodyCipher = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhistleMessage", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WhistleReport",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Receipt = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    SecretSalt = table.Column<byte[]>(type: "BLOB", maxLength: 16, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ReceivedOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    SummaryCipher = table.Column<string>(type: "TEXT", nullable: false),
                    BodyCipher = table.Column<string>(type: "TEXT", nullable: false),
                    IdentityCipher = table.Column<string>(type: "TEXT", nullable: true),
                    SubjectPersonId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FailedAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhistleReport", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Incident_CopyHolderId",
                table: "Incident",
                column: "CopyHolderId");

            migrationBuilder.CreateIndex(
                name: "IX_Incident_Source_SourceRef",
                table: "Incident",
                columns: new[] { "Source", "SourceRef" },
                unique: true,
                filter: "\"SourceRef\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_WhistleAttachment_ReportId",
                table: "WhistleAttachment",
                column: "ReportId");

            migrationBuilder.CreateIndex(
                name: "IX_WhistleChallenge_IssuedAt",
                table: "WhistleChallenge",
                column: "IssuedAt");

            migrationBuilder.CreateIndex(
                name: "IX_WhistleMessage_ReportId_At",
                table: "WhistleMessage",
                columns: new[] { "ReportId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_WhistleReport_Receipt",
                table: "WhistleReport",
                column: "Receipt",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WhistleReport_Status_ReceivedOn",
                table: "WhistleReport",
                columns: new[] { "Status", "ReceivedOn" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WhistleAttachment");

            migrationBuilder.DropTable(
                name: "WhistleChallenge");

            migrationBuilder.DropTable(
                name: "WhistleMessage");

            migrationBuilder.DropTable(
                name: "WhistleReport");

            migrationBuilder.DropIndex(
                name: "IX_Incident_CopyHolderId",
                table: "Incident");

            migrationBuilder.DropIndex(
                name: "IX_Incident_Source_SourceRef",
                table: "Incident");

            migrationBuilder.DropColumn(
                name: "CopyHolderId",
                table: "Incident");

            migrationBuilder.DropColumn(
                name: "GradeRemindedAt",
                table: "Incident");

            migrationBuilder.DropColumn(
                name: "SummaryEscalatedAt",
                table: "Incident");

            migrationBuilder.DropColumn(
                name: "HandlesReports",
                table: "CommitteeSeat");
        }
    }
}
