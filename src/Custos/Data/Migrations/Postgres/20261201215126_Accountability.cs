using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Accountability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccountabilityEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Type = table.Column<int>(type: "integer", nullable: false),
                    Ground = table.Column<int>(type: "integer", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: true),
                    PersonName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    WhistleReportId = table.Column<Guid>(type: "uuid", nullable: true),
                    IncidentNumber = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Amount = table.Column<int>(type: "integer", nullable: true),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    ProposedById = table.Column<Guid>(type: "uuid", nullable: false),
                    ProposedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ProposedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DecidedById = table.Column<Guid>(type: "uuid", nullable: true),
                    DecidedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DecisionNote = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    LinkedToId = table.Column<Guid>(type: "uuid", nullable: true),
                    ClaimHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: true),
                    PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PaidBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Stamp = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountabilityEntries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_ClaimHash",
                table: "AccountabilityEntries",
                column: "ClaimHash",
                unique: true,
                filter: "\"ClaimHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_Number",
                table: "AccountabilityEntries",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_PersonId",
                table: "AccountabilityEntries",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_Status_DecidedAt",
                table: "AccountabilityEntries",
                columns: new[] { "Status", "DecidedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountabilityEntries");
        }
    }
}
