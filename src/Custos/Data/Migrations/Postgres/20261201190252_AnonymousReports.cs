using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "GradeRemindedAt",
                table: "Incident",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SummaryEscalatedAt",
                table: "Incident",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "HandlesReports",
                table: "CommitteeSeat",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "WhistleAttachment",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ReportId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Cipher = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhistleAttachment", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WhistleChallenge",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Bits = table.Column<int>(type: "integer", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhistleChallenge", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WhistleMessage",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ReportId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FromReporter = table.Column<bool>(type: "boolean", nullable: false),
                    HandlerName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    BodyCipher = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WhistleMessage", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WhistleReport",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Receipt = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    SecretSalt = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ReceivedOn = table.Column<DateOnly>(type: "date", nullable: false),
                    SummaryCipher = table.Column<string>(type: "text", nullable: false),
                    BodyCipher = table.Column<string>(type: "text", nullable: false),
                    IdentityCipher = table.Column<string>(type: "text", nullable: true),
                    SubjectPersonId = table.Column<Guid>(type: "uuid", nullable: true),
                    FailedAttempts = table.Column<int>(type: "integer", nullable: false),
                    LockedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClosedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
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
